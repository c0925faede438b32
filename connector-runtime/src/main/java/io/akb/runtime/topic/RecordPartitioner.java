package io.akb.runtime.topic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key and partition of a record on its stream's topic (the topic contract in ARCHITECTURE.md).
 * The key is the stream's primary key as {@code {"field": value, ...}} (a nested field's path
 * joined with '.'); a keyed record goes to the partition murmur2 of the JSON array of its key
 * values picks, as Kafka's default partitioner would, so one key always lands in one partition; an
 * unkeyed record goes round robin. Every writer of the contract (the source connector, the bridge's
 * Kafka cache) chooses here, so the same record lands in the same partition whoever writes it.
 *
 * <p>The writer chooses the partition itself, rather than leaving it to the producer, because it
 * must count the records of a sync per partition for its checkpoints. Not thread-safe: one per
 * writer.
 */
public final class RecordPartitioner {
  private final Map<String, Integer> nextRoundRobin = new HashMap<>();

  /**
   * A record's primary key.
   *
   * @param fields each key field's path, joined with '.', to its value (a JSON null when the record
   *     lacks it), in the order of the stream's primary key
   */
  public record Key(Map<String, JsonNode> fields) {
    public Key {
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /**
     * The key of {@code data} under {@code primaryKey} (a list of field paths), or null when the
     * stream has no primary key.
     */
    public static Key of(List<List<String>> primaryKey, JsonNode data) {
      if (primaryKey == null || primaryKey.isEmpty()) {
        return null;
      }
      Map<String, JsonNode> fields = new LinkedHashMap<>();
      for (List<String> path : primaryKey) {
        JsonNode value = data == null ? AirbyteJson.MAPPER.missingNode() : data;
        for (String part : path) {
          value = value.path(part);
        }
        fields.put(
            String.join(".", path), value.isMissingNode() ? AirbyteJson.MAPPER.nullNode() : value);
      }
      return new Key(fields);
    }

    /** The key's values in key order. */
    public List<JsonNode> values() {
      return new ArrayList<>(fields.values());
    }

    /** The Kafka record key as JSON: {@code {"field": value, ...}}. */
    public ObjectNode toJson() {
      ObjectNode json = AirbyteJson.MAPPER.createObjectNode();
      fields.forEach(json::set);
      return json;
    }

    /** What the partition is hashed from: the JSON array of the key's values, UTF-8. */
    byte[] hashBytes() {
      return AirbyteJson.toJson(values()).getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * The partition of a record of {@code topic}, which has {@code partitions} partitions.
   *
   * @param key the record's key, or null for a stream without a primary key
   */
  public int partition(String topic, int partitions, Key key) {
    if (partitions <= 1) {
      return 0;
    }
    if (key != null) {
      return (murmur2(key.hashBytes()) & 0x7fffffff) % partitions;
    }
    int next = nextRoundRobin.merge(topic, 1, Integer::sum) - 1;
    return Math.floorMod(next, partitions);
  }

  /**
   * Kafka's murmur2 hash ({@code org.apache.kafka.common.utils.Utils.murmur2}), written out here
   * because this module must not depend on a Kafka version; a test checks it against Kafka's.
   */
  static int murmur2(byte[] data) {
    int length = data.length;
    int m = 0x5bd1e995;
    int r = 24;
    int h = 0x9747b28c ^ length;
    int whole = length / 4;
    for (int i = 0; i < whole; i++) {
      int at = i * 4;
      int k =
          (data[at] & 0xff)
              | ((data[at + 1] & 0xff) << 8)
              | ((data[at + 2] & 0xff) << 16)
              | ((data[at + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    int tail = length & ~3;
    switch (length % 4) {
      case 3:
        h ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        h ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        h ^= data[tail] & 0xff;
        h *= m;
        break;
      default:
        break;
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }
}
