package io.akb.runtime.topic;

import io.akb.runtime.protocol.StreamDescriptor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Topic names of the topic contract (ARCHITECTURE.md): a record topic per stream, {@code
 * <prefix><namespace.><stream>}, and one state topic, {@code <prefix>_state}. Characters outside
 * {@code [a-zA-Z0-9._-]} become {@code _}; a name over Kafka's 249-character limit is cut and ends
 * with a short hash of the full name, so two long names never collide. Two streams of one source
 * whose names become the same topic ({@code dup name} and {@code dup_name}) are told apart by
 * {@link #recordTopics}: each topic holds one stream.
 */
public final class TopicNames {
  /** Kafka's limit on a topic name's length. */
  public static final int MAX_LENGTH = 249;

  private static final int HASH_CHARS = 8;

  private TopicNames() {}

  /** {@code airbyte.<connector name>.}, the default {@code topic.prefix}. */
  public static String defaultPrefix(String connectorName) {
    return "airbyte." + connectorName + ".";
  }

  /** The record topic of a stream; namespace may be null or empty. */
  public static String recordTopic(String prefix, String namespace, String stream) {
    String qualified = namespace == null || namespace.isEmpty() ? stream : namespace + "." + stream;
    return legal(prefix + qualified);
  }

  /**
   * The record topics of all the streams a source offers (its whole discovered catalog, so that
   * every task of a connector, each reading some of them, names them alike), in the given order. A
   * stream's topic is {@link #recordTopic} unless another stream's name becomes the same topic:
   * then the stream whose qualified name is the topic's name as it is keeps it, and every other one
   * of the group gets {@code _} and a short hash of its namespace and name appended, such as {@code
   * airbyte.src.dup_name_3f2a9c1e}. The result depends only on the set of streams, not on their
   * order. Keys have no unknown fields and a null namespace for an empty one.
   */
  public static Map<StreamDescriptor, String> recordTopics(
      String prefix, Collection<StreamDescriptor> streams) {
    Map<String, List<StreamDescriptor>> byTopic = new LinkedHashMap<>();
    Map<StreamDescriptor, String> topics = new LinkedHashMap<>();
    for (StreamDescriptor stream : streams) {
      StreamDescriptor key = streamKey(stream);
      if (topics.putIfAbsent(key, "") == null) {
        byTopic
            .computeIfAbsent(
                recordTopic(prefix, key.namespace(), key.name()), t -> new ArrayList<>())
            .add(key);
      }
    }
    Map<StreamDescriptor, String> resolved = new HashMap<>();
    byTopic.forEach(
        (topic, group) -> {
          if (group.size() == 1) {
            resolved.put(group.get(0), topic);
            return;
          }
          // The one whose name needed no change keeps it; ties broken by name, not by order.
          StreamDescriptor keeper =
              group.stream()
                  .filter(s -> (legal(prefix) + s.qualifiedName()).equals(topic))
                  .min(
                      Comparator.comparing(
                              (StreamDescriptor s) -> s.namespace() == null ? "" : s.namespace())
                          .thenComparing(StreamDescriptor::name))
                  .orElse(null);
          for (StreamDescriptor stream : group) {
            resolved.put(stream, stream.equals(keeper) ? topic : withHash(topic, stream));
          }
        });
    topics.replaceAll((stream, unset) -> resolved.get(stream));
    return topics;
  }

  /**
   * A stream as the contract identifies it, and as {@link #recordTopics} keys it: without unknown
   * fields and with a null namespace for an empty one, so a connector's {@code ""} and a catalog's
   * missing namespace name one stream.
   */
  public static StreamDescriptor streamKey(StreamDescriptor stream) {
    String namespace =
        stream.namespace() == null || stream.namespace().isEmpty() ? null : stream.namespace();
    return new StreamDescriptor(stream.name(), namespace);
  }

  private static String withHash(String topic, StreamDescriptor stream) {
    String hash =
        shortHash((stream.namespace() == null ? "" : stream.namespace()) + "\0" + stream.name());
    String base =
        topic.length() + 1 + HASH_CHARS <= MAX_LENGTH
            ? topic
            : topic.substring(0, MAX_LENGTH - HASH_CHARS - 1);
    return base + "_" + hash;
  }

  /** The state topic of a source: {@code <prefix>_state}. */
  public static String stateTopic(String prefix) {
    return legal(prefix + "_state");
  }

  /**
   * The schemas topic of a source: {@code <prefix>_schemas}, the Avro writer schemas of its records
   * under {@code record.format=avro} (see {@link io.akb.runtime.schema.WriterSchema}).
   */
  public static String schemasTopic(String prefix) {
    return legal(prefix + "_schemas");
  }

  /** Makes any string a legal topic name, as the contract says. */
  public static String legal(String name) {
    StringBuilder legal = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      legal.append(allowed ? c : '_');
    }
    String result = legal.toString();
    // "." and ".." are not legal topic names either.
    if (result.equals(".") || result.equals("..")) {
      result = result.replace('.', '_');
    }
    if (result.length() <= MAX_LENGTH) {
      return result;
    }
    return result.substring(0, MAX_LENGTH - HASH_CHARS - 1) + "_" + shortHash(name);
  }

  /**
   * What tells apart names that became alike (topics here, Avro names in {@code
   * io.akb.runtime.schema.AvroNames}): the first 8 hex digits of the SHA-256 of {@code name}.
   */
  public static String shortHash(String name) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
