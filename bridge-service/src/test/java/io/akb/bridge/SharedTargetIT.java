package io.akb.bridge;

import static io.akb.bridge.testing.RunningTarget.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.testing.BridgeProcess;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.RowChecks;
import io.akb.bridge.testing.TestDatabases;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One PostgreSQL target replayed by three bridge processes together ({@code shared=true}): they
 * split its partitions in their consumer group; while a third of the records is prefilled and the
 * rest arrives live, one is frozen (SIGSTOP) past its session timeout, so its partitions move while
 * it still holds records it read, then thawed; another is SIGKILLed. The append strategy writes
 * every record it is given, so a record applied twice (a fenced process writing after all, or
 * offsets not stored with the rows) would be a second row.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class SharedTargetIT {
  private static final JsonNode SCHEMA =
      BridgeProcessIT.json(
          "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
              + "\"name\":{\"type\":\"string\"}}}");
  private static final int PREFILLED = 50_000;
  private static final int TOTAL = 150_000;
  private static final int CHECKPOINT_EVERY = 10_000;

  private final List<String> databases = new ArrayList<>();
  private final List<BridgeProcess> bridges = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (BridgeProcess bridge : bridges) {
      signal(bridge, "CONT");
      bridge.close();
    }
    // KEEP databases.forEach(TestDatabases::drop);
  }

  /** The seeds of the freeze and kill moments (see {@link io.akb.runtime.testkit.FaultSeeds}). */
  static java.util.stream.LongStream faultSeeds() {
    return io.akb.runtime.testkit.FaultSeeds.seeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("faultSeeds")
  void threeProcessesShareATargetAndOneFrozenAndOneKilledLoseAndDoubleNothing(long seed)
      throws Exception {
    String prefix = "airbyte.shared-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String pgUrl = TestDatabases.create("shared_" + seed);
    databases.add(pgUrl);
    ContractProducer source = new ContractProducer(prefix, "source-shared");
    java.util.concurrent.atomic.AtomicReference<AirbyteStateMessage> last =
        new java.util.concurrent.atomic.AtomicReference<>();
    source.createTopics(Map.of("users", 6));
    source.startSync(
        List.of(
            ContractProducer.stream(
                "users",
                SCHEMA,
                List.of("id"),
                SyncMode.INCREMENTAL,
                List.of("id"),
                DestinationSyncMode.APPEND)));
    produce(source, 1, PREFILLED, last);
    source.flush();

    Map<String, String> props = new HashMap<>();
    props.put("akb.targets.pg.cache", "postgres:" + pgUrl);
    props.put("akb.targets.pg.source-prefix", prefix);
    props.put("akb.targets.pg.strategy", "append");
    props.put("akb.targets.pg.shared", "true");
    props.put("akb.targets.pg.batch.max-records", "1000");
    props.put("akb.targets.pg.topic-refresh-interval", "1s");
    props.put("akb.targets.pg.retry-backoff", "1s");
    // A frozen or killed process loses its partitions after 6 s (the broker's minimum).
    props.put("akb.targets.pg.kafka.\"session.timeout.ms\"", "6000");
    props.put("akb.targets.pg.kafka.\"heartbeat.interval.ms\"", "1000");
    Path dir = Files.createTempDirectory("shared-target");
    for (int i = 0; i < 3; i++) {
      bridges.add(BridgeProcess.start(props, dir.resolve("bridge-" + i + ".log")));
    }
    for (BridgeProcess bridge : bridges) {
      bridge.awaitHttp(Duration.ofSeconds(60));
    }
    // The group split the partitions: every process writes its share.
    await(
        "each of the three processes has applied records",
        Duration.ofSeconds(90),
        () -> bridges.stream().allMatch(bridge -> applied(bridge) > 0));
    // The rest arrives live, paced, while one process is frozen and another killed: the replay
    // cannot be over before the faults, whatever the machine's speed.
    Thread producer =
        new Thread(
            () -> {
              produce(source, PREFILLED + 1, TOTAL, last);
              source.completeSync(true);
              source.flush();
              source.close();
            },
            "live-source");
    producer.start();

    Random random = new Random(seed);
    BridgeProcess frozen = bridges.get(random.nextInt(3));
    BridgeProcess killed = bridges.get((bridges.indexOf(frozen) + 1 + random.nextInt(2)) % 3);
    Thread.sleep(random.nextInt(500));
    signal(frozen, "STOP");
    // Meanwhile a checkpoint's state is never written before all of its records are.
    long frozenUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < frozenUntil) {
      assertStateNeverAheadOfRows(pgUrl);
      Thread.sleep(200);
    }
    signal(frozen, "CONT");
    long rowsAtKill = pgCount(pgUrl);
    killed.kill();
    assertThat(rowsAtKill).as("the kill fell during the replay").isLessThan(TOTAL);

    producer.join();
    JsonNode expected = AirbyteJson.MAPPER.valueToTree(last.get());
    await(
        "the two processes left have replayed everything",
        Duration.ofMinutes(5),
        () -> {
          assertStateNeverAheadOfRows(pgUrl);
          return pgCount(pgUrl) >= TOTAL && expected.equals(lastState(pgUrl));
        });

    try (Connection pg = DriverManager.getConnection(pgUrl);
        Statement statement = pg.createStatement()) {
      RowChecks.assertEveryUserOnce(statement, TOTAL);
      // The partitions moved: claimed again by their new owners, which fenced the old ones.
      ResultSet claims =
          statement.executeQuery(
              "SELECT count(*), max(epoch) FROM _akb_target_claims WHERE target LIKE 'pg@%'");
      claims.next();
      assertThat(claims.getLong(1)).as("claimed partitions").isGreaterThanOrEqualTo(6);
      assertThat(claims.getLong(2)).as("newest epoch").isGreaterThan(1);
    }
    assertThat(lastState(pgUrl)).isEqualTo(expected);
  }

  /**
   * Records {@code from..to} of {@code users}, a checkpoint after every {@link #CHECKPOINT_EVERY}
   * (each counts records of all six partitions, owned by different processes), paced at about 5,000
   * records a second once the prefilled part is written.
   */
  private static void produce(
      ContractProducer source,
      int from,
      int to,
      java.util.concurrent.atomic.AtomicReference<AirbyteStateMessage> last) {
    for (int id = from; id <= to; id++) {
      ObjectNode row = AirbyteJson.MAPPER.createObjectNode().put("id", id).put("name", "u" + id);
      source.record("users", AirbyteJson.MAPPER.createObjectNode().put("id", id), row);
      if (id % CHECKPOINT_EVERY == 0) {
        last.set(source.checkpoint("users", BridgeProcessIT.json("{\"cursor\":" + id + "}")));
      }
      if (id > PREFILLED && id % 10 == 0) {
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * The stored state's cursor {@code c} promises every id up to {@code c}: all of them must be rows
   * (read in one snapshot with the state).
   */
  private static void assertStateNeverAheadOfRows(String pgUrl) {
    try (Connection pg = DriverManager.getConnection(pgUrl)) {
      pg.setAutoCommit(false);
      pg.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      JsonNode state = lastState(pg);
      if (state != null) {
        long cursor = state.get("stream").get("stream_state").get("cursor").asLong();
        try (Statement statement = pg.createStatement()) {
          ResultSet rows =
              statement.executeQuery("SELECT count(DISTINCT id) FROM users WHERE id <= " + cursor);
          rows.next();
          assertThat(rows.getLong(1))
              .as("rows with an id up to the stored state's cursor " + cursor)
              .isEqualTo(cursor);
        }
      }
      pg.rollback();
    } catch (java.sql.SQLException e) {
      // No table yet.
    }
  }

  private static JsonNode lastState(String pgUrl) {
    try (Connection pg = DriverManager.getConnection(pgUrl)) {
      return lastState(pg);
    } catch (java.sql.SQLException e) {
      return null;
    }
  }

  private static JsonNode lastState(Connection pg) throws java.sql.SQLException {
    try (Statement statement = pg.createStatement()) {
      ResultSet state =
          statement.executeQuery(
              "SELECT state_json FROM _airbyte_state WHERE stream_name = 'users'");
      if (!state.next()) {
        return null;
      }
      return AirbyteJson.MAPPER.readTree(state.getString(1));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long applied(BridgeProcess bridge) {
    try {
      return bridge.getJson("/targets/pg").get("recordsApplied").asLong();
    } catch (Exception e) {
      return -1;
    }
  }

  private static long pgCount(String url) {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      ResultSet rows = statement.executeQuery("SELECT count(*) FROM users");
      rows.next();
      return rows.getLong(1);
    } catch (Exception e) {
      return 0; // no table yet
    }
  }

  private static void signal(BridgeProcess bridge, String signal) throws Exception {
    if (bridge.isAlive()) {
      new ProcessBuilder("kill", "-" + signal, Long.toString(bridge.pid()))
          .inheritIO()
          .start()
          .waitFor();
    }
  }
}
