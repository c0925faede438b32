package io.akb.bridge.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.CacheLocation;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.ConnectorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one {@code akb sync} does.
 *
 * @param sourceName the Airbyte source, such as {@code source-faker}
 * @param config the source's config (secret references still unresolved: the connector resolves
 *     them)
 * @param streams streams to read; empty reads every stream
 * @param cache where the rows go
 * @param strategy write strategy of the cache's streams; null means {@code auto}, or {@code
 *     replace} with {@code fullRefresh}
 * @param fullRefresh read every stream from scratch, ignoring the state of earlier syncs
 * @param connector how to get and run the source (version, pip URL, Docker image, local program,
 *     manifest, install dir), as for {@code Airbyte.getSource}
 * @param bootstrapServers a Kafka cluster to use; null starts the embedded broker
 * @param workDir where the embedded broker's log, Connect's offsets and the log file live ({@code
 *     ./.cache})
 * @param plainInterval how often plain progress lines are printed when not on a terminal
 * @param destination an Airbyte destination the topics go to instead of {@code cache}; null: the
 *     cache
 */
public record SyncOptions(
    String sourceName,
    JsonNode config,
    List<String> streams,
    CacheLocation cache,
    WriteStrategy strategy,
    boolean fullRefresh,
    ConnectorOptions connector,
    String bootstrapServers,
    Path workDir,
    Duration plainInterval,
    SyncDestination destination) {

  public SyncOptions {
    streams = List.copyOf(streams);
  }

  /**
   * The write strategy the cache uses: the one asked for, else replace or auto. A destination's
   * default is auto even with a full refresh: its {@code overwrite} would drop what it holds at
   * every restart of its run (see {@code DestinationSettings.refuseReplace}).
   */
  public WriteStrategy effectiveStrategy() {
    if (strategy != null) {
      return strategy;
    }
    return fullRefresh && destination == null ? WriteStrategy.REPLACE : WriteStrategy.AUTO;
  }
}
