package io.akb.bridge;

import static io.akb.bridge.testing.RunningTarget.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.kafka.KafkaCache;
import io.akb.bridge.local.EmbeddedKafkaBroker;
import io.akb.bridge.testing.BridgeProcess;
import io.akb.bridge.testing.RowChecks;
import io.akb.bridge.testing.TestDatabases;
import io.akb.runtime.ReadResult;
import io.akb.runtime.testkit.Ailake;
import io.akb.runtime.testkit.Faker;
import io.akb.runtime.testkit.ReadmeBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two bridge {@code properties} blocks run as written: the files under {@code
 * src/test/resources/readme/} are those blocks (the test fails when a file and its README block
 * differ), put together as {@code config/application.properties} of a fresh working directory, in
 * which the packaged bridge runs as a reader runs it there. What the blocks take as given is made
 * first: the faker's topics (the real source-faker read into a real KRaft broker with the topic
 * contract's default prefix {@code airbyte.source-faker.}, as its Connect source connector writes
 * them), the PostgreSQL role and database {@code akb}/{@code akb} on the test server, and the
 * embedding command {@code embed.py} the lake block names. Then each target holds what a user
 * checks: every faker user once in the DuckDB cache, in PostgreSQL and in the lake's Parquet files.
 *
 * <p>Overridden, on the command line (which wins over the file): the broker address, since the
 * test's broker is not on localhost:9092 (the README leaves the address to its reader), and the
 * HTTP port, which another build on this machine may hold. {@code $AKB_CONFIG_UPDATES_DIR} points
 * into the working directory, so the lake target leaves the user's {@code ~/.local/state} alone.
 */
class ReadmeBridgeExampleIT {
  private static final int USERS = 30;
  private static final Path CACHE_TARGETS =
      Path.of("src/test/resources/readme/cache-targets.properties");
  private static final Path DESTINATION_TARGET =
      Path.of("src/test/resources/readme/destination-target.properties");

  @TempDir Path dir;

  @Test
  void theReadmesBridgePropertiesReplayTheFakerIntoDuckDbPostgresAndTheLake() throws Exception {
    String cacheTargets = Files.readString(CACHE_TARGETS);
    String destinationTarget = Files.readString(DESTINATION_TARGET);
    Files.createDirectories(dir.resolve("config"));
    Files.writeString(
        dir.resolve("config").resolve("application.properties"), cacheTargets + destinationTarget);
    Ailake.writeEmbedScript(dir.resolve("embed.py"));
    TestDatabases.createRoleAndDatabase("akb", "akb", "akb");
    String warehouse = property(cacheTargets, "akb.targets.warehouse.cache");

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      long records;
      try (KafkaCache topics = new KafkaCache(broker.bootstrapServers())) {
        ReadResult read = Faker.source(USERS).selectAllStreams().read(topics);
        assertThat(read.recordsRead()).containsEntry("users", (long) USERS);
        records = read.recordsRead().values().stream().mapToLong(Long::longValue).sum();
      }
      try (BridgeProcess bridge =
          BridgeProcess.startIn(
              dir,
              Map.of("AKB_CONFIG_UPDATES_DIR", dir.resolve("config-updates").toString()),
              broker.bootstrapServers(),
              Map.of(),
              dir.resolve("bridge.log"))) {
        bridge.awaitHttp(Duration.ofSeconds(120));
        // The destination installs (a venv kept across runs) before it writes: minutes at most.
        for (String target : List.of("local", "warehouse", "lake")) {
          await(
              "target " + target + " applied every record and checkpoint of the sync",
              Duration.ofMinutes(5),
              () -> caughtUp(bridge, target, records));
        }
      }
    }

    List<Long> everyUser = LongStream.rangeClosed(1, USERS).boxed().toList();
    // Once the bridge has stopped: a DuckDB file has one process at a time.
    try (Connection duck =
            DriverManager.getConnection(
                "jdbc:duckdb:" + dir.resolve(".cache").resolve("default_cache.duckdb"));
        Statement statement = duck.createStatement()) {
      RowChecks.assertEveryUserOnce(statement, USERS);
      assertThat(RowChecks.storedState(statement, "users")).isNotNull();
    }
    try (Connection pg = DriverManager.getConnection(warehouse.substring("postgres:".length()));
        Statement statement = pg.createStatement()) {
      RowChecks.assertEveryUserOnce(statement, USERS);
    }
    assertThat(Ailake.ids(dir, "users")).as("the lake's users").isEqualTo(everyUser);
    assertThat(Ailake.rows(dir, "users"))
        .allSatisfy(row -> assertThat(String.valueOf(row.get("text"))).contains("@"));

    ReadmeBlock.assertBlockInReadme("properties", cacheTargets);
    ReadmeBlock.assertBlockInReadme("properties", destinationTarget);
  }

  /**
   * Whether {@code target} runs, has read everything and applied (or had confirmed) every record.
   */
  private static boolean caughtUp(BridgeProcess bridge, String target, long records) {
    try {
      JsonNode status = bridge.getJson("/targets/" + target);
      if (status.path("phase").asText().equals("FAILED")) {
        throw new AssertionError("target " + target + " FAILED: " + status.path("lastError"));
      }
      return status.path("phase").asText().equals("RUNNING")
          && status.path("lag").asLong() == 0
          && status.path("checkpointsPending").asInt() == 0
          && status.path("recordsApplied").asLong() == records;
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      return false;
    }
  }

  private static String property(String properties, String name) throws Exception {
    Properties parsed = new Properties();
    parsed.load(new java.io.StringReader(properties));
    return parsed.getProperty(name);
  }
}
