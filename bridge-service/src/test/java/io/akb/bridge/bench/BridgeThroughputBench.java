package io.akb.bridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.RunningTarget;
import io.akb.bridge.testing.TestDatabases;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Topic-to-cache throughput of one target: fills a topic with faker-like user records (the
 * contract's SYNC_STARTED, records, checkpoints every 50,000, SYNC_COMPLETED), then replays it into
 * DuckDB and into PostgreSQL, printing rows/s and the peak heap. Not a test: run it by hand (see
 * bench/RESULTS-bridge.md), on a machine with nothing else busy.
 *
 * <p>Arguments: record count (default 1,000,000), batch max records (default 10,000).
 */
public final class BridgeThroughputBench {
  private static final JsonNode SCHEMA =
      json(
          """
          {"type":"object","properties":{
            "id":{"type":"integer"},"name":{"type":"string"},"email":{"type":"string"},
            "age":{"type":"integer"},"height":{"type":"number"},
            "created_at":{"type":"string","format":"date-time"},
            "address":{"type":"object"}}}
          """);

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    String prefix = "airbyte.bench-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    long produceStart = System.nanoTime();
    try (ContractProducer source = new ContractProducer(prefix, "source-faker")) {
      source.createTopics(Map.of("users", 4));
      source.startSync(
          List.of(
              ContractProducer.stream(
                  "users",
                  SCHEMA,
                  List.of("id"),
                  SyncMode.INCREMENTAL,
                  List.of("created_at"),
                  DestinationSyncMode.APPEND_DEDUP)));
      for (int id = 1; id <= records; id++) {
        ObjectNode user = AirbyteJson.MAPPER.createObjectNode();
        user.put("id", id);
        user.put("name", "User Number " + id);
        user.put("email", "user" + id + "@example.com");
        user.put("age", 18 + id % 60);
        user.put("height", 150 + (id % 500) / 10.0);
        user.put("created_at", "2024-0" + (1 + id % 9) + "-15T10:20:30+00:00");
        user.putObject("address").put("city", "City " + id % 100).put("zip", 10000 + id % 90000);
        source.record("users", AirbyteJson.MAPPER.createObjectNode().put("id", id), user);
        if (id % 50_000 == 0) {
          source.checkpoint("users", AirbyteJson.MAPPER.createObjectNode().put("cursor", id));
        }
      }
      source.completeSync(true);
      source.flush();
    }
    System.out.printf(
        "produced %,d records in %.1f s%n", records, (System.nanoTime() - produceStart) / 1e9);

    Path dir = Files.createTempDirectory("akb-bench");
    String pgUrl = TestDatabases.create("bench");
    try {
      run("DuckDB", "duckdb:" + dir.resolve("bench.duckdb"), prefix, records, batch);
      run("PostgreSQL", "postgres:" + pgUrl, prefix, records, batch);
    } finally {
      TestDatabases.drop(pgUrl);
    }
    System.exit(0);
  }

  private static void run(String name, String cache, String prefix, int records, int batch)
      throws Exception {
    System.gc();
    resetPeaks();
    long start = System.nanoTime();
    try (RunningTarget target =
        RunningTarget.start(
            "bench-" + name.toLowerCase(), cache, prefix, WriteStrategy.AUTO, Map.of(), batch)) {
      RunningTarget.await(
          name + " has every record",
          Duration.ofMinutes(30),
          () -> target.replicator().recordsApplied() >= records);
      double seconds = (System.nanoTime() - start) / 1e9;
      long rows = target.count("users");
      System.out.printf(
          "%s: %,d rows in %.1f s = %,.0f rows/s, peak heap %,d MiB (batch %,d records)%n",
          name, rows, seconds, records / seconds, peakHeap() >> 20, batch);
    }
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  /** Sum of the heap pools' peaks: an upper bound of the heap in use at any one time. */
  private static long peakHeap() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  private static JsonNode json(String text) {
    try {
      return AirbyteJson.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
