package io.akb.cache.layout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Turns stream and field names into SQL identifiers the way PyAirbyte's {@code LowerCaseNormalizer}
 * does, so a PyAirbyte user finds the same table and column names: lower case, every character
 * outside {@code [a-z0-9]} becomes {@code _}, a leading digit gets a {@code _} prefix.
 *
 * <p>Beyond PyAirbyte: a name longer than the database allows is cut and ends with a short hash of
 * the original name, a name that is only underscores gets a hash too, and {@link #unique} resolves
 * two names that normalize alike. The result only ever holds {@code [a-z0-9_]}, so it is safe to
 * quote in any dialect.
 */
public final class IdentifierNormalizer {
  private static final int HASH_LENGTH = 8;

  private final int maxLength;

  /** A normalizer for a database whose identifiers hold at most {@code maxLength} characters. */
  public IdentifierNormalizer(int maxLength) {
    if (maxLength < 2 * HASH_LENGTH) {
      throw new IllegalArgumentException("identifier limit too small: " + maxLength);
    }
    this.maxLength = maxLength;
  }

  /**
   * PyAirbyte's lower-case rule alone, without length limit: {@code "Hello World!"} → {@code
   * "hello_world_"}.
   */
  public static String pyAirbyteName(String name) {
    StringBuilder out = new StringBuilder(name.length());
    name.toLowerCase(Locale.ROOT)
        .codePoints()
        .forEach(
            c -> out.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? (char) c : '_'));
    if (out.length() > 0 && Character.isDigit(out.charAt(0))) {
      out.insert(0, '_');
    }
    return out.toString();
  }

  /** The identifier for {@code name}: PyAirbyte's name, cut with a hash when too long or empty. */
  public String normalize(String name) {
    String base = pyAirbyteName(name);
    if (base.replace("_", "").isEmpty()) {
      // PyAirbyte refuses such names; a hash keeps them distinct and valid instead.
      return "_" + hash(name);
    }
    if (base.length() <= maxLength) {
      return base;
    }
    return base.substring(0, maxLength - HASH_LENGTH - 1) + "_" + hash(name);
  }

  /**
   * The identifier for {@code name} that is not in {@code taken}: the normalized name, or when an
   * other name already holds it, the normalized name ending with a hash of {@code name}.
   * Deterministic, so the same history of names always yields the same identifiers.
   */
  public String unique(String name, Set<String> taken) {
    String candidate = normalize(name);
    if (!taken.contains(candidate)) {
      return candidate;
    }
    String suffix = "_" + hash(name);
    String base =
        candidate.length() + suffix.length() > maxLength
            ? candidate.substring(0, maxLength - suffix.length())
            : candidate;
    candidate = base + suffix;
    for (int attempt = 2; taken.contains(candidate); attempt++) {
      String counter = suffix + "_" + attempt;
      candidate =
          base.substring(0, Math.min(base.length(), maxLength - counter.length())) + counter;
    }
    return candidate;
  }

  /** First characters of the SHA-256 of {@code text} in hex. */
  static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
