package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.bridge.testing.AkbCli;
import io.akb.runtime.testkit.TokenRefreshingConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./akb sync NAME --destination DEST --config-updates-dir DIR} run twice with a program that
 * refreshes its token, as the source (run by the Connect task) and as the destination (run by the
 * destination target): the second sync's source and destination both start with the token the first
 * one's sent, kept in {@code DIR} ({@code connect-source-akb-sync-NAME.json}, {@code
 * akb-DEST.json}), and the token is in no output.
 */
class SyncConfigUpdatesIT {
  @TempDir Path dir;

  @Test
  void theSecondSyncsSourceAndDestinationStartWithTheTokensTheFirstStored() throws Exception {
    TokenRefreshingConnector program = TokenRefreshingConnector.create(dir);
    String refreshed = program.refreshedToken();
    Path updates = dir.resolve("updates");
    // The option wins over the variable, which keeps every run out of the real home.
    Path fromEnv = dir.resolve("env-updates");
    String config = program.config().toString();
    for (int sync = 1; sync <= 2; sync++) {
      AkbCli.Run run =
          AkbCli.run(
              dir,
              Map.of("AKB_CONFIG_UPDATES_DIR", fromEnv.toString()),
              "sync",
              "source-token",
              "--local-executable",
              program.program().toString(),
              "--config",
              config,
              "--destination",
              "destination-token",
              "--destination-local-executable",
              program.program().toString(),
              "--destination-config",
              config,
              "--config-updates-dir",
              updates.toString());
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output()).doesNotContain(refreshed);
    }

    List<String> runs = program.runs();
    String first = TokenRefreshingConnector.FIRST_TOKEN;
    assertThat(runs.stream().filter(line -> line.startsWith("read ")))
        .containsExactly("read " + first, "read " + refreshed);
    assertThat(runs.stream().filter(line -> line.startsWith("write ")))
        .containsExactly("write " + first, "write " + refreshed);
    try (var files = Files.list(updates)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .filteredOn(name -> name.endsWith(".json"))
          .containsExactlyInAnyOrder(
              "connect-source-akb-sync-source-token.json", "akb-destination-token.json");
    }
    assertThat(fromEnv).doesNotExist();
  }
}
