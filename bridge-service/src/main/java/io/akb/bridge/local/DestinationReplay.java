package io.akb.bridge.local;

import io.akb.bridge.replay.BridgeStateStore;
import io.akb.bridge.replay.DestinationReplicator;
import io.akb.bridge.replay.DestinationSettings;
import io.akb.bridge.replay.RecordGap;
import io.akb.bridge.replay.TargetSettings;
import io.akb.bridge.replay.TargetStatus;
import io.akb.cache.CacheLocation;
import io.akb.cache.StoredOffset;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The bridge's destination target for one Airbyte destination, run on a thread of this process (no
 * Quarkus): the {@link DestinationReplicator} (over {@code TopicDestinationFeed}, the core the
 * bridge's targets and the Connect sink share) feeds the source's topics to the destination and
 * stores the offsets it confirmed in a state store of the work dir, {@value #STATE_STORE_FILE}, so
 * the next sync sends only what is new.
 *
 * <p>Contract: {@link #appliedThrough} is true once the destination has confirmed (echoed a state
 * after) everything up to and including a state topic offset. {@link #close()} ends the
 * destination's run and the state store, and returns once the replay thread has ended.
 */
final class DestinationReplay implements SyncTarget {
  /** The state store's file in the work dir: the offsets the destination confirmed. */
  static final String STATE_STORE_FILE = "akb_sync_destinations.duckdb";

  private final SyncDestination destination;
  private final DestinationReplicator replicator;
  private final BridgeStateStore store;
  private final String targetName;
  private final String stateTopic;
  private final Thread thread;

  private DestinationReplay(
      SyncDestination destination,
      DestinationReplicator replicator,
      BridgeStateStore store,
      String targetName,
      String stateTopic) {
    this.destination = destination;
    this.replicator = replicator;
    this.store = store;
    this.targetName = targetName;
    this.stateTopic = stateTopic;
    this.thread = new Thread(replicator, "akb-target-" + targetName);
    this.thread.setDaemon(true);
  }

  /**
   * The target's name, under which its confirmed offsets are stored: one per source and
   * destination, since the offsets are those of the source's topics.
   */
  static String targetName(String sourceName, String destinationName) {
    return "akb-sync-" + sourceName + "-to-" + destinationName;
  }

  /** Starts replaying the topics under {@code prefix} into {@code destination}. */
  static DestinationReplay start(
      String bootstrapServers,
      String prefix,
      String sourceName,
      SyncDestination destination,
      WriteStrategy strategy,
      RecordGap.GapPolicy onGap,
      Path workDir) {
    String target = targetName(sourceName, destination.name());
    TargetSettings settings =
        SyncTarget.settings(
            target,
            target,
            null,
            new DestinationSettings(
                destination.name(),
                destination.config(),
                destination.connector(),
                true,
                Duration.ofMinutes(5),
                Duration.ofMinutes(10)),
            strategy,
            prefix,
            bootstrapServers,
            onGap);
    BridgeStateStore store =
        new BridgeStateStore(
            CacheLocation.parse(
                "duckdb:" + workDir.resolve(STATE_STORE_FILE).toAbsolutePath().normalize()));
    DestinationReplay replay =
        new DestinationReplay(
            destination,
            new DestinationReplicator(settings, store, null),
            store,
            target,
            TopicNames.stateTopic(prefix));
    replay.thread.start();
    return replay;
  }

  @Override
  public TargetStatus status() {
    return replicator.status();
  }

  @Override
  public boolean appliedThrough(long offset) {
    StoredOffset stored = store.load(targetName).get(StateEvent.countsKey(stateTopic, 0));
    return stored != null && stored.nextOffset() > offset;
  }

  @Override
  public String describe() {
    return destination.name();
  }

  @Override
  public Map<String, Long> rows(List<String> streams) {
    return null; // a destination's tables are its own
  }

  @Override
  public int states(String source) {
    return (int)
        status().streams().stream().filter(stream -> stream.lastCheckpoint() != null).count();
  }

  @Override
  public AkbException failed(TargetStatus status) {
    return new AkbException(
        "writing to " + destination.name(),
        String.valueOf(status.lastError()),
        "Fix what the destination reports (its --destination-config, its executor options) and"
            + " run akb sync again: the destination gets every record it has not confirmed.");
  }

  @Override
  public List<String> where(int states) {
    return List.of(
        "destination: " + destination.name(),
        "state:   "
            + states
            + (states == 1 ? " stream's state" : " streams' states")
            + " confirmed by "
            + destination.name()
            + "; its confirmed offsets in "
            + store.describe()
            + " (target "
            + targetName
            + ")");
  }

  @Override
  public void close() {
    replicator.close();
    try {
      thread.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // The replicator stores what the destination confirms until it ends: the store after it.
      store.close();
    }
  }
}
