package io.akb.bridge.testing;

import io.akb.bridge.replay.BridgeTarget;
import io.akb.bridge.replay.RecordGap;
import io.akb.bridge.replay.TargetReplicator;
import io.akb.bridge.replay.TargetSettings;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.SqlCache;
import io.akb.cache.WriteStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** A target replayed on its own thread in the test JVM, against the shared broker. */
public final class RunningTarget implements AutoCloseable {
  private final TargetReplicator replicator;
  private final Thread thread;

  private RunningTarget(TargetSettings settings) {
    replicator = new TargetReplicator(settings, null);
    thread = new Thread(replicator);
    thread.start();
  }

  /** Starts a target reading the topics of {@code prefix} into {@code cache}. */
  public static RunningTarget start(
      String name,
      String cache,
      String prefix,
      WriteStrategy strategy,
      Map<String, WriteStrategy> streamStrategies,
      int batchMaxRecords) {
    return start(name, cache, prefix, strategy, streamStrategies, batchMaxRecords, null);
  }

  /** As above, with a policy for records gone ({@code null}: fail). */
  public static RunningTarget start(
      String name,
      String cache,
      String prefix,
      WriteStrategy strategy,
      Map<String, WriteStrategy> streamStrategies,
      int batchMaxRecords,
      RecordGap.GapPolicy onGap) {
    return start(name, cache, prefix, strategy, streamStrategies, batchMaxRecords, onGap, null);
  }

  /** As above, reading registry-framed values through the schema registry at this URL. */
  public static RunningTarget start(
      String name,
      String cache,
      String prefix,
      WriteStrategy strategy,
      Map<String, WriteStrategy> streamStrategies,
      int batchMaxRecords,
      RecordGap.GapPolicy onGap,
      String schemaRegistryUrl) {
    return new RunningTarget(
        new TargetSettings(
            name,
            CacheLocation.parse(cache),
            new CacheOptions("", null, strategy),
            List.of(prefix),
            List.of(),
            streamStrategies,
            batchMaxRecords,
            16 << 20,
            Duration.ofMillis(200),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            "akb-it-" + name,
            Map.of("bootstrap.servers", EmbeddedKafka.bootstrapServers()),
            null,
            onGap,
            false,
            schemaRegistryUrl));
  }

  public TargetReplicator replicator() {
    return replicator;
  }

  /** Runs a read against the target's cache on its replay thread. */
  public <T> T query(Function<SqlCache, T> work) {
    try {
      return replicator.query(work).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rows of a stream, 0 when it has no table yet. */
  public long count(String stream) {
    return query(cache -> cache.streams().contains(stream) ? cache.count(stream) : 0L);
  }

  /** Waits until the condition holds, failing after {@code timeout}. */
  public static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what);
      }
    }
  }

  /** Waits until the target has read everything there is and written it. */
  public void awaitCaughtUp() {
    await(
        "target " + replicator.settings().name() + " has no lag",
        Duration.ofSeconds(60),
        () ->
            replicator.status().lag() == 0
                && replicator.status().phase() == BridgeTarget.Phase.RUNNING
                && replicator.status().checkpointsPending() == 0);
  }

  /** Writes the batch, releases the cache and waits for the thread to end. */
  @Override
  public void close() throws InterruptedException {
    replicator.close();
    thread.join(30_000);
  }
}
