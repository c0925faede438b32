package io.akb.cache.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.CacheRecord;
import io.akb.cache.CacheTransaction;
import io.akb.cache.SqlCache;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PyAirbyte user opens a DuckDB cache file AKB wrote: PyAirbyte ({@code airbyte} from PyPI,
 * pinned like the connectors) lists the streams, reads every record with its values, and finds the
 * state. The venv lives under the install dir ({@code AKB_INSTALL_DIR}, default {@code
 * ~/.cache/akb}) and is created on first run.
 */
class PyAirbyteCompatibilityIT {
  /** The latest PyAirbyte; it pins duckdb 1.4.3, which must open files of our DuckDB JDBC. */
  static final String PYAIRBYTE_VERSION = "0.71.3";

  private static Path python;

  @TempDir Path dir;

  @BeforeAll
  static void installPyAirbyte() throws Exception {
    String installDir = System.getenv("AKB_INSTALL_DIR");
    Path root =
        installDir == null || installDir.isBlank()
            ? Path.of(System.getProperty("user.home"), ".cache", "akb")
            : Path.of(installDir);
    Path venv = root.resolve("venvs").resolve("airbyte-" + PYAIRBYTE_VERSION);
    python = venv.resolve("bin").resolve("python");
    if (!Files.exists(venv.resolve(".akb-installed"))) {
      Files.createDirectories(venv.getParent());
      run(List.of("python3", "-m", "venv", venv.toString()), 120);
      run(
          List.of(python.toString(), "-m", "pip", "install", "-q", "airbyte==" + PYAIRBYTE_VERSION),
          900);
      Files.writeString(venv.resolve(".akb-installed"), PYAIRBYTE_VERSION);
    }
  }

  @Test
  void pyAirbyteReadsTheStreamsRecordsAndStateAkbWrote() throws Exception {
    Path file = dir.resolve("akb.duckdb");
    List<CacheRecord> users = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      users.add(
          record(
              "u" + i,
              "{'id': "
                  + i
                  + ", 'name': 'user "
                  + i
                  + "', 'age': "
                  + (20 + i)
                  + ", 'score': "
                  + (i + 0.25)
                  + ", 'active': "
                  + (i % 2 == 0)
                  + ", 'created_at': '2024-01-0"
                  + (1 + i % 9)
                  + "T10:00:00+00:00', 'born': '1990-01-01',"
                  + " 'address': {'city': 'City "
                  + i
                  + "'}, 'tags': ['t"
                  + i
                  + "']}"));
    }
    // A duplicate key in the same batch: merge keeps the last one.
    users.add(
        record(
            "u51",
            "{'id': 1, 'name': 'user 1 updated', 'age': 99, 'score': 3.141592653589793,"
                + " 'wake': '07:30:00+01:00'}"));
    try (SqlCache cache =
            SqlCache.open(CacheLocation.parse("duckdb:" + file), CacheOptions.defaults());
        CacheTransaction tx = cache.begin()) {
      tx.registerStream("source-faker", stream("users", "id"), WriteStrategy.AUTO);
      tx.registerStream("source-faker", stream("Purchases", null), WriteStrategy.APPEND);
      tx.write("source-faker", "users", users);
      tx.write("source-faker", "Purchases", List.of(record("p1", "{'id': 7, 'name': 'pen'}")));
      tx.writeState(
          "source-faker",
          AirbyteJson.MAPPER.convertValue(
              json(
                  "{'type': 'STREAM', 'stream': {'stream_descriptor': {'name': 'users'}, 'stream_state': {'updated_at': '2024-01-09'}}}"),
              AirbyteStateMessage.class));
      tx.commit();
    }

    JsonNode read = readWithPyAirbyte(file, "users", "Purchases");
    System.out.println(
        "PYAIRBYTE " + read.at("/records/users/1") + read.get("streams") + read.get("states"));

