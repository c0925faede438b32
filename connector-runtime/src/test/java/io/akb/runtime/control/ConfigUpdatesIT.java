package io.akb.runtime.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Destination;
import io.akb.runtime.MessageStream;
import io.akb.runtime.Source;
import io.akb.runtime.WriteResult;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.testkit.CapturedOutput;
import io.akb.runtime.testkit.TokenRefreshingConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API's runners with a real connector process that refreshes its token through a CONTROL
 * message: a {@link Source} read twice and a {@link Destination} written twice, each time by a new
 * object as a restarted program makes it, start their second run with the new token; the token
 * shows in no log line; an update that breaks the spec and a corrupt file are reported.
 */
class ConfigUpdatesIT {
  @TempDir Path tmp;

  private ConfigUpdates updates(String runner) {
    return ConfigUpdates.in(tmp.resolve("state").resolve("config-updates"), runner);
  }

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

  private static void assertPrivate(Path file) throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void aSourceReadTwiceStartsItsSecondReadWithTheRefreshedToken() throws Exception {
    TokenRefreshingConnector connector = TokenRefreshingConnector.create(tmp);
    String refreshed = connector.refreshedToken();
    ConnectorOptions options = connector.options().withConfigUpdates(updates("shop-reader"));
    List<JsonNode> heard = new ArrayList<>();
    List<String> logs = new ArrayList<>();

    try (CapturedOutput output = CapturedOutput.start()) {
      Source first =
          Airbyte.getSource("source-refreshing", connector.config(), options)
              .onConfigUpdate(heard::add);
      logs.addAll(logLines(first));
      Source restarted = Airbyte.getSource("source-refreshing", connector.config(), options);
      logs.addAll(logLines(restarted));

      assertThat(connector.runs())
          .containsExactly("read " + TokenRefreshingConnector.FIRST_TOKEN, "read " + refreshed);
      assertThat(heard)
          .as("the listener still hears the update")
          .singleElement()
          .satisfies(
              update -> assertThat(update.get("access_token").asText()).isEqualTo(refreshed));
      assertThat(logs)
          .contains("refreshed the access token: ****", "run 2 started with access token ****");
      assertThat(String.join("\n", logs)).doesNotContain(refreshed);
      assertThat(output.text())
          .contains("stored the config update source-refreshing sent (fields /access_token)")
          .contains("source-refreshing starts with its config update")
          .doesNotContain(refreshed);
      assertThat(first.config())
          .as("the source keeps the config it was given")
          .isEqualTo(connector.config());
    }
    Path file = updates("shop-reader").file();
    assertThat(Files.readString(file)).contains(refreshed);
    assertPrivate(file);
  }

  @Test
  void aDestinationWrittenTwiceStartsItsSecondWriteWithTheRefreshedToken() throws Exception {
    TokenRefreshingConnector connector = TokenRefreshingConnector.create(tmp);
    String refreshed = connector.refreshedToken();
    ConnectorOptions options = connector.options().withConfigUpdates(updates("lake-writer"));
    ConfiguredAirbyteCatalog catalog =
        AirbyteJson.MAPPER.readValue(
            "{\"streams\":[{\"stream\":{\"name\":\"runs\",\"json_schema\":{},"
                + "\"supported_sync_modes\":[\"full_refresh\"]},\"sync_mode\":\"full_refresh\","
                + "\"destination_sync_mode\":\"append\"}]}",
            ConfiguredAirbyteCatalog.class);

    try (CapturedOutput output = CapturedOutput.start()) {
      WriteResult first =
          Airbyte.getDestination("destination-refreshing", connector.config(), options)
              .write(catalog, messages(1).iterator());
      WriteResult second =
          Airbyte.getDestination("destination-refreshing", connector.config(), options)
              .write(catalog, messages(2).iterator());

      assertThat(connector.runs())
          .containsExactly("write " + TokenRefreshingConnector.FIRST_TOKEN, "write " + refreshed);
      assertThat(first.recordsConfirmed()).isEqualTo(1);
      assertThat(second.recordsConfirmed()).isEqualTo(1);
      assertThat(output.text())
          .contains("stored the config update destination-refreshing sent (fields /access_token)")
          .contains("run 2 started with access token ****")
          .doesNotContain(refreshed);
    }
    assertPrivate(updates("lake-writer").file());
  }

  /** One record of {@code runs} and a state after it. */
  private static List<AirbyteMessage> messages(int run) throws Exception {
    return List.of(
        AirbyteJson.MAPPER.readValue(
            "{\"type\":\"RECORD\",\"record\":{\"stream\":\"runs\",\"data\":{\"run\":"
                + run
                + "},\"emitted_at\":1700000000000}}",
            AirbyteMessage.class),
        AirbyteJson.MAPPER.readValue(
            "{\"type\":\"STATE\",\"state\":{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":"
                + "{\"name\":\"runs\"},\"stream_state\":{\"run\":"
                + run
                + "}}}}",
            AirbyteMessage.class));
  }

  @Test
  void anUpdateThatBreaksTheSpecIsReportedAndNotStored() throws Exception {
    TokenRefreshingConnector connector = TokenRefreshingConnector.create(tmp);
    ObjectNode config = connector.config().put("update", "invalid");
    ConnectorOptions options = connector.options().withConfigUpdates(updates("shop-invalid"));

    try (CapturedOutput output = CapturedOutput.start()) {
      logLines(Airbyte.getSource("source-refreshing", config, options));
      logLines(Airbyte.getSource("source-refreshing", config, options));

      assertThat(connector.runs())
          .containsExactly(
              "read " + TokenRefreshingConnector.FIRST_TOKEN,
              "read " + TokenRefreshingConnector.FIRST_TOKEN);
      assertThat(output.text())
          .contains(
              "source-refreshing sent a config update that does not match its spec"
                  + " ($.client_id: integer found, string expected); not stored")
          .doesNotContain(connector.refreshedToken());
    }
    assertThat(updates("shop-invalid").file()).doesNotExist();
  }

  @Test
  void aCorruptFileFailsTheNextReadBeforeTheConnectorRunsAndIsKept() throws Exception {
    TokenRefreshingConnector connector = TokenRefreshingConnector.create(tmp);
    ConnectorOptions options = connector.options().withConfigUpdates(updates("shop-corrupt"));
    logLines(Airbyte.getSource("source-refreshing", connector.config(), options));
    Path file = updates("shop-corrupt").file();
    String stored = Files.readString(file);
    String cut = stored.substring(0, stored.indexOf(connector.refreshedToken()) + 20);
    Files.writeString(file, cut);

    Source restarted = Airbyte.getSource("source-refreshing", connector.config(), options);
    assertThatThrownBy(restarted::read)
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("reading the stored config update " + file + " failed")
        .hasMessageContaining("it is not JSON at line")
        .hasMessageContaining("AKB neither ignores nor overwrites it: repair it, or move it away")
        .hasMessageNotContaining(connector.refreshedToken().substring(0, 20));
    assertThat(connector.runs()).as("the connector did not run again").hasSize(1);
    assertThat(Files.readString(file)).isEqualTo(cut);
  }
}
