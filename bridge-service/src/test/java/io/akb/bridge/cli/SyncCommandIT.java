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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./akb sync source-faker} as a user runs it, from a fresh directory: the embedded KRaft
 * broker, Connect's standalone worker with the real source connector and the PyPI faker, and the
 * bridge's replay into a real DuckDB file or PostgreSQL database. The output is checked in a pipe
 * (plain lines) and in a real terminal (tmux: the live table redrawn in place).
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class SyncCommandIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final String CONFIG = "{\"count\": 2000}";

  /** The PostgreSQL server (./run-tests may name another); each test adds its own database. */
  private static final String POSTGRES =
      System.getenv().getOrDefault("AKB_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/");

  record Run(int exitCode, String stdout, String stderr) {}

  /** Runs {@code ./akb} in {@code dir} with its output in a pipe. */
  private static Run akb(Path dir, String... args) throws IOException, InterruptedException {
    return akbOn(null, dir, args);
  }

  /** As {@link #akb}, on the Kafka cluster at {@code bootstrap} (null: akb's embedded broker). */
  private static Run akbOn(String bootstrap, Path dir, String... args)
      throws IOException, InterruptedException {
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    Process process = start(bootstrap, dir, stderr, args);
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // A guard against a hung run, not a timing assertion.
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("akb finished").isTrue();
    return new Run(process.exitValue(), stdout, Files.readString(stderr));
  }

  /** Starts {@code ./akb} in {@code dir}, stdout in a pipe, stderr into {@code stderr}. */
  private static Process start(String bootstrap, Path dir, Path stderr, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("akb").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectError(stderr.toFile());
    builder.environment().put("AKB_SKIP_BUILD", "1");
    builder.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
    if (bootstrap != null) {
      builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    }
    return builder.start();
  }

  @Test
  void aSyncKilledDuringItsReadLeavesAWorkDirTheNextSyncFinishesIn(@TempDir Path dir)
      throws Exception {
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    // Big enough to be still reading when killed.
    Process first =
        start(
            null,
            dir,
            stderr,
            "sync",
            "source-faker",
            "--config",
            "{\"count\": 1000000}",
            "--progress-interval",
            "1");
    java.util.regex.Pattern checkpointCached =
        java.util.regex.Pattern.compile(
            "\\] reading: .*\\b[1-9][0-9]* checkpoints?\\).*; cached [1-9]");
    boolean reading = false;
    try (java.io.BufferedReader out =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (!reading && (line = out.readLine()) != null) {
        reading = checkpointCached.matcher(line).find();
      }
      assertThat(reading).as("the first sync cached a checkpoint while reading").isTrue();
      first.destroyForcibly(); // SIGKILL: no SYNC_COMPLETED, nothing closed
      assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
    }

    // The next sync in the same work dir ends, with its own sync complete in the cache.
    Path secondErr = Files.createTempFile(dir, "stderr", ".txt");
    Process second = start(null, dir, secondErr, "sync", "source-faker", "--config", CONFIG);
    java.util.concurrent.CompletableFuture<String> stdout =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                return e.toString();
              }
            });
    try {
      // A guard, not a timing assertion: before the fix it waited forever on "writing the last
      // records to the cache".
      assertThat(second.waitFor(3, TimeUnit.MINUTES)).as("the second sync ended").isTrue();
      String out = stdout.get(1, TimeUnit.MINUTES);
      assertThat(second.exitValue()).as(out + Files.readString(secondErr)).isZero();
      assertThat(out).contains("Synced source-faker in ");
    } finally {
      second.destroyForcibly();
    }
  }

  @Test
  void aCacheThatFindsRecordsGoneEndsTheSyncAtOnceWithWhatToDo(@TempDir Path dir) throws Exception {
    // The test's own broker, so that records can be deleted between two runs.
    String bootstrap = io.akb.bridge.testing.EmbeddedKafka.bootstrapServers();
    String config = "{\"count\": 200}";
    Run first = akbOn(bootstrap, dir, "sync", "source-faker", "--config", config);
    assertThat(first.exitCode()).as(first.stdout() + first.stderr()).isZero();

    String users = "airbyte.source-faker.users";
    long end;
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", bootstrap);
    org.apache.kafka.common.TopicPartition partition =
        new org.apache.kafka.common.TopicPartition(users, 0);
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(props)) {
      end =
          admin
              .listOffsets(
                  java.util.Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest()))
              .partitionResult(partition)
              .get()
              .offset();
    }
    assertThat(end).isPositive();
    io.akb.bridge.testing.TopicRecords.deleteBefore(users, 0, end);

    // A new cache has to read users/0 from offset 0, which is gone: the sync ends, not waits.
    Run second =
        akbOn(
            bootstrap,
            dir,
            "sync",
            "source-faker",
            "--config",
            config,
            "--cache",
            "duckdb:" + dir.resolve("other.duckdb"));
    assertThat(second.exitCode()).as(second.stdout() + second.stderr()).isNotZero();
    assertThat(second.stderr())
        .contains(users + "/0: " + end + " records (offsets 0.." + (end - 1) + ") are gone")
        .contains("run akb sync --full-refresh");
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
        .contains("DuckDB file " + dir.resolve(".cache/default_cache.duckdb"))
        // The real faker sends sourceStats.recordCount with its states: the count proof holds.
        .contains(
            "Count proof: every checkpoint's record count (sourceStats) matches the records the"
                + " cache wrote.");
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
