package io.akb.runtime.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteMessageReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code source-faker} from PyPI, pinned, for tests of every module: installed once into
 * {@code AKB_INSTALL_DIR} (default {@code ~/.cache/akb}) and reused by later runs.
 */
public final class Faker {
  /** The connector's name. */
  public static final String NAME = "source-faker";

  /** The pinned PyPI version of {@code airbyte-source-faker}. */
  public static final String VERSION = "7.2.1";

  /** Its streams, in the order it discovers them. */
  public static final List<String> STREAMS = List.of("products", "users", "purchases");

  /** A recorded {@code read} of all three streams with {@code {"count": 100}}: 300 records. */
  public static final String RECORDED_READ_RESOURCE =
      "/io/akb/runtime/testkit/faker-read-count-100.jsonl";

  private Faker() {}

  /** Options that install the pinned version. */
  public static ConnectorOptions options() {
    return ConnectorOptions.defaults().withVersion(VERSION);
  }

  /** {@code {"count": count, "always_updated": false}}: a second incremental read adds nothing. */
  public static ObjectNode config(int count) {
    ObjectNode config = AirbyteJson.MAPPER.createObjectNode();
    config.put("count", count);
    config.put("always_updated", false);
    return config;
  }

  /** The pinned faker with {@link #config(int)}. */
  public static Source source(int count) {
    return Airbyte.getSource(NAME, config(count), options());
  }

  /** The messages of {@link #RECORDED_READ_RESOURCE}, parsed. */
  public static List<AirbyteMessage> recordedRead() {
    try (InputStream in = Faker.class.getResourceAsStream(RECORDED_READ_RESOURCE);
        AirbyteMessageReader reader = new AirbyteMessageReader(in)) {
      List<AirbyteMessage> messages = new ArrayList<>();
      for (AirbyteMessage m = reader.next(); m != null; m = reader.next()) {
        messages.add(m);
      }
      return messages;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON of a config, for APIs that take text. */
  public static String json(JsonNode config) {
    return config.toString();
  }
}
