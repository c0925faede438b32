package io.akb.bridge.target;

import io.akb.bridge.config.BridgeConfig;
import io.akb.bridge.metrics.TargetMetrics;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The targets of this bridge, built from {@link BridgeConfig} at startup, each replayed on its own
 * thread, and stopped (their batches written, their caches released) at shutdown.
 */
@ApplicationScoped
public class BridgeTargets {
  private static final Logger log = Logger.getLogger(BridgeTargets.class);

  private final BridgeConfig config;
  private final TargetMetrics metrics;
  private final Map<String, TargetReplicator> targets = new LinkedHashMap<>();
  private final List<Thread> threads = new ArrayList<>();

  BridgeTargets(BridgeConfig config, TargetMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  void start(@Observes StartupEvent event) {
    config.targets().forEach((name, target) -> targets.put(name, create(name, target)));
    for (TargetReplicator target : targets.values()) {
      Thread thread = new Thread(target, "akb-target-" + target.settings().name());
      thread.start();
      threads.add(thread);
    }
    if (targets.isEmpty()) {
      log.warn("No target is configured: set akb.targets.<name>.cache and .source-prefix");
    }
  }

  void stop(@Observes ShutdownEvent event) {
    targets.values().forEach(TargetReplicator::close);
    for (Thread thread : threads) {
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Every target, in configuration order. */
  public Map<String, TargetReplicator> all() {
    return targets;
  }

  /** A target by name; an {@link AkbException} naming the known ones when there is none. */
  public TargetReplicator get(String name) {
    TargetReplicator target = targets.get(name);
    if (target == null) {
      throw new AkbException(
          "finding target '" + name + "'",
          "no target has that name",
          "Known targets: " + String.join(", ", targets.keySet()) + ".");
    }
    return target;
  }

  private TargetReplicator create(String name, BridgeConfig.Target target) {
    Map<String, WriteStrategy> streamStrategies = new HashMap<>();
    target
        .streams()
        .forEach(
            (stream, streamConfig) ->
                streamStrategies.put(stream, WriteStrategy.fromProperty(streamConfig.strategy())));
    Map<String, String> kafka = new HashMap<>(config.consumer());
    kafka.putAll(target.kafka());
    kafka.putIfAbsent("bootstrap.servers", config.bootstrapServers());
    TargetSettings settings =
        new TargetSettings(
            name,
            CacheLocation.parse(target.cache()),
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
            kafka);
    return metrics.bind(settings);
  }
}
