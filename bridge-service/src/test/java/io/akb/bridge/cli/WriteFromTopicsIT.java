package io.akb.bridge.cli;

import static io.akb.bridge.cli.AkbLauncherIT.akb;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.cli.AkbLauncherIT.Run;
import io.akb.bridge.testing.ContractProducer;
import io.akb.bridge.testing.EmbeddedKafka;
import io.akb.runtime.destination.TestDestinations;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./akb write NAME --from topics:PREFIX} as a user runs it: topics written per the topic
 * contract on a real KRaft broker, replayed into the CDK JSON-lines test destination until it
 * confirmed them all; a second run sends only the new records.
 */
class WriteFromTopicsIT {
  private static final JsonNode SCHEMA =
      json("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}");

  static JsonNode json(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static void sync(ContractProducer source, int from, int to) {
    source.startSync(
        List.of(
            ContractProducer.stream(
                "users",
                SCHEMA,
                List.of("id"),
                SyncMode.INCREMENTAL,
                List.of("id"),
                DestinationSyncMode.APPEND)));
    for (int id = from; id <= to; id++) {
      source.record(
          "users",
          AirbyteJson.MAPPER.createObjectNode().put("id", id),
          AirbyteJson.MAPPER.createObjectNode().put("id", id));
    }
    source.checkpoint("users", json("{\"cursor\":" + to + "}"));
    source.completeSync(true);
    source.flush();
  }

  private static List<Integer> ids(Path out) throws Exception {
    List<Integer> ids = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("users.jsonl"))) {
      ids.add(AirbyteJson.parse(line).get("data").get("id").asInt());
    }
    return ids;
  }

  private static Run write(String prefix, Path dir) throws Exception {
    return akb(
        "write",
        TestDestinations.JSON_LINES,
        "--from",
        "topics:" + prefix,
        "--config",
        "{\"directory\":\"" + dir.resolve("out") + "\"}",
        "--pip-url",
        TestDestinations.jsonLinesPackage().toString(),
        "--bootstrap-servers",
        EmbeddedKafka.bootstrapServers(),
        "--state-store",
        "duckdb:" + dir.resolve("state.duckdb"));
  }

  @Test
  void writesTheTopicsOfASourceIntoADestinationThenOnlyWhatIsNew(@TempDir Path dir)
      throws Exception {
    String prefix = "airbyte.write-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    try (ContractProducer source = new ContractProducer(prefix, "source-write")) {
      source.createTopics(Map.of("users", 2));
      sync(source, 1, 50);

      Run first = write(prefix, dir);

      assertThat(first.exitCode()).as(first.stderr()).isZero();
      assertThat(first.stdout())
          .anyMatch(
              line ->
                  line.startsWith("Wrote topics " + prefix + " to destination-akb-jsonl in ")
                      && line.endsWith(": 50 records sent, 50 confirmed."))
          .anyMatch(line -> line.matches("users +50"));
      assertThat(ids(dir.resolve("out")))
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 50).boxed().toList());

      sync(source, 51, 70);
      Run second = write(prefix, dir);

      assertThat(second.exitCode()).as(second.stderr()).isZero();
      assertThat(second.stdout())
          .anyMatch(line -> line.endsWith(": 20 records sent, 20 confirmed."));
      assertThat(ids(dir.resolve("out")))
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 70).boxed().toList());
    }
  }
}
