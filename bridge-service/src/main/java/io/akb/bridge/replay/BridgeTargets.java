package io.akb.bridge.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.config.BridgeConfig;
import io.akb.bridge.metrics.TargetMetrics;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.control.ConfigUpdates;
import io.akb.runtime.protocol.AirbyteJson;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The targets of this bridge, built from {@link BridgeConfig} at startup, each replayed on its own
 * thread, and stopped (their batches written, their caches released, their destinations finished)
 * at shutdown. Destination targets share one {@link BridgeStateStore}.
 */
@ApplicationScoped
public class BridgeTargets {
  private static final Logger log = Logger.getLogger(BridgeTargets.class);

  private final BridgeConfig config;
  private final TargetMetrics metrics;
  private final Map<String, BridgeTarget> targets = new LinkedHashMap<>();
  private BridgeStateStore stateStore;
  private final Map<BridgeTarget, Thread> threads = new LinkedHashMap<>();

  BridgeTargets(BridgeConfig config, TargetMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  void start(@Observes StartupEvent event) {
    config.targets().forEach((name, target) -> targets.put(name, create(name, target)));
    for (BridgeTarget target : targets.values()) {
      Thread thread = new Thread(target, "akb-target-" + target.settings().name());
      thread.start();
      threads.put(target, thread);
    }
    if (targets.isEmpty()) {
      log.warn("No target is configured: set akb.targets.<name>.cache and .source-prefix");
    }
  }

  void stop(@Observes ShutdownEvent event) {
    targets.values().forEach(BridgeTarget::close);
    for (Map.Entry<BridgeTarget, Thread> running : threads.entrySet()) {
      try {
        running.getValue().join(stopTimeout(running.getKey()).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (stateStore != null) {
      stateStore.close();
    }
  }

  /**
   * How long a target may take to stop: a cache target writes its last batch; a destination target
   * lets its destination finish (up to its finish timeout), and only then may the shared state
   * store close.
   */
  private static Duration stopTimeout(BridgeTarget target) {
    DestinationSettings destination = target.settings().destination();
    Duration batch = Duration.ofSeconds(30);
    return destination == null ? batch : destination.finishTimeout().plus(batch);
  }

  /** Every target, in configuration order. */
  public Map<String, BridgeTarget> all() {
    return targets;
  }

  /**
   * A cache target by name, for reading its cache; an {@link AkbException} when there is none or it
   * writes into a destination.
   */
  public TargetReplicator cacheTarget(String name) {
    if (get(name) instanceof TargetReplicator cacheTarget) {
      return cacheTarget;
    }
    throw new AkbException(
        "reading the cache of target '" + name + "'",
        "it writes into the destination "
            + get(name).settings().destination().name()
            + ", not a cache",
        "Read the rows where the destination writes them.");
  }

  /** A target by name; an {@link AkbException} naming the known ones when there is none. */
  public BridgeTarget get(String name) {
    BridgeTarget target = targets.get(name);
    if (target == null) {
      throw new AkbException(
          "finding target '" + name + "'",
          "no target has that name",
          "Known targets: " + String.join(", ", targets.keySet()) + ".");
    }
    return target;
  }

  private BridgeTarget create(String name, BridgeConfig.Target target) {
    Map<String, WriteStrategy> streamStrategies = new HashMap<>();
    target
        .streams()
        .forEach(
            (stream, streamConfig) ->
                streamStrategies.put(stream, WriteStrategy.fromProperty(streamConfig.strategy())));
    Map<String, String> kafka = new HashMap<>(config.consumer());
    kafka.putAll(target.kafka());
    kafka.putIfAbsent("bootstrap.servers", config.bootstrapServers());
    DestinationSettings destination =
        target.destination().map(d -> destination(name, d, target)).orElse(null);
    if (destination != null) {
      DestinationSettings.refuseReplace(
          name, WriteStrategy.fromProperty(target.strategy()), streamStrategies);
    }
    TargetSettings settings =
        new TargetSettings(
            name,
            destination == null ? CacheLocation.parse(target.cache()) : null,
            new CacheOptions(
                target.tablePrefix().orElse(""),
                target.schema().orElse(null),
                WriteStrategy.fromProperty(target.strategy())),
            target.sourcePrefixes().orElse(List.of()),
            target.topics().orElse(List.of()),
            streamStrategies,
            target.batch().maxRecords(),
            target.batch().maxBytes(),
            target.batch().maxWait(),
            target.topicRefreshInterval(),
            target.retryBackoff(),
            config.groupPrefix() + name,
            kafka,
            destination,
            RecordGap.GapPolicy.fromProperty(target.onGap()),
            target.shared(),
            target.schemaRegistryUrl().orElse(null));
    if (destination == null) {
      return metrics.bind(settings, null);
    }
    if (stateStore == null) {
      stateStore = new BridgeStateStore(CacheLocation.parse(config.stateStore()));
    }
    return metrics.bind(settings, stateStore);
  }

  /** The destination of target {@code targetName}; its config updates are the target's own. */
  private DestinationSettings destination(
      String targetName, String name, BridgeConfig.Target target) {
    String runner = "bridge-" + targetName;
    ConnectorOptions options =
        ConnectorOptions.defaults()
            .withVersion(target.version().orElse(null))
            .withPipUrl(target.pipUrl().orElse(null))
            .withDockerImage(target.dockerImage().orElse(null))
            .withLocalExecutable(target.localExecutable().orElse(null))
            .withConfigUpdates(
                config
                    .configUpdatesDir()
                    .filter(dir -> !dir.isBlank())
                    .map(dir -> ConfigUpdates.in(Path.of(dir), runner))
                    .orElseGet(() -> ConfigUpdates.inDefaultDirectory(runner)));
    JsonNode destinationConfig;
    try {
      destinationConfig = AirbyteJson.parse(target.destinationConfig());
    } catch (JsonProcessingException e) {
      // The text may hold secrets: say where it is wrong, not what it says.
      throw new AkbException(
          "configuring the destination " + name,
          "destination-config is not JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")",
          "Give the destination's config as a JSON object; use secret://NAME for secrets.");
    }
    return new DestinationSettings(
        name,
        destinationConfig,
        options,
        target.sourceStates(),
        target.stateEchoTimeout(),
        target.finishTimeout());
  }
}
