package io.akb.connect.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.topic.StreamGenerations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The streams' generations (see {@link StreamGenerations}) kept across restarts: a task's {@code
 * SYNC_STARTED} event carries the source partition {@code {"stream_generations": "<task id>"}} with
 * the offset {@code {"[\"<name>\"]": <generation>, "[\"<namespace>\", \"<name>\"]": ...}} of its
 * streams, so Connect commits them with the sync's first records. A restarted task reads back the
 * partitions of every task id the connector may have had (a stream moves between tasks when {@code
 * tasks.max} changes) and takes each stream's largest generation, the newest: ids only grow.
 */
final class GenerationOffsets {
  static final String PARTITION_KEY = "stream_generations";

  /** Task ids read back besides the current count: a connector that had more tasks before. */
  private static final int TASK_IDS_READ = 64;

  private GenerationOffsets() {}

  /** The source partition of a task's generations. */
  static Map<String, Object> partition(String taskId) {
    return Map.of(PARTITION_KEY, taskId);
  }

  static boolean isGenerationPartition(Map<String, ?> partition) {
    return partition != null && partition.containsKey(PARTITION_KEY);
  }

  /**
   * The partitions of every task id of the connector that task {@code taskId} belongs to (ids are
   * {@code <connector name>-<n>}, see {@link AirbyteSourceConnector#taskConfigs}).
   */
  static List<Map<String, Object>> partitionsToRead(String taskId, int taskCount) {
    List<Map<String, Object>> partitions = new ArrayList<>();
    partitions.add(partition(taskId));
    int dash = taskId.lastIndexOf('-');
    if (dash < 0 || !taskId.substring(dash + 1).chars().allMatch(Character::isDigit)) {
      return partitions;
    }
    String connector = taskId.substring(0, dash);
    for (int i = 0; i < Math.max(taskCount, TASK_IDS_READ); i++) {
      String other = connector + "-" + i;
      if (!other.equals(taskId)) {
        partitions.add(partition(other));
      }
    }
    return partitions;
  }

  /**
   * The offset recording {@code generations} ({@link io.akb.runtime.topic.TopicNames#streamKey}):
   * one entry per stream, since Connect offsets hold primitive values only. The key is the stream
   * as a JSON array, {@code ["<name>"]} or {@code ["<namespace>", "<name>"]}: unambiguous whatever
   * the names hold.
   */
  static Map<String, Object> offset(Map<StreamDescriptor, Long> generations) {
    Map<String, Object> offset = new LinkedHashMap<>();
    generations.forEach((stream, generation) -> offset.put(key(stream), generation));
    return offset;
  }

  private static String key(StreamDescriptor stream) {
    ArrayNode key = AirbyteJson.MAPPER.createArrayNode();
    if (stream.namespace() != null) {
      key.add(stream.namespace());
    }
    key.add(stream.name());
    return key.toString();
  }

  /**
   * The newest generation of each stream in the stored offsets; partitions of other kinds are
   * ignored.
   *
   * @throws AkbException when a generations offset is not of the shape {@link #offset} writes
   */
  static Map<StreamDescriptor, Long> newest(Map<Map<String, Object>, Map<String, Object>> stored) {
    Map<StreamDescriptor, Long> newest = new LinkedHashMap<>();
    stored.forEach(
        (partition, offset) -> {
          if (isGenerationPartition(partition) && offset != null) {
            newest.putAll(StreamGenerations.newest(newest, generationsOf(offset)));
          }
        });
    return newest;
  }

  /**
   * The generations in one stored offset.
   *
   * @throws AkbException when it is not of the shape {@link #offset} writes
   */
  static Map<StreamDescriptor, Long> generationsOf(Map<String, ?> offset) {
    Map<StreamDescriptor, Long> generations = new LinkedHashMap<>();
    for (Map.Entry<String, ?> entry : offset.entrySet()) {
      JsonNode key = parseKey(entry.getKey());
      if (!(entry.getValue() instanceof Number generation)
          || key == null
          || !key.isArray()
          || key.size() < 1
          || key.size() > 2
          || !key.get(0).isTextual()
          || !key.get(key.size() - 1).isTextual()) {
        throw malformed(offset);
      }
      StreamDescriptor stream =
          key.size() == 1
              ? new StreamDescriptor(key.get(0).asText(), null)
              : new StreamDescriptor(key.get(1).asText(), key.get(0).asText());
      generations.put(stream, generation.longValue());
    }
    return generations;
  }

  private static JsonNode parseKey(String key) {
    try {
      return AirbyteJson.MAPPER.readTree(key);
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  /** Checks a generations partition's shape: {@code {"stream_generations": "<task id>"}}. */
  static void checkPartition(Map<String, ?> partition) {
    if (!(partition.get(PARTITION_KEY) instanceof String id)
        || id.isEmpty()
        || partition.size() != 1) {
      throw new AkbException(
          "Reading the stored stream generations of partition " + partition,
          "a generations partition is {\"" + PARTITION_KEY + "\": \"<task id>\"}",
          "Alter offsets only with what GET /connectors/<name>/offsets shows, or reset them.");
    }
  }

  private static AkbException malformed(Map<String, ?> offset) {
    return new AkbException(
        "Reading the stored stream generations " + offset,
        "a generations offset maps each stream, [\"<name>\"] or [\"<namespace>\", \"<name>\"],"
            + " to its generation (a number)",
        "Alter offsets only with what GET /connectors/<name>/offsets shows, or reset them.");
  }
}
