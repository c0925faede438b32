package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.bridge.testing.AkbCli;
import io.akb.runtime.testkit.TokenRefreshingConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./akb read}, {@code check} and {@code write}, each run twice through the launcher with a
 * program that refreshes its token on any run started without the refreshed one: the second run of
 * each starts with the token the first stored, from {@code $AKB_CONFIG_UPDATES_DIR} or from {@code
 * --config-updates-dir}; the token is in no output of any run, and the files are private.
 */
class CliConfigUpdatesIT {
  @TempDir Path dir;

  @Test
  void eachCommandsSecondRunStartsWithTheTokenItsFirstRunStored() throws Exception {
    TokenRefreshingConnector program = TokenRefreshingConnector.create(dir);
    String refreshed = program.refreshedToken();
    String first = TokenRefreshingConnector.FIRST_TOKEN;
    Path fromEnv = dir.resolve("env-updates");
    Path fromOption = dir.resolve("option-updates");
    // Every run has the variable: none may write into the real home's state directory.
    Map<String, String> env = Map.of("AKB_CONFIG_UPDATES_DIR", fromEnv.toString());
    String config = program.config().toString();
    String local = program.program().toString();
    List<AkbCli.Run> runs = new ArrayList<>();

    // read, twice, into two caches: the second cache gives the second write something to send.
    for (String cache : List.of("a", "b")) {
      runs.add(
          ok(
              env,
              "read",
              "source-token",
              "--local-executable",
              local,
              "--config",
              config,
              "--cache",
              "duckdb:" + dir.resolve(cache + ".duckdb")));
    }
    assertThat(program.runs()).containsExactly("read " + first, "read " + refreshed);

    String checkConfig = program.config().put("on_check", "refresh").toString();
    for (int i = 0; i < 2; i++) {
      runs.add(
          ok(
              env,
              "check",
              "source-checked",
              "--local-executable",
              local,
              "--config",
              checkConfig,
              "--config-updates-dir",
              fromOption.toString()));
    }
    assertThat(runs.get(3).stdout()).contains("source-checked: check succeeded");

    for (String cache : List.of("a", "b")) {
      runs.add(
          ok(
              env,
              "write",
              "destination-token",
              "--from",
              dir.resolve(cache + ".duckdb").toString(),
              "--local-executable",
              local,
              "--config",
              config,
              "--config-updates-dir",
              fromOption.toString()));
    }

    assertThat(program.runs())
        .containsExactly(
            "read " + first,
            "read " + refreshed,
            "check " + first,
            "check " + refreshed,
            "write " + first,
            "write " + refreshed);
    // One runner per connector name: a command's update is what the next command for it uses.
    assertThat(files(fromEnv)).containsExactly("akb-source-token.json");
    assertThat(files(fromOption))
        .containsExactly("akb-destination-token.json", "akb-source-checked.json");
    for (Path updates : List.of(fromEnv, fromOption)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(updates)))
          .isEqualTo("rwx------");
      for (String file : files(updates)) {
        assertThat(
                PosixFilePermissions.toString(Files.getPosixFilePermissions(updates.resolve(file))))
            .isEqualTo("rw-------");
      }
    }
    assertThat(runs.get(0).stderr())
        .contains("stored the config update source-token sent (fields /access_token)");
    for (AkbCli.Run run : runs) {
      assertThat(run.output()).doesNotContain(refreshed);
    }
  }

  private AkbCli.Run ok(Map<String, String> env, String... args) throws Exception {
    AkbCli.Run run = AkbCli.run(dir, env, args);
    assertThat(run.exitCode()).as(run.output()).isZero();
    return run;
  }

  /** The update files in {@code dir} (beside them: the lock files the store takes). */
  private static List<String> files(Path dir) throws Exception {
    try (var entries = Files.list(dir)) {
      return entries
          .map(path -> path.getFileName().toString())
          .filter(name -> name.endsWith(".json"))
          .sorted()
          .toList();
    }
  }
}
