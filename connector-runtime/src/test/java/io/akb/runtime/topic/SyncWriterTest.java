package io.akb.runtime.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.StreamDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What a reader of the topics finds from one {@link SyncWriter} sync: the events in their order,
 * the records with their keys, partitions and headers, and checkpoint counts that complete exactly
 * when the records before them are applied.
 */
class SyncWriterTest {
  private static final String CATALOG =
      """
      {"streams": [
        {"stream": {"name": "users", "json_schema": {"type": "object"}},
         "sync_mode": "incremental", "cursor_field": ["id"], "destination_sync_mode": "append_dedup",
         "primary_key": [["id"]]},
        {"stream": {"name": "events", "namespace": "app", "json_schema": {"type": "object"}},
         "sync_mode": "full_refresh", "destination_sync_mode": "overwrite", "primary_key": []}
      ]}""";
  private static final String USERS = "p.users";
  private static final String EVENTS = "p.app.events";

  private final AtomicLong clock = new AtomicLong(1_000);

  private SyncWriter writer() {
    return writer(parse(CATALOG, ConfiguredAirbyteCatalog.class));
  }

  private SyncWriter writer(ConfiguredAirbyteCatalog catalog) {
    return new SyncWriter(
        "task-0",
        "source-test",
        "p.",
        catalog,
        TopicNames.recordTopics(
            "p.",
            List.of(new StreamDescriptor("users", null), new StreamDescriptor("events", "app"))),
        Map.of(USERS, 3, EVENTS, 2),
        new RecordPartitioner(),
        clock::get);
  }

