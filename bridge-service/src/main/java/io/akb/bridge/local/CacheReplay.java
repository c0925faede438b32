package io.akb.bridge.local;

import io.akb.bridge.replay.RecordGap;
import io.akb.bridge.replay.TargetReplicator;
import io.akb.bridge.replay.TargetSettings;
import io.akb.bridge.replay.TargetStatus;
import io.akb.cache.CacheLocation;
import io.akb.cache.StoredOffset;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import io.akb.runtime.topic.StateEvent;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The bridge's replay engine for one cache, run on a thread of this process (no Quarkus): reads the
 * source's topics and writes them to the cache, one transaction per batch, resuming from the
 * offsets stored in the cache.
 *
 * <p>Contract: {@link #appliedThrough} tells whether the target has applied the state topic up to
 * and including a given offset (so a {@code SYNC_COMPLETED} there, and every record and checkpoint
 * before it, are in the cache). {@link #close()} writes the current batch, releases the cache and
 * returns once the replay thread has ended.
 */
final class CacheReplay implements SyncTarget {
  /** The target's name: its consumer group and its offsets in the cache are stored under it. */
  static final String TARGET_NAME = "akb-sync";

  private final TargetReplicator target;
  private final Thread thread;
  private final String stateTopic;
  private final CacheLocation cache;

  private CacheReplay(TargetReplicator target, String stateTopic, CacheLocation cache) {
    this.target = target;
    this.cache = cache;
    this.stateTopic = stateTopic;
    this.thread = new Thread(target, "akb-target-" + TARGET_NAME);
    this.thread.setDaemon(true);
  }

  /** Starts replaying the topics under {@code prefix} into {@code cache}. */
  static CacheReplay start(
      String bootstrapServers,
      String prefix,
      CacheLocation cache,
      WriteStrategy strategy,
      RecordGap.GapPolicy onGap) {
    TargetSettings settings =
        SyncTarget.settings(
            TARGET_NAME,
            "akb-sync-" + TARGET_NAME,
            cache,
            null,
            strategy,
            prefix,
            bootstrapServers,
            onGap);
    CacheReplay replay =
        new CacheReplay(
            new TargetReplicator(settings, null),
            io.akb.runtime.topic.TopicNames.stateTopic(prefix),
            cache);
    replay.thread.start();
    return replay;
  }

  @Override
  public TargetStatus status() {
    return target.status();
  }

  /**
   * Whether the cache holds everything up to and including state topic offset {@code offset}: its
   * stored re-read position of the state topic has passed it.
   */
  @Override
  public boolean appliedThrough(long offset) {
    StoredOffset stored =
        query(cache -> cache.storedOffsets(TARGET_NAME)).get(StateEvent.countsKey(stateTopic, 0));
    return stored != null && stored.nextOffset() > offset;
  }

  /**
   * Runs {@code work} on the replay thread between two batches (DuckDB allows one connection per
   * file, which the target holds).
   */
  <T> T query(Function<io.akb.cache.SqlCache, T> work) {
    try {
      return target.query(work).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AkbException akb) {
        throw akb;
      }
      throw new AkbException(
          "reading " + describe(),
          String.valueOf(e.getCause()),
          "Look at the log file for the cache's error.",
          e.getCause());
    } catch (TimeoutException e) {
      throw new AkbException(
          "reading " + describe(),
          "the replay target did not answer within 30 s",
          "Look at the log file for what it is doing.",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkbException("reading " + describe(), "interrupted", null, e);
    }
  }

  @Override
  public String describe() {
    return "the cache " + cache.describe();
  }

  @Override
  public Map<String, Long> rows(List<String> streams) {
    return query(
        cache -> {
          List<String> present = cache.streams();
          Map<String, Long> rows = new LinkedHashMap<>();
          for (String name : streams) {
            rows.put(name, present.contains(name) ? cache.count(name) : 0L);
          }
          return rows;
        });
  }

  @Override
  public int states(String source) {
    return query(cache -> cache.states(source).size());
  }

  @Override
  public AkbException failed(TargetStatus status) {
    return new AkbException(
        "writing to " + describe(),
        String.valueOf(status.lastError()),
        "Check that the cache is reachable and not open in another program (DuckDB allows"
            + " one writer per file).");
  }

  @Override
  public List<String> where(int states) {
    return List.of(
        cache.kind() == CacheLocation.Kind.DUCKDB
            ? "cache:   DuckDB file "
                + Path.of(cache.target()).toAbsolutePath().normalize()
                + " (one table per stream)"
            : "cache:   PostgreSQL "
                + CacheLocation.withoutPassword(cache.target())
                + " (one table per stream)",
        "state:   " + states + (states == 1 ? " state" : " states") + " in _airbyte_state");
  }

  @Override
  public void close() {
    target.close();
    try {
      thread.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
