package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.bridge.testing.AkbCli;
import io.akb.runtime.testkit.FakeConnector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sentinel secret (the value of a field the spec marks {@code airbyte_secret}) through {@code akb
 * sync} with AKB's and Connect's DEBUG logs on, and through {@code akb read}, in a sync that
 * succeeds and one that fails, from a connector that puts the secret in its own log lines, its
 * stderr and its error: it is in no output of the command, and in no file the runs leave, neither
 * in the work dir (run logs, the embedded broker's log segments, Connect's offsets, the DuckDB
 * cache, also read back through SQL since DuckDB may compress what it stores) nor in the temp dir,
 * where no private directory of a run is left either.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class SecretSentinelIT {
  @TempDir Path dir;

  /**
   * users (key id) with 50 records and a state. The connector logs the key it got in a LOG line and
   * on stderr; with {@code "count": 0} it then fails with a TRACE ERROR naming the key.
   */
  private FakeConnector source() {
    String catalog =
        "{\"type\":\"CATALOG\",\"catalog\":{\"streams\":[{\"name\":\"users\",\"json_schema\":"
            + "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}},"
            + "\"supported_sync_modes\":[\"full_refresh\",\"incremental\"],"
            + "\"source_defined_cursor\":true,\"default_cursor_field\":[\"id\"],"
            + "\"source_defined_primary_key\":[[\"id\"]]}]}}";
    return FakeConnector.withSpec(
        dir,
        "source-sentinel",
        "KEY=$(grep -o 'sk-sentinel-[a-z0-9-]*' \"$CONFIG\")\n"
            + "echo \"connecting with key $KEY\" >&2\n"
            + "case \"$1\" in\n"
            + "  check) echo '{\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":"
            + "{\"status\":\"SUCCEEDED\",\"message\":\"key '$KEY' works\"}}' ;;\n"
            + "  discover) echo '"
            + catalog
            + "' ;;\n"
            + "  read)\n"
            + "    echo \"{\\\"type\\\":\\\"LOG\\\",\\\"log\\\":{\\\"level\\\":\\\"DEBUG\\\","
            + "\\\"message\\\":\\\"reading users with api_key $KEY\\\"}}\"\n"
            + "    for i in $(seq 1 50); do\n"
            + "      echo "
            + "\"{\\\"type\\\":\\\"RECORD\\\",\\\"record\\\":{\\\"stream\\\":\\\"users\\\","
            + "\\\"data\\\":{\\\"id\\\":$i},\\\"emitted_at\\\":1700000000000}}\"\n"
            + "    done\n"
            + "    echo '"
            + FakeConnector.state("users", 50).replace("cursor", "id")
            + "'\n"
            + "    if grep -q '\"count\": *0[,}]' \"$CONFIG\"; then\n"
            + "      echo \"{\\\"type\\\":\\\"TRACE\\\",\\\"trace\\\":{\\\"type\\\":\\\"ERROR\\\","
            + "\\\"emitted_at\\\":1700000000000,\\\"error\\\":{\\\"message\\\":"
            + "\\\"401 for key $KEY\\\",\\\"internal_message\\\":\\\"key=$KEY\\\"}}}\"\n"
            + "      exit 1\n"
            + "    fi ;;\n"
            + "esac");
  }

  @Test
  void theSecretIsInNoOutputAndNoFileOfASyncThatSucceedsOrFails() throws Exception {
    String secret = "sk-sentinel-" + UUID.randomUUID();
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path work = dir.resolve(".cache"); // akb's work dir and its cache's folder
    // DEBUG for AKB and Connect; every temp file of akb and of the connector under tmp.
    Map<String, String> env =
        Map.of(
            "AKB_JAVA_OPTS",
            "-Djava.io.tmpdir="
                + tmp
                + " -Dorg.slf4j.simpleLogger.log.io.akb=debug"
                + " -Dorg.slf4j.simpleLogger.log.org.apache.kafka.connect=debug",
            "TMPDIR",
            tmp.toString());
    Path source = source().path();
    // Through Kafka (sync) and straight into the same cache (read), each succeeding then failing.
    List<AkbCli.Run> runs = new ArrayList<>();
    for (String command : List.of("sync", "read")) {
      for (String count : List.of("50", "0")) {
        runs.add(
            AkbCli.run(
                dir,
                env,
                command,
                "source-sentinel",
                "--local-executable",
                source.toString(),
                "--config",
                "{\"api_key\": \"" + secret + "\", \"count\": " + count + "}"));
      }
    }

    for (int i = 0; i < runs.size(); i++) {
      AkbCli.Run run = runs.get(i);
      assertThat(run.exitCode()).as(run.output()).isEqualTo(i % 2 == 0 ? 0 : 1);
      assertThat(run.output()).doesNotContain(secret);
      if (i % 2 == 1) {
        // The path was taken: the error carries the connector's message, the secret masked.
        assertThat(run.stderr()).contains("401 for key");
      }
    }
    // The logs carry the connector's lines, the secret masked.
    String logs = read(files(work.resolve("logs")));
    assertThat(logs)
        .contains("reading users with api_key")
        .contains("connecting with key")
        .contains("DEBUG");

    // Every file the runs left, byte for byte; the places that matter must be among them.
    List<Path> left = files(dir);
    assertThat(left)
        .anyMatch(
            file -> file.startsWith(work.resolve("kafka")) && file.toString().endsWith(".log"))
        .anyMatch(file -> file.getFileName().toString().endsWith(".offsets"))
        .anyMatch(file -> file.getFileName().toString().endsWith(".duckdb"));
    for (Path file : left) {
      if (!file.equals(source)) {
        assertThat(contains(file, secret)).as("the secret in " + file).isFalse();
      }
    }
    try (Stream<Path> entries = Files.list(tmp)) {
      assertThat(entries.map(path -> path.getFileName().toString()))
          .as("private temp dirs left in " + tmp)
          .noneMatch(name -> name.startsWith("akb-"));
    }
    assertThat(cacheText(work.resolve("default_cache.duckdb"))).doesNotContain(secret);
  }

  /** Every value of every table of the DuckDB cache, as text. */
  private static String cacheText(Path cache) throws Exception {
    StringBuilder text = new StringBuilder();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + cache);
        Statement statement = db.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet names =
          statement.executeQuery(
              "SELECT table_schema, table_name FROM information_schema.tables")) {
        while (names.next()) {
          tables.add("\"" + names.getString(1) + "\".\"" + names.getString(2) + "\"");
        }
      }
      assertThat(tables).anyMatch(table -> table.endsWith("\"_airbyte_state\""));
      for (String table : tables) {
        try (ResultSet rows = statement.executeQuery("SELECT * FROM " + table)) {
          int columns = rows.getMetaData().getColumnCount();
          while (rows.next()) {
            for (int column = 1; column <= columns; column++) {
              text.append(rows.getString(column)).append('\n');
            }
          }
        }
      }
    }
    return text.toString();
  }

  private static List<Path> files(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }

  private static String read(List<Path> files) throws Exception {
    StringBuilder text = new StringBuilder();
    for (Path file : files) {
      text.append(Files.readString(file, StandardCharsets.UTF_8));
    }
    return text.toString();
  }

  private static boolean contains(Path file, String secret) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    byte[] wanted = secret.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + wanted.length <= bytes.length; i++) {
      for (int j = 0; j < wanted.length; j++) {
        if (bytes[i + j] != wanted[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
