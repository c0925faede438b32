package io.akb.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A YAML manifest run by the real airbyte-source-declarative-manifest against a local API. */
class ManifestExecutorIT {
  private static final String TOKEN = "tok-9d8c7b6a5f";
  private static HttpServer api;
  private static String manifest;

  @BeforeAll
  static void startApi() throws Exception {
    api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.createContext(
        "/items",
        exchange -> {
          boolean authorized =
              ("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body =
              (authorized
                      ? "{\"data\":[{\"id\":1,\"name\":\"anvil\"},{\"id\":2,\"name\":\"rope\"}]}"
                      : "{\"error\":\"bad token\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(authorized ? 200 : 401, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    api.start();
    try (InputStream in =
        ManifestExecutorIT.class.getResourceAsStream(
            "/io/akb/runtime/testkit/items-manifest.yaml")) {
      manifest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @AfterAll
  static void stopApi() {
    api.stop(0);
  }

  private static ObjectNode config(String token) {
    return AirbyteJson.MAPPER
        .createObjectNode()
        .put("base_url", "http://127.0.0.1:" + api.getAddress().getPort())
        .put("api_key", token);
  }

  private static Source items(String token) {
    return Airbyte.getSource(
        "source-items", config(token), ConnectorOptions.defaults().withManifest(manifest));
  }

  @Test
  void readsTheRecordsTheManifestDescribes() {
    Source source = items(TOKEN);

    assertThat(source.spec().documentationUrl()).isEqualTo("https://example.invalid/items");
    source.check();
    assertThat(source.availableStreams()).containsExactly("items");
    try (Stream<JsonNode> records = source.getRecords("items")) {
      assertThat(records.map(r -> r.get("name").asText()).toList())
          .containsExactly("anvil", "rope");
    }
  }

  @Test
  void aRejectedTokenFailsTheCheckWithoutShowingIt() {
    Source source = items("tok-wrong-1234567");

    assertThatThrownBy(source::check)
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("source-items check failed")
        .hasMessageNotContaining("tok-wrong-1234567");
  }

  @Test
  void aManifestWithoutStreamsIsRefused() {
    assertThatThrownBy(
            () ->
                new ManifestExecutor(
                    "source-x", "version: 1\nspec: {}\n", ConnectorOptions.defaults()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("not a declarative manifest");
  }

  @Test
  void theManifestTravelsInTheConfig() {
    ManifestExecutor executor =
        new ManifestExecutor("source-items", manifest, ConnectorOptions.defaults());
    assertThat(executor.manifest().at("/streams/0/name").asText()).isEqualTo("items");
    assertThat(executor.describe())
        .contains("airbyte-source-declarative-manifest==" + ManifestExecutor.DECLARATIVE_VERSION);
  }
}
