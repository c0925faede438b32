package io.akb.bridge.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a destination target writes into: an Airbyte destination connector and how to run it.
 *
 * @param name the connector's name, such as {@code destination-ailake}
 * @param config its config as its spec describes; may hold {@code secret://NAME} references,
 *     resolved each time it runs
 * @param options how to get and run it (version, pip URL, Docker image, local program)
 * @param passSourceStates whether the sources' STATE messages pass through once their records are
 *     in
 * @param stateEchoTimeout how long a STATE may wait for its echo before the destination counts as
 *     failed
 * @param finishTimeout how long the destination may take to finish once its input ends
 */
public record DestinationSettings(
    String name,
    JsonNode config,
    ConnectorOptions options,
    boolean passSourceStates,
    Duration stateEchoTimeout,
    Duration finishTimeout) {

  /**
   * Refuses {@code replace} for a destination target: its destination restarts (a new stream, a
   * failure, a reset) with the same catalog, and {@code overwrite} would then drop what the runs
   * before wrote.
   *
   * @throws AkbException naming the stream (or the target's default) that asks for it
   */
  public static void refuseReplace(
      String target, WriteStrategy defaultStrategy, Map<String, WriteStrategy> streamStrategies) {
    List<String> asking = new ArrayList<>();
    if (defaultStrategy == WriteStrategy.REPLACE) {
      asking.add("akb.targets." + target + ".strategy");
    }
    streamStrategies.forEach(
        (stream, strategy) -> {
          if (strategy == WriteStrategy.REPLACE) {
            asking.add("akb.targets." + target + ".streams." + stream + ".strategy");
          }
        });
    if (!asking.isEmpty()) {
      throw new AkbException(
          "configuring the destination target " + target,
          String.join(", ", asking)
              + " is replace, which a destination target cannot keep: every restart of its"
              + " destination would overwrite what earlier runs wrote",
          "Use auto (append_dedup with a primary key, else append), merge or append.");
    }
  }

  /**
   * A write strategy as a destination sync mode: {@code merge} is {@code append_dedup}, {@code
   * append} is {@code append}, {@code replace} is {@code overwrite}. {@code auto} is {@code
   * append_dedup} for a stream with a primary key, else {@code append}; never {@code overwrite},
   * since every restart of the destination would replace what earlier runs wrote.
   */
  public static DestinationSyncMode syncMode(
      WriteStrategy strategy, ConfiguredAirbyteStream stream) {
    return switch (strategy) {
      case APPEND -> DestinationSyncMode.APPEND;
      case MERGE -> DestinationSyncMode.APPEND_DEDUP;
      case REPLACE -> DestinationSyncMode.OVERWRITE;
      case AUTO ->
          stream.primaryKey() != null && !stream.primaryKey().isEmpty()
              ? DestinationSyncMode.APPEND_DEDUP
              : DestinationSyncMode.APPEND;
    };
  }
}
