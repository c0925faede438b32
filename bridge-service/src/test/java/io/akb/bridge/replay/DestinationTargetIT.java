package io.akb.bridge.replay;

import static io.akb.bridge.testing.RunningTarget.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.testing.BridgeProcess;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.RunningDestination;
import io.akb.cache.CacheLocation;
import io.akb.cache.StoredOffset;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.destination.TestDestinations;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Destination targets fed from a real KRaft broker into real destinations: the CDK JSON-lines test
 * destination, next to a DuckDB cache target in the packaged bridge, and the misbehaving program
 * that crashes or never echoes. Offsets go to a real DuckDB state store.
 */
class DestinationTargetIT {
  private static final JsonNode SCHEMA =
      json(
          "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
              + "\"name\":{\"type\":\"string\"}}}");

  @TempDir Path dir;

  static JsonNode json(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String prefix() {
    return "airbyte.dest-" + UUID.randomUUID().toString().substring(0, 8) + ".";
  }

  private static ObjectNode row(int id) {
    ObjectNode row = AirbyteJson.MAPPER.createObjectNode();
    row.put("id", id);
    row.put("name", "user " + id);
    return row;
  }

  private static JsonNode key(int id) {
    return AirbyteJson.MAPPER.createObjectNode().put("id", id);
  }

  /** A sync of {@code users}, keyed on id, appended. */
  private static void startUsersSync(ContractProducer source) {
    source.startSync(
        List.of(
            ContractProducer.stream(
                "users",
                SCHEMA,
                List.of("id"),
                SyncMode.INCREMENTAL,
                List.of("id"),
                DestinationSyncMode.APPEND)));
  }

  /** Sends users {@code from..to} with a checkpoint at the end. */
  private static void users(ContractProducer source, int from, int to) {
    for (int id = from; id <= to; id++) {
      source.record("users", key(id), row(id));
    }
    source.checkpoint("users", json("{\"cursor\":" + to + "}"));
    source.flush();
  }

  private static Set<Integer> ids(int from, int to) {
    return new TreeSet<>(IntStream.rangeClosed(from, to).boxed().toList());
  }

  /** The ids in the JSON-lines destination's {@code users.jsonl}, every line (duplicates too). */
  private static List<Integer> writtenIds(Path directory) {
    Path file = directory.resolve("users.jsonl");
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<Integer> ids = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          ids.add(AirbyteJson.parse(line).get("data").get("id").asInt());
        }
      }
      return ids;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode jsonLinesConfig(Path directory) {
    return AirbyteJson.MAPPER.createObjectNode().put("directory", directory.toString());
  }

  private static ConnectorOptions jsonLinesOptions() {
    return ConnectorOptions.defaults()
        .withPipUrl(TestDestinations.jsonLinesPackage().toString())
        .withEnvironment(Map.of());
  }

  /** A target on the JSON-lines destination writing into {@code out}, with a 2 min echo timeout. */
  private static RunningDestination jsonLinesTarget(
      String name, Path out, String prefix, int batchMaxRecords, BridgeStateStore store) {
    return RunningDestination.start(
        name,
        TestDestinations.JSON_LINES,
        jsonLinesConfig(out),
        jsonLinesOptions(),
        prefix,
        batchMaxRecords,
        Duration.ofMinutes(2),
        store);
  }

  private static ConnectorOptions misbehavingOptions() {
    return ConnectorOptions.defaults()
        .withLocalExecutable(TestDestinations.misbehavingProgram().toString());
  }

