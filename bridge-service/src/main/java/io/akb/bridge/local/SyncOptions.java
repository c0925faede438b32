package io.akb.bridge.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.CacheLocation;
import io.akb.cache.WriteStrategy;
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
 * @param dockerImage run the source from this Docker image, or null
 * @param pipUrl install the source from this pip requirement, or null
 * @param localExecutable run this program as the source, or null
 * @param bootstrapServers a Kafka cluster to use; null starts the embedded broker
 * @param workDir where the embedded broker's log, Connect's offsets and the log file live ({@code
 *     ./.cache})
 * @param plainInterval how often plain progress lines are printed when not on a terminal
 */
public record SyncOptions(
    String sourceName,
    JsonNode config,
    List<String> streams,
    CacheLocation cache,
    WriteStrategy strategy,
    boolean fullRefresh,
    String dockerImage,
    String pipUrl,
    String localExecutable,
    String bootstrapServers,
    Path workDir,
    Duration plainInterval) {

  public SyncOptions {
    streams = List.copyOf(streams);
  }

  /** The write strategy the cache uses: the one asked for, else replace or auto. */
  public WriteStrategy effectiveStrategy() {
    if (strategy != null) {
      return strategy;
    }
    return fullRefresh ? WriteStrategy.REPLACE : WriteStrategy.AUTO;
  }
}
