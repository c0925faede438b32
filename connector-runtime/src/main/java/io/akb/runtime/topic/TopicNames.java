package io.akb.runtime.topic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Topic names of the topic contract (ARCHITECTURE.md): a record topic per stream, {@code
 * <prefix><namespace.><stream>}, and one state topic, {@code <prefix>_state}. Characters outside
 * {@code [a-zA-Z0-9._-]} become {@code _}; a name over Kafka's 249-character limit is cut and ends
 * with a short hash of the full name, so two long names never collide.
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

  /** The state topic of a source: {@code <prefix>_state}. */
  public static String stateTopic(String prefix) {
    return legal(prefix + "_state");
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

  private static String shortHash(String name) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
