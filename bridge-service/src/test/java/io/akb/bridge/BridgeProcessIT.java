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
import java.net.http.HttpResponse;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged bridge as a separate JVM: the REST API, health, metrics and OpenAPI document, and
 * exactly-once delivery when the process is SIGKILLed in the middle of a replay.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class BridgeProcessIT {
  private static final JsonNode SCHEMA =
      json(
          "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
              + "\"name\":{\"type\":\"string\"}}}");

  @TempDir Path dir;
  private final List<String> databases = new ArrayList<>();

  @AfterEach
  void dropDatabases() {
    databases.forEach(TestDatabases::drop);
  }

  private static ObjectNode row(int id, String name) {
    ObjectNode row = AirbyteJson.MAPPER.createObjectNode();
    row.put("id", id);
    row.put("name", name);
    return row;
  }

  /** A sync of one stream, {@code users}, keyed and with a cursor on {@code id}. */
  private static void startUsersSync(ContractProducer source, DestinationSyncMode mode) {
    source.startSync(
        List.of(
            ContractProducer.stream(
                "users", SCHEMA, List.of("id"), SyncMode.INCREMENTAL, List.of("id"), mode)));
  }

  private static JsonNode key(int id) {
    return AirbyteJson.MAPPER.createObjectNode().put("id", id);
  }

  private Map<String, String> twoTargets(
      String prefix, String duckFile, String pgUrl, String strategy) {
    Map<String, String> props = new HashMap<>();
    props.put("akb.targets.duck.cache", "duckdb:" + duckFile);
    props.put("akb.targets.duck.source-prefix", prefix);
    props.put("akb.targets.duck.strategy", strategy);
    props.put("akb.targets.pg.cache", "postgres:" + pgUrl);
    props.put("akb.targets.pg.source-prefix", prefix);
    props.put("akb.targets.pg.strategy", strategy);
    props.put("akb.targets.duck.topic-refresh-interval", "1s");
    props.put("akb.targets.pg.topic-refresh-interval", "1s");
    props.put("akb.targets.duck.retry-backoff", "1s");
    props.put("akb.targets.pg.retry-backoff", "1s");
    return props;
  }

  /** Both targets report no lag and no pending checkpoint. */
  private static boolean caughtUp(BridgeProcess bridge) {
    try {
      JsonNode targets = bridge.getJson("/targets");
      for (JsonNode target : targets) {
        if (target.get("lag").asLong() != 0
            || target.get("checkpointsPending").asInt() != 0
            || !target.get("phase").asText().equals("RUNNING")) {
          return false;
        }
      }
      return targets.size() == 2;
    } catch (Exception e) {
      return false;
    }
  }

  /** The seeds of the kill moments (see {@link io.akb.runtime.testkit.FaultSeeds}). */
  static java.util.stream.LongStream faultSeeds() {
    return io.akb.runtime.testkit.FaultSeeds.seeds();
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
  @org.junit.jupiter.params.provider.MethodSource("faultSeeds")
  void everyRecordArrivesOnceAfterTheBridgeIsKilledFiveTimesDuringA200kReplay(long seed)
      throws Exception {
    int total = 200_000;
    String prefix = "airbyte.crash-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String duckFile = dir.resolve("crash-" + seed + ".duckdb").toString();
    String pgUrl = TestDatabases.create("crash_" + seed);
    databases.add(pgUrl);
    AirbyteStateMessage last = null;
    try (ContractProducer source = new ContractProducer(prefix, "source-crash")) {
      source.createTopics(Map.of("users", 4));
      startUsersSync(source, DestinationSyncMode.APPEND);
      for (int id = 1; id <= total; id++) {
        source.record("users", key(id), row(id, "user " + id));
        if (id % 20_000 == 0) {
          last = source.checkpoint("users", json("{\"cursor\":" + id + "}"));
        }
      }
      source.completeSync(true);
      source.flush();
    }

    // Append: a record applied twice would be a second row, so duplicates cannot hide.
    Map<String, String> props = twoTargets(prefix, duckFile, pgUrl, "append");
    props.put("akb.targets.duck.batch.max-records", "3000");
    props.put("akb.targets.pg.batch.max-records", "3000");
    Path log = dir.resolve("bridge.log");
    Random random = new Random(seed);
    List<Long> pgRowsAtKill = new ArrayList<>();
    for (int kill = 1; kill <= 5; kill++) {
      BridgeProcess bridge = BridgeProcess.start(props, log);
      long before = pgRowsAtKill.isEmpty() ? 0 : pgRowsAtKill.get(pgRowsAtKill.size() - 1);
      // Kill once this run has committed something, at a random moment of its next batches.
      await(
          "the bridge makes progress before kill " + kill,
          Duration.ofSeconds(90),
          () -> pgCount(pgUrl) > before);
      Thread.sleep(random.nextInt(700));
      bridge.kill();
      pgRowsAtKill.add(pgCount(pgUrl));
      System.out.printf(
          "kill %d: PostgreSQL target had %d rows%n", kill, pgRowsAtKill.get(kill - 1));
    }
    try (BridgeProcess bridge = BridgeProcess.start(props, log)) {
      bridge.awaitHttp(Duration.ofSeconds(60));
      // Generous: a bound for a loaded 2-core machine, not a speed requirement.
      await(
          "both targets have replayed everything", Duration.ofMinutes(10), () -> caughtUp(bridge));
    }
    // The kills fell during the replay, not after it.
    assertThat(pgRowsAtKill).isSorted().allMatch(rows -> rows > 0);
    assertThat(pgRowsAtKill.get(4)).isLessThan(total);

    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + duckFile);
        Connection pg = DriverManager.getConnection(pgUrl)) {
      for (Connection connection : List.of(duck, pg)) {
        try (Statement statement = connection.createStatement()) {
          RowChecks.assertEveryUserOnce(statement, total);
          assertThat(RowChecks.storedState(statement, "users"))
              .isEqualTo(AirbyteJson.MAPPER.valueToTree(last));
        }
      }
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

  @Test
  void restApiHealthMetricsAndOpenApiOfARunningBridge() throws Exception {
    String prefix = "airbyte.rest-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String pgUrl = TestDatabases.create("rest");
    databases.add(pgUrl);
    try (ContractProducer source = new ContractProducer(prefix, "source-rest")) {
      source.createTopics(Map.of("users", 2));
      startUsersSync(source, DestinationSyncMode.APPEND_DEDUP);
      for (int id = 1; id <= 100; id++) {
        source.record("users", key(id), row(id, "user " + id));
      }
      AirbyteStateMessage state = source.checkpoint("users", json("{\"cursor\":100}"));
      source.flush();

      Map<String, String> props =
          twoTargets(prefix, dir.resolve("rest.duckdb").toString(), pgUrl, "auto");
      props.put("akb.admin.token", "s3cret");
      try (BridgeProcess bridge = BridgeProcess.start(props, dir.resolve("bridge.log"))) {
        bridge.awaitHttp(Duration.ofSeconds(60));
        await("both targets caught up", Duration.ofSeconds(60), () -> caughtUp(bridge));

        // The admin API wants the token; health, metrics and OpenAPI do not.
        HttpResponse<String> denied = bridge.request("GET", "/targets", false);
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.body()).contains("akb.admin.token");

        JsonNode duck = bridge.getJson("/targets/duck");
        assertThat(duck.get("phase").asText()).isEqualTo("RUNNING");
        assertThat(duck.get("lag").asLong()).isZero();
        JsonNode users = duck.get("streams").get(0);
        assertThat(users.get("stream").asText()).isEqualTo("users");
        assertThat(users.get("recordsApplied").asLong()).isEqualTo(100);
        assertThat(users.get("lastCheckpoint")).isEqualTo(AirbyteJson.MAPPER.valueToTree(state));

        JsonNode peek = bridge.getJson("/targets/pg/streams/users/rows?limit=3");
        assertThat(peek.get("count").asLong()).isEqualTo(100);
        assertThat(peek.get("rows")).hasSize(3);
        assertThat(peek.get("rows").get(0).get("name").asText()).startsWith("user ");
        assertThat(bridge.getJson("/targets/duck/streams"))
            .extracting(JsonNode::asText)
            .contains("users");

        HttpResponse<String> unknown = bridge.request("GET", "/targets/nope", true);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("Known targets: duck, pg");

        // Paused: new records wait; resumed: they arrive.
        assertThat(bridge.request("POST", "/targets/pg/pause", true).statusCode()).isEqualTo(200);
        await("pg is paused", Duration.ofSeconds(10), () -> phase(bridge, "pg").equals("PAUSED"));
        for (int id = 101; id <= 150; id++) {
          source.record("users", key(id), row(id, "user " + id));
        }
        source.flush();
        await(
            "duck has the new records", Duration.ofSeconds(30), () -> rows(bridge, "duck") == 150);
        Thread.sleep(1500);
        assertThat(rows(bridge, "pg")).isEqualTo(100);
        bridge.request("POST", "/targets/pg/resume", true);
        await("pg has the new records", Duration.ofSeconds(30), () -> rows(bridge, "pg") == 150);

        // Reset replays from the earliest offset; merge keeps one row per key.
        HttpResponse<String> reset = bridge.request("POST", "/targets/duck/reset", true);
        assertThat(reset.statusCode()).isEqualTo(200);
        await(
            "duck replayed everything again",
            Duration.ofSeconds(30),
            () -> applied(bridge, "duck") >= 300 && caughtUp(bridge));
        assertThat(rows(bridge, "duck")).isEqualTo(150);

        JsonNode ready =
            AirbyteJson.MAPPER.readTree(bridge.request("GET", "/q/health/ready", false).body());
        assertThat(ready.get("status").asText()).isEqualTo("UP");
        assertThat(ready.get("checks"))
            .extracting(check -> check.get("name").asText())
            .contains("target-duck", "target-pg");
        HttpResponse<String> live = bridge.request("GET", "/q/health/live", false);
        assertThat(live.statusCode()).isEqualTo(200);

        String metrics = bridge.request("GET", "/q/metrics", false).body();
        assertThat(metrics).contains("akb_target_records_total{target=\"pg\"} 150.0");
        assertThat(metrics).contains("akb_target_lag_records{target=\"duck\"}");
        assertThat(metrics).contains("akb_target_batch_seconds_count{target=\"duck\"}");

        String openApi = bridge.request("GET", "/q/openapi", false).body();
        assertThat(openApi)
            .contains("/targets/{target}/pause", "/targets/{target}/streams/{stream}/rows");
      }
    }
  }

  private static String phase(BridgeProcess bridge, String target) {
    try {
      return bridge.getJson("/targets/" + target).get("phase").asText();
    } catch (Exception e) {
      return "";
    }
  }

  private static long applied(BridgeProcess bridge, String target) {
    try {
      return bridge.getJson("/targets/" + target).get("recordsApplied").asLong();
    } catch (Exception e) {
      return -1;
    }
  }

  private static long rows(BridgeProcess bridge, String target) {
    try {
      return bridge
          .getJson("/targets/" + target + "/streams/users/rows?limit=0")
          .get("count")
          .asLong();
    } catch (Exception e) {
      return -1;
    }
  }

  static JsonNode json(String text) {
    try {
      return AirbyteJson.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
