package io.akb.bridge;

import static io.akb.bridge.testing.RunningTarget.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.testing.BridgeProcess;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.PrivatePostgres;
import io.akb.bridge.testing.RowChecks;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PostgreSQL server of a bridge target stopped (fast shutdown: its sessions end mid-batch) in
 * the middle of a replay, then started again: while it is down the target is FAILED with the
 * connection's error in its REST status and tries again after its backoff, more than once; once the
 * server is back it resumes from the offsets stored with its rows. The append strategy writes every
 * record it is given, so a batch applied twice would be second rows.
 *
 * <p>The server is one of the test's own ({@link PrivatePostgres}): stopping the shared one would
 * break the other tests using it. The moment of the stop is seeded ({@link
 * io.akb.runtime.testkit.FaultSeeds}).
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class PostgresRestartIT {
  private static final JsonNode SCHEMA =
      BridgeProcessIT.json(
          "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
              + "\"name\":{\"type\":\"string\"}}}");
  private static final int TOTAL = 200_000;
  private static final int CHECKPOINT_EVERY = 20_000;

  @TempDir Path dir;

  static java.util.stream.LongStream faultSeeds() {
    return BridgeProcessIT.faultSeeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("faultSeeds")
  void aTargetWhosePostgresStopsFailsRetriesAndAfterTheRestartHasEveryRecordOnce(long seed)
      throws Exception {
    String prefix = "airbyte.pgstop-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    AirbyteStateMessage last = null;
    try (ContractProducer source = new ContractProducer(prefix, "source-pgstop")) {
      source.createTopics(Map.of("users", 4));
      source.startSync(
          List.of(
              ContractProducer.stream(
                  "users",
                  SCHEMA,
                  List.of("id"),
                  SyncMode.INCREMENTAL,
                  List.of("id"),
                  DestinationSyncMode.APPEND)));
      for (int id = 1; id <= TOTAL; id++) {
        source.record(
            "users",
            AirbyteJson.MAPPER.createObjectNode().put("id", id),
            AirbyteJson.MAPPER.createObjectNode().put("id", id).put("name", "user " + id));
        if (id % CHECKPOINT_EVERY == 0) {
          last = source.checkpoint("users", BridgeProcessIT.json("{\"cursor\":" + id + "}"));
        }
      }
      source.completeSync(true);
      source.flush();
    }

    try (PrivatePostgres server = PrivatePostgres.start(dir)) {
      String url = server.createDatabase("pgstop");
      Path log = dir.resolve("bridge.log");
      try (BridgeProcess bridge =
          BridgeProcess.start(
              Map.of(
                  "akb.targets.pg.cache", "postgres:" + url,
                  "akb.targets.pg.source-prefix", prefix,
                  "akb.targets.pg.strategy", "append",
                  "akb.targets.pg.batch.max-records", "2000",
                  "akb.targets.pg.topic-refresh-interval", "1s",
                  "akb.targets.pg.retry-backoff", "1s"),
              log)) {
        bridge.awaitHttp(Duration.ofSeconds(60));
        await("the target writes its first rows", Duration.ofSeconds(90), () -> rows(url) > 0);
        Thread.sleep(new Random(seed).nextInt(700));
        long rowsAtStop = rows(url);
        server.stop();
        System.out.printf("seed %d: PostgreSQL stopped at %d rows%n", seed, rowsAtStop);

        await(
            "the target is FAILED while PostgreSQL is down",
            Duration.ofSeconds(60),
            () -> "FAILED".equals(target(bridge).path("phase").asText()));
        // The error names the server and database (never the password), with the driver's reason.
        String database = url.substring("jdbc:postgresql://".length(), url.indexOf('?'));
        String error = target(bridge).path("lastError").asText();
        System.out.println("lastError when PostgreSQL stopped: " + error);
        assertThat(error).contains(database).doesNotContain("password=postgres");
        // Tried again after its backoff, and failed again, before the server came back.
        await(
            "the target tries again while PostgreSQL is down",
            Duration.ofSeconds(60),
            () -> retries(log) >= 2);
        String retryError = target(bridge).path("lastError").asText();
        System.out.println("lastError while PostgreSQL is down: " + retryError);
        assertThat(retryError).contains(database.substring(0, database.indexOf('/')));
        server.startServer();

        // Generous: a bound for a loaded 2-core machine, not a speed requirement.
        await(
            "the target has replayed everything after the restart",
            Duration.ofMinutes(5),
            () -> caughtUp(bridge));
        assertThat(rowsAtStop).as("the stop fell during the replay").isLessThan(TOTAL);
        assertThat(target(bridge).path("lastError").isTextual()).as("an error left").isFalse();
        // The cache's password is in no REST answer and not in the log: only masked.
        for (String path : List.of("/targets", "/targets/pg")) {
          assertThat(bridge.request("GET", path, true).body())
              .as("GET " + path)
              .contains("password=***")
              .doesNotContain("password=postgres");
        }
        assertThat(Files.readString(log)).doesNotContain("password=postgres");
      }

      try (Connection pg = DriverManager.getConnection(url);
          Statement statement = pg.createStatement()) {
        RowChecks.assertEveryUserOnce(statement, TOTAL);
        assertThat(RowChecks.storedState(statement, "users"))
            .isEqualTo(AirbyteJson.MAPPER.valueToTree(last));
      }
    }
  }

  private static JsonNode target(BridgeProcess bridge) {
    try {
      return bridge.getJson("/targets/pg");
    } catch (Exception e) {
      return AirbyteJson.MAPPER.createObjectNode();
    }
  }

  private static boolean caughtUp(BridgeProcess bridge) {
    JsonNode target = target(bridge);
    return "RUNNING".equals(target.path("phase").asText())
        && target.path("lag").asLong(-1) == 0
        && target.path("checkpointsPending").asInt(-1) == 0;
  }

  /** How often the target failed and started again, as its log says. */
  private static long retries(Path log) {
    try {
      return Files.readAllLines(log).stream()
          .filter(line -> line.contains("Target pg failed; starting again"))
          .count();
    } catch (Exception e) {
      return 0;
    }
  }

  private static long rows(String url) {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      ResultSet rows = statement.executeQuery("SELECT count(*) FROM users");
      rows.next();
      return rows.getLong(1);
    } catch (Exception e) {
      return 0; // no table yet
    }
  }
}
