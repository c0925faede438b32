package io.akb.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A connector's answers ({@code discover}, a successful {@code check}) kept for a short while per
 * installed connector and config, shared by every {@link Source} of the JVM.
 *
 * <p>Why: one command asks the same question several times through different objects. {@code akb
 * sync} validates the config (check, discover), starts the Connect connector (discover) and its
 * task (discover, read), each with its own {@code Source}; every extra start of a Python connector
 * costs seconds. An answer is reused only while it is younger than the lifetime, so a connector
 * that runs for days still sees new streams; a failed check is never kept.
 *
 * <p>The config is part of the key only as a SHA-256 digest: no secret is held here.
 */
final class RecentAnswers<T> {
  private record Answer<T>(T value, long atNanos) {}

  private final Map<String, Answer<T>> answers = new ConcurrentHashMap<>();
  private final long lifetimeNanos;
  private final LongSupplier clock;

  RecentAnswers(Duration lifetime) {
    this(lifetime, System::nanoTime);
  }

  RecentAnswers(Duration lifetime, LongSupplier clock) {
    this.lifetimeNanos = lifetime.toNanos();
    this.clock = clock;
  }

  /**
   * The answer of {@code connector} (its executor's description) for {@code configJson} given
   * within the lifetime, else {@code ask}'s, which is kept when {@code keep} is true.
   */
  T get(String connector, String configJson, Supplier<T> ask, Predicate<T> keep) {
    String key = connector + '\n' + digest(configJson);
    Answer<T> known = answers.get(key);
    long now = clock.getAsLong();
    if (known != null && now - known.atNanos() < lifetimeNanos) {
      return known.value();
    }
    T value = ask.get();
    if (keep.test(value)) {
      answers.put(key, new Answer<>(value, clock.getAsLong()));
    } else {
      answers.remove(key);
    }
    return value;
  }

  private static String digest(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
