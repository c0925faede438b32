package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.runtime.protocol.AirbyteConnectionStatus;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.AirbyteTraceMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.testkit.Faker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real source-faker from PyPI through the Java API, as a PyAirbyte user would use it. */
class SourceFakerIT {
  private static Source faker;

  @BeforeAll
  static void installFaker() {
    faker = Faker.source(100); // installs the pinned venv on first use, then runs spec
  }

  @Test
  void specDescribesTheConfig() {
    JsonNode properties = faker.configSpec().path("properties");
    assertThat(properties.path("count").path("type").asText()).isEqualTo("integer");
    assertThat(faker.spec().documentationUrl()).contains("faker");
  }

  @Test
  void checkPassesWithAGoodConfig() {
    assertThat(faker.checkStatus().status()).isEqualTo(AirbyteConnectionStatus.Status.SUCCEEDED);
    faker.check();
  }

  @Test
  void checkFailsWithAConfigTheConnectorRejects() {
    // {} matches the spec (nothing is required), but faker's check wants a count.
    Source withoutCount =
        Airbyte.getSource(Faker.NAME, AirbyteJson.MAPPER.createObjectNode(), Faker.options());
    assertThat(withoutCount.checkStatus().status())
        .isEqualTo(AirbyteConnectionStatus.Status.FAILED);
    assertThatThrownBy(withoutCount::check)
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("source-faker check failed")
        .hasMessageContaining("'count'"); // faker's KeyError, from the connector's last lines
  }

  @Test
  void configFailingTheSpecNamesTheField() {
    assertThatThrownBy(
            () -> Airbyte.getSource(Faker.NAME, "{\"count\": \"many\"}", Faker.options()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("$.count")
        .hasMessageContaining("integer");
  }

  @Test
  void discoverListsUsersProductsPurchases() {
    assertThat(faker.availableStreams()).containsExactlyInAnyOrderElementsOf(Faker.STREAMS);
    AirbyteStream users =
        faker.discoveredCatalog().streams().stream()
            .filter(s -> s.name().equals("users"))
            .findFirst()
            .orElseThrow();
    assertThat(users.supportedSyncModes()).contains(SyncMode.INCREMENTAL);
    assertThat(users.sourceDefinedPrimaryKey()).containsExactly(List.of("id"));
    assertThat(faker.streamJsonSchema("users").path("properties").has("email")).isTrue();
  }

  @Test
  void getRecordsStopsAtTheLimit() {
    // A million users would take minutes: the read only returns because the connector is stopped.
    Source manyUsers = Airbyte.getSource(Faker.NAME, Faker.config(1_000_000), Faker.options());
    try (Stream<JsonNode> users = manyUsers.getRecords("users", 5)) {
      List<JsonNode> records = users.toList();
      assertThat(records).hasSize(5);
      assertThat(records).allSatisfy(user -> assertThat(user.has("email")).isTrue());
    }
  }

  @Test
  void fullReadCountsEveryRecordAndAStatePerStream() {
    ConfiguredAirbyteCatalog catalog = faker.configuredCatalog(Faker.STREAMS, false);
    Map<String, Integer> records = new TreeMap<>();
    Map<String, Integer> states = new TreeMap<>();
    int streamStatuses = 0;
    try (MessageStream messages = faker.read(catalog, null)) {
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        switch (message.type()) {
          case RECORD -> records.merge(message.record().stream(), 1, Integer::sum);
          case STATE ->
              states.merge(message.state().stream().streamDescriptor().name(), 1, Integer::sum);
          case TRACE -> {
            if (message.trace().type() == AirbyteTraceMessage.TraceType.STREAM_STATUS) {
              streamStatuses++;
            }
          }
          default -> {}
        }
      }
    }
    assertThat(records)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("users", 100, "products", 100, "purchases", 100));
    assertThat(states.keySet()).containsExactlyInAnyOrderElementsOf(Faker.STREAMS);
    assertThat(streamStatuses).isGreaterThanOrEqualTo(6); // started and complete, per stream
  }

  @Test
  void incrementalReadFromTheFinalStateReturnsNothingNew() {
    ConfiguredAirbyteCatalog catalog = faker.configuredCatalog(Faker.STREAMS, false);
    assertThat(catalog.streams())
        .extracting(ConfiguredAirbyteStream::syncMode)
        .containsOnly(SyncMode.INCREMENTAL);

    Map<String, JsonNode> lastState = new LinkedHashMap<>();
    int firstRecords = 0;
    try (MessageStream messages = faker.read(catalog, null)) {
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        if (message.type() == AirbyteMessage.Type.RECORD) {
          firstRecords++;
        } else if (message.type() == AirbyteMessage.Type.STATE) {
          lastState.put(
              message.state().stream().streamDescriptor().name(),
              AirbyteJson.MAPPER.valueToTree(message));
        }
      }
    }
    assertThat(firstRecords).isEqualTo(300);

    ArrayNode state = AirbyteJson.MAPPER.createArrayNode().addAll(lastState.values());
    int secondRecords = 0;
    try (MessageStream messages = faker.read(catalog, state)) {
      while (messages.hasNext()) {
        if (messages.next().type() == AirbyteMessage.Type.RECORD) {
          secondRecords++;
        }
      }
    }
    assertThat(secondRecords).isZero();
  }
}
