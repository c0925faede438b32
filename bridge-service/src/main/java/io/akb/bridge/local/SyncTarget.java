package io.akb.bridge.local;

import io.akb.bridge.replay.DestinationSettings;
import io.akb.bridge.replay.RecordGap;
import io.akb.bridge.replay.TargetSettings;
import io.akb.bridge.replay.TargetStatus;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where one {@code akb sync} replays its source's topics: a SQL cache ({@link CacheReplay}) or an
 * Airbyte destination ({@link DestinationReplay}), each the bridge's own target of that kind run on
 * a thread of this process. {@link LocalSync} follows either the same way.
 *
 * <p>Contract: {@link #appliedThrough} is true once the target holds (a cache) or has confirmed (a
 * destination) everything up to and including a state topic offset, so a {@code SYNC_COMPLETED}
 * there and every record and checkpoint before it; {@link #close()} ends the target's work (its
 * batch written, its destination's run ended) and returns once its thread has ended.
 */
interface SyncTarget extends AutoCloseable {
  /**
   * The settings of a local target named {@code name}, into {@code cache} or {@code destination}:
   * short waits, so a sync of a few thousand records reaches the target at once; a fetch of at most
   * 8 MB (Kafka's default, 50 MB, is sized for a consumer alone; here the heap is shared with the
   * broker and Connect), so a 16 MB batch fills from two of them.
   */
  static TargetSettings settings(
      String name,
      String groupId,
      CacheLocation cache,
      DestinationSettings destination,
      WriteStrategy strategy,
      String prefix,
      String bootstrapServers,
      RecordGap.GapPolicy onGap) {
    return new TargetSettings(
        name,
        cache,
        new CacheOptions("", null, strategy),
        List.of(prefix),
        List.of(),
        Map.of(),
        10_000,
        16L * 1024 * 1024,
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        groupId,
        Map.of("bootstrap.servers", bootstrapServers, "fetch.max.bytes", String.valueOf(8 << 20)),
        destination,
        onGap,
        false,
        null);
  }

  /** The target's progress as the bridge reports it. */
  TargetStatus status();

  /** Whether the target holds everything up to and including state topic offset {@code offset}. */
  boolean appliedThrough(long offset);

  /** The target in a sentence: {@code the cache DUCKDB:...}, {@code destination-x}. */
  String describe();

  /**
   * Rows of each of {@code streams} in the target's tables, for the summary; null when the target
   * has none AKB can count (a destination).
   */
  Map<String, Long> rows(List<String> streams);

  /** The source states the target holds for {@code source}. */
  int states(String source);

  /** The error that ends the sync once the target has FAILED: its reason and what to do. */
  AkbException failed(TargetStatus status);

  /** The summary's lines that say where the data and its state are, after {@code " "}. */
  List<String> where(int states);

  @Override
  void close();
}
