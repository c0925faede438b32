package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.bridge.testing.UsersSource;
import io.akb.runtime.testkit.FakeConnector;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./akb read} and {@code ./akb sync} of a source that sends 500 records and 5 checkpoints,
 * then falls silent (or fails with a TRACE ERROR), as a user sees them in a pipe: the progress
 * shows what arrived and what the command waits for, the error names the option to raise, the
 * summary of a failed sync gives the cache's true numbers, and every run keeps its own log.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class SilentSourceIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  record Run(int exitCode, String stdout, String stderr) {}

  private static Run akb(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("akb").toString()));
    command.addAll(List.of(args));
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectError(stderr.toFile());
    builder.environment().put("AKB_SKIP_BUILD", "1");
    builder.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
    Process process = builder.start();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // A guard against a hung run, not a timing assertion.
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("akb finished").isTrue();
    return new Run(process.exitValue(), stdout, Files.readString(stderr));
  }

  /**
   * A source with one incremental stream, users (key id): its read sends 500 records with a state
   * after every 100, then, by the config's mode, sleeps ("hang") or sends 50 more records and a
   * TRACE ERROR ("error").
   */
  private static FakeConnector source(Path dir) {
    String spec =
        "{\"type\":\"SPEC\",\"spec\":{\"connectionSpecification\":{\"type\":\"object\","
            + "\"properties\":{\"mode\":{\"type\":\"string\"}}}}}";
    return UsersSource.program(
        dir,
        "source-silent",
        spec,
        "    record() { echo \"{\\\"type\\\":\\\"RECORD\\\",\\\"record\\\":{\\\"stream\\\":"
            + "\\\"users\\\",\\\"data\\\":{\\\"id\\\":$1},\\\"emitted_at\\\":1700000000000}}\"; }\n"
            + "    state() { echo \"{\\\"type\\\":\\\"STATE\\\",\\\"state\\\":{\\\"type\\\":\\\"STREAM\\\","
            + "\\\"stream\\\":{\\\"stream_descriptor\\\":{\\\"name\\\":\\\"users\\\"},"
            + "\\\"stream_state\\\":{\\\"id\\\":$1}}}}\"; }\n"
            + "    for i in $(seq 1 500); do record $i; [ $((i % 100)) = 0 ] && state $i; done\n"
            + "    if grep -q hang \"$CONFIG\"; then exec sleep 600; fi\n"
            + "    for i in $(seq 501 550); do record $i; done\n"
            + "    echo '"
            + UsersSource.TRACE_ERROR
            + "'\n"
            + "    exit 1");
  }

  private static List<Path> runLogs(Path logs) throws IOException {
    try (Stream<Path> files = Files.list(logs)) {
      return files
          .filter(file -> file.getFileName().toString().matches("akb-sync-[0-9-]+\\.log"))
          .sorted()
          .toList();
    }
  }

  @Test
  void readShowsWhatArrivedAndWhatItWaitsForThenNamesTheOption(@TempDir Path dir) throws Exception {
    FakeConnector source = source(dir);

    Run read =
        akb(
            dir,
            "read",
            "source-silent",
            "--local-executable",
            source.path().toString(),
            "--config",
            "{\"mode\": \"hang\"}",
            "--idle-timeout",
            "4s",
            "--cache",
            "duckdb:" + dir.resolve("read.duckdb"));

    assertThat(read.exitCode()).as(read.stdout() + read.stderr()).isEqualTo(1);
    // Before: nothing at all for the whole wait.
    assertThat(read.stdout())
        .containsPattern(
            "(?m)^\\[[0-9.]+s\\] reading: 500 records \\(users 500\\), 5 checkpoints; waiting for"
                + " source-silent: no output for [0-9]+ s \\(stopped after 4 s without output;"
                + " see --idle-timeout\\)$")
        .containsPattern("(?m)^\\[[0-9.]+s\\] failed: 500 records \\(users 500\\), 5 checkpoints$");
    assertThat(read.stderr())
        .contains("the connector printed nothing for 4.0 s (the idle timeout)")
        .contains("raise the idle timeout: --idle-timeout of akb read and akb sync");
  }

  @Test
  void syncShowsWhatArrivedWhileTheSourceIsSilentAndEveryRunKeepsItsLog(@TempDir Path dir)
      throws Exception {
    FakeConnector source = source(dir);
    Path logs = dir.resolve(".cache/logs");

    Run hung =
        akb(
            dir,
            "sync",
            "source-silent",
            "--local-executable",
            source.path().toString(),
            "--config",
            "{\"mode\": \"hang\"}",
            "--idle-timeout",
            "8s",
            "--progress-interval",
            "1");

    assertThat(hung.exitCode()).as(hung.stdout() + hung.stderr()).isEqualTo(1);
    // Before: "users 0" for the whole wait, the records held back in a batch of 2,000.
    assertThat(hung.stdout())
        .containsPattern(
            "(?m)^\\[[0-9.]+s\\] reading: users 500 \\([0-9,]+/s, 5 checkpoints\\); cached"
                + " [0-9,]+; waiting for source-silent: no records or checkpoints for [0-9]+ s"
                + " \\(stopped after 8 s without output; see --idle-timeout\\)$");
    assertThat(hung.stderr())
        .contains("the connector printed nothing for 8.0 s (the idle timeout)")
        .contains("--idle-timeout of akb read and akb sync");
    assertThat(runLogs(logs)).hasSize(1);
    Path firstLog = runLogs(logs).get(0);
    assertThat(hung.stderr()).contains(firstLog.toString());
    String firstLogText = Files.readString(firstLog);
    // The first sync in a fresh work dir creates its topics itself, durable: no retention warning.
    assertThat(firstLogText).doesNotContain("has retention.ms=");

    Run failed =
        akb(
            dir,
            "sync",
            "source-silent",
            "--local-executable",
            source.path().toString(),
            "--config",
            "{\"mode\": \"error\"}");

    assertThat(failed.exitCode()).as(failed.stdout() + failed.stderr()).isEqualTo(1);
    assertThat(failed.stderr()).contains("the users API answered 500");
    // Every run keeps its own log; the link names the newest, and the error the run's own.
    List<Path> both = runLogs(logs);
    assertThat(both).hasSize(2).contains(firstLog);
    assertThat(Files.readString(firstLog)).startsWith(firstLogText);
    Path secondLog = both.get(1);
    assertThat(logs.resolve("akb-sync.log").toRealPath()).isEqualTo(secondLog.toRealPath());
    assertThat(failed.stderr()).contains(secondLog.toString()).doesNotContain(firstLog.toString());
    assertThat(failed.stdout()).contains("  log:     " + secondLog);

    // The summary says what the cache holds, as the cache itself does once akb has exited.
    Matcher numbers =
        Pattern.compile(
                "Sync of source-silent FAILED after [0-9.ms ]+\\. The source sent 550 records"
                    + " before it failed: 550 in Kafka, ([0-9,]+) written to the cache in this run"
                    + " \\(([0-9,]+) rows in its tables now\\)\\. The cache has read everything in"
                    + " Kafka up to the failure\\.")
            .matcher(failed.stdout());
    assertThat(numbers.find()).as(failed.stdout()).isTrue();
    long rows = Long.parseLong(numbers.group(2).replace(",", ""));
    try (Connection db =
            DriverManager.getConnection(
                "jdbc:duckdb:" + dir.resolve(".cache/default_cache.duckdb"));
        Statement statement = db.createStatement();
        ResultSet count = statement.executeQuery("select count(*) from users")) {
      count.next();
      assertThat(count.getLong(1)).isEqualTo(rows);
    }
    assertThat(failed.stderr()).contains("rows in its tables now");
  }
}
