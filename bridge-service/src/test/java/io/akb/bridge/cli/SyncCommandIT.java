package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./akb sync source-faker} as a user runs it, from a fresh directory: the embedded KRaft
 * broker, Connect's standalone worker with the real source connector and the PyPI faker, and the
 * bridge's replay into a real DuckDB file or PostgreSQL database. The output is checked in a pipe
 * (plain lines) and in a real terminal (tmux: the live table redrawn in place).
 */
class SyncCommandIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final String CONFIG = "{\"count\": 2000}";

  /** The PostgreSQL server (./run-tests may name another); each test adds its own database. */
  private static final String POSTGRES =
      System.getenv().getOrDefault("AKB_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/");

  record Run(int exitCode, String stdout, String stderr) {}

  /** Runs {@code ./akb} in {@code dir} with its output in a pipe. */
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

  @Test
  void syncIntoTheDefaultDuckDbCacheThenAgainAddsNothing(@TempDir Path dir) throws Exception {
    Run first = akb(dir, "sync", "source-faker", "--config", CONFIG);

    assertThat(first.exitCode()).as(first.stdout() + first.stderr()).isZero();
    // In a pipe: plain progress lines, never a cursor movement.
    assertThat(first.stdout()).doesNotContain("\033[").contains("] reading: ");
    assertThat(first.stdout())
        .contains("Synced source-faker in ")
        .containsPattern("(?m)^  users +2,000 ")
        .containsPattern("(?m)^  products +100 ")
        .contains("DuckDB file " + dir.resolve(".cache/default_cache.duckdb"));
    Path duckdb = dir.resolve(".cache/default_cache.duckdb");
    long purchases;
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + duckdb)) {
      assertThat(count(db, "users")).isEqualTo(2000);
      assertThat(count(db, "products")).isEqualTo(100);
      purchases = count(db, "purchases");
      assertThat(purchases).isPositive();
      assertThat(stateStreams(db)).contains("users", "purchases", "products");
    }

    Run second = akb(dir, "sync", "source-faker", "--config", CONFIG);

    assertThat(second.exitCode()).as(second.stdout() + second.stderr()).isZero();
    assertThat(second.stdout()).contains("Synced source-faker in ");
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + duckdb)) {
      assertThat(count(db, "users")).isEqualTo(2000);
      assertThat(count(db, "products")).isEqualTo(100);
      assertThat(count(db, "purchases")).isEqualTo(purchases);
    }
  }

  @Test
  void syncIntoPostgresInATerminalRedrawsALiveTable(@TempDir Path dir) throws Exception {
    String database = "akb_sync_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection server =
            DriverManager.getConnection(POSTGRES + "postgres", "postgres", "postgres");
        Statement statement = server.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
    String url = POSTGRES + database + "?user=postgres&password=postgres";
    String session = "akb-sync-" + database;
    Path script = dir.resolve("run.sh");
    Files.writeString(
        script,
        "cd '"
            + dir
            + "' && AKB_SKIP_BUILD=1 '"
            + ROOT.resolve("akb")
            + "' sync source-faker --config '"
            + CONFIG
            + "' --cache 'postgres:"
            + url
            + "'; echo AKB_EXIT=$?; sleep 600\n");
    try {
      tmux("new-session", "-d", "-s", session, "-x", "150", "-y", "50", "bash " + script);
      boolean sawLiveTable = false;
      String screen = "";
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (!screen.contains("AKB_EXIT=") && System.nanoTime() < deadline) {
        Thread.sleep(1000);
        screen = tmux("capture-pane", "-p", "-t", session);
        sawLiveTable |= screen.contains("akb sync: reading") && screen.contains("records/s");
      }

      assertThat(screen).as(screen).contains("AKB_EXIT=0");
      assertThat(sawLiveTable).as("a frame showed the table while reading").isTrue();
      // Redrawn in place: the status line is on screen once, however many frames were drawn.
      assertThat(screen.lines().filter(line -> line.startsWith("akb sync: "))).hasSize(1);
      assertThat(screen)
          .contains("akb sync: done")
          .contains("Synced source-faker in ")
          .containsPattern("(?m)^  users +2,000 ")
          .contains("PostgreSQL " + POSTGRES + database + "?user=postgres&password=***")
          .doesNotContain("password=postgres");
      try (Connection db = DriverManager.getConnection(url)) {
        assertThat(count(db, "users")).isEqualTo(2000);
        assertThat(count(db, "products")).isEqualTo(100);
        assertThat(count(db, "purchases")).isPositive();
        assertThat(stateStreams(db)).contains("users", "purchases", "products");
      }
    } finally {
      tmuxQuietly("kill-session", "-t", session);
      try (Connection server =
              DriverManager.getConnection(POSTGRES + "postgres", "postgres", "postgres");
          Statement statement = server.createStatement()) {
        statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  private static long count(Connection db, String table) throws SQLException {
    try (Statement statement = db.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static List<String> stateStreams(Connection db) throws SQLException {
    List<String> streams = new ArrayList<>();
    try (Statement statement = db.createStatement();
        ResultSet rows = statement.executeQuery("SELECT stream_name FROM _airbyte_state")) {
      while (rows.next()) {
        streams.add(rows.getString(1));
      }
    }
    return streams;
  }

  private static String tmux(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("tmux"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("tmux " + String.join(" ", args) + ": " + output).isZero();
    return output;
  }

  private static void tmuxQuietly(String... args) {
    try {
      List<String> command = new ArrayList<>(List.of("tmux"));
      command.addAll(List.of(args));
      new ProcessBuilder(command).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      // the session ends with its sleep anyway
    }
  }
}
