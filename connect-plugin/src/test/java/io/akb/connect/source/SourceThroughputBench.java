package io.akb.connect.source;

import static io.akb.connect.ConnectTestCluster.count;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.ConnectTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Source-to-topic throughput through a real Connect worker: the real source-faker, and a recording
 * of its output replayed by a local program (AKB's own overhead). Not part of the build (no *Test
 * or *IT name): bench/connect-source/run.sh runs it and records the figures.
 */
class SourceThroughputBench {

  @Test
  void measure() throws Exception {
    int users = Integer.getInteger("bench.count", 100_000);
    Path work = Path.of(System.getProperty("bench.work"));
    StringBuilder results = new StringBuilder();
    try (ConnectTestCluster cluster = ConnectTestCluster.start("akb-bench", false)) {
      Map<String, String> faker = base(cluster, "bench.faker.");
      faker.put("airbyte.connector.name", "source-faker");
      faker.put(
          "airbyte.config",
          "{\"count\": " + users + ", \"seed\": 1, \"always_updated\": false, \"parallelism\": 1}");
      results.append(run(cluster, "faker", faker, "bench.faker."));

      Map<String, String> replay = base(cluster, "bench.replay.");
      replay.put("airbyte.connector.name", "source-replay");
      replay.put("airbyte.executor", "local");
      replay.put("airbyte.local.executable", System.getProperty("bench.replay"));
      replay.put(
          "airbyte.config",
          "{\"recording\": \""
              + work.resolve("recording.jsonl")
              + "\", \"catalog\": \""
              + work.resolve("catalog.jsonl")
              + "\"}");
      results.append(run(cluster, "replay", replay, "bench.replay."));
    }
    Files.writeString(work.resolve("results.txt"), results);
    System.out.println(results);
  }

  private static Map<String, String> base(ConnectTestCluster cluster, String prefix) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ConnectTestCluster.SOURCE_CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    config.put("streams", "users");
    config.put("topic.prefix", prefix);
    config.put("topic.partitions", "3");
    config.put("bootstrap.servers", cluster.bootstrapServers());
    config.put("sync.interval.ms", "3600000");
    return config;
  }

  /** Records of the sync divided by the time from SYNC_STARTED to SYNC_COMPLETED. */
  private static String run(
      ConnectTestCluster cluster, String name, Map<String, String> config, String prefix)
      throws Exception {
    cluster.connect.configureConnector(name, config);
    List<JsonNode> events =
        cluster.awaitStateEvents(
            prefix + "_state",
            false,
            e -> count(e, "SYNC_COMPLETED", null) == 1,
            Duration.ofMinutes(20));
    JsonNode started = find(events, "SYNC_STARTED");
    JsonNode completed = find(events, "SYNC_COMPLETED");
    long records = 0;
    for (var count : (Iterable<JsonNode>) () -> completed.path("counts").elements()) {
      records += count.asLong();
    }
    double seconds =
        (completed.path("emitted_at").asLong() - started.path("emitted_at").asLong()) / 1000.0;
    cluster.connect.deleteConnector(name);
    return String.format(
        "%s -> Connect -> topic: %d records in %.1f s: %.0f records/s (%s)%n",
        name, records, seconds, records / seconds, completed.path("status").asText());
  }

  private static JsonNode find(List<JsonNode> events, String type) {
    return events.stream()
        .filter(e -> e.path("type").asText().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
