package io.akb.runtime.topic;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Writer schemas of registry-framed values (magic byte 0, the schema's 8-byte global id), fetched
 * from an Apicurio Registry's v2 REST API over plain HTTP ({@code GET <url>/ids/globalIds/<id>}),
 * once per id: a registered schema never changes. The URL is the one the converter is given as
 * {@code apicurio.registry.url}, such as {@code http://registry:8080/apis/registry/v2}.
 */
public final class RegistrySchemas {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String url;
  private final String setting;
  private final HttpClient http;
  private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();

  /**
   * @param url the registry's v2 API; null when none is configured, where a framed value then fails
   *     naming {@code setting}
   * @param setting the setting that names the registry, for messages
   */
  public RegistrySchemas(String url, String setting) {
    this.url = url == null || url.isBlank() ? null : url.replaceAll("/+$", "");
    this.setting = setting;
    this.http = this.url == null ? null : HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /** The registry's URL, or null. */
  public String url() {
    return url;
  }

  /**
   * The writer schema of a global id.
   *
   * @throws AkbException naming the registry and the id when it cannot be had
   */
  public Schema schema(long globalId) {
    Schema schema = schemas.get(globalId);
    if (schema == null) {
      schema = fetch(globalId);
      schemas.put(globalId, schema);
    }
    return schema;
  }

  private Schema fetch(long globalId) {
    String what = "Reading a registry-framed record value of schema global id " + globalId;
    if (url == null) {
      throw new AkbException(
          what,
          "no schema registry is configured to fetch it from",
          "Set "
              + setting
              + ": the registry the source connector's converter writes to (its"
              + " apicurio.registry.url, such as http://registry:8080/apis/registry/v2).");
    }
    String address = url + "/ids/globalIds/" + globalId;
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(URI.create(address)).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException | IllegalArgumentException e) {
      throw new AkbException(
          what,
          "the schema registry at "
              + url
              + " could not be reached (GET "
              + address
              + ": "
              + e
              + ")",
          "Check " + setting + " and that the registry is running.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkbException(what, "interrupted fetching " + address, "Retry.");
    }
    if (response.statusCode() != 200) {
      throw new AkbException(
          what,
          "the schema registry at "
              + url
              + " answered "
              + response.statusCode()
              + " to GET "
              + address
              + ": "
              + abbreviate(response.body()),
          response.statusCode() == 404
              ? "The record was written through another registry, or the schema was deleted: point "
                  + setting
                  + " at the registry the source connector's converter uses."
              : "Check " + setting + " and the registry's log.");
    }
    try {
      JsonNode json = AirbyteJson.MAPPER.readTree(response.body());
      return new Schema.Parser().setValidateDefaults(false).parse(json.toString());
    } catch (IOException | RuntimeException e) {
      throw new AkbException(
          what,
          "GET " + address + " gave no Avro schema (" + e.getMessage() + ")",
          "The artifact of global id " + globalId + " is not an Avro schema: use AvroConverter.");
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  /** For messages. */
  @Override
  public String toString() {
    return url == null ? "no schema registry" : "the schema registry at " + url;
  }
}
