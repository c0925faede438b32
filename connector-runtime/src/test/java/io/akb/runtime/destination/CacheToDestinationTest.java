package io.akb.runtime.destination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.AkbException;
import io.akb.runtime.CachedRecord;
import io.akb.runtime.ReadableCache;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.protocol.SyncMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What a write from a cache sends, against a cache held in memory. */
class CacheToDestinationTest {

  /** Streams of records at known positions; {@code users} is kept by key, {@code tags} replaced. */
  static final class MemoryCache implements ReadableCache {
    final Map<String, List<CachedRecord>> records = new LinkedHashMap<>();
    final Map<String, DestinationSyncMode> modes = new LinkedHashMap<>();

    void add(String stream, DestinationSyncMode mode, long second, long id) {
      modes.put(stream, mode);
      records
          .computeIfAbsent(stream, s -> new ArrayList<>())
          .add(
              new CachedRecord(
                  new CachedRecord.Position(Instant.ofEpochSecond(second), "raw-" + id),
                  AirbyteJson.MAPPER.createObjectNode().put("id", id),
                  null));
    }

    @Override
    public String describe() {
      return "memory";
    }

    @Override
    public List<String> streams() {
      return List.copyOf(records.keySet());
    }

    @Override
    public ConfiguredAirbyteStream configuredStream(String stream) {
      boolean overwrite = modes.get(stream) == DestinationSyncMode.OVERWRITE;
      SyncMode sync = overwrite ? SyncMode.FULL_REFRESH : SyncMode.INCREMENTAL;
      return new ConfiguredAirbyteStream(
          new AirbyteStream(
              stream,
              AirbyteJson.MAPPER.createObjectNode().put("type", "object"),
              List.of(sync),
              null,
              null,
              null,
              null,
              null,
              null),
          sync,
          List.of(),
          modes.get(stream),
          List.of(),
          null,
          null,
          null,
          null);
    }

    @Override
    public Stream<CachedRecord> records(String stream, CachedRecord.Position after) {
      return records.get(stream).stream()
          .filter(r -> after == null || r.position().compareTo(after) > 0)
          .sorted((a, b) -> a.position().compareTo(b.position()));
    }

    @Override
    public List<AirbyteStateMessage> destinationPositions(String destination) {
      return List.of();
    }

    @Override
    public void saveDestinationPositions(String destination, List<AirbyteStateMessage> states) {}
  }

  static List<AirbyteMessage> all(CacheToDestination replay) {
    List<AirbyteMessage> messages = new ArrayList<>();
    replay.forEachRemaining(messages::add);
    return messages;
  }

  static List<String> summary(List<AirbyteMessage> messages) {
    return messages.stream()
        .map(
            m ->
                m.type() == AirbyteMessage.Type.RECORD
                    ? m.record().stream() + ":" + m.record().data().get("id")
                    : "STATE " + CacheToDestination.positions(List.of(m.state())))
        .toList();
  }

  static CachedRecord.Position at(long second, long id) {
    return new CachedRecord.Position(Instant.ofEpochSecond(second), "raw-" + id);
  }

  @Test
  void firstWriteSendsEveryStreamInPositionOrderEachEndedByItsPosition() {
    MemoryCache cache = new MemoryCache();
    cache.add("users", DestinationSyncMode.APPEND_DEDUP, 20, 2);
    cache.add("users", DestinationSyncMode.APPEND_DEDUP, 10, 1);
    cache.add("tags", DestinationSyncMode.OVERWRITE, 5, 7);

    CacheToDestination replay = new CacheToDestination(cache, List.of(), List.of());

    assertThat(replay.catalog().streams())
        .extracting(s -> s.stream().name())
        .containsExactly("users", "tags");
    assertThat(summary(all(replay)))
        .containsExactly(
            "users:1",
            "users:2",
            "STATE {users=" + at(20, 2) + "}",
            "tags:7",
            "STATE {tags=" + at(5, 7) + "}");
  }

  @Test
  void aLaterWriteSendsRecordsAfterTheConfirmedPositionAndSkipsUnchangedReplacedStreams() {
    MemoryCache cache = new MemoryCache();
    cache.add("users", DestinationSyncMode.APPEND_DEDUP, 10, 1);
    cache.add("users", DestinationSyncMode.APPEND_DEDUP, 20, 2);
    cache.add("users", DestinationSyncMode.APPEND_DEDUP, 20, 3);
    cache.add("tags", DestinationSyncMode.OVERWRITE, 5, 7);
    List<AirbyteStateMessage> confirmed =
        List.of(
            CacheToDestination.positionState(new StreamDescriptor("users", null), at(20, 2)),
            CacheToDestination.positionState(new StreamDescriptor("tags", null), at(5, 7)));

    CacheToDestination replay = new CacheToDestination(cache, List.of(), confirmed);

    // Same second as the position, later raw id: sent. Tags unchanged: not even in the catalog.
    assertThat(replay.catalog().streams())
        .extracting(s -> s.stream().name())
        .containsExactly("users");
    assertThat(summary(all(replay))).containsExactly("users:3", "STATE {users=" + at(20, 3) + "}");
  }

  @Test
  void aNewGenerationOfAReplacedStreamIsSentWhole() {
    MemoryCache cache = new MemoryCache();
    cache.add("tags", DestinationSyncMode.OVERWRITE, 30, 8);
    cache.add("tags", DestinationSyncMode.OVERWRITE, 30, 9);
    List<AirbyteStateMessage> confirmed =
        List.of(CacheToDestination.positionState(new StreamDescriptor("tags", null), at(30, 8)));

    assertThat(summary(all(new CacheToDestination(cache, List.of("tags"), confirmed))))
        .containsExactly("tags:8", "tags:9", "STATE {tags=" + at(30, 9) + "}");
  }

  @Test
  void nothingNewMeansAnEmptyPlanAndAnUnknownStreamIsNamed() {
    MemoryCache cache = new MemoryCache();
    cache.add("users", DestinationSyncMode.APPEND, 10, 1);
    List<AirbyteStateMessage> confirmed =
        List.of(CacheToDestination.positionState(new StreamDescriptor("users", null), at(10, 1)));

    assertThat(new CacheToDestination(cache, List.of(), confirmed).isEmpty()).isTrue();
    assertThatThrownBy(() -> new CacheToDestination(cache, List.of("customers"), List.of()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("no stream named customers")
        .hasMessageContaining("Streams in the cache: users.");
  }

  @Test
  void positionsSurviveTheJsonOfAStateAndIgnoreSourceStates() throws Exception {
    AirbyteStateMessage position =
        CacheToDestination.positionState(new StreamDescriptor("users", "shop"), at(10, 1));
    AirbyteStateMessage roundTripped =
        AirbyteJson.MAPPER.readValue(AirbyteJson.toJson(position), AirbyteStateMessage.class);
    AirbyteStateMessage sourceState =
        AirbyteJson.MAPPER.readValue(
            "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"tags\"},"
                + "\"stream_state\":{\"updated_at\":\"2024-01-01\"}}}",
            AirbyteStateMessage.class);

    assertThat(CacheToDestination.positions(List.of(roundTripped, sourceState)))
        .containsExactly(Map.entry("shop.users", at(10, 1)));
  }
}
