package io.akb.bridge.replay;

import static io.akb.bridge.testing.RunningTarget.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.RunningTarget;
import io.akb.bridge.testing.TestDatabases;
import io.akb.cache.WriteStrategy;
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
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets fed from a real KRaft broker into real DuckDB and PostgreSQL caches, with the topic
 * contract written by {@link ContractProducer}.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class TargetReplicatorIT {
  private static final JsonNode USERS_SCHEMA =
      json(
          """
          {"type":"object","properties":{
            "id":{"type":"integer"},
            "name":{"type":["null","string"]},
            "score":{"type":"number"},
            "born":{"type":"string","format":"date"},
            "updated_at":{"type":"string","format":"date-time"},
            "active":{"type":"boolean"},
            "tags":{"type":"array","items":{"type":"string"}},
            "address":{"type":"object","properties":{"city":{"type":"string"}}}}}
          """);

  @TempDir Path dir;
  private final List<String> databases = new java.util.ArrayList<>();

  @AfterEach
  void dropDatabases() {
    databases.forEach(TestDatabases::drop);
  }

  private String postgres(String purpose) {
    String url = TestDatabases.create(purpose);
    databases.add(url);
    return url;
  }

  private RunningTarget duckDb(
      String name,
      String file,
      String prefix,
      WriteStrategy strategy,
      Map<String, WriteStrategy> streamStrategies,
      int batch) {
    return RunningTarget.start(
        name, "duckdb:" + dir.resolve(file), prefix, strategy, streamStrategies, batch);
  }

  /** A target on a new PostgreSQL database named after the target. */
  private RunningTarget postgresTarget(
      String name,
      String prefix,
      WriteStrategy strategy,
      Map<String, WriteStrategy> streamStrategies,
      int batch) {
    return RunningTarget.start(
        name,
        "postgres:" + postgres(name.replace('-', '_')),
        prefix,
        strategy,
        streamStrategies,
        batch);
  }

  /** A sync of {@code users}: keyed on id, incremental on updated_at, deduplicated. */
  private static void startIncrementalUsersSync(ContractProducer source) {
    source.startSync(
        List.of(
            ContractProducer.stream(
                "users",
                USERS_SCHEMA,
                List.of("id"),
                SyncMode.INCREMENTAL,
                List.of("updated_at"),
                DestinationSyncMode.APPEND_DEDUP)));
  }

  private static String prefix() {
    return "airbyte.it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
  }

  private static ObjectNode user(int id, String name) {
    ObjectNode user = AirbyteJson.MAPPER.createObjectNode();
    user.put("id", id);
    user.put("name", name);
    user.put("score", id + 0.5);
    user.put("born", "1990-01-" + String.format("%02d", 1 + id % 28));
    user.put("updated_at", "2024-05-01T10:00:00Z");
    user.put("active", id % 2 == 0);
    user.putArray("tags").add("t" + id);
    user.putObject("address").put("city", "Zürich");
    return user;
  }

  private static JsonNode key(int id) {
    return AirbyteJson.MAPPER.createObjectNode().put("id", id);
  }

  @Test
  void targetStartedBeforeItsSourceWaitsForTheTopicsWithoutFailing() throws Exception {
    String prefix = prefix();
    try (RunningTarget early =
        duckDb("early", "early.duckdb", prefix, WriteStrategy.AUTO, Map.of(), 100)) {
      // Several topic refreshes (200 ms apart here) find nothing: the target waits, RUNNING.
      Thread.sleep(1_500);
      assertThat(early.replicator().status().phase()).isEqualTo(BridgeTarget.Phase.RUNNING);
      assertThat(early.replicator().status().lastError()).isNull();

      try (ContractProducer source = new ContractProducer(prefix, "source-it")) {
        source.createTopics(Map.of("users", 2));
        startIncrementalUsersSync(source);
        for (int id = 1; id <= 50; id++) {
          source.record("users", key(id), user(id, "user " + id));
        }
        source.checkpoint("users", json("{\"cursor\":50}"));
        source.flush();
        early.awaitCaughtUp();
        assertThat(early.count("users")).isEqualTo(50);
        assertThat(early.replicator().status().lastError()).isNull();
      }
    }
  }

  @Test
  void twoTargetsGetEveryRowOnceWithTypedValuesAndTheLastCompleteCheckpoint() throws Exception {
    String prefix = prefix();
    String duckFile = dir.resolve("two.duckdb").toString();
    String pgUrl = postgres("two");
    try (ContractProducer source = new ContractProducer(prefix, "source-it")) {
      source.createTopics(Map.of("users", 3));
      startIncrementalUsersSync(source);
      AirbyteStateMessage last = null;
      for (int id = 1; id <= 3000; id++) {
        source.record("users", key(id), user(id, "user " + id));
        if (id % 1000 == 0) {
          last = source.checkpoint("users", json("{\"cursor\":" + id + "}"));
        }
      }
      source.flush();

      try (RunningTarget duck =
              RunningTarget.start(
                  "duck", "duckdb:" + duckFile, prefix, WriteStrategy.AUTO, Map.of(), 500);
          RunningTarget pg =
              RunningTarget.start(
                  "pg", "postgres:" + pgUrl, prefix, WriteStrategy.AUTO, Map.of(), 700)) {
        for (RunningTarget target : List.of(duck, pg)) {
          target.awaitCaughtUp();
          assertThat(target.count("users")).isEqualTo(3000);
          assertThat(target.query(cache -> cache.states("source-it")).get("users"))
              .isEqualTo(AirbyteJson.MAPPER.valueToTree(last));
        }

        // A checkpoint ahead of its records is not written until they arrive.
        Map<String, Long> ahead = new HashMap<>(source.counts());
        String partition0 = source.recordTopic("users") + "/0";
        ahead.merge(partition0, 1L, Long::sum);
        AirbyteStateMessage early =
            source.checkpoint(
                ContractProducer.streamState("users", json("{\"cursor\":3001}")), ahead);
        source.flush();
        for (RunningTarget target : List.of(duck, pg)) {
          await(
              "the checkpoint is read and waits",
              Duration.ofSeconds(30),
              () -> target.replicator().status().checkpointsPending() == 1);
          assertThat(target.query(cache -> cache.states("source-it")).get("users"))
              .isEqualTo(AirbyteJson.MAPPER.valueToTree(last));
        }
        source.record("users", key(3001), user(3001, "late"), 0, null);
        source.flush();
        for (RunningTarget target : List.of(duck, pg)) {
          target.awaitCaughtUp();
          assertThat(target.query(cache -> cache.states("source-it")).get("users"))
              .isEqualTo(AirbyteJson.MAPPER.valueToTree(early));
          assertThat(target.count("users")).isEqualTo(3001);
        }
      }
    }

    // Typed columns, read straight from each database once the targets released them.
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + duckFile);
        Connection pg = DriverManager.getConnection(pgUrl)) {
      for (Connection connection : List.of(duck, pg)) {
        try (Statement statement = connection.createStatement()) {
          ResultSet counts =
              statement.executeQuery("SELECT count(*), count(DISTINCT id) FROM users");
          counts.next();
          assertThat(counts.getLong(1)).isEqualTo(3001);
          assertThat(counts.getLong(2)).isEqualTo(3001);
          ResultSet row =
              statement.executeQuery(
                  "SELECT id, name, score, born, updated_at, active, tags, address"
                      + " FROM users WHERE id = 42");
          assertThat(row.next()).isTrue();
          assertThat(row.getLong("id")).isEqualTo(42L);
          assertThat(row.getObject("id")).isInstanceOf(Long.class);
          assertThat(row.getString("name")).isEqualTo("user 42");
          assertThat(row.getDouble("score")).isEqualTo(42.5);
          assertThat(row.getDate("born").toLocalDate()).hasToString("1990-01-15");
          assertThat(row.getObject("updated_at", OffsetDateTime.class).toInstant())
              .hasToString("2024-05-01T10:00:00Z");
          assertThat(row.getBoolean("active")).isTrue();
          assertThat(json(row.getString("tags"))).isEqualTo(json("[\"t42\"]"));
          assertThat(json(row.getString("address"))).isEqualTo(json("{\"city\":\"Zürich\"}"));
        }
      }
    }
  }

  @Test
  void mergeKeepsOneRowPerKeyWhenDuplicatesArriveInTheSameAndLaterBatches() throws Exception {
    String prefix = prefix();
    try (ContractProducer source = new ContractProducer(prefix, "source-it")) {
      source.createTopics(Map.of("users", 2));
      startIncrementalUsersSync(source);
      for (int round = 1; round <= 3; round++) {
        for (int id = 1; id <= 50; id++) {
          source.record("users", key(id), user(id, "round " + round));
          if (id == 7) {
            // the same key twice in a row: within one batch
            source.record("users", key(id), user(id, "round " + round + " again"));
          }
        }
      }
      source.checkpoint("users", json("{\"cursor\":\"done\"}"));
      source.completeSync(true);
      source.flush();

      // batches of 40: the 3 rounds span several batches and some batches hold a key twice
      try (RunningTarget duck =
              duckDb(
                  "merge-duck",
                  "merge.duckdb",
                  prefix,
                  WriteStrategy.AUTO,
                  Map.of("users", WriteStrategy.MERGE),
                  40);
          RunningTarget pg =
              postgresTarget("merge-pg", prefix, WriteStrategy.MERGE, Map.of(), 40)) {
        for (RunningTarget target : List.of(duck, pg)) {
          target.awaitCaughtUp();
          assertThat(target.count("users")).isEqualTo(50);
          Map<Long, String> names =
              target.query(
                  cache -> {
                    try (var rows = cache.rows("users")) {
                      return rows.collect(
                          Collectors.toMap(
                              row -> row.get("id").asLong(), row -> row.get("name").asText()));
                    }
                  });
          assertThat(names).hasSize(50);
          assertThat(names.get(1L)).isEqualTo("round 3");
          assertThat(names.get(7L)).isEqualTo("round 3 again");
        }
      }
    }
  }

  @Test
  void aSecondBridgeOnTheSamePostgresTargetFencesTheFirstAndEveryRowLandsOnce() throws Exception {
    String prefix = prefix();
    String url = postgres("fence");
    try (ContractProducer source = new ContractProducer(prefix, "source-it")) {
      source.createTopics(Map.of("users", 1));
      source.startSync(
          List.of(
              ContractProducer.stream(
                  "users",
                  USERS_SCHEMA,
                  List.of("id"),
                  SyncMode.INCREMENTAL,
                  List.of("updated_at"),
                  DestinationSyncMode.APPEND)));
      for (int id = 1; id <= 100; id++) {
        source.record("users", key(id), user(id, "first"));
      }
      source.flush();
      // Append writes every record it gets: a row written by both processes would be there twice.
      try (RunningTarget first =
          RunningTarget.start(
              "fence", "postgres:" + url, prefix, WriteStrategy.APPEND, Map.of(), 10)) {
        first.awaitCaughtUp();
        assertThat(first.count("users")).isEqualTo(100);
        try (RunningTarget second =
            RunningTarget.start(
                "fence", "postgres:" + url, prefix, WriteStrategy.APPEND, Map.of(), 10)) {
          second.awaitCaughtUp();
          for (int id = 101; id <= 200; id++) {
            source.record("users", key(id), user(id, "second"));
          }
          source.checkpoint("users", json("{\"cursor\":200}"));
          source.completeSync(true);
          source.flush();
          RunningTarget.await(
              "the first process is fenced",
              Duration.ofSeconds(30),
              () -> first.replicator().status().phase() == BridgeTarget.Phase.FAILED);
          assertThat(first.replicator().status().lastError())
              .contains("another process took the target over (bridge process ")
              .contains("stop one of the two");
          second.awaitCaughtUp();
          long distinct =
              second.query(
                  cache -> {
                    try (var rows = cache.rows("users")) {
                      return rows.map(row -> row.get("id").asLong()).distinct().count();
                    }
                  });
          assertThat(second.count("users")).isEqualTo(200);
          assertThat(distinct).isEqualTo(200);
          assertThat(second.query(cache -> cache.states("source-it")).get("users").toString())
              .contains("200");
          // Fenced is final: the first process does not retry and take the target back.
          Thread.sleep(2_000);
          assertThat(first.replicator().status().phase()).isEqualTo(BridgeTarget.Phase.FAILED);
          assertThat(second.replicator().status().phase()).isEqualTo(BridgeTarget.Phase.RUNNING);
          assertThat(second.count("users")).isEqualTo(200);
        }
      }
    }
  }

  /** A STREAM state of {@code stream} whose source counted {@code records} records for it. */
  private static AirbyteStateMessage countedState(String stream, int cursor, double records) {
    ObjectNode json =
        (ObjectNode)
            AirbyteJson.MAPPER.valueToTree(
                ContractProducer.streamState(stream, json("{\"cursor\":" + cursor + "}")));
    json.putObject("sourceStats").put("recordCount", records);
    return AirbyteJson.convert(json, AirbyteStateMessage.class);
  }

  @Test
  void aCheckpointsSourceCountIsComparedWithTheRecordsAppliedForIt() throws Exception {
    String prefix = prefix();
    try (ContractProducer source = new ContractProducer(prefix, "source-it")) {
      source.createTopics(Map.of("users", 2, "orders", 1));
      source.startSync(
          List.of(
              ContractProducer.stream(
                  "users",
                  USERS_SCHEMA,
                  List.of("id"),
                  SyncMode.INCREMENTAL,
                  List.of("updated_at"),
                  DestinationSyncMode.APPEND),
              ContractProducer.stream(
                  "orders",
                  USERS_SCHEMA,
                  List.of("id"),
                  SyncMode.INCREMENTAL,
                  List.of("updated_at"),
                  DestinationSyncMode.APPEND)));
      for (int id = 1; id <= 30; id++) {
        source.record("users", key(id), user(id, "u"));
      }
      for (int id = 1; id <= 5; id++) {
        source.record("orders", key(id), user(id, "o"));
      }
      source.checkpoint(countedState("users", 30, 30.0), source.counts());
      for (int id = 31; id <= 40; id++) {
        source.record("users", key(id), user(id, "u"));
      }
      // The source says 12, but sent 10 users since its last users state.
      source.checkpoint(countedState("users", 40, 12.0), source.counts());
      source.checkpoint(countedState("orders", 5, 5.0), source.counts());
      source.completeSync(true);
      source.flush();

      try (RunningTarget target =
          duckDb("count-proof", "count.duckdb", prefix, WriteStrategy.APPEND, Map.of(), 7)) {
        target.awaitCaughtUp();
        Map<String, TargetStatus.StreamStatus> streams =
            target.replicator().status().streams().stream()
                .collect(Collectors.toMap(TargetStatus.StreamStatus::stream, s -> s));
        assertThat(streams.get("users").lastCheckpointSourceCount()).isEqualTo(12);
        assertThat(streams.get("users").lastCheckpointRecords()).isEqualTo(10);
        assertThat(streams.get("users").countMismatches()).isEqualTo(1);
        assertThat(streams.get("orders").lastCheckpointSourceCount()).isEqualTo(5);
        assertThat(streams.get("orders").lastCheckpointRecords()).isEqualTo(5);
        assertThat(streams.get("orders").countMismatches()).isZero();
        assertThat(target.replicator().status().countMismatches()).isEqualTo(1);
        assertThat(target.count("users")).isEqualTo(40);
      }
    }
  }

  @Test
  void replaceSwapsInTheNewGenerationOnlyWhenItsSyncCompletes() throws Exception {
    String prefix = prefix();
    var catalog =
        List.of(
            ContractProducer.stream(
                "users",
                USERS_SCHEMA,
                List.of(),
                SyncMode.FULL_REFRESH,
                null,
                DestinationSyncMode.OVERWRITE));
    try (ContractProducer source = new ContractProducer(prefix, "source-it")) {
      source.createTopics(Map.of("users", 2));
      source.startSync(catalog);
      for (int id = 1; id <= 10; id++) {
        source.record("users", null, user(id, "first"));
      }
      source.completeSync(true);
      source.flush();

      try (RunningTarget duck =
              duckDb("replace-duck", "replace.duckdb", prefix, WriteStrategy.AUTO, Map.of(), 3);
          RunningTarget pg =
              postgresTarget("replace-pg", prefix, WriteStrategy.REPLACE, Map.of(), 3)) {
        for (RunningTarget target : List.of(duck, pg)) {
          target.awaitCaughtUp();
          assertThat(target.count("users")).isEqualTo(10);
        }

        source.startSync(catalog);
        for (int id = 1; id <= 4; id++) {
          source.record("users", null, user(id, "second"));
        }
        source.flush();
        for (RunningTarget target : List.of(duck, pg)) {
          long before = target.replicator().recordsApplied();
          await(
              "the second generation's records are written",
              Duration.ofSeconds(30),
              () -> target.replicator().recordsApplied() >= 14);
          assertThat(before).isLessThanOrEqualTo(14);
          target.awaitCaughtUp();
          // Written, but the first generation is still what readers see.
          assertThat(target.count("users")).isEqualTo(10);
        }

        source.completeSync(true);
        source.flush();
        for (RunningTarget target : List.of(duck, pg)) {
          await(
              "the second generation is swapped in",
              Duration.ofSeconds(30),
              () -> target.count("users") == 4);
          List<String> names =
              target.<List<String>>query(
                  cache -> {
                    try (var rows = cache.rows("users")) {
                      return rows.map(row -> row.get("name").asText()).distinct().toList();
                    }
                  });
          assertThat(names).containsExactly("second");
        }
      }
    }
  }

  @Test
  void hostileStreamAndFieldNamesLandInQuotedNormalizedTablesAndColumns() throws Exception {
    String prefix = prefix();
    String stream = "users\"; DROP TABLE x;--";
    String longField = "f".repeat(300);
    ObjectNode schema = AirbyteJson.MAPPER.createObjectNode().put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    properties.putObject("id").put("type", "integer");
    properties.putObject("first name").put("type", "string");
    properties.putObject("it's \"quoted\"").put("type", "string");
    properties.putObject("größe ünïcødé").put("type", "number");
    properties.putObject(longField).put("type", "string");
    try (ContractProducer source = new ContractProducer(prefix, "source-it")) {
      source.createTopics(Map.of(stream, 1));
      source.startSync(
          List.of(
              ContractProducer.stream(
                  stream,
                  schema,
                  List.of("id"),
                  SyncMode.INCREMENTAL,
                  List.of("id"),
                  DestinationSyncMode.APPEND_DEDUP)));
      for (int id = 1; id <= 5; id++) {
        ObjectNode row = AirbyteJson.MAPPER.createObjectNode();
        row.put("id", id);
        row.put("first name", "Ann " + id);
        row.put("it's \"quoted\"", "q'\"" + id);
        row.put("größe ünïcødé", id * 1.25);
        row.put(longField, "long " + id);
        source.record(stream, key(id), row);
      }
      source.checkpoint(stream, json("{\"cursor\":5}"));
      source.completeSync(true);
      source.flush();

      try (RunningTarget duck =
              duckDb("hostile-duck", "hostile.duckdb", prefix, WriteStrategy.AUTO, Map.of(), 100);
          RunningTarget pg =
              postgresTarget("hostile-pg", prefix, WriteStrategy.AUTO, Map.of(), 100)) {
        for (RunningTarget target : List.of(duck, pg)) {
          target.awaitCaughtUp();
          assertThat(target.<List<String>>query(cache -> cache.streams())).contains(stream);
          assertThat(target.count(stream)).isEqualTo(5);
          JsonNode third =
              target.query(
                  cache -> {
                    try (var rows = cache.rows(stream)) {
                      return rows.filter(row -> row.get("id").asInt() == 3).findFirst().get();
                    }
                  });
          assertThat(third.get("first name").asText()).isEqualTo("Ann 3");
          assertThat(third.get("it's \"quoted\"").asText()).isEqualTo("q'\"3");
          assertThat(third.get("größe ünïcødé").asDouble()).isEqualTo(3.75);
          assertThat(third.get(longField).asText()).isEqualTo("long 3");
          assertThat(target.query(cache -> cache.states("source-it")).get(stream)).isNotNull();
        }
      }
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
