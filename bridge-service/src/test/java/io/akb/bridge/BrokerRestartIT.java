package io.akb.bridge;

import static io.akb.bridge.testing.RunningTarget.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.testing.BridgeProcess;
import io.akb.bridge.testing.BrokerProcess;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.RowChecks;
import io.akb.bridge.testing.TestDatabases;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kafka broker SIGKILLed in the middle of a bridge replay and started again a few seconds later
 * on the same ports and log: the bridge process waits for it (it does not exit, and the target does
 * not stand FAILED), then replays on from the offsets stored with its rows and ends with every
 * record once. The append strategy writes every record it is given, so a batch applied twice would
 * be second rows.
 *
 * <p>The broker is one of the test's own, in a child JVM ({@link BrokerProcess}); the moment of the
 * kill and how long the broker stays down are seeded ({@link io.akb.runtime.testkit.FaultSeeds}).
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class BrokerRestartIT {
  private static final JsonNode SCHEMA =
      BridgeProcessIT.json(
          "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
              + "\"name\":{\"type\":\"string\"}}}");
  private static final int TOTAL = 100_000;
  private static final int CHECKPOINT_EVERY = 10_000;

  @TempDir Path dir;
  private final List<String> databases = new ArrayList<>();

  @AfterEach
  void dropDatabases() {
    databases.forEach(TestDatabases::drop);
  }

  static java.util.stream.LongStream faultSeeds() {
    return BridgeProcessIT.faultSeeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("faultSeeds")
  void aReplayWhoseBrokerIsKilledWaitsForItAndEndsWithEveryRecordOnce(long seed) throws Exception {
    Random random = new Random(seed);
    String prefix = "airbyte.brokerkill-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String pgUrl = TestDatabases.create("brokerkill_" + seed);
    databases.add(pgUrl);
    try (BrokerProcess broker = BrokerProcess.start(dir)) {
      AirbyteStateMessage last = null;
      try (ContractProducer source =
          new ContractProducer(broker.bootstrapServers(), prefix, "source-brokerkill")) {
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

      try (BridgeProcess bridge =
          BridgeProcess.start(
              broker.bootstrapServers(),
              Map.of(
                  "akb.targets.pg.cache", "postgres:" + pgUrl,
                  "akb.targets.pg.source-prefix", prefix,
                  "akb.targets.pg.strategy", "append",
                  "akb.targets.pg.batch.max-records", "2000",
                  "akb.targets.pg.topic-refresh-interval", "1s",
                  "akb.targets.pg.retry-backoff", "1s"),
              dir.resolve("bridge.log"))) {
        bridge.awaitHttp(Duration.ofSeconds(60));
        await("the target writes its first rows", Duration.ofSeconds(90), () -> rows(pgUrl) > 0);
        Thread.sleep(random.nextInt(700));
        broker.kill();
        long rowsAtKill = rows(pgUrl);
        System.out.printf("seed %d: broker killed at %d rows%n", seed, rowsAtKill);
        // The target's next question to the broker times out: it turns FAILED, saying so, and
        // starts again from its stored offsets after its backoff, as often as it must.
        await(
            "the target is FAILED while the broker is down",
            Duration.ofSeconds(60),
            () -> "FAILED".equals(target(bridge).path("phase").asText()));
        String error = target(bridge).path("lastError").asText();
        System.out.println("lastError while the broker is down: " + error);
        // Which broker, and what to do; Kafka's own words in between depend on the call that
        // timed out first (topic metadata, end offsets).
        assertThat(error)
            .startsWith("Kafka at " + broker.bootstrapServers() + " did not answer")
            .contains("Check that the broker runs")
            .contains("the target tries again in");
        Thread.sleep(random.nextInt(3_000));
        assertThat(bridge.isAlive()).as("the bridge process outlives the broker").isTrue();
        broker.startAgain();

        // Generous: a bound for a loaded 2-core machine, not a speed requirement.
        await(
            "the target has replayed everything after the broker's restart",
            Duration.ofMinutes(5),
            () -> caughtUp(bridge));
        assertThat(rowsAtKill).as("the kill fell during the replay").isLessThan(TOTAL);
      }

      try (Connection pg = DriverManager.getConnection(pgUrl);
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
