package io.akb.bridge.cli;

import static io.akb.bridge.cli.AkbLauncherIT.akb;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.cli.AkbLauncherIT.Run;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./akb read}, {@code records}, {@code validate}, {@code benchmark} and {@code serve} run as
 * a user runs them, with the real PyPI faker (through {@link AkbLauncherIT}'s process runner).
 */
class AkbCliCommandsIT {

  @Test
  void readIntoDuckDbThenPrintTheRows(@TempDir Path dir) throws Exception {
    String cache = "duckdb:" + dir.resolve("cache.duckdb");

    // always_updated=false: a resumed read of the faker finds nothing new.
    String config = "{\"count\": 50, \"always_updated\": false}";
    Run read = akb("read", "source-faker", "--config", config, "--cache", cache);

    assertThat(read.exitCode()).as(read.stderr()).isZero();
    assertThat(read.stdout())
        .anyMatch(line -> line.startsWith("Read source-faker in "))
        .anyMatch(line -> line.matches("users +50 +50"))
        .anyMatch(line -> line.contains("DuckDB file " + dir.resolve("cache.duckdb")));

    Run again = akb("read", "source-faker", "--config", config, "--cache", cache);

    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.stdout()).anyMatch(line -> line.matches("users +0 +50"));

    Run records = akb("records", cache, "users", "--limit", "3");

    assertThat(records.exitCode()).as(records.stderr()).isZero();
    List<Integer> ids = new ArrayList<>();
    for (String line : records.stdout()) {
      JsonNode user = AirbyteJson.parse(line);
      ids.add(user.get("id").asInt());
    }
    assertThat(ids).containsExactlyInAnyOrder(1, 2, 3);

    Path arrow = dir.resolve("users.arrow");
    Run export = akb("records", cache, "users", "--arrow", arrow.toString());
    assertThat(export.exitCode()).as(export.stderr()).isZero();
    assertThat(export.stdout())
        .contains(
            "Wrote 50 rows of users to "
                + arrow
                + " (an Arrow IPC"
                + " file; in Python: pyarrow.ipc.open_file(path).read_all())");
    // An Arrow IPC file starts and ends with its magic (PyArrow reads it back in sql-cache's
    // tests).
    String bytes = new String(Files.readAllBytes(arrow), StandardCharsets.ISO_8859_1);
    assertThat(bytes).startsWith("ARROW1").endsWith("ARROW1");

    Run unknown = akb("records", dir.resolve("cache.duckdb").toString(), "customers");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.stderr())
        .contains("no stream of that name", "Streams in the cache: products, purchases, users.")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void validatePrintsEveryStepOk() throws Exception {
    Run run = akb("validate", "source-faker", "--config", "{\"count\": 20}");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout())
        .anyMatch(line -> line.matches("spec +OK +[0-9.]+ s .*"))
        .anyMatch(line -> line.matches("check +OK +[0-9.]+ s .*"))
        .anyMatch(line -> line.matches("discover +OK +[0-9.]+ s +3 streams: .*users.*"))
        .anyMatch(line -> line.matches("read +OK +[0-9.]+ s .*users 10.*"));
  }

  @Test
  void validateOfABadConfigFailsTheCheckStep() throws Exception {
    Run run = akb("validate", "source-faker", "--config", "{\"count\": \"x\"}");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stdout())
        .anyMatch(line -> line.matches("check +FAILED .*"))
        .anyMatch(line -> line.matches("read +SKIPPED .*"));
    assertThat(run.stderr()).contains("Error: ", "$.count").doesNotContain("\tat ");
  }

  @Test
  void benchmarkPrintsRecordsPerSecond() throws Exception {
    Run run = akb("benchmark", "source-faker", "--config", "{\"count\": 500}");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout())
        .anyMatch(line -> line.contains("RECORDS/S") && line.contains("MB/S"))
        .anyMatch(
            line -> line.matches("connector through AKB, with its start +[0-9.]+ s +[0-9,]+ .*"))
        .anyMatch(line -> line.startsWith("AKB message reader alone"))
        .anyMatch(line -> line.startsWith("AKB's overhead: "));
  }

  @Test
  void serveStartsTheBridgeServiceUntilStopped() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of("").toAbsolutePath().getParent().resolve("akb").toString(),
                "serve",
                "-Dquarkus.http.port=" + port)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("AKB_SKIP_BUILD", "1");
    Process serve = builder.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest health =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health")).build();
      String answer = "";
      for (int attempt = 0; attempt < 120 && !answer.contains("UP"); attempt++) {
        try {
          answer = http.send(health, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException notYet) {
          Thread.sleep(500);
        }
      }
      assertThat(answer).contains("\"status\": \"UP\"");
    } finally {
      serve.destroy();
      // A guard against a hung stop, not a timing assertion.
      assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("akb serve stopped").isTrue();
    }
  }
}