  private static JsonNode target(BridgeProcess bridge, String name) {
    try {
      return bridge.getJson("/targets/" + name);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long cacheRows(BridgeProcess bridge) {
    try {
      HttpResponse<String> response =
          bridge.request("GET", "/targets/duck/streams/users/rows?limit=0", true);
      return response.statusCode() == 200
          ? AirbyteJson.parse(response.body()).get("count").asLong()
          : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  private static Set<Integer> cacheIds(BridgeProcess bridge) throws Exception {
    Set<Integer> ids = new TreeSet<>();
    for (JsonNode row : bridge.getJson("/targets/duck/streams/users/rows?limit=1000").get("rows")) {
      ids.add(row.get("id").asInt());
    }
    return ids;
  }

  private static void post(BridgeProcess bridge, String path) throws Exception {
    HttpResponse<String> response = bridge.request("POST", path, true);
    assertThat(response.statusCode()).as("POST " + path + ": " + response.body()).isEqualTo(200);
  }

  @Test
  void aPausedTargetNeitherStopsNorHoldsBackTheOtherAndBothCompleteAfterResume() throws Exception {
    String prefix = prefix();
    Path out = dir.resolve("out");
    Map<String, String> props = new HashMap<>();
    props.put("akb.state-store", "duckdb:" + dir.resolve("state.duckdb"));
    props.put("akb.targets.duck.cache", "duckdb:" + dir.resolve("cache.duckdb"));
    props.put("akb.targets.duck.source-prefix", prefix);
    props.put("akb.targets.duck.strategy", "append");
    props.put("akb.targets.dest.destination", TestDestinations.JSON_LINES);
    props.put("akb.targets.dest.pip-url", TestDestinations.jsonLinesPackage().toString());
    props.put("akb.targets.dest.destination-config", jsonLinesConfig(out).toString());
    props.put("akb.targets.dest.source-prefix", prefix);
    props.put("akb.targets.dest.strategy", "append");
    props.put("akb.targets.dest.batch.max-records", "50");
    for (String target : List.of("duck", "dest")) {
      props.put("akb.targets." + target + ".topic-refresh-interval", "1s");
      props.put("akb.targets." + target + ".retry-backoff", "1s");
    }
    try (ContractProducer source = new ContractProducer(prefix, "source-dest");
        BridgeProcess bridge = BridgeProcess.start(props, dir.resolve("bridge.log"))) {
      source.createTopics(Map.of("users", 2));
      startUsersSync(source);
      bridge.awaitHttp(Duration.ofSeconds(60));
      post(bridge, "/targets/dest/pause");

      // The destination target is paused: the cache target gets every row all the same.
      users(source, 1, 200);
      await("the cache has 200 rows", Duration.ofSeconds(120), () -> cacheRows(bridge) == 200);
      assertThat(cacheIds(bridge)).isEqualTo(ids(1, 200));
      // It installs and starts its destination meanwhile, then rests without reading a record.
      await(
          "the destination target is paused",
          Duration.ofSeconds(120),
          () -> target(bridge, "dest").get("phase").asText().equals("PAUSED"));
      Thread.sleep(2_000);
      assertThat(target(bridge, "dest").get("phase").asText()).isEqualTo("PAUSED");
      assertThat(writtenIds(out)).isEmpty();

      // And the other way round: the cache target paused, the destination catches up.
      post(bridge, "/targets/duck/pause");
      // A pause takes effect between two polls.
      await(
          "the cache target is paused",
          Duration.ofSeconds(30),
          () -> target(bridge, "duck").get("phase").asText().equals("PAUSED"));
      post(bridge, "/targets/dest/resume");
      users(source, 201, 300);
      await(
          "the destination has 300 records",
          Duration.ofSeconds(180),
          () -> writtenIds(out).size() >= 300);
      await(
          "the destination target confirmed everything",
          Duration.ofSeconds(60),
          () -> target(bridge, "dest").get("lag").asLong() == 0);
      assertThat(new TreeSet<>(writtenIds(out))).isEqualTo(ids(1, 300));
      assertThat(writtenIds(out)).as("nothing was sent twice").hasSize(300);
      assertThat(cacheRows(bridge)).as("the paused cache target").isEqualTo(200);
      assertThat(target(bridge, "duck").get("phase").asText()).isEqualTo("PAUSED");

      post(bridge, "/targets/duck/resume");
      await("the cache has 300 rows", Duration.ofSeconds(120), () -> cacheRows(bridge) == 300);
      assertThat(cacheIds(bridge)).isEqualTo(ids(1, 300));
      assertThat(new TreeSet<>(writtenIds(out))).isEqualTo(ids(1, 300));

      JsonNode dest = target(bridge, "dest");
      assertThat(dest.get("destination").asText()).isEqualTo(TestDestinations.JSON_LINES);
      assertThat(dest.get("phase").asText()).isEqualTo("RUNNING");
      assertThat(dest.get("recordsApplied").asLong()).isEqualTo(300);
      assertThat(bridge.getJson("/targets")).hasSize(2);
      String health = bridge.request("GET", "/q/health/ready", false).body();
      assertThat(health).contains("target-dest").contains("target-duck");
      String metrics = bridge.request("GET", "/q/metrics", false).body();
      assertThat(metrics).contains("akb_target_records_total{target=\"dest\"} 300.0");
      // The cache endpoints say plainly that a destination target has no cache.
      HttpResponse<String> rows = bridge.request("GET", "/targets/dest/streams", true);
      assertThat(rows.body()).contains("writes into the destination destination-akb-jsonl");
    }
  }

  @Test
  void recordsGoneBeforeTheDestinationTargetReadThemFailItUntilReset() throws Exception {
    String prefix = prefix();
    Path out = dir.resolve("out");
    BridgeStateStore store =
        new BridgeStateStore(CacheLocation.parse("duckdb:" + dir.resolve("s.duckdb")));
    try (store;
        ContractProducer source = new ContractProducer(prefix, "source-dest-gap")) {
      source.createTopics(Map.of("users", 1));
      startUsersSync(source);
      users(source, 1, 100);
      source.completeSync(true);
      source.flush();
      io.akb.bridge.testing.TopicRecords.deleteBefore(source.recordTopic("users"), 0, 40);

      try (RunningDestination target = jsonLinesTarget("dest-gap", out, prefix, 10, store)) {
        await(
            "the destination target is FAILED",
            Duration.ofSeconds(180),
            () -> target.replicator().status().phase() == BridgeTarget.Phase.FAILED);
        String error = target.replicator().status().lastError();
        assertThat(error)
            .contains(source.recordTopic("users") + "/0: 40 records (offsets 0..39) are gone")
            .contains("stays FAILED until it is reset");
        assertThat(target.replicator().status().gaps()).hasSize(1);
        // Not retried like a crashed destination (backoff 500 ms here): it stays FAILED.
        Thread.sleep(2_000);
        assertThat(target.replicator().status().phase()).isEqualTo(BridgeTarget.Phase.FAILED);
        assertThat(target.replicator().status().lastError()).isEqualTo(error);
        assertThat(writtenIds(out)).isEmpty();

        target.replicator().reset().get(60, java.util.concurrent.TimeUnit.SECONDS);
        await(
            "the destination got the 60 records there are",
            Duration.ofSeconds(180),
            () -> new TreeSet<>(writtenIds(out)).equals(ids(41, 100)));
        assertThat(target.replicator().status().phase()).isEqualTo(BridgeTarget.Phase.RUNNING);
        // The checkpoint and the sync end that counted the lost records never complete: dropped.
        await(
            "nothing waits on the records gone",
            Duration.ofSeconds(60),
            () ->
                target.replicator().status().checkpointsPending() == 0
                    && target.replicator().status().checkpointsDropped() == 2);
      }
    }
  }

  @Test
  void aTargetStoppedMidwayStartsAgainFromItsConfirmedOffsetsAndLosesNoRecord() throws Exception {
    String prefix = prefix();
    Path out = dir.resolve("out");
    BridgeStateStore store =
        new BridgeStateStore(CacheLocation.parse("duckdb:" + dir.resolve("s.duckdb")));
    try (store;
        ContractProducer source = new ContractProducer(prefix, "source-restart")) {
      source.createTopics(Map.of("users", 3));
      startUsersSync(source);
      users(source, 1, 300);

      RunningDestination first = jsonLinesTarget("restart", out, prefix, 10, store);
      await(
          "the destination confirmed some records",
          Duration.ofSeconds(180),
          () -> first.replicator().recordsApplied() >= 30);
      first.close();
      long storedAtStop = storedRecordOffsets(store.load("restart"));
      assertThat(storedAtStop).isGreaterThanOrEqualTo(30);
      assertThat(new TreeSet<>(writtenIds(out))).hasSizeGreaterThanOrEqualTo((int) storedAtStop);

      users(source, 301, 400);
      source.completeSync(true);
      source.flush();
      try (RunningDestination second = jsonLinesTarget("restart", out, prefix, 10, store)) {
        await(
            "the destination confirmed all 400 records",
            Duration.ofSeconds(180),
            () -> second.replicator().lag() == 0);
        assertThat(new TreeSet<>(writtenIds(out))).isEqualTo(ids(1, 400));
        assertThat(storedRecordOffsets(store.load("restart"))).isEqualTo(400);
        // The source's last checkpoint passed through once all its records were in.
        await(
            "the last checkpoint is confirmed",
            Duration.ofSeconds(30),
            () ->
                second.replicator().status().streams().stream()
                    .anyMatch(
                        s ->
                            s.lastCheckpoint() != null
                                && s.lastCheckpoint().toString().contains("\"cursor\":400")));
      }
    }
  }

  @Test
  void aResetTargetSendsEveryRecordAgainAndAResetWhileWaitingCompletes() throws Exception {
    String prefix = prefix();
    Path out = dir.resolve("out");
    BridgeStateStore store =
        new BridgeStateStore(CacheLocation.parse("duckdb:" + dir.resolve("s.duckdb")));
    try (store;
        ContractProducer source = new ContractProducer(prefix, "source-reset")) {
      source.createTopics(Map.of("users", 2));
      try (RunningDestination waiting = jsonLinesTarget("reset", out, prefix, 50, store)) {
        // No sync has started: the target waits, and a reset meanwhile still completes.
        waiting.replicator().reset().get(180, TimeUnit.SECONDS);
        assertThat(waiting.replicator().status().phase()).isEqualTo(BridgeTarget.Phase.WAITING);
        assertThat(waiting.replicator().status().lastError())
            .contains("waiting for a SYNC_STARTED");
      }

      startUsersSync(source);
      users(source, 1, 100);
      source.completeSync(true);
      source.flush();
      try (RunningDestination target = jsonLinesTarget("reset", out, prefix, 50, store)) {
        await(
            "the destination confirmed all 100 records",
            Duration.ofSeconds(180),
            () -> target.replicator().lag() == 0);
        assertThat(writtenIds(out)).hasSize(100);

        target.replicator().reset().get(120, TimeUnit.SECONDS);
        await(
            "every record was sent again",
            Duration.ofSeconds(180),
            () -> writtenIds(out).size() == 200 && target.replicator().lag() == 0);
        Map<Integer, Long> timesWritten = new HashMap<>();
        writtenIds(out).forEach(id -> timesWritten.merge(id, 1L, Long::sum));
        assertThat(timesWritten.keySet()).isEqualTo(ids(1, 100));
        assertThat(timesWritten.values()).containsOnly(2L);
        assertThat(storedRecordOffsets(store.load("reset"))).isEqualTo(100);
      }
    }
  }

  @Test
  void aBridgeKilledMidReplayStartsItsDestinationAgainFromTheConfirmedOffsets() throws Exception {
    String prefix = prefix();
    Path out = dir.resolve("out");
    String stateStore = "duckdb:" + dir.resolve("state.duckdb");
    Map<String, String> props = new HashMap<>();
    props.put("akb.state-store", stateStore);
    props.put("akb.targets.dest.destination", TestDestinations.JSON_LINES);
    props.put("akb.targets.dest.pip-url", TestDestinations.jsonLinesPackage().toString());
    props.put("akb.targets.dest.destination-config", jsonLinesConfig(out).toString());
    props.put("akb.targets.dest.source-prefix", prefix);
    props.put("akb.targets.dest.batch.max-records", "20");
    props.put("akb.targets.dest.retry-backoff", "1s");
    props.put("akb.targets.dest.kafka.\"max.poll.records\"", "50");
    try (ContractProducer source = new ContractProducer(prefix, "source-kill")) {
      source.createTopics(Map.of("users", 3));
      startUsersSync(source);
      users(source, 1, 1000);

      BridgeProcess killed = BridgeProcess.start(props, dir.resolve("bridge.log"));
      killed.awaitHttp(Duration.ofSeconds(60));
      await(
          "some records confirmed and stored",
          Duration.ofSeconds(180),
          () -> target(killed, "dest").get("recordsApplied").asLong() >= 100);
      killed.kill();
      // What the killed bridge stored, every record below it is in the destination's file.
      long storedAtKill;
      try (BridgeStateStore store = new BridgeStateStore(CacheLocation.parse(stateStore))) {
        storedAtKill = storedRecordOffsets(store.load("dest"));
      }
      assertThat(storedAtKill).isGreaterThanOrEqualTo(100);
      assertThat(new TreeSet<>(writtenIds(out)).size()).isGreaterThanOrEqualTo((int) storedAtKill);

      try (BridgeProcess restarted = BridgeProcess.start(props, dir.resolve("bridge.log"))) {
        restarted.awaitHttp(Duration.ofSeconds(60));
        await(
            "the destination confirmed all 1000 records",
            Duration.ofSeconds(180),
            () -> {
              JsonNode dest = target(restarted, "dest");
              return dest.get("phase").asText().equals("RUNNING") && dest.get("lag").asLong() == 0;
            });
      }
      assertThat(new TreeSet<>(writtenIds(out))).isEqualTo(ids(1, 1000));
      // At least once: what the killed run sent unconfirmed may be there twice, nothing more.
      assertThat(writtenIds(out).size()).isBetween(1000, 2000 - (int) storedAtKill);
      try (BridgeStateStore store = new BridgeStateStore(CacheLocation.parse(stateStore))) {
        assertThat(storedRecordOffsets(store.load("dest"))).isEqualTo(1000);
      }
    }
  }

  /** Records covered by the stored offsets of the record topics (the state topic left out). */
  private static long storedRecordOffsets(Map<String, StoredOffset> offsets) {
    return offsets.entrySet().stream()
        .filter(e -> !e.getKey().contains("_state/"))
        .mapToLong(e -> e.getValue().nextOffset())
        .sum();
  }

  @Test
  void aDestinationThatNeverEchoesFailsTheTargetAndNoOffsetIsStored() throws Exception {
    String prefix = prefix();
    BridgeStateStore store =
        new BridgeStateStore(CacheLocation.parse("duckdb:" + dir.resolve("s.duckdb")));
    try (store;
        ContractProducer source = new ContractProducer(prefix, "source-silent")) {
      source.createTopics(Map.of("users", 1));
      startUsersSync(source);
      users(source, 1, 50);
      try (RunningDestination silent =
          RunningDestination.start(
              "silent",
              "misbehaving-destination",
              json("{\"echo_states\":false}"),
              misbehavingOptions(),
              prefix,
              10,
              Duration.ofSeconds(2),
              store)) {
        await(
            "the target fails for want of an echo",
            Duration.ofSeconds(60),
            () ->
                silent.replicator().status().phase() == BridgeTarget.Phase.FAILED
                    && silent.replicator().status().lastError() != null);
        assertThat(silent.replicator().status().lastError())
            .contains("misbehaving-destination write failed: the destination did not echo STATE")
            .contains("records sent since the last echoed state are not confirmed");
        assertThat(silent.replicator().recordsApplied()).isZero();
      }
      assertThat(store.load("silent")).isEmpty();
    }
  }

  @Test
  void aDestinationThatCrashesOnARecordFailsTheTargetWithItsLogLinesAndOffsetsStopBeforeIt()
      throws Exception {
    String prefix = prefix();
    BridgeStateStore store =
        new BridgeStateStore(CacheLocation.parse("duckdb:" + dir.resolve("s.duckdb")));
    try (store;
        ContractProducer source = new ContractProducer(prefix, "source-poison")) {
      source.createTopics(Map.of("users", 1));
      startUsersSync(source);
      users(source, 1, 60);
      try (RunningDestination crashing =
          RunningDestination.start(
              "poison",
              "misbehaving-destination",
              json("{\"crash_on_id\":35}"),
              misbehavingOptions(),
              prefix,
              10,
              Duration.ofMinutes(2),
              store)) {
        await(
            "the target fails on the poison record",
            Duration.ofSeconds(60),
            () ->
                crashing.replicator().status().phase() == BridgeTarget.Phase.FAILED
                    && crashing.replicator().status().lastError() != null);
        assertThat(crashing.replicator().status().lastError())
            .contains("exited with code 1")
            .contains("cannot store the record with id 35: poison");
        // It retries (the backoff is 500 ms) and fails again on the same record.
        Thread.sleep(3_000);
      }
      // id 35 is at offset 34 of the only partition: nothing from it on was confirmed.
      long stored = store.load("poison").get(source.recordTopic("users") + "/0").nextOffset();
      assertThat(stored).isBetween(1L, 34L);
    }
  }
}
