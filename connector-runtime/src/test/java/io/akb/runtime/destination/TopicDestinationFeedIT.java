package io.akb.runtime.destination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.Destination;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.topic.RecordHeaders;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicRecord;
import io.akb.runtime.topic.TopicStreamRouter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared topics-to-destination core against a real destination program that echoes states,
 * crashes, or never echoes (the misbehaving test destination): which positions get confirmed, and
 * when a source's STATE passes through.
 */
class TopicDestinationFeedIT {
  static final String TOPIC = "airbyte.faker.users";
  static final String STATE_TOPIC = "airbyte.faker._state";
  static final ConfiguredAirbyteCatalog CATALOG =
      new ConfiguredAirbyteCatalog(
          List.of(
              new ConfiguredAirbyteStream(
                  new AirbyteStream(
                      "users",
                      json("{\"type\":\"object\"}"),
                      List.of(SyncMode.FULL_REFRESH),
                      null,
                      null,
                      null,
                      null,
                      null,
                      null),
                  SyncMode.FULL_REFRESH,
                  null,
                  DestinationSyncMode.APPEND,
                  null,
                  null,
                  null,
                  null,
                  null)),
          null);

  final AtomicReference<Map<String, TopicDestinationFeed.Position>> confirmed =
      new AtomicReference<>(Map.of());
  final List<AirbyteStateMessage> confirmedSourceStates = new CopyOnWriteArrayList<>();
  TopicDestinationFeed feed;

  @AfterEach
  void close() {
    if (feed != null) {
      feed.close();
    }
  }

