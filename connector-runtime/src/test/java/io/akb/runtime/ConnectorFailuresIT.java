package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.secret.SecretResolver;
import io.akb.runtime.testkit.FakeConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connectors that misbehave, played by small bash programs: each failure must end in one clear
 * {@link AkbException} with the connector's last lines, and the config's secret never shows.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class ConnectorFailuresIT {
  private static final String SECRET = "sk-live-7f3a9c1e5b2d";

  @TempDir Path dir;

  private static ObjectNode config() {
    ObjectNode config = AirbyteJson.MAPPER.createObjectNode();
    config.put("api_key", SECRET);
    config.put("count", 3);
    return config;
  }

  private Source source(FakeConnector connector) {
    return source(connector, connector.options());
  }

  private Source source(FakeConnector connector, ConnectorOptions options) {
    Source source = Airbyte.getSource("source-fake", config(), options);
    return source.selectStreams(List.of("users"));
  }

  /** Every fake answers discover with one stream, users; {@code read} runs {@code body}. */
  private FakeConnector connector(String readBody) {
    return FakeConnector.withSpec(
        dir,
        "source-fake",
        "if [ \"$1\" = discover ]; then echo '{\"type\":\"CATALOG\",\"catalog\":{\"streams\":[{\"name\":"
            + "\"users\",\"json_schema\":{},\"supported_sync_modes\":[\"full_refresh\"]}]}}'; exit 0; fi\n"
            + readBody);
  }

  private static List<AirbyteMessage> drain(MessageStream messages, List<AirbyteMessage> into) {
    while (messages.hasNext()) {
      into.add(messages.next());
    }
    return into;
  }

  @Test
  void exitCodeOneMidStreamFailsAfterTheRecordsWithTheLastLinesMasked() {
    FakeConnector connector =
        connector(
            "echo '"
                + FakeConnector.record("users", 1)
                + "'\n"
                + "echo '"
                + FakeConnector.record("users", 2)
                + "'\n"
                + "echo \"{\\\"type\\\":\\\"LOG\\\",\\\"log\\\":{\\\"level\\\":\\\"ERROR\\\","
                + "\\\"message\\\":\\\"calling the API with key $(grep -o 'sk-live-[a-z0-9]*' $CONFIG)\\\"}}\"\n"
                + "echo \"Traceback: bad key $(grep -o 'sk-live-[a-z0-9]*' $CONFIG)\" >&2\n"
                + "exit 1");
    List<AirbyteMessage> received = new ArrayList<>();
    try (MessageStream messages = source(connector).read()) {
      assertThatThrownBy(() -> drain(messages, received))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("source-fake read failed: the connector exited with code 1")
          .hasMessageContaining("calling the API with key ****")
          .hasMessageContaining("stderr: Traceback: bad key ****")
          .hasMessageNotContaining(SECRET)
          .satisfies(
              e -> assertThat(((AkbException) e).logTail()).noneMatch(l -> l.contains(SECRET)));
    }
    assertThat(received).filteredOn(m -> m.type() == AirbyteMessage.Type.RECORD).hasSize(2);
    assertThat(received)
        .filteredOn(m -> m.type() == AirbyteMessage.Type.LOG)
        .allSatisfy(m -> assertThat(m.log().message()).doesNotContain(SECRET));
  }

  @Test
  void traceErrorFailsTheReadEvenWithExitCodeZero() {
    FakeConnector connector =
        connector(
            "echo '"
                + FakeConnector.record("users", 1)
                + "'\n"
                + "echo \"{\\\"type\\\":\\\"TRACE\\\",\\\"trace\\\":{\\\"type\\\":\\\"ERROR\\\",\\\"emitted_at\\\":1,"
                + "\\\"error\\\":{\\\"message\\\":\\\"Invalid API key $(grep -o 'sk-live-[a-z0-9]*' $CONFIG)\\\","
                + "\\\"failure_type\\\":\\\"config_error\\\"}}}\"\n"
                + "exit 0");
    try (MessageStream messages = source(connector).read()) {
      assertThatThrownBy(() -> drain(messages, new ArrayList<>()))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining(
              "the connector reported an error (config_error): Invalid API key ****")
          .hasMessageContaining("Check the config")
          .hasMessageNotContaining(SECRET);
    }
  }

  @Test
  void garbageLinesAreLogLinesAndAHundredMegabyteLineFailsClearly() {
    FakeConnector connector =
        connector(
            "echo 'Starting the connector...'\n"
                + "echo '{not json at all'\n"
                + "printf '\\x00\\x01 binary \\xff\\n'\n"
                + "echo '"
                + FakeConnector.record("users", 1)
                + "'\n"
                + "head -c 104857600 /dev/zero | tr '\\0' 'x'; echo\n"
                + "echo '"
                + FakeConnector.record("users", 2)
                + "'\n");
    List<AirbyteMessage> received = new ArrayList<>();
    try (MessageStream messages = source(connector).read()) {
      assertThatThrownBy(() -> drain(messages, received))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("line 5 is")
          .hasMessageContaining("over the limit of " + (64 * 1024 * 1024) + " bytes");
    }
    assertThat(received)
        .filteredOn(m -> m.type() == AirbyteMessage.Type.LOG)
        .extracting(m -> m.log().message())
        .contains("Starting the connector...", "{not json at all");
    assertThat(received).filteredOn(m -> m.type() == AirbyteMessage.Type.RECORD).hasSize(1);
  }

  @Test
  void aRecordCutOffMidLineFailsTheReadEvenWithExitCodeZero() {
    FakeConnector connector =
        connector(
            "echo '"
                + FakeConnector.record("users", 1)
                + "'\n"
                + "echo '{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"data\":{\"id\":2'\n"
                + "echo '"
                + FakeConnector.state("users", 2)
                + "'\n"
                + "exit 0");
    List<AirbyteMessage> received = new ArrayList<>();
    try (MessageStream messages = source(connector).read()) {
      assertThatThrownBy(() -> drain(messages, received))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining(
              "source-fake read failed: line 2 starts like a protocol message but is not valid"
                  + " JSON")
          .hasMessageContaining("connector bug");
    }
    assertThat(received).filteredOn(m -> m.type() == AirbyteMessage.Type.RECORD).hasSize(1);
    assertThat(received).noneMatch(m -> m.type() == AirbyteMessage.Type.STATE);
  }

  @Test
  void aHungConnectorIsKilledAfterTheIdleTimeoutWithItsChildren() throws Exception {
    Path pids = dir.resolve("pids");
    FakeConnector connector =
        connector(
            "echo '"
                + FakeConnector.record("users", 1)
                + "'\n"
                + "sleep 600 &\n"
                + "echo \"$$ $!\" > "
                + pids
                + "\n"
                + "wait");
    Source source = source(connector, connector.options().withIdleTimeout(Duration.ofSeconds(2)));
    List<AirbyteMessage> received = new ArrayList<>();
    try (MessageStream messages = source.read()) {
      assertThatThrownBy(() -> drain(messages, received))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("the connector printed nothing for 2.0 s (the idle timeout)")
          .hasMessageContaining("raise the idle timeout: --idle-timeout of akb read and akb sync")
          .hasMessageContaining("airbyte.idle.timeout.ms of the Kafka Connect connector")
          .hasMessageContaining("ConnectorOptions.withIdleTimeout");
    }
    assertThat(received).filteredOn(m -> m.type() == AirbyteMessage.Type.RECORD).hasSize(1);
    for (String pid : Files.readString(pids).trim().split(" ")) {
      ProcessHandle.of(Long.parseLong(pid))
          .ifPresent(
              process -> {
                try {
                  process.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                  throw new AssertionError("process " + pid + " still runs", e);
                }
              });
    }
  }

  @Test
  void whatASilentConnectorSentIsReadyAndThenItsSilenceIsNot() throws Exception {
    FakeConnector connector =
        connector(
            "echo '"
                + FakeConnector.record("users", 1)
                + "'\n"
                + "echo '"
                + FakeConnector.state("users", 1)
                + "'\n"
                + "exec sleep 600");
    try (MessageStream messages = source(connector).read()) {
      assertThat(messages.hasNext()).isTrue();
      assertThat(messages.next().type()).isEqualTo(AirbyteMessage.Type.RECORD);
      assertThat(messages.hasNext()).isTrue();
      assertThat(messages.next().type()).isEqualTo(AirbyteMessage.Type.STATE);
      // The connector sleeps: a batching reader must hand over the two messages now, not wait.
      assertThat(messages.ready()).isFalse();
    }
  }

  @Test
  void closingEarlyStopsAnEndlessConnectorAndRemovesItsPrivateFiles() throws Exception {
    Path seen = dir.resolve("seen");
    FakeConnector connector =
        connector(
            "echo \"$$ $(stat -c %a $(dirname $CONFIG)) $(stat -c %a $CONFIG) $CONFIG\" > "
                + seen
                + "\n"
                + "i=0; while true; do i=$((i+1)); echo \"{\\\"type\\\":\\\"RECORD\\\",\\\"record\\\":"
                + "{\\\"stream\\\":\\\"users\\\",\\\"data\\\":{\\\"id\\\":$i},\\\"emitted_at\\\":1}}\"; done");
    Source source = source(connector);
    try (Stream<JsonNode> users = source.getRecords("users", 3)) {
      assertThat(users.map(u -> u.get("id").asInt()).toList()).containsExactly(1, 2, 3);
    }
    String[] facts = Files.readString(seen).trim().split(" ");
    ProcessHandle.of(Long.parseLong(facts[0]))
        .ifPresent(
            process -> {
              try {
                process.onExit().get(30, TimeUnit.SECONDS);
              } catch (Exception e) {
                throw new AssertionError("the connector still runs after the stream was closed", e);
              }
            });
    assertThat(facts[1]).as("private dir mode").isEqualTo("700");
    assertThat(facts[2]).as("config file mode").isEqualTo("600");
    assertThat(Path.of(facts[3])).doesNotExist();
    assertThat(Path.of(facts[3]).getParent()).doesNotExist();
  }

  @Test
  void configFailingTheSpecNamesTheFieldAndHidesTheSecret() {
    FakeConnector connector = connector("exit 0");
    ObjectNode bad = config();
    bad.put("count", "three");
    assertThatThrownBy(() -> Airbyte.getSource("source-fake", bad, connector.options()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("$.count: string found, integer expected")
        .hasMessageNotContaining(SECRET);
    ObjectNode missing = config();
    missing.remove("api_key");
    assertThatThrownBy(() -> Airbyte.getSource("source-fake", missing, connector.options()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("api_key");
  }

  @Test
  void printableConfigMasksTheSecret() {
    Source source = source(connector("exit 0"));
    assertThat(source.printableConfig().toString())
        .doesNotContain(SECRET)
        .contains("\"api_key\":\"****\"");
    assertThat(source.printableConfig().get("count").asInt()).isEqualTo(3);
  }

  @Test
  void secretReferencesAreResolvedOnlyForTheConnectorAndMaskedEverywhere() {
    FakeConnector connector =
        connector(
            "echo \"{\\\"type\\\":\\\"LOG\\\",\\\"log\\\":{\\\"level\\\":\\\"INFO\\\","
                + "\\\"message\\\":\\\"config: $(tr -d '\\n\\\"' < $CONFIG)\\\"}}\"\n"
                + "echo '"
                + FakeConnector.record("users", 1)
                + "'");
    ObjectNode config = config();
    config.put("api_key", "secret://SHOP_API_KEY");
    SecretResolver vault = new SecretResolver(Map.of("SHOP_API_KEY", SECRET)::get, null, null);
    Source source =
        new Source(
            "source-fake",
            Airbyte.executorFor("source-fake", connector.options()),
            connector.options(),
            vault,
            config);

    List<String> logs = new ArrayList<>();
    try (MessageStream messages = source.selectStreams(List.of("users")).read()) {
      messages.forEachRemaining(
          m -> {
            if (m.type() == AirbyteMessage.Type.LOG) {
              logs.add(m.log().message());
            }
          });
    }

    assertThat(logs).singleElement().asString().contains("api_key:****").doesNotContain(SECRET);
    assertThat(source.printableConfig().get("api_key").asText()).isEqualTo("secret://SHOP_API_KEY");
    assertThat(source.config().get("api_key").asText()).isEqualTo("secret://SHOP_API_KEY");
  }

  @Test
  void samplesTakeAFewRecordsOfEachStream() {
    FakeConnector connector =
        connector(
            "for i in 1 2 3 4 5 6 7 8 9; do echo \"{\\\"type\\\":\\\"RECORD\\\",\\\"record\\\":"
                + "{\\\"stream\\\":\\\"users\\\",\\\"data\\\":{\\\"id\\\":$i},\\\"emitted_at\\\":1}}\"; done");

    Map<String, List<JsonNode>> samples =
        source(connector).getSamples(null, 2, Source.OnError.RAISE);

    assertThat(samples).containsOnlyKeys("users");
    assertThat(samples.get("users")).extracting(n -> n.get("id").asInt()).containsExactly(1, 2);
  }

  @Test
  void aCheckThatCrashesIsAFailedStatusForCallersThatShowIt() {
    FakeConnector connector =
        connector(
            "echo \"Traceback: KeyError with $(grep -o 'sk-live-[a-z0-9]*' $CONFIG)\" >&2\nexit 1");

    io.akb.runtime.protocol.AirbyteConnectionStatus status = source(connector).checkStatus();

    assertThat(status.status())
        .isEqualTo(io.akb.runtime.protocol.AirbyteConnectionStatus.Status.FAILED);
    assertThat(status.message()).isEqualTo("the connector exited with code 1");
    assertThatThrownBy(() -> source(connector).check())
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("source-fake check failed: the connector exited with code 1")
        .hasMessageContaining("stderr: Traceback: KeyError with ****")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void aMissingProgramIsAClearError() {
    ConnectorOptions options =
        ConnectorOptions.defaults().withLocalExecutable(dir.resolve("nope").toString());
    assertThatThrownBy(() -> Airbyte.getSource("source-fake", config(), options))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("does not exist or is not executable");
  }

  @Test
  void sourcesOfOneJvmAskTheConnectorOnceForTheSameCatalogAndCheck() throws Exception {
    // Each start of the connector appends its command: Connect's validate, the connector's start
    // and its task each build their own Source, and each Python start costs seconds.
    Path starts = dir.resolve("starts.log");
    FakeConnector connector =
        FakeConnector.withSpec(
            dir,
            "source-fake",
            "echo \"$1\" >> '"
                + starts
                + "'\n"
                + "if [ \"$1\" = check ]; then echo '{\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":"
                + "{\"status\":\"SUCCEEDED\"}}'; exit 0; fi\n"
                + "echo '{\"type\":\"CATALOG\",\"catalog\":{\"streams\":[{\"name\":"
                + "\"users\",\"json_schema\":{},\"supported_sync_modes\":[\"full_refresh\"]}]}}'");
    for (int i = 0; i < 3; i++) {
      Source source = Airbyte.getSource("source-fake", config(), connector.options());
      source.check();
      assertThat(source.availableStreams()).containsExactly("users");
    }
    assertThat(Files.readAllLines(starts)).containsExactly("check", "discover");

    ObjectNode other = config();
    other.put("count", 4);
    Airbyte.getSource("source-fake", other, connector.options()).availableStreams();
    assertThat(Files.readAllLines(starts)).containsExactly("check", "discover", "discover");
  }
}