    assertThat(read.get("streams"))
        .extracting(JsonNode::asText)
        .containsExactly("Purchases", "users");
    assertThat(read.at("/counts/users").asInt()).isEqualTo(50);
    assertThat(read.at("/counts/Purchases").asInt()).isEqualTo(1);
    JsonNode first = null;
    for (JsonNode row : read.at("/records/users")) {
      if (row.get("id").asInt() == 1) {
        first = row;
      }
    }
    assertThat(first).isNotNull();
    assertThat(first.get("name").asText()).isEqualTo("user 1 updated");
    assertThat(first.get("age").asInt()).isEqualTo(99);
    assertThat(first.get("score").doubleValue()).isEqualTo(Math.PI);
    assertThat(first.get("wake").asText()).isEqualTo("07:30:00+01:00");
    JsonNode second = read.at("/records/users/1");
    assertThat(second.get("name").asText()).startsWith("user ");
    assertThat(second.get("address").toString()).contains("City");
    assertThat(second.get("_airbyte_raw_id").asText()).startsWith("u");
    assertThat(read.at("/records/Purchases/0/name").asText()).isEqualTo("pen");
    assertThat(read.at("/pandas_columns/users").toString())
        .contains("_airbyte_raw_id", "_airbyte_extracted_at", "_airbyte_meta", "created_at");
    assertThat(read.get("states").size()).isEqualTo(1);
    assertThat(read.at("/states/users/updated_at").asText()).isEqualTo("2024-01-09");
  }

  @Test
  void pyArrowReadsTheStreamAkbExportedToArrowWithTheSameRowsAndTypes() throws Exception {
    Path file = dir.resolve("akb.duckdb");
    Path arrow = dir.resolve("users.arrow");
    try (SqlCache cache =
        SqlCache.open(CacheLocation.parse("duckdb:" + file), CacheOptions.defaults())) {
      try (CacheTransaction tx = cache.begin()) {
        tx.registerStream("source-faker", stream("users", "id"), WriteStrategy.APPEND);
        tx.write(
            "source-faker",
            "users",
            List.of(
                record(
                    "u1",
                    "{'id': 1, 'name': 'Zoë', 'age': 31, 'score': 2.5, 'active': true,"
                        + " 'created_at': '2024-03-01T10:00:00.123456+02:00', 'born': '1990-05-17',"
                        + " 'address': {'city': 'Oslo'}, 'tags': ['a', 'b']}"),
                record("u2", "{'id': 2, 'name': null}")));
        tx.commit();
      }
      assertThat(cache.datasets().keySet()).containsExactly("users");
      assertThat(cache.dataset("users").toArrowFile(arrow)).isEqualTo(2);
    }

    String script =
        String.join(
            "\n",
            "import json, sys, pyarrow.ipc as ipc",
            "t = ipc.open_file(sys.argv[1]).read_all()",
            "rows = t.to_pylist()",
            "for r in rows:",
            "    for k, v in r.items():",
            "        if v is not None and not isinstance(v, (int, float, str, bool)):",
            "            r[k] = str(v)",
            "print(json.dumps({'types': {f.name: str(f.type) for f in t.schema}, 'rows': rows}))");
    String output = run(List.of(python.toString(), "-c", script, arrow.toString()), 120);
    JsonNode read =
        AirbyteJson.MAPPER.readTree(output.strip().substring(output.strip().lastIndexOf('\n') + 1));

    assertThat(read.get("types"))
        .isEqualTo(
            json(
                "{'id': 'int64', 'name': 'string', 'age': 'int64', 'score': 'double',"
                    + " 'active': 'bool', 'created_at': 'timestamp[us, tz=UTC]', 'born': 'date32[day]',"
                    + " 'address': 'string', 'tags': 'string', 'wake': 'string', '_airbyte_raw_id': 'string',"
                    + " '_airbyte_extracted_at': 'timestamp[us, tz=UTC]', '_airbyte_meta': 'string'}"));
    JsonNode first = read.at("/rows/0");
    assertThat(first.get("id").asLong()).isEqualTo(1);
    assertThat(first.get("name").asText()).isEqualTo("Zoë");
    assertThat(first.get("score").doubleValue()).isEqualTo(2.5);
    assertThat(first.get("active").asBoolean()).isTrue();
    assertThat(first.get("created_at").asText()).isEqualTo("2024-03-01 08:00:00.123456+00:00");
    assertThat(first.get("born").asText()).isEqualTo("1990-05-17");
    assertThat(AirbyteJson.MAPPER.readTree(first.get("address").asText()))
        .isEqualTo(json("{'city': 'Oslo'}"));
    assertThat(first.get("_airbyte_raw_id").asText()).isEqualTo("u1");
    assertThat(first.get("_airbyte_extracted_at").asText()).isEqualTo("2023-11-14 22:13:20+00:00");
    JsonNode second = read.at("/rows/1");
    assertThat(second.get("id").asLong()).isEqualTo(2);
    assertThat(second.get("name").isNull()).isTrue();
    assertThat(second.get("score").isNull()).isTrue();
  }

  private JsonNode readWithPyAirbyte(Path file, String... streams) throws Exception {
    Path script = dir.resolve("pyairbyte_read.py");
    try (InputStream in = PyAirbyteCompatibilityIT.class.getResourceAsStream("pyairbyte_read.py")) {
      Files.write(script, in.readAllBytes());
    }
    List<String> command =
        new ArrayList<>(
            List.of(python.toString(), script.toString(), file.toString(), "source-faker"));
    command.addAll(List.of(streams));
    String output = run(command, 300);
    String lastLine = output.strip().substring(output.strip().lastIndexOf('\n') + 1);
    return AirbyteJson.MAPPER.readTree(lastLine);
  }

  private static String run(List<String> command, int timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // PyAirbyte writes its logs and install dir next to the project dir: keep them out of the tree.
    builder.environment().put("AIRBYTE_PROJECT_DIR", System.getProperty("java.io.tmpdir"));
    builder.environment().put("DO_NOT_TRACK", "1");
    builder.environment().put("PYTHONWARNINGS", "ignore");
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("timed out: " + command);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("%s exited with output:%n%s", command, text).isZero();
    return text;
  }

  private static JsonNode json(String text) throws IOException {
    return AirbyteJson.MAPPER.readTree(text.replace('\'', '"'));
  }

  private static CacheRecord record(String rawId, String data) throws IOException {
    return new CacheRecord(rawId, "sync-1", json(data), 1_700_000_000_000L, null);
  }

  private static ConfiguredAirbyteStream stream(String name, String key) throws IOException {
    String schema =
        "{'type': 'object', 'properties': {'id': {'type': 'integer'}, 'name': {'type': 'string'},"
            + " 'age': {'type': 'integer'}, 'score': {'type': 'number'}, 'active': {'type': 'boolean'},"
            + " 'created_at': {'type': 'string', 'format': 'date-time'}, 'born': {'type': 'string', 'format': 'date'},"
            + " 'address': {'type': 'object'}, 'tags': {'type': 'array'},"
            + " 'wake': {'type': 'string', 'format': 'time', 'airbyte_type': 'time_with_timezone'}}}";
    return AirbyteJson.MAPPER.convertValue(
        json(
            "{'stream': {'name': '"
                + name
                + "', 'json_schema': "
                + schema
                + ", 'supported_sync_modes': ['full_refresh', 'incremental']}, 'sync_mode': 'incremental',"
                + " 'destination_sync_mode': 'append', 'primary_key': "
                + (key == null ? "[]" : "[['" + key + "']]")
                + "}"),
        ConfiguredAirbyteStream.class);
  }
}