  private static <T> T parse(String json, Class<T> type) {
    try {
      return AirbyteJson.MAPPER.readValue(json, type);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static AirbyteMessage message(String json) {
    return parse(json, AirbyteMessage.class);
  }

  private static AirbyteMessage user(int id) {
    return message(
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1700000000000,"
            + "\"data\":{\"id\":"
            + id
            + ",\"name\":\"u"
            + id
            + "\"}}}");
  }

  private static AirbyteMessage event(String at) {
    return message(
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"events\",\"namespace\":\"app\","
            + "\"emitted_at\":5,\"data\":{\"at\":\""
            + at
            + "\"}}}");
  }

  private static AirbyteMessage usersState(int cursor) {
    return message(
        "{\"type\":\"STATE\",\"state\":{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":"
            + "{\"name\":\"users\"},\"stream_state\":{\"id\":"
            + cursor
            + "}}}}");
  }

  private static AirbyteMessage status(String stream, String namespace, String status) {
    return message(
        "{\"type\":\"TRACE\",\"trace\":{\"type\":\"STREAM_STATUS\",\"emitted_at\":1,"
            + "\"stream_status\":{\"stream_descriptor\":{\"name\":\""
            + stream
            + "\""
            + (namespace == null ? "" : ",\"namespace\":\"" + namespace + "\"")
            + "},\"status\":\""
            + status
            + "\"}}}");
  }

  /** An event as a reader gets it: parsed from the bytes on the state topic. */
  private static StateEvent readEvent(ContractRecord record) {
    assertThat(record.topic()).isEqualTo("p._state");
    assertThat(record.partition()).isZero();
    assertThat(new String(record.keyBytes(), StandardCharsets.UTF_8)).isEqualTo("task-0");
    assertThat(record.headers()).isEmpty();
    StateEvent event = TopicCatalog.parseEvent(record.valueBytes());
    assertThat(event).as("a state-topic value").isNotNull();
    assertThat(record.timestamp()).isEqualTo(event.emittedAt());
    return event;
  }

  /** A record as a reader gets it, at {@code offset}. */
  private static TopicRecord readRecord(ContractRecord record, long offset) throws Exception {
    return new TopicRecord(
        record.topic(),
        record.partition(),
        offset,
        record.timestamp(),
        record.headers(),
        AirbyteJson.MAPPER.readTree(record.valueBytes()));
  }

  @Test
  void aSyncIsStartedRecordsCheckpointsStreamStatusesAndCompletedInThatOrder() {
    SyncWriter writer = writer();
    List<ContractRecord> out = new ArrayList<>();
    out.add(writer.started());
    out.addAll(writer.onMessage(user(1)));
    out.addAll(writer.onMessage(event("a")));
    out.addAll(writer.onMessage(usersState(1)));
    out.addAll(writer.onMessage(status("users", null, "COMPLETE")));
    out.addAll(writer.onMessage(user(2)));
    out.addAll(writer.onMessage(usersState(2)));
    out.addAll(writer.completed(null));

    List<String> kinds =
        out.stream()
            .map(
                r ->
                    r instanceof ContractRecord.Event e
                        ? e.event().type().name()
                        : "RECORD " + r.topic())
            .toList();
    assertThat(kinds)
        .containsExactly(
            "SYNC_STARTED",
            "RECORD " + USERS,
            "RECORD " + EVENTS,
            "CHECKPOINT",
            "STREAM_STATUS",
            "RECORD " + USERS,
            "CHECKPOINT",
            "STREAM_STATUS",
            "SYNC_COMPLETED");

    StateEvent started = readEvent(out.get(0));
    assertThat(started.syncId()).isEqualTo(writer.syncId());
    assertThat(started.task()).isEqualTo("task-0");
    assertThat(started.sourceName()).isEqualTo("source-test");
    assertThat(started.catalog().streams()).hasSize(2);
    assertThat(started.catalog().streams().get(0).primaryKey()).containsExactly(List.of("id"));

    List<StateEvent> events =
        out.stream()
            .filter(ContractRecord.Event.class::isInstance)
            .map(SyncWriterTest::readEvent)
            .toList();
    assertThat(events).extracting(StateEvent::syncId).containsOnly(writer.syncId());
    assertThat(events)
        .filteredOn(e -> e.type() == StateEvent.Type.CHECKPOINT)
        .extracting(StateEvent::seq)
        .containsExactly(1L, 2L);
    StateEvent usersDone = events.get(2);
    assertThat(usersDone.stream().qualifiedName()).isEqualTo("users");
    assertThat(usersDone.status()).isEqualTo(StateEvent.STREAM_COMPLETE);
    // The stream that reported no status is closed by completed(), namespace and all.
    StateEvent eventsDone = events.get(4);
    assertThat(eventsDone.stream().qualifiedName()).isEqualTo("app.events");
    assertThat(eventsDone.status()).isEqualTo(StateEvent.STREAM_COMPLETE);
    StateEvent completed = events.get(5);
    assertThat(completed.status()).isEqualTo(StateEvent.SYNC_SUCCEEDED);
    assertThat(completed.error()).isNull();
    assertThat(completed.counts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(3);
    assertThat(completed.counts()).isEqualTo(writer.counts());
  }

  @Test
  void recordsCarryTheirKeyPartitionTimestampHeadersAndTheirDataAsJson() throws Exception {
    SyncWriter writer = writer();
    AirbyteMessage withChanges =
        message(
            "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"emitted_at\":1700000000000,"
                + "\"data\":{\"id\":7,\"name\":\"ü \\\"q\\\"\",\"score\":1.50},"
                + "\"meta\":{\"changes\":[{\"field\":\"name\",\"change\":\"TRUNCATED\","
                + "\"reason\":\"SOURCE_FIELD_SIZE_LIMITATION\"}]}}}");
    ContractRecord.StreamRecord user =
        (ContractRecord.StreamRecord) writer.onMessage(withChanges).get(0);

    assertThat(user.topic()).isEqualTo(USERS);
    assertThat(new String(user.keyBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":7}");
    assertThat(user.partition())
        .isEqualTo(
            (RecordPartitioner.murmur2("[7]".getBytes(StandardCharsets.UTF_8)) & 0x7fffffff) % 3);
    assertThat(user.timestamp()).isEqualTo(1700000000000L);
    assertThat(new ArrayList<>(user.headers().keySet()))
        .containsExactly(RecordHeaders.STREAM, RecordHeaders.SYNC_ID, RecordHeaders.META);
    assertThat(user.headers())
        .containsEntry(RecordHeaders.STREAM, "users")
        .containsEntry(RecordHeaders.SYNC_ID, writer.syncId())
        .containsEntry(
            RecordHeaders.META,
            "[{\"field\":\"name\",\"change\":\"TRUNCATED\","
                + "\"reason\":\"SOURCE_FIELD_SIZE_LIMITATION\"}]");
    // The value is the JSON of the data as parsed, UTF-8, field order, escapes and the source's
    // own number text (1.50, not 1.5) kept.
    assertThat(new String(user.valueBytes(), StandardCharsets.UTF_8))
        .isEqualTo("{\"id\":7,\"name\":\"ü \\\"q\\\"\",\"score\":1.50}");

    // A reader gets the connector's record back: data, emitted_at, meta.changes.
    AirbyteRecordMessage back =
        readRecord(user, 0).toAirbyteRecord(new StreamDescriptor("users", null));
    AirbyteRecordMessage sent = withChanges.record();
    assertThat(back.data()).isEqualTo(sent.data());
    assertThat(back.emittedAt()).isEqualTo(sent.emittedAt());
    assertThat(back.changes()).isEqualTo(sent.changes());

    ContractRecord.StreamRecord namespaced =
        (ContractRecord.StreamRecord) writer.onMessage(event("x")).get(0);
    assertThat(namespaced.keyBytes()).as("no primary key, no key").isNull();
    assertThat(namespaced.headers())
        .containsExactly(
            Map.entry(RecordHeaders.STREAM, "events"),
            Map.entry(RecordHeaders.NAMESPACE, "app"),
            Map.entry(RecordHeaders.SYNC_ID, writer.syncId()));
    // Without a key, round robin over the topic's partitions.
    ContractRecord next = writer.onMessage(event("y")).get(0);
    assertThat(next.partition()).isEqualTo(1 - namespaced.partition());
  }

  @Test
  void withGenerationsEveryRecordCarriesItsStreamsAndSyncStartedNamesThem() {
    ConfiguredAirbyteCatalog catalog =
        StreamGenerations.assign(
            parse(CATALOG, ConfiguredAirbyteCatalog.class),
            Map.of(new StreamDescriptor("users", null), 1_000L),
            stream -> stream.name().equals("users"),
            7_000);
    SyncWriter writer = writer(catalog);

    StateEvent started = readEvent(writer.started());
    assertThat(StreamGenerations.of(started.catalog()))
        .containsExactly(
            Map.entry(new StreamDescriptor("users", null), 1_000L),
            Map.entry(new StreamDescriptor("events", "app"), 7_000L));
    // The incremental stream resumed from its state keeps its generation; the full refresh
    // starts one, so a consumer can tell the old records from the new.
    assertThat(writer.onMessage(user(1)).get(0).headers())
        .containsEntry(RecordHeaders.GENERATION_ID, "1000");
    assertThat(writer.onMessage(event("x")).get(0).headers())
        .containsEntry(RecordHeaders.GENERATION_ID, "7000");
  }

  @Test
  void aRecordWithoutEmittedAtIsStampedWhenWrittenAndOneWithAnEmptyNamespaceIsItsStream() {
    SyncWriter writer = writer();
    clock.set(42_000);
    List<ContractRecord> out =
        writer.onMessage(
            message(
                "{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"namespace\":\"\","
                    + "\"data\":{\"id\":1}}}"));
    assertThat(out).hasSize(1);
    assertThat(out.get(0).timestamp()).isEqualTo(42_000);
    assertThat(out.get(0).headers()).doesNotContainKey(RecordHeaders.NAMESPACE);
    assertThat(writer.recordsPerStream()).containsEntry(new StreamDescriptor("users", null), 1L);
  }

  @Test
  void checkpointCountsCompleteForAReaderExactlyWhenTheRecordsBeforeThemAreApplied()
      throws Exception {
    SyncWriter writer = writer();
    List<ContractRecord> out = new ArrayList<>();
    for (int id = 1; id <= 10; id++) {
      out.addAll(writer.onMessage(user(id)));
      out.addAll(writer.onMessage(event("e" + id)));
      if (id % 4 == 0) {
        out.addAll(writer.onMessage(usersState(id)));
      }
    }
    out.addAll(writer.completed(null));

    // A reader that applies records in the order written, awaiting each checkpoint's counts:
    // each one is complete on arrival, with exactly the records before it (not one fewer).
    CheckpointTracker<StateEvent> tracker = new CheckpointTracker<>();
    Map<String, Long> offsets = new HashMap<>();
    List<Long> appliedAtCheckpoints = new ArrayList<>();
    long applied = 0;
    for (ContractRecord record : out) {
      if (record instanceof ContractRecord.Event e) {
        StateEvent event = readEvent(e);
        if (event.type() == StateEvent.Type.CHECKPOINT) {
          assertThat(event.counts().values().stream().mapToLong(Long::longValue).sum())
              .isEqualTo(applied);
          tracker.await(event.syncId(), event.counts(), event);
          assertThat(tracker.drainComplete()).containsExactly(event);
          appliedAtCheckpoints.add(applied);
        }
        continue;
      }
      String partition = StateEvent.countsKey(record.topic(), record.partition());
      long offset = offsets.merge(partition, 1L, Long::sum) - 1;
      TopicRecord topicRecord = readRecord(record, offset);
      tracker.recordApplied(topicRecord.header(RecordHeaders.SYNC_ID), topicRecord.partitionKey());
      applied++;
    }
    assertThat(appliedAtCheckpoints).containsExactly(8L, 16L);

    // Cumulative: a checkpoint's counts are a snapshot, later records do not change them.
    StateEvent first =
        out.stream()
            .filter(ContractRecord.Event.class::isInstance)
            .map(SyncWriterTest::readEvent)
            .filter(event -> event.type() == StateEvent.Type.CHECKPOINT)
            .findFirst()
            .orElseThrow();
    assertThat(first.counts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(8);
    assertThat(first.state().stream().streamState().path("id").asInt()).isEqualTo(4);
    Map<String, Long> inTopics = new LinkedHashMap<>(offsets);
    assertThat(writer.counts()).isEqualTo(inTopics);
    assertThat(writer.recordsPerStream())
        .containsExactly(
            Map.entry(new StreamDescriptor("users", null), 10L),
            Map.entry(new StreamDescriptor("events", "app"), 10L));
  }

  @Test
  void aStreamStatusCountsOnlyItsStreamAndIsReportedOncePerStream() {
    SyncWriter writer = writer();
    writer.onMessage(user(1));
    writer.onMessage(user(2));
    writer.onMessage(event("a"));
    assertThat(writer.onMessage(status("users", null, "STARTED"))).isEmpty();
    assertThat(writer.onMessage(status("users", null, "RUNNING"))).isEmpty();
    assertThat(writer.onMessage(status("nobody", null, "COMPLETE"))).isEmpty();

    List<ContractRecord> incomplete = writer.onMessage(status("events", "app", "INCOMPLETE"));
    assertThat(incomplete).hasSize(1);
    StateEvent status = readEvent(incomplete.get(0));
    assertThat(status.type()).isEqualTo(StateEvent.Type.STREAM_STATUS);
    assertThat(status.status()).isEqualTo(StateEvent.STREAM_INCOMPLETE);
    assertThat(status.counts()).containsOnlyKeys(EVENTS + "/0").containsEntry(EVENTS + "/0", 1L);
    assertThat(writer.onMessage(status("events", "app", "COMPLETE"))).isEmpty();

    List<ContractRecord.Event> end = writer.completed(null);
    assertThat(end)
        .extracting(e -> e.event().type().name())
        .containsExactly("STREAM_STATUS", "SYNC_COMPLETED");
    StateEvent users = readEvent(end.get(0));
    assertThat(users.stream().name()).isEqualTo("users");
    assertThat(users.counts().keySet()).allMatch(tp -> tp.startsWith(USERS + "/"));
    assertThat(users.counts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2);
  }

  @Test
  void aFailedSyncEndsWithItsUnreportedStreamsIncompleteAndTheError() {
    SyncWriter writer = writer();
    writer.onMessage(status("users", null, "COMPLETE"));
    writer.onMessage(event("a"));
    List<StateEvent> end =
        writer.completed("source-test read failed: boom").stream()
            .map(SyncWriterTest::readEvent)
            .toList();
    assertThat(end).hasSize(2);
    assertThat(end.get(0).stream().qualifiedName()).isEqualTo("app.events");
    assertThat(end.get(0).status()).isEqualTo(StateEvent.STREAM_INCOMPLETE);
    assertThat(end.get(1).type()).isEqualTo(StateEvent.Type.SYNC_COMPLETED);
    assertThat(end.get(1).status()).isEqualTo(StateEvent.SYNC_FAILED);
    assertThat(end.get(1).error()).isEqualTo("source-test read failed: boom");
    assertThat(end.get(1).counts()).containsExactly(Map.entry(EVENTS + "/0", 1L));
  }

  @Test
  void recordsOfStreamsOutsideTheCatalogAndOtherMessagesWriteNothing() {
    SyncWriter writer = writer();
    assertThat(
            writer.onMessage(
                message(
                    "{\"type\":\"RECORD\",\"record\":{\"stream\":\"other\",\"emitted_at\":1,"
                        + "\"data\":{}}}")))
        .isEmpty();
    assertThat(writer.onMessage(message("{\"type\":\"LOG\",\"log\":{\"level\":\"INFO\"}}")))
        .isEmpty();
    assertThat(writer.counts()).isEmpty();
    StateEvent completed = readEvent(writer.completed(null).get(2));
    assertThat(completed.counts()).isEmpty();
  }

  @Test
  void everyCatalogStreamNeedsAKnownTopicAndPartitionCount() {
    ConfiguredAirbyteCatalog catalog = parse(CATALOG, ConfiguredAirbyteCatalog.class);
    Map<StreamDescriptor, String> topics =
        Map.of(
            new StreamDescriptor("users", null),
            USERS,
            new StreamDescriptor("events", "app"),
            EVENTS);
    assertThatThrownBy(
            () ->
                new SyncWriter(
                    "t", "s", "p.", catalog, Map.of(), Map.of(USERS, 1), new RecordPartitioner()))
        .hasMessageContaining("record topic of");
    assertThatThrownBy(
            () ->
                new SyncWriter(
                    "t", "s", "p.", catalog, topics, Map.of(USERS, 1), new RecordPartitioner()))
        .hasMessageContaining("partition count of topic " + EVENTS);
  }
}
