package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.testkit.FakeConnector;
import io.akb.runtime.testkit.InMemoryCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream selection, overrides, reads into a cache, documents and CONTROL config updates, against a
 * scripted connector whose catalog and records are known exactly.
 */
class SourceCatalogIT {
  @TempDir Path dir;
  private Source source;
  private Path lastCatalog;
  private Path lastState;

  @BeforeEach
  void connector() {
    lastCatalog = dir.resolve("catalog.json");
    lastState = dir.resolve("state.json");
    FakeConnector connector =
        FakeConnector.withSpec(
            dir,
            "source-shop",
            String.join(
                "\n",
                "if [ \"$1\" = discover ]; then echo '{\"type\":\"CATALOG\",\"catalog\":{\"streams\":["
                    + "{\"name\":\"orders\",\"json_schema\":{\"type\":\"object\"},\"supported_sync_modes\":"
                    + "[\"full_refresh\",\"incremental\"],\"source_defined_cursor\":true,"
                    + "\"default_cursor_field\":[\"updated\"],\"source_defined_primary_key\":[[\"id\"]]},"
                    + "{\"name\":\"notes\",\"json_schema\":{\"type\":\"object\"},\"supported_sync_modes\":"
                    + "[\"full_refresh\"]}]}}'; exit 0; fi",
                "prev=''; for arg in \"$@\"; do",
                "  [ \"$prev\" = --catalog ] && cp \"$arg\" " + lastCatalog,
                "  [ \"$prev\" = --state ] && cp \"$arg\" " + lastState,
                "  prev=$arg; done",
                "echo '{\"type\":\"CONTROL\",\"control\":{\"type\":\"CONNECTOR_CONFIG\",\"emitted_at\":1,"
                    + "\"connectorConfig\":{\"config\":{\"api_key\":\"refreshed-key-123\",\"count\":3}}}}'",
                "echo '" + FakeConnector.log("INFO", "now using refreshed-key-123") + "'",
                "for i in 1 2 3; do echo \"{\\\"type\\\":\\\"RECORD\\\",\\\"record\\\":{\\\"stream\\\":\\\"orders\\\","
                    + "\\\"data\\\":{\\\"id\\\":$i,\\\"title\\\":\\\"Order $i\\\",\\\"note\\\":\\\"n$i\\\"},"
                    + "\\\"emitted_at\\\":1700000000000}}\"; done",
                "echo '" + FakeConnector.state("orders", 3) + "'",
                "echo '{\"type\":\"RECORD\",\"record\":{\"stream\":\"notes\",\"data\":{\"text\":\"hi\"},"
                    + "\"emitted_at\":1}}'"));
    ObjectNode config =
        AirbyteJson.MAPPER.createObjectNode().put("api_key", "original-key-456").put("count", 3);
    source = Airbyte.getSource("source-shop", config, connector.options());
  }

  @Test
  void theConfiguredCatalogIsIncrementalWhereTheStreamAllowsIt() {
    ConfiguredAirbyteCatalog catalog = source.selectAllStreams().configuredCatalog();

    ConfiguredAirbyteStream orders = catalog.streams().get(0);
    assertThat(orders.syncMode()).isEqualTo(SyncMode.INCREMENTAL);
    assertThat(orders.cursorField()).containsExactly("updated");
    assertThat(orders.primaryKey()).containsExactly(List.of("id"));
    assertThat(orders.destinationSyncMode()).isEqualTo(DestinationSyncMode.APPEND_DEDUP);
    ConfiguredAirbyteStream notes = catalog.streams().get(1);
    assertThat(notes.syncMode()).isEqualTo(SyncMode.FULL_REFRESH);
    assertThat(notes.destinationSyncMode()).isEqualTo(DestinationSyncMode.OVERWRITE);
  }

  @Test
  void overridesChangeTheCatalogTheConnectorGets() throws Exception {
    JsonNode schema =
        AirbyteJson.parse("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}");
    source
        .selectStreams(List.of("orders"))
        .setCursorKey("orders", "created")
        .setPrimaryKey("orders", List.of("title"));
    source.setStreamJsonSchema("orders", schema);

    try (MessageStream messages = source.read()) {
      messages.forEachRemaining(m -> {});
    }

    JsonNode sent = AirbyteJson.parse(Files.readString(lastCatalog));
    assertThat(sent.get("streams")).hasSize(1);
    assertThat(sent.at("/streams/0/cursor_field/0").asText()).isEqualTo("created");
    assertThat(sent.at("/streams/0/primary_key/0/0").asText()).isEqualTo("title");
    assertThat(sent.at("/streams/0/stream/json_schema")).isEqualTo(schema);
    assertThat(source.streamJsonSchema("orders")).isEqualTo(schema);
  }

  @Test
  void selectingAnUnknownStreamListsTheAvailableOnes() {
    assertThatThrownBy(() -> source.selectStreams(List.of("ordres")))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("no stream named ordres")
        .hasMessageContaining("Available streams: orders, notes");
  }

  @Test
  void readIntoACacheCountsRecordsAndResumesFromItsState() throws Exception {
    InMemoryCache cache = new InMemoryCache();
    source.selectStreams(List.of("orders"));

    ReadResult first = source.read(cache);
    assertThat(first.recordsRead()).containsEntry("orders", 3L);
    assertThat(first.get("orders").count()).isEqualTo(3);
    try (Stream<JsonNode> rows = first.get("orders").records()) {
      assertThat(rows.map(r -> r.get("id").asInt())).containsExactly(1, 2, 3);
    }
    assertThat(Files.exists(lastState)).isFalse();

    source.read(cache);
    JsonNode resumedFrom = AirbyteJson.parse(Files.readString(lastState));
    assertThat(resumedFrom.at("/0/stream/stream_state/cursor").asInt()).isEqualTo(3);
  }

  @Test
  void controlMessagesPassTheNewConfigToTheCallbackAndNoLogShowsIt() {
    List<JsonNode> updates = new ArrayList<>();
    source.onConfigUpdate(updates::add).selectStreams(List.of("orders"));

    List<String> logLines = new ArrayList<>();
    try (MessageStream messages = source.read()) {
      messages.forEachRemaining(
          m -> {
            if (m.type() == io.akb.runtime.protocol.AirbyteMessage.Type.LOG) {
              logLines.add(m.log().message());
            }
          });
      assertThat(messages.logTail()).noneMatch(line -> line.contains("refreshed-key-123"));
    }

    assertThat(logLines).containsExactly("now using ****");
    assertThat(updates).hasSize(1);
    assertThat(updates.get(0).get("api_key").asText()).isEqualTo("refreshed-key-123");
  }

  @Test
  void documentsRenderEachRecord() {
    try (Stream<Document> documents =
        source.getDocuments("orders", 2, "title", List.of("note"), null)) {
      List<Document> list = documents.toList();
      assertThat(list).extracting(Document::id).containsExactly("1", "2");
      assertThat(list.get(0).content()).isEqualTo("---\nid: 1\n---\n# Order 1\n\nn1\n");
    }
  }
}
