package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.control.ConfigUpdates;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.testkit.CapturedOutput;
import io.akb.runtime.testkit.ReadmeBlock;
import io.akb.runtime.testkit.TokenRefreshingConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's config-updates example runs as written: the lines between the markers below are the
 * README's code block (the test fails when the two differ). Its {@code ./source-shop} is a
 * connector program that refreshes its OAuth token on its first run and sends the new config in a
 * CONTROL message ({@link TokenRefreshingConnector}, copied into the module's folder, where the
 * test runs, and removed after); {@code config} is that program's. The block runs twice, each time
 * making a new {@code Source}, as two runs of a reader's program do: the second starts with the
 * token the first run's connector sent, and the token shows in no log line.
 *
 * <p>{@code ConfigUpdates.inDefaultDirectory} reads {@code $AKB_CONFIG_UPDATES_DIR}, which the
 * module's failsafe configuration points at {@code target/config-updates}: the test keeps its
 * updates out of the user's {@code ~/.local/state}.
 */
class ReadmeConfigUpdatesExampleIT {
  private static final Path PROGRAM = Path.of("source-shop");

  @TempDir Path dir;

  @Test
  void theReadmesConfigUpdatesExampleStartsTheNextRunWithTheUpdate() throws Exception {
    String fromEnv = System.getenv(ConfigUpdates.DIRECTORY_ENV);
    assertThat(fromEnv)
        .as(
            "AKB_CONFIG_UPDATES_DIR (set by connector-runtime's failsafe configuration; without"
                + " it this test would write into ~/.local/state)")
        .isNotBlank()
        .startsWith(Path.of("target").toAbsolutePath().toString());
    Path file = Path.of(fromEnv).resolve("shop-eu.json");
    Files.deleteIfExists(file); // a previous run's update would make the first run the second

    TokenRefreshingConnector connector = TokenRefreshingConnector.create(dir);
    String refreshed = connector.refreshedToken();
    JsonNode config = connector.config();
    List<String> logs = new ArrayList<>();
    String printed;
    Files.copy(connector.program(), PROGRAM, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(PROGRAM, PosixFilePermissions.fromString("rwx------"));
    try (CapturedOutput output = CapturedOutput.start()) {
      logs.addAll(logLines(shop(config))); // the first run: the connector refreshes its token
      logs.addAll(logLines(shop(config))); // the next run, from a new Source
      printed = output.text();
    } finally {
      Files.deleteIfExists(PROGRAM);
    }

    assertThat(connector.runs())
        .as("the token each run of the connector was started with")
        .containsExactly("read " + TokenRefreshingConnector.FIRST_TOKEN, "read " + refreshed);
    assertThat(logs)
        .contains("refreshed the access token: ****", "run 2 started with access token ****");
    assertThat(String.join("\n", logs)).doesNotContain(refreshed);
    assertThat(printed)
        .contains("shop-eu: stored the config update source-shop sent (fields /access_token) in")
        .contains("shop-eu: source-shop starts with its config update")
        .doesNotContain(refreshed);
    // Where the block's comment says, private: the one place the new token is kept.
    assertThat(Files.readString(file)).contains(refreshed);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    ReadmeBlock.assertInReadme(ReadmeConfigUpdatesExampleIT.class);
  }

  /** The README's block, as a reader's program runs it each time it starts. */
  private static Source shop(JsonNode config) {
    // spotless:off
    // README:begin
    ConnectorOptions options = ConnectorOptions.defaults()
        .withLocalExecutable("./source-shop")                            // your connector program
        .withConfigUpdates(ConfigUpdates.inDefaultDirectory("shop-eu")); // .../config-updates/shop-eu.json
    Source shop = Airbyte.getSource("source-shop", config, options);    // each run starts with the update
    // README:end
    // spotless:on
    return shop;
  }

  /** Reads the source to its end; the messages of its LOG lines, as AKB passed them on. */
  private static List<String> logLines(Source source) {
    List<String> logs = new ArrayList<>();
    try (MessageStream messages = source.read()) {
      messages.forEachRemaining(
          message -> {
            if (message.type() == AirbyteMessage.Type.LOG) {
              logs.add(message.log().message());
            }
          });
    }
    return logs;
  }
}
