package io.akb.cache.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.CacheRecord;
import io.akb.cache.SqlCache;
import io.akb.cache.StoredOffset;
import io.akb.cache.TargetTakenOver;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache-loading core against a real DuckDB cache: what a reader of the cache would see. */
class CacheLoaderTest {
  private static final String SOURCE = "source-test";
  private static final String SYNC = "sync-1";

  /** Raw ids of the test's records: their sequence number in the low bits. */
  private static final CacheLoader.RawIds RAW_IDS = (position, seq) -> new UUID(0, seq).toString();

  @TempDir Path dir;
  private SqlCache cache;
  private CacheLoader<String> loader;
  private int nextId;

  @BeforeEach
  void open() {
    cache =
        SqlCache.open(
            CacheLocation.parse("duckdb:" + dir.resolve("load.duckdb")), CacheOptions.defaults());
    loader = new CacheLoader<>(cache, RAW_IDS);
    loader.claim("target-1", "this test");
  }

  @AfterEach
  void close() {
    cache.close();
  }

  private static ConfiguredAirbyteStream stream(String name, String destinationSyncMode) {
    String json =
        "{\"stream\": {\"name\": \""
            + name
            + "\", \"json_schema\": {\"type\": \"object\", \"properties\": {\"id\": {\"type\":"
            + " \"integer\"}}}, \"supported_sync_modes\": [\"full_refresh\", \"incremental\"]},"
            + " \"sync_mode\": \"incremental\", \"destination_sync_mode\": \""
            + destinationSyncMode
            + "\", \"primary_key\": [[\"id\"]]}";
    try {
      return AirbyteJson.MAPPER.readValue(json, ConfiguredAirbyteStream.class);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static AirbyteStateMessage state(String stream, int cursor) {
    String json =
        "{\"type\": \"STREAM\", \"stream\": {\"stream_descriptor\": {\"name\": \""
            + stream
            + "\"}, \"stream_state\": {\"cursor\": "
            + cursor
            + "}}}";
    try {
      return AirbyteJson.MAPPER.readValue(json, AirbyteStateMessage.class);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void records(String stream, String position, int from, int to) {
    records(SYNC, stream, position, from, to);
  }

  /** Records {@code from..to} (their ids) of {@code syncId}, at the next sequence numbers. */
  private void records(String syncId, String stream, String position, int from, int to) {
    for (int id = from; id <= to; id++) {
      JsonNode data = AirbyteJson.MAPPER.createObjectNode().put("id", id);
      long seq = nextId++;
      loader.record(
          SOURCE,
          stream,
          position,
          seq,
          new CacheRecord(RAW_IDS.of(position, seq), syncId, data, 1_000L, null),
          10,
          false);
    }
  }

  private List<Long> idsStored(String stream) {
    try (var rows = cache.dataset(stream).records()) {
      return rows.map(row -> row.get("id").asLong()).sorted().toList();
    }
  }

  private void flush(Map<String, StoredOffset> offsets, List<String> written) {
    loader.flush(checkpoints -> checkpoints.forEach(c -> written.add(c.tag())), () -> offsets);
  }

  private long cursorStored(String stream) {
    JsonNode state = cache.states(SOURCE).get(stream);
    return state == null ? -1 : state.at("/stream/stream_state/cursor").asLong();
  }

  @Test
  void aCheckpointIsStoredOnlyInTheTransactionThatHoldsEveryRecordItCounts() {
    loader.syncStarted(
        SOURCE, SYNC, List.of(stream("users", "append")), name -> WriteStrategy.APPEND);
    records("users", "t/0", 1, 3);
    loader.checkpoint(SOURCE, SYNC, state("users", 5), Map.of("t/0", 3L, "t/1", 2L), "cp1");
    records("users", "t/1", 4, 4);
    List<String> written = new ArrayList<>();
    flush(Map.of("t/0", new StoredOffset(3, Map.of())), written);

    assertThat(cache.count("users")).isEqualTo(4);
    assertThat(cursorStored("users")).as("one record of t/1 is missing").isEqualTo(-1);
    assertThat(written).isEmpty();
    assertThat(loader.waiting()).hasSize(1);
    assertThat(cache.storedOffsets("target-1")).containsKey("t/0");

    records("users", "t/1", 5, 5);
    flush(Map.of("t/1", new StoredOffset(2, Map.of())), written);
    assertThat(cache.count("users")).isEqualTo(5);
    assertThat(cursorStored("users")).isEqualTo(5);
    assertThat(written).containsExactly("cp1");
    assertThat(loader.waiting()).isEmpty();
    assertThat(cache.storedOffsets("target-1").get("t/1").nextOffset()).isEqualTo(2);
  }

  @Test
  void theLatestOfSeveralCompleteCheckpointsIsTheStoredState() {
    loader.syncStarted(
        SOURCE, SYNC, List.of(stream("users", "append")), name -> WriteStrategy.APPEND);
    for (int i = 1; i <= 5; i++) {
      records("users", "read", i, i);
      loader.checkpoint(SOURCE, SYNC, state("users", i), null, "cp" + i);
    }
    List<String> written = new ArrayList<>();
    flush(Map.of(), written);
    assertThat(cursorStored("users")).isEqualTo(5);
    assertThat(written).containsExactly("cp1", "cp2", "cp3", "cp4", "cp5");
  }

  @Test
  void aFailedFlushStoresNothing() {
    loader.syncStarted(
        SOURCE, SYNC, List.of(stream("users", "append")), name -> WriteStrategy.APPEND);
    records("users", "t/0", 1, 3);
    loader.checkpoint(SOURCE, SYNC, state("users", 3), null, "cp");
    List<String> written = new ArrayList<>();
    try {
      loader.flush(
          checkpoints -> {
            throw new IllegalStateException("the caller fails mid-transaction");
          },
          Map::of);
    } catch (IllegalStateException expected) {
      // rolled back
    }
    assertThat(cache.streams()).as("not even the table").doesNotContain("users");
    assertThat(cursorStored("users")).isEqualTo(-1);
    assertThat(cache.storedOffsets("target-1")).isEmpty();
    assertThat(written).isEmpty();
  }

  @Test
  void aDroppedSyncEndsAsFailedAndAReplacedStreamKeepsItsPreviousRows() {
    ConfiguredAirbyteStream users = stream("users", "overwrite");
    loader.syncStarted(SOURCE, SYNC, List.of(users), name -> WriteStrategy.REPLACE);
    records("users", "t/0", 1, 3);
    loader.syncCompleted(SOURCE, SYNC, true, Map.of("t/0", 3L), "end1");
    List<String> written = new ArrayList<>();
    flush(Map.of(), written);
    assertThat(cache.count("users")).isEqualTo(3);

    // The next full refresh loses records: its end can never complete, and is dropped.
    loader.syncStarted(SOURCE, "sync-2", List.of(users), name -> WriteStrategy.REPLACE);
    loader.syncCompleted(SOURCE, "sync-2", true, Map.of("t/0", 10L), "end2");
    loader.flush(
        checkpoints ->
            assertThat(loader.dropSync(SOURCE, "sync-2", true))
                .extracting(CacheLoader.Checkpoint::tag)
                .containsExactly("end2"),
        Map::of);
    assertThat(cache.count("users")).as("the previous generation stays").isEqualTo(3);
    assertThat(loader.waiting()).isEmpty();
  }

  @Test
  void aNewerClaimFencesTheOlderLoaderWhoseNextFlushWritesNothing() {
    loader.syncStarted(
        SOURCE, SYNC, List.of(stream("users", "append")), name -> WriteStrategy.APPEND);
    records("users", "t/0", 1, 2);
    flush(Map.of("t/0", new StoredOffset(2, Map.of())), new ArrayList<>());

    CacheLoader<String> newer = new CacheLoader<>(cache, RAW_IDS);
    assertThat(newer.claim("target-1", "the newer process").get("t/0").nextOffset()).isEqualTo(2);

    records("users", "t/0", 3, 4);
    assertThatThrownBy(() -> flush(Map.of("t/0", new StoredOffset(4, Map.of())), new ArrayList<>()))
        .isInstanceOf(TargetTakenOver.class)
        .hasMessageContaining("another process took the target over (the newer process)")
        .hasMessageContaining("stop one of the two");
    assertThat(cache.count("users")).as("the fenced batch is not written").isEqualTo(2);
    assertThat(cache.storedOffsets("target-1").get("t/0").nextOffset()).isEqualTo(2);

    newer.flush(c -> {}, () -> Map.of("t/0", new StoredOffset(3, Map.of())));
    assertThat(cache.storedOffsets("target-1").get("t/0").nextOffset()).isEqualTo(3);
  }

  @Test
  void aBatchIsDueByRecordsBytesOrAge() throws InterruptedException {
    loader.syncStarted(
        SOURCE, SYNC, List.of(stream("users", "append")), name -> WriteStrategy.APPEND);
    assertThat(loader.isDue(new CacheLoader.BatchLimits(1, 1, Duration.ZERO))).isFalse();
    records("users", "t/0", 1, 2);
    assertThat(loader.isDue(new CacheLoader.BatchLimits(2, 1_000, Duration.ofHours(1)))).isTrue();
    assertThat(loader.isDue(new CacheLoader.BatchLimits(100, 20, Duration.ofHours(1)))).isTrue();
    assertThat(loader.isDue(new CacheLoader.BatchLimits(100, 1_000, Duration.ofHours(1))))
        .isFalse();
    Thread.sleep(5);
    assertThat(loader.isDue(new CacheLoader.BatchLimits(100, 1_000, Duration.ofMillis(1))))
        .isTrue();
    flush(Map.of(), new ArrayList<>());
    assertThat(loader.isDue(new CacheLoader.BatchLimits(1, 1, Duration.ZERO))).isFalse();
    assertThat(loader.hasWork()).isFalse();
  }

  @Test
  void aFailedSyncTakesBackTheAppendedRowsAfterItsLastCompleteCheckpoint() {
    loader.syncStarted(
        SOURCE, SYNC, List.of(stream("users", "append")), name -> WriteStrategy.APPEND);
    records("users", "t/0", 1, 3);
    records("users", "t/1", 4, 4);
    loader.checkpoint(SOURCE, SYNC, state("users", 4), Map.of("t/0", 3L, "t/1", 1L), "cp1");
    records("users", "t/1", 5, 6);
    flush(Map.of(), new ArrayList<>());
    records("users", "t/0", 7, 7);
    // A Kafka transaction's marker (or another sync's record) takes an offset: no dense offsets.
    nextId++;
    records("users", "t/0", 8, 8);
    loader.checkpoint(SOURCE, SYNC, state("users", 9), Map.of("t/0", 6L, "t/1", 3L), "cp2");
    loader.syncCompleted(SOURCE, SYNC, false, Map.of("t/0", 5L, "t/1", 3L), "end");
    List<String> written = new ArrayList<>();
    flush(Map.of(), written);

    assertThat(written).as("cp2 lacks a record, the end has them all").containsExactly("end");
    assertThat(idsStored("users"))
        .as("the rows after cp1, which the rerun sends again, are gone")
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(cursorStored("users")).isEqualTo(4);
  }

  @Test
  void aFailedOrderedReadTakesBackWhatCameAfterItsLastState() {
    loader.syncStarted(
        SOURCE, SYNC, List.of(stream("users", "append")), name -> WriteStrategy.APPEND);
    records("users", "read", 1, 2);
    loader.checkpoint(SOURCE, SYNC, state("users", 2), null, "cp1");
    records("users", "read", 3, 5);
    loader.syncCompleted(SOURCE, SYNC, false, null, "end");
    flush(Map.of(), new ArrayList<>());

    assertThat(idsStored("users")).containsExactly(1L, 2L);
    assertThat(cursorStored("users")).isEqualTo(2);
  }

  @Test
  void aDroppedSyncTakesBackItsRowsButNotThoseOfAnotherSync() {
    loader.syncStarted(
        SOURCE, SYNC, List.of(stream("users", "append")), name -> WriteStrategy.APPEND);
    loader.syncStarted(
        SOURCE, "sync-2", List.of(stream("users", "append")), name -> WriteStrategy.APPEND);
    records("users", "t/0", 1, 2);
    loader.checkpoint(SOURCE, SYNC, state("users", 2), Map.of("t/0", 2L), "cp1");
    flush(Map.of(), new ArrayList<>());
    records("users", "t/0", 3, 3);
    records("sync-2", "users", "t/0", 100, 101);
    records("users", "t/0", 4, 4);
    loader.flush(checkpoints -> loader.dropSync(SOURCE, SYNC, true), Map::of);

    assertThat(idsStored("users")).containsExactly(1L, 2L, 100L, 101L);
  }

  @Test
  void aMergedStreamKeepsTheRowsOfAFailedSync() {
    loader.syncStarted(
        SOURCE, SYNC, List.of(stream("users", "append_dedup")), name -> WriteStrategy.MERGE);
    records("users", "read", 1, 2);
    loader.checkpoint(SOURCE, SYNC, state("users", 2), null, "cp1");
    records("users", "read", 3, 4);
    loader.syncCompleted(SOURCE, SYNC, false, null, "end");
    flush(Map.of(), new ArrayList<>());

    // Each replaced its key's earlier row: taken back, the key would be gone until the rerun.
    assertThat(idsStored("users")).containsExactly(1L, 2L, 3L, 4L);
  }
}