  static JsonNode json(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  TopicDestinationFeed open(String config, Map<String, TopicDestinationFeed.Position> start) {
    Destination destination = TestDestinations.misbehaving(json(config));
    return new TopicDestinationFeed(
        destination,
        CATALOG,
        new TopicStreamRouter(CATALOG, Map.of(), "airbyte.faker."),
        true,
        true,
        start,
        (state, positions) -> {
          confirmed.set(positions);
          if (!TopicDestinationFeed.isPositionsState(state.state())) {
            confirmedSourceStates.add(state.state());
          }
        });
  }

  static TopicRecord user(int partition, long offset, String syncId) {
    return new TopicRecord(
        TOPIC,
        partition,
        offset,
        1_700_000_000_000L,
        syncId == null ? Map.of() : Map.of(RecordHeaders.SYNC_ID, syncId),
        json("{\"id\":" + offset + "}"));
  }

  static TopicRecord event(long offset, StateEvent event) {
    return new TopicRecord(
        STATE_TOPIC, 0, offset, null, Map.of(), AirbyteJson.MAPPER.valueToTree(event));
  }

  @Test
  void anEchoConfirmsThePositionsOfEverythingHandedOverBeforeIt() throws Exception {
    feed = open("{}", Map.of());
    for (long offset = 0; offset < 10; offset++) {
      assertThat(feed.write(user(0, offset, null))).isNull();
    }
    assertThat(feed.write(user(1, 3, null))).isNull();
    assertThat(confirmed.get()).isEmpty();

    assertThat(feed.sendPositions()).isTrue();
    assertThat(feed.awaitConfirmed(Duration.ofSeconds(30))).isTrue();

    assertThat(confirmed.get().get(TOPIC + "/0").nextOffset()).isEqualTo(10);
    assertThat(confirmed.get().get(TOPIC + "/1").nextOffset()).isEqualTo(4);
    assertThat(feed.allConfirmed()).isTrue();
    assertThat(feed.sendPositions()).as("nothing new to confirm").isFalse();
    assertThat(feed.finish(Duration.ofSeconds(30)).recordsWritten()).isEqualTo(11);
  }

  @Test
  void aSourceStatePassesOnlyOnceItsRecordsAreInAndSurvivesARestartFromConfirmedPositions()
      throws Exception {
    feed = open("{}", Map.of());
    StateEvent checkpoint =
        StateEvent.checkpoint(
            "sync-1",
            "0",
            1,
            Map.of(TOPIC + "/0", 3L),
            ContractStates.stream("users", "{\"cursor\":3}"),
            1);
    feed.stateEvent(event(0, checkpoint));
    feed.write(user(0, 0, "sync-1"));
    feed.write(user(0, 1, "sync-1"));
    feed.sendPositions();
    feed.awaitConfirmed(Duration.ofSeconds(30));

    assertThat(confirmedSourceStates).isEmpty();
    assertThat(feed.checkpointsPending()).isEqualTo(1);
    // The state topic stays at the waiting checkpoint; the record partition counts its sync.
    assertThat(confirmed.get().get(STATE_TOPIC + "/0").nextOffset()).isZero();
    assertThat(confirmed.get().get(TOPIC + "/0"))
        .isEqualTo(new TopicDestinationFeed.Position(2, Map.of("sync-1", 2L)));
    feed.finish(Duration.ofSeconds(30));

    // A new run from the confirmed positions reads the checkpoint again, and its last record.
    feed = open("{}", confirmed.get());
    feed.stateEvent(event(0, checkpoint));
    assertThat(confirmedSourceStates).isEmpty();
    feed.write(user(0, 2, "sync-1"));
    assertThat(feed.checkpointsPending()).isZero();
    feed.sendPositions();
    feed.awaitConfirmed(Duration.ofSeconds(30));

    assertThat(confirmedSourceStates).hasSize(1);
    assertThat(confirmedSourceStates.get(0).stream().streamState())
        .isEqualTo(json("{\"cursor\":3}"));
    assertThat(confirmed.get().get(STATE_TOPIC + "/0").nextOffset()).isEqualTo(1);
    assertThat(confirmed.get().get(TOPIC + "/0").nextOffset()).isEqualTo(3);
  }

  @Test
  void aRecordOfAnUnknownStreamOrNotAnObjectIsRejectedWithTheReasonButHandedOver()
      throws Exception {
    feed = open("{}", Map.of());
    TopicRecord unknown =
        new TopicRecord(
            TOPIC, 0, 0, null, Map.of(RecordHeaders.STREAM, "orders"), json("{\"id\":1}"));
    TopicRecord notAnObject = new TopicRecord(TOPIC, 0, 1, null, Map.of(), json("\"text\""));

    assertThat(feed.write(unknown))
        .isEqualTo("stream 'orders' is not in the destination's catalog (streams: [users])");
    assertThat(feed.write(notAnObject)).contains("is not a JSON object but string");
    feed.sendPositions();
    feed.awaitConfirmed(Duration.ofSeconds(30));

    assertThat(confirmed.get().get(TOPIC + "/0").nextOffset()).isEqualTo(2);
    assertThat(feed.recordsSent()).isZero();
  }

  @Test
  void aCrashedDestinationConfirmsNothingAfterItsLastEchoAndSaysWhy() throws Exception {
    feed = open("{\"crash_after_records\":3}", Map.of());
    feed.write(user(0, 0, null));
    feed.write(user(0, 1, null));
    feed.sendPositions();
    feed.awaitConfirmed(Duration.ofSeconds(30));
    assertThatThrownBy(
            () -> {
              for (long offset = 2; offset < 1000; offset++) {
                feed.write(user(0, offset, null));
                feed.sendPositions();
                feed.awaitConfirmed(Duration.ofMillis(50));
              }
            })
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("disk on fire");

    assertThat(confirmed.get().get(TOPIC + "/0").nextOffset()).isEqualTo(3);
  }

  @Test
  void aDestinationThatNeverEchoesConfirmsNothingAndFailsTheEchoCheck() throws Exception {
    feed = open("{\"echo_states\":false}", Map.of());
    feed.write(user(0, 0, null));
    feed.sendPositions();

    assertThat(feed.awaitConfirmed(Duration.ofMillis(500))).isFalse();
    assertThatThrownBy(() -> feed.checkEchoes(Duration.ofMillis(100)))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("did not echo STATE 1");
    assertThat(confirmed.get()).isEmpty();
  }

  /** A STREAM state as the source connector sends it. */
  static final class ContractStates {
    static AirbyteStateMessage stream(String name, String streamState) {
      return AirbyteJson.convert(
          json(
              "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\""
                  + name
                  + "\"},\"stream_state\":"
                  + streamState
                  + "}}"),
          AirbyteStateMessage.class);
    }
  }
}
