package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.UncheckedIOException;

/**
 * The one JSON mapper for protocol messages: absent fields stay absent when written, unknown enum
 * values parse as UNKNOWN instead of failing, and numbers keep their precision and their text: a
 * tree read through it writes a number with a fraction or an exponent back as the source wrote it
 * ({@code 1e10}, {@code 100.0}, {@code 0.0}), so records and states stored or passed on keep the
 * source's own number text (Jackson's own tree reader would make them {@code 1E+10}, {@code 1E+2},
 * {@code 0}). It puts no cap of its own on a string's length (Jackson's default is 20 MB): what
 * bounds the input is the line limit of {@link AirbyteMessageReader} (64 MiB by default, {@code
 * ConnectorOptions.maxLineBytes}) for a connector's output, and the broker's message size for a
 * topic's record, so a record that passes those parses everywhere AKB reads it.
 */
public final class AirbyteJson {
  /** Shared, thread-safe mapper for the Airbyte protocol. */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
                  // Buffers from one lock-free pool: the default thread-local pool costs a
                  // ThreadLocal lookup per parser, 2% of a bridge target's time per record.
                  .recyclerPool(JsonRecyclerPools.sharedLockFreePool())
                  .build())
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          // For trees typed ObjectNode or ArrayNode, which Jackson's reader still reads.
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
          .addModule(
              new SimpleModule("akb-source-numbers")
                  .addDeserializer(JsonNode.class, new SourceTreeDeserializer()))
          .build();

  private AirbyteJson() {}

  /**
   * Where a parse failed, for an error message: {@code " at line 2, column 7"}, or empty when the
   * parser does not know. Never the offending text, which may be part of a secret.
   */
  public static String where(com.fasterxml.jackson.core.JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  /** Writes a message or any protocol object as one line of JSON. */
  public static String toJson(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a message, tree or protocol object as the UTF-8 bytes of one line of JSON. */
  public static byte[] toJsonBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses JSON text into a tree, failing with Jackson's message when it is not JSON. */
  public static JsonNode parse(String json) throws JsonProcessingException {
    return MAPPER.readTree(json);
  }

  /** Converts a tree into a protocol type. */
  public static <T> T convert(JsonNode node, Class<T> type) {
    return MAPPER.convertValue(node, type);
  }
}
