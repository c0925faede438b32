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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once stays exactly once when a run fails after its last checkpoint (issue #11), with the
 * append strategy, which does not hide a doubled record behind its key: the source sends users 1 to
 * 250 with a state after every 100th, then a TRACE ERROR and exits 1. The failed run keeps what the
 * last state (200) covers and takes back 201 to 250; the rerun resumes from that state, sends 201
 * to 500 and succeeds, and the cache holds every user once. Through {@code akb read} (connector to
 * cache) and {@code akb sync} (connector to Kafka to the bridge to cache).
 */
class FailedRunRerunIT {
  private static final int TOTAL = 500;
  private static final int CHECKPOINT_EVERY = 100;
  private static final int FAIL_AFTER = 250;
  private static final int CHECKPOINTED = 200;

  @TempDir Path dir;

  @Test
  void aReadThatFailsAfterItsLastStateStoresEachRecordOnceWithItsRerun() throws Exception {
    Path cache = dir.resolve("read.duckdb");
    runTwice("read", "--cache", "duckdb:" + cache);
    assertEveryUserOnce(cache);
  }

  @Test
  void aSyncThatFailsAfterItsLastStateStoresEachRecordOnceWithItsRerun() throws Exception {
    runTwice("sync");
    assertEveryUserOnce(dir.resolve(".cache/default_cache.duckdb"));
  }

  /** {@code akb <command>} failing after {@link #FAIL_AFTER} records, then again to its end. */
  private void runTwice(String command, String... cacheOptions) throws Exception {
    UsersSource source = UsersSource.write(dir, "source-failing", TOTAL, CHECKPOINT_EVERY);
    Path cache =
        cacheOptions.length == 0
            ? dir.resolve(".cache/default_cache.duckdb")
            : Path.of(cacheOptions[1].substring("duckdb:".length()));

    AkbCli.Run failed = run(command, source, "{\"fail_after\": " + FAIL_AFTER + "}", cacheOptions);
    assertThat(failed.exitCode()).as(failed.output()).isEqualTo(1);
    assertThat(failed.stderr()).as(failed.output()).contains("the users API answered 500");
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + cache);
        Statement statement = db.createStatement()) {
      // Records 201..250 came after the last state: the rerun sends them again.
      RowChecks.assertEveryUserOnce(statement, CHECKPOINTED);
      assertThat(RowChecks.storedState(statement, "users"))
          .isEqualTo(UsersSource.state(CHECKPOINTED));
    }

    AkbCli.Run rerun = run(command, source, "{}", cacheOptions);
    assertThat(rerun.exitCode()).as(rerun.output()).isZero();
    assertThat(source.reads()).containsExactly("from 0", "from " + CHECKPOINTED);
  }

  private AkbCli.Run run(String command, UsersSource source, String config, String... cacheOptions)
      throws Exception {
    String[] args = {
      command,
      "source-failing",
      "--local-executable",
      source.path().toString(),
      "--config",
      config,
      "--strategy",
      "append"
    };
    String[] all = new String[args.length + cacheOptions.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(cacheOptions, 0, all, args.length, cacheOptions.length);
    return AkbCli.run(dir, all);
  }

  /** Every user once (by key, by row and by raw id), and the state of the last record. */
  private static void assertEveryUserOnce(Path cache) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + cache);
        Statement statement = db.createStatement()) {
      RowChecks.assertEveryUserOnce(statement, TOTAL);
      ResultSet perId =
          statement.executeQuery(
              "SELECT count(*) FROM (SELECT id FROM users GROUP BY id HAVING count(*) > 1) twice");
      perId.next();
      assertThat(perId.getLong(1)).as("ids stored more than once").isZero();
      assertThat(RowChecks.storedState(statement, "users")).isEqualTo(UsersSource.state(TOTAL));
    }
  }
}
