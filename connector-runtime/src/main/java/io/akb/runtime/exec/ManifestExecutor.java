package io.akb.runtime.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.ConnectorSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a declarative (low-code) connector from its YAML manifest through the {@code
 * airbyte-source-declarative-manifest} package, installed in a venv like any PyPI connector.
 *
 * <p>The manifest travels inside the config as {@code __injected_declarative_manifest}, the way
 * every version of that package accepts it. {@code spec} is answered from the manifest's own {@code
 * spec} section, because the package's {@code spec} only knows its generic spec.
 */
public final class ManifestExecutor implements ConnectorExecutor {
  /** The config key the declarative source reads its manifest from. */
  public static final String INJECTED_MANIFEST_KEY = "__injected_declarative_manifest";

  /** The PyPI package that runs manifests. */
  public static final String DECLARATIVE_PACKAGE = "airbyte-source-declarative-manifest";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String connectorName;
  private final JsonNode manifest;
  private final VenvExecutor runtime;

  /**
   * @param connectorName the connector's name, for messages
   * @param manifest a file path, an http(s) URL, or the YAML text itself
   * @param options {@code version} pins the declarative package (else latest), {@code pipUrl}
   *     replaces it
   */
  public ManifestExecutor(String connectorName, String manifest, ConnectorOptions options) {
    this.connectorName = connectorName;
    this.manifest = load(connectorName, manifest);
    this.runtime =
        new VenvExecutor(
            DECLARATIVE_PACKAGE,
            options.version(),
            options.pipUrl(),
            "source-declarative-manifest",
            options.installDir(),
            options.python(),
            options.installTimeout(),
            options.environment(),
            options.logTailLines());
  }

  /** The manifest, parsed. */
  public JsonNode manifest() {
    return manifest.deepCopy();
  }

  @Override
  public String describe() {
    return "manifest " + connectorName + " run by " + runtime.describe();
  }

  @Override
  public void install() {
    runtime.install();
  }

  @Override
  public ConnectorProcess start(ConnectorInvocation invocation) {
    if (invocation.command().equals("spec")) {
      return ConnectorProcess.ofOutput(
          AirbyteJson.toJson(
                  new AirbyteMessage(
                      AirbyteMessage.Type.SPEC,
                      null,
                      null,
                      null,
                      null,
                      null,
                      spec(),
                      null,
                      null,
                      null))
              + "\n");
    }
    Map<String, String> files = new LinkedHashMap<>(invocation.fileArguments());
    String config = files.get("--config");
    if (config != null) {
      try {
        ObjectNode withManifest = (ObjectNode) AirbyteJson.parse(config);
        withManifest.set(INJECTED_MANIFEST_KEY, manifest);
        files.put("--config", withManifest.toString());
      } catch (IOException | ClassCastException e) {
        throw new AkbException(
            connectorName + " " + invocation.command(), "the config is not a JSON object", null, e);
      }
    }
    return runtime.start(
        new ConnectorInvocation(
            invocation.command(), files, invocation.extraArguments(), invocation.stdin()));
  }

  /** The manifest's {@code spec} section as a protocol SPEC. */
  private ConnectorSpecification spec() {
    JsonNode spec = manifest.path("spec");
    JsonNode connectionSpecification = spec.path("connection_specification");
    if (connectionSpecification.isMissingNode()) {
      connectionSpecification = spec.path("connectionSpecification");
    }
    if (!connectionSpecification.isObject()) {
      throw new AkbException(
          connectorName + " spec",
          "the manifest has no spec.connection_specification",
          "Add a spec section to the manifest, as the Connector Builder writes it.");
    }
    String docs =
        spec.hasNonNull("documentation_url") ? spec.get("documentation_url").asText() : null;
    return new ConnectorSpecification(
        docs,
        null,
        connectionSpecification,
        null,
        null,
        null,
        null,
        spec.get("advanced_auth"),
        null,
        null);
  }

  private static JsonNode load(String connectorName, String manifest) {
    try {
      String text;
      if (manifest.startsWith("http://") || manifest.startsWith("https://")) {
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(manifest))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          throw new IOException("HTTP " + response.statusCode() + " from " + manifest);
        }
        text = response.body();
      } else if (!manifest.contains("\n") && Files.isRegularFile(Path.of(manifest))) {
        text = Files.readString(Path.of(manifest));
      } else {
        text = manifest;
      }
      JsonNode parsed = YAML.readTree(text);
      if (parsed == null || !parsed.isObject() || !parsed.has("streams")) {
        throw new IOException("it is not a declarative manifest (no streams section)");
      }
      return parsed;
    } catch (IOException | IllegalArgumentException e) {
      throw new AkbException(
          "loading the manifest of " + connectorName,
          e.getMessage(),
          "Pass a manifest.yaml path, an http(s) URL or the YAML text.",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkbException("loading the manifest of " + connectorName, "interrupted", null, e);
    }
  }
}
