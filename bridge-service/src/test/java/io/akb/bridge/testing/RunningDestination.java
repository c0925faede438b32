package io.akb.bridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.replay.BridgeStateStore;
import io.akb.bridge.replay.DestinationReplicator;
import io.akb.bridge.replay.DestinationSettings;
import io.akb.bridge.replay.TargetSettings;
import io.akb.cache.CacheOptions;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.ConnectorOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A destination target replayed on its own thread in the test JVM, against the shared broker. */
public final class RunningDestination implements AutoCloseable {
  private final DestinationReplicator replicator;
  private final Thread thread;

  private RunningDestination(TargetSettings settings, BridgeStateStore store) {
    replicator = new DestinationReplicator(settings, store, null);
    thread = new Thread(replicator);
    thread.start();
  }

  /**
   * Starts a target reading the topics of {@code prefix} into a destination, with offsets STATEs
   * every {@code batchMaxRecords} records, the given echo timeout and a 500 ms retry backoff.
   */
  public static RunningDestination start(
      String name,
      String destination,
      JsonNode config,
      ConnectorOptions options,
      String prefix,
      int batchMaxRecords,
      Duration stateEchoTimeout,
      BridgeStateStore store) {
    return new RunningDestination(
        new TargetSettings(
            name,
            null,
            new CacheOptions("", null, WriteStrategy.APPEND),
            List.of(prefix),
            List.of(),
            Map.of(),
            batchMaxRecords,
            16 << 20,
            Duration.ofMillis(200),
            Duration.ofMillis(500),
            Duration.ofMillis(500),
            "akb-it-" + name,
            Map.of("bootstrap.servers", EmbeddedKafka.bootstrapServers()),
            new DestinationSettings(
                destination, config, options, true, stateEchoTimeout, Duration.ofMinutes(2)),
            null,
            false,
            null),
        store);
  }

  public DestinationReplicator replicator() {
    return replicator;
  }

  /** Finishes the destination's run, stores what it confirmed and waits for the thread to end. */
  @Override
  public void close() throws InterruptedException {
    replicator.close();
    thread.join(60_000);
  }
}
