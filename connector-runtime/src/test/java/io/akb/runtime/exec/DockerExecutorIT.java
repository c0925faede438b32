package io.akb.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteConnectionStatus;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteMessageReader;
import io.akb.runtime.testkit.TestConnectorImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs real containers on the local Docker engine, from {@link TestConnectorImage}: built here,
 * since no image can be pulled.
 */
class DockerExecutorIT {
  static final String CONNECTOR_IMAGE = TestConnectorImage.NAME;

  @BeforeAll
  static void buildConnectorImage() throws Exception {
    TestConnectorImage.build();
  }

  private static DockerClient dockerClient() {
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    return DockerClientImpl.getInstance(
        config, new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
  }

  private static List<AirbyteMessage> messagesOf(ConnectorProcess process) throws IOException {
    List<AirbyteMessage> messages = new ArrayList<>();
    try (AirbyteMessageReader reader = new AirbyteMessageReader(process.stdout())) {
      for (AirbyteMessage m = reader.next(); m != null; m = reader.next()) {
        messages.add(m);
      }
    }
    return messages;
  }

  private final DockerExecutor executor = new DockerExecutor(CONNECTOR_IMAGE, DockerNetwork.HOST);

  @Test
  void specPrintsTheConnectorSpecificationAndExitsZero() throws IOException {
    try (ConnectorProcess process = executor.start(ConnectorInvocation.of("spec"))) {
      List<AirbyteMessage> messages = messagesOf(process);

      assertThat(messages)
          .extracting(AirbyteMessage::type)
          .containsExactly(AirbyteMessage.Type.SPEC);
      assertThat(messages.get(0).spec().toString()).contains("greeting");
      assertThat(process.waitFor(Duration.ofSeconds(30))).contains(0);
    }
  }

  @Test
  void checkReadsItsConfigFromAPrivateReadOnlyMountAndCannotChangeIt() throws IOException {
    var check =
        new ConnectorInvocation(
            "check", Map.of("--config", "{\"greeting\":\"hello\"}"), List.of(), false);
    try (ConnectorProcess process = executor.start(check)) {
      List<AirbyteMessage> messages = messagesOf(process);

      AirbyteConnectionStatus status = messages.get(0).connectionStatus();
      assertThat(status.status()).isEqualTo(AirbyteConnectionStatus.Status.SUCCEEDED);
      assertThat(status.message())
          .contains("config={\"greeting\":\"hello\"}")
          .contains("writable=no")
          .contains("modes=700 600");
      assertThat(process.waitFor(Duration.ofSeconds(30))).contains(0);
      assertThat(process.stderrTail())
          .containsExactly(
              "checking " + DockerExecutor.MOUNT_POINT + "/config.json",
              "/connector.sh: line 26: can't create /airbyte/akb/config.json: Read-only file"
                  + " system");
    }
  }

  @Test
  void noNetworkLeavesTheContainerOnlyLoopback() throws IOException {
    var check = new ConnectorInvocation("check", Map.of("--config", "{}"), List.of(), false);
    DockerExecutor isolated = new DockerExecutor(CONNECTOR_IMAGE, DockerNetwork.NONE);
    try (ConnectorProcess process = isolated.start(check)) {
      assertThat(messagesOf(process).get(0).connectionStatus().message()).endsWith("networks=lo ");
    }
  }

  @Test
  void readStreamsRecordsAndStateFromTheMountedCatalog() throws IOException {
    var read =
        new ConnectorInvocation(
            "read", Map.of("--config", "{}", "--catalog", "{\"streams\":[]}"), List.of(), false);
    try (ConnectorProcess process = executor.start(read)) {
      List<AirbyteMessage> messages = messagesOf(process);

      assertThat(messages.get(0).log().message()).isEqualTo("catalog={\"streams\":[]}");
      assertThat(messages.stream().filter(m -> m.type() == AirbyteMessage.Type.RECORD))
          .extracting(m -> m.record().data().get("text").asText())
          .containsExactly("hello 1", "hello 2", "hello 3");
      assertThat(messages.get(4).state().stream().streamState().get("last_id").asInt())
          .isEqualTo(3);
      assertThat(process.waitFor(Duration.ofSeconds(30))).contains(0);
    }
  }

  @Test
  void writeTakesRecordsOnStdinAndEchoesTheStatesItCommitted() throws IOException {
    var write =
        new ConnectorInvocation(
            "write", Map.of("--config", "{}", "--catalog", "{\"streams\":[]}"), List.of(), true);
    try (ConnectorProcess process = executor.start(write)) {
      String state =
          "{\"type\":\"STATE\",\"state\":{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"greetings\"},\"stream_state\":{\"last_id\":2}}}}";
      try (OutputStream stdin = process.stdin()) {
        for (int i = 1; i <= 2; i++) {
          stdin.write(
              ("{\"type\":\"RECORD\",\"record\":{\"stream\":\"greetings\",\"data\":{\"id\":"
                      + i
                      + "},\"emitted_at\":1}}\n")
                  .getBytes(StandardCharsets.UTF_8));
        }
        stdin.write((state + "\n").getBytes(StandardCharsets.UTF_8));
      }
      List<AirbyteMessage> messages = messagesOf(process);

      assertThat(messages)
          .extracting(AirbyteMessage::type)
          .containsExactly(AirbyteMessage.Type.STATE, AirbyteMessage.Type.LOG);
      assertThat(messages.get(0).state().stream().streamState().get("last_id").asInt())
          .isEqualTo(2);
      assertThat(messages.get(1).log().message()).isEqualTo("wrote 2 records");
      assertThat(process.waitFor(Duration.ofSeconds(30))).contains(0);
    }
  }

  @Test
  void theJavaApiRunsASourceFromADockerImage() {
    Source source =
        Airbyte.getSource(
            "source-greetings",
            "{\"greeting\": \"hello\"}",
            ConnectorOptions.defaults().withDockerImage(CONNECTOR_IMAGE));

    assertThat(source.executor().describe())
        .isEqualTo("Docker image " + CONNECTOR_IMAGE + " (network host)");
    source.check();
    assertThat(source.availableStreams()).containsExactly("greetings");
    try (Stream<JsonNode> records = source.getRecords("greetings", 2)) {
      assertThat(records.map(record -> record.get("text").asText()))
          .containsExactly("hello 1", "hello 2");
    }
  }

  @Test
  void theJavaApiChecksTheConfigAgainstTheImagesSpec() {
    assertThatThrownBy(
            () ->
                Airbyte.getSource(
                    "source-greetings",
                    "{\"greeting\": 42}",
                    ConnectorOptions.defaults().withDockerImage(CONNECTOR_IMAGE)))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("greeting");
  }

  @Test
  void aFailingCommandGivesItsExitCodeAndStderrTail() throws IOException {
    try (ConnectorProcess process = executor.start(ConnectorInvocation.of("explode"))) {
      assertThat(messagesOf(process)).isEmpty();
      assertThat(process.waitFor(Duration.ofSeconds(30))).contains(3);
      assertThat(process.stderrTail())
          .containsExactly("unknown command explode", "second stderr line");
    }
  }

  @Test
  void closingEarlyKillsAndRemovesTheContainer() throws IOException {
    var slowRead =
        new ConnectorInvocation(
            "read", Map.of("--config", "{\"mode\":\"slow\"}", "--catalog", "{}"), List.of(), false);
    List<String> before = connectorContainerIds();
    ConnectorProcess process = executor.start(slowRead);
    AirbyteMessageReader reader = new AirbyteMessageReader(process.stdout());
    assertThat(reader.next().type()).isEqualTo(AirbyteMessage.Type.LOG);
    assertThat(reader.next().record().data().get("id").asInt()).isEqualTo(1);
    assertThat(process.isAlive()).isTrue();

    process.close();

    assertThat(process.isAlive()).isFalse();
    assertThat(connectorContainerIds()).isEqualTo(before);
  }

  private static List<String> connectorContainerIds() {
    return dockerClient()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of("io.akb.connector", CONNECTOR_IMAGE))
        .exec()
        .stream()
        .map(container -> container.getId())
        .sorted()
        .toList();
  }

  @Test
  void aMissingImageIsNeverPulledButExplained() {
    DockerExecutor missing = new DockerExecutor("akb-test-absent:0", DockerNetwork.HOST);

    assertThatThrownBy(missing::install)
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("akb-test-absent:0")
        .hasMessageContaining("not on the local Docker engine")
        .hasMessageContaining("never pulls")
        .hasMessageContaining("docker build");
  }

  @Test
  void onlyHostOrNoNetworkIsAccepted() {
    assertThat(DockerNetwork.fromOption("NONE")).isEqualTo(DockerNetwork.NONE);
    assertThatThrownBy(() -> DockerNetwork.fromOption("bridge"))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("'bridge'")
        .hasMessageContaining("'host' (the default) or 'none'");
  }
}
