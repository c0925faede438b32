package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.testing.AkbCli;
import io.akb.bridge.testing.RowChecks;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.testkit.FakeConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
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

  /**
   * One incremental stream, users (key and cursor id). Its read resumes after the id in its {@code
   * --state}, writes the id it resumes from to {@code reads.log} (so the test sees what each run
   * was given), sends the ids up to 500 with a state after every 100th, and with {@code
   * "kill_after": N} in its config SIGKILLs itself right after its N-th record.
   */
  private FakeConnector source() {
    String spec =
        "{\"type\":\"SPEC\",\"spec\":{\"connectionSpecification\":{\"type\":\"object\","
            + "\"properties\":{\"kill_after\":{\"type\":\"integer\"}}}}}";
    String catalog =
        "{\"type\":\"CATALOG\",\"catalog\":{\"streams\":[{\"name\":\"users\",\"json_schema\":"
            + "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}},"
            + "\"supported_sync_modes\":[\"full_refresh\",\"incremental\"],"
            + "\"source_defined_cursor\":true,\"default_cursor_field\":[\"id\"],"
            + "\"source_defined_primary_key\":[[\"id\"]]}]}}";
    String status =
        "{\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":{\"status\":\"SUCCEEDED\"}}";
    return FakeConnector.bash(
        dir,
        "source-killed",
        "CONFIG=''; STATE=''; prev=''; for arg in \"$@\"; do [ \"$prev\" = --config ] &&"
            + " CONFIG=$arg; [ \"$prev\" = --state ] && STATE=$arg; prev=$arg; done\n"
            + "case \"$1\" in\n"
            + "  spec) echo '"
            + spec
            + "' ;;\n"
            + "  check) echo '"
            + status
            + "' ;;\n"
            + "  discover) echo '"
            + catalog
            + "' ;;\n"
            + "  read)\n"
            + "    kill_after=$(grep -o '\"kill_after\": *[0-9]*' \"$CONFIG\" | grep -o '[0-9]*$')\n"
            + "    from=0\n"
            + "    if [ -n \"$STATE\" ]; then\n"
            + "      from=$(grep -o '\"id\": *[0-9]*' \"$STATE\" | grep -o '[0-9]*$' | tail -1)\n"
            + "    fi\n"
            + "    echo \"from $from\" >> '"
            + dir.resolve("reads.log")
            + "'\n"
            + "    n=0\n"
            + "    for i in $(seq $((from + 1)) "
            + TOTAL
            + "); do\n"
            + "      echo \"{\\\"type\\\":\\\"RECORD\\\",\\\"record\\\":{\\\"stream\\\":\\\"users\\\","
            + "\\\"data\\\":{\\\"id\\\":$i},\\\"emitted_at\\\":1700000000000}}\"\n"
            + "      n=$((n + 1))\n"
            + "      if [ $((i % "
            + CHECKPOINT_EVERY
            + ")) = 0 ]; then\n"
            + "        echo \"{\\\"type\\\":\\\"STATE\\\",\\\"state\\\":{\\\"type\\\":\\\"STREAM\\\","
            + "\\\"stream\\\":{\\\"stream_descriptor\\\":{\\\"name\\\":\\\"users\\\"},"
            + "\\\"stream_state\\\":{\\\"id\\\":$i}}}}\"\n"
            + "      fi\n"
            + "      if [ \"$n\" = \"${kill_after:-0}\" ]; then kill -9 $$; fi\n"
            + "    done ;;\n"
            + "esac");
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
    Path source = source().path();
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
    assertThat(reads()).containsExactly("from 0", "from " + checkpointed);
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
    Path source = source().path();
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
    assertThat(reads()).containsExactly("from 0", "from " + checkpointed);
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
      assertThat(RowChecks.storedState(statement, "users")).isEqualTo(cursorState(checkpointed));
    }
  }

  private static void assertEveryRecordOnce(Path cache) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + cache);
        Statement statement = db.createStatement()) {
      RowChecks.assertEveryUserOnce(statement, TOTAL);
      assertThat(RowChecks.storedState(statement, "users")).isEqualTo(cursorState(TOTAL));
    }
  }

  private static JsonNode cursorState(int id) throws Exception {
    return AirbyteJson.MAPPER.readTree(
        "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},"
            + "\"stream_state\":{\"id\":"
            + id
            + "}}}");
  }

  /** What each read was given, in order: {@code from <id>}. */
  private List<String> reads() throws Exception {
    return Files.readAllLines(dir.resolve("reads.log"));
  }
}
