package io.akb.connect.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.StreamDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How Airbyte state is kept as Connect source offsets (the topic contract): a STREAM state under
 * the source partition {@code {"stream": name[, "namespace": ns]}}, a GLOBAL or LEGACY state under
 * {@code {"state_type": "GLOBAL"}} / {@code {"state_type": "LEGACY"}}. The offset is {@code
 * {"state": "<the STATE message as JSON>"}}: Connect offsets hold only primitive values, and the
 * text keeps the state verbatim, unknown fields included.
 */
public final class StateOffsets {
  public static final String STREAM_KEY = "stream";
  public static final String NAMESPACE_KEY = "namespace";
  public static final String STATE_TYPE_KEY = "state_type";
  public static final String STATE_KEY = "state";

  private StateOffsets() {}

  /** The source partition of one stream's state. */
  public static Map<String, Object> streamPartition(StreamDescriptor stream) {
    Map<String, Object> partition = new LinkedHashMap<>();
    partition.put(STREAM_KEY, stream.name());
    if (stream.namespace() != null && !stream.namespace().isEmpty()) {
      partition.put(NAMESPACE_KEY, stream.namespace());
    }
    return partition;
  }

  /** The one source partition of a GLOBAL or LEGACY state. */
  public static Map<String, Object> sharedPartition(AirbyteStateType type) {
    return Map.of(STATE_TYPE_KEY, type.name());
  }

  /** Where a STATE message is kept. */
  public static Map<String, Object> partitionOf(AirbyteStateMessage state) {
    AirbyteStateType type = state.effectiveType();
    if (type == AirbyteStateType.STREAM) {
      if (state.stream() == null || state.stream().streamDescriptor() == null) {
        throw new AkbException(
            "Reading a STREAM state",
            "it names no stream (stream.stream_descriptor is missing)",
            "This is a bug of the connector; report it to its maintainers.");
      }
      return streamPartition(state.stream().streamDescriptor());
    }
    return sharedPartition(type);
  }

  /** The offset holding a STATE message. */
  public static Map<String, Object> offsetOf(AirbyteStateMessage state) {
    return Map.of(STATE_KEY, AirbyteJson.toJson(state));
  }

  /** Every partition a task reading these streams may have stored state under. */
  public static List<Map<String, Object>> partitionsFor(Collection<StreamDescriptor> streams) {
    List<Map<String, Object>> partitions = new ArrayList<>();
    streams.forEach(stream -> partitions.add(streamPartition(stream)));
    partitions.add(sharedPartition(AirbyteStateType.GLOBAL));
    partitions.add(sharedPartition(AirbyteStateType.LEGACY));
    return partitions;
  }

  /**
   * The {@code --state} argument rebuilt from stored offsets: the GLOBAL state if there is one,
   * else the LEGACY one, else every STREAM state; null when nothing is stored (a first sync).
   */
  public static JsonNode stateArgument(Map<Map<String, Object>, Map<String, Object>> offsets) {
    AirbyteStateMessage global = null;
    AirbyteStateMessage legacy = null;
    List<AirbyteStateMessage> streams = new ArrayList<>();
    for (Map.Entry<Map<String, Object>, Map<String, Object>> entry : offsets.entrySet()) {
      if (entry.getValue() == null) {
        continue;
      }
      AirbyteStateMessage state = stateOf(entry.getKey(), entry.getValue());
      switch (state.effectiveType()) {
        case GLOBAL -> global = state;
        case LEGACY -> legacy = state;
        default -> streams.add(state);
      }
    }
    List<AirbyteStateMessage> chosen =
        global != null ? List.of(global) : legacy != null ? List.of(legacy) : streams;
    if (chosen.isEmpty()) {
      return null;
    }
    ArrayNode array = AirbyteJson.MAPPER.createArrayNode();
    chosen.forEach(state -> array.add(AirbyteJson.MAPPER.valueToTree(state)));
    return array;
  }

  /**
   * Reads the STATE message out of a stored offset, checking that it belongs under its partition.
   *
   * @throws AkbException naming the partition and what is wrong with the offset
   */
  public static AirbyteStateMessage stateOf(Map<String, ?> partition, Map<String, ?> offset) {
    Object text = offset.get(STATE_KEY);
    if (!(text instanceof String json) || offset.size() != 1) {
      throw invalid(partition, "the offset must be {\"" + STATE_KEY + "\": \"<STATE as JSON>\"}");
    }
    AirbyteStateMessage state;
    try {
      JsonNode node = AirbyteJson.parse(json);
      if (!node.isObject()) {
        throw invalid(partition, "the state is not a JSON object");
      }
      state = AirbyteJson.MAPPER.treeToValue(node, AirbyteStateMessage.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw invalid(partition, "the state is not an Airbyte STATE message: " + e.getMessage());
    }
    Map<String, Object> expected;
    try {
      expected = partitionOf(state);
    } catch (AkbException e) {
      throw invalid(partition, e.why());
    }
    if (!Objects.equals(expected, partition)) {
      throw invalid(
          partition,
          "a " + state.effectiveType() + " state belongs under the partition " + expected);
    }
    return state;
  }

  /**
   * Checks a source partition's shape: {@code {"stream": ..[, "namespace": ..]}} or {@code
   * {"state_type": "GLOBAL"|"LEGACY"}}.
   */
  public static void checkPartition(Map<String, ?> partition) {
    if (partition == null) {
      throw invalid(null, "the source partition is missing");
    }
    if (partition.containsKey(STATE_TYPE_KEY)) {
      Object type = partition.get(STATE_TYPE_KEY);
      boolean known =
          AirbyteStateType.GLOBAL.name().equals(type)
              || AirbyteStateType.LEGACY.name().equals(type);
      if (!known || partition.size() != 1) {
        throw invalid(
            partition, "a shared partition is {\"state_type\": \"GLOBAL\" or \"LEGACY\"}");
      }
      return;
    }
    Object stream = partition.get(STREAM_KEY);
    Object namespace = partition.get(NAMESPACE_KEY);
    boolean shaped =
        stream instanceof String
            && !((String) stream).isEmpty()
            && (namespace == null || namespace instanceof String)
            && partition.size() == (partition.containsKey(NAMESPACE_KEY) ? 2 : 1);
    if (!shaped) {
      throw invalid(partition, "a stream partition is {\"stream\": name[, \"namespace\": ns]}");
    }
  }

  private static AkbException invalid(Map<String, ?> partition, String why) {
    return new AkbException(
        "Reading the stored state of partition " + partition,
        why,
        "Alter offsets only with what GET /connectors/<name>/offsets shows, or reset them.");
  }
}
