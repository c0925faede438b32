package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.bridge.testing.AkbCli;
import io.akb.bridge.testing.RowChecks;
import io.akb.bridge.testing.UsersSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A connector SIGKILLed in the middle of its read (exit code 137, as the kernel's OOM killer leaves
 * it), through {@code akb sync} and {@code akb read}: the run fails naming the kill, the cache
 * keeps what the source checkpointed (its {@code _airbyte_state} is the last complete checkpoint,
 * every record up to it is there), and the next run resumes from that checkpoint and completes,
 * each record once by key.
 *
 * <p>The moment of the kill is seeded ({@link io.akb.runtime.testkit.FaultSeeds}): the source dies
 * after a random record between its first and its last checkpoint, before or after a state.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class ConnectorKilledIT {
  private static final int TOTAL = 500;
  private static final int CHECKPOINT_EVERY = 100;

  @TempDir Path dir;

  static java.util.stream.LongStream seeds() {
    return io.akb.runtime.testkit.FaultSeeds.seeds();
  }

  /** The source of both runs ({@link UsersSource}): users 1..500, a state after every 100th. */
  private UsersSource source() {
    return UsersSource.write(dir, "source-killed", TOTAL, CHECKPOINT_EVERY);
  }

  /** The kill moment of {@code seed}: after a record past the first checkpoint, before the last. */
  private static int killAfter(long seed) {
    return CHECKPOINT_EVERY + 1 + new Random(seed).nextInt(TOTAL - CHECKPOINT_EVERY - 1);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aSyncWhoseSourceIsKilledKeepsItsCheckpointsAndTheNextSyncResumesFromTheLast(long seed)
      throws Exception {
    int killAfter = killAfter(seed);
    int checkpointed = killAfter / CHECKPOINT_EVERY * CHECKPOINT_EVERY;
    UsersSource users = source();
    Path source = users.path();
    Path cache = dir.resolve(".cache/default_cache.duckdb");

    AkbCli.Run killed =
        AkbCli.run(
            dir,
            "sync",
            "source-killed",
            "--local-executable",
            source.toString(),
            "--config",
            "{\"kill_after\": " + killAfter + "}");

    assertThat(killed.exitCode()).as(killed.output()).isEqualTo(1);
    assertKilledHint(killed);
    // Ended as a failed sync, not as a failed Connect task: the cache was given the time to apply
    // what the source sent, and says what it holds.
    assertThat(killed.stdout()).as(killed.output()).contains("Sync of source-killed FAILED after");
    assertCheckpointedRecordsStay(cache, killAfter, checkpointed);

    AkbCli.Run resumed =
        AkbCli.run(
            dir,
            "sync",
            "source-killed",
            "--local-executable",
            source.toString(),
            "--config",
            "{}");

    assertThat(resumed.exitCode()).as(resumed.output()).isZero();
    assertThat(users.reads()).containsExactly("from 0", "from " + checkpointed);
    assertThat(resumed.stdout())
        .as(resumed.output())
        .containsPattern("(?m)^  users +" + (TOTAL - checkpointed) + " ");
    assertEveryRecordOnce(cache);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aReadWhoseSourceIsKilledKeepsItsCheckpointsAndTheNextReadResumesFromTheLast(long seed)
      throws Exception {
    int killAfter = killAfter(seed);
    int checkpointed = killAfter / CHECKPOINT_EVERY * CHECKPOINT_EVERY;
    UsersSource users = source();
    Path source = users.path();
    Path cache = dir.resolve("read.duckdb");

    AkbCli.Run killed =
        AkbCli.run(
            dir,
            "read",
            "source-killed",
            "--local-executable",
            source.toString(),
            "--config",
            "{\"kill_after\": " + killAfter + "}",
            "--cache",
            "duckdb:" + cache);

    assertThat(killed.exitCode()).as(killed.output()).isEqualTo(1);
    assertKilledHint(killed);
    assertCheckpointedRecordsStay(cache, killAfter, checkpointed);

    AkbCli.Run resumed =
        AkbCli.run(
            dir,
            "read",
            "source-killed",
            "--local-executable",
            source.toString(),
            "--config",
            "{}",
            "--cache",
            "duckdb:" + cache);

    assertThat(resumed.exitCode()).as(resumed.output()).isZero();
    assertThat(users.reads()).containsExactly("from 0", "from " + checkpointed);
    assertEveryRecordOnce(cache);
  }

  private static void assertKilledHint(AkbCli.Run run) {
    assertThat(run.stderr())
        .as(run.output())
        .contains("the connector exited with code 137")
        .contains("It was killed (out of memory, or by another process).");
  }

  /**
   * After the kill: the state is the last checkpoint the source sent, and every record up to it is
   * in the cache (records read after it may be too; never more than the source sent).
   */
  private static void assertCheckpointedRecordsStay(Path cache, int killAfter, int checkpointed)
      throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + cache);
        Statement statement = db.createStatement()) {
      ResultSet rows =
          statement.executeQuery(
              "SELECT count(DISTINCT id) FILTER (WHERE id <= "
                  + checkpointed
                  + "), max(id) FROM users");
      rows.next();
      assertThat(rows.getLong(1)).as("checkpointed records in the cache").isEqualTo(checkpointed);
      assertThat(rows.getLong(2)).as("the last record in the cache").isLessThanOrEqualTo(killAfter);
      assertThat(RowChecks.storedState(statement, "users"))
          .isEqualTo(UsersSource.state(checkpointed));
    }
  }

  private static void assertEveryRecordOnce(Path cache) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + cache);
        Statement statement = db.createStatement()) {
      RowChecks.assertEveryUserOnce(statement, TOTAL);
      assertThat(RowChecks.storedState(statement, "users")).isEqualTo(UsersSource.state(TOTAL));
    }
  }
}
