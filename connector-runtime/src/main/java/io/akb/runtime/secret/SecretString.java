package io.akb.runtime.secret;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A secret value, PyAirbyte's {@code SecretString}: {@link #toString()} is always {@link
 * SecretMasker#MASK}, so a secret printed, logged, or put in a message by accident shows as {@code
 * ****}; {@link #value()} gives the value to code that asks for it explicitly.
 *
 * <p>Every secret made is also remembered by the JVM ({@link SecretMasker#remember}), so every
 * {@link SecretMasker} hides its value wherever it later turns up: in a connector's log lines, in
 * an {@link AkbException}, in a printed config, even when the value was copied into a config field
 * whose name does not look secret. Immutable; equal when the values are equal.
 */
public final class SecretString {
  private final String value;

  /**
   * @param value the secret; null is refused
   */
  public SecretString(String value) {
    if (value == null) {
      throw new IllegalArgumentException("a secret cannot be null");
    }
    this.value = value;
    SecretMasker.remember(value);
  }

  /** The secret in clear: pass it on, never print it. */
  public String value() {
    return value;
  }

  /** Whether the secret is the empty string. */
  public boolean isEmpty() {
    return value.isEmpty();
  }

  /** Whether the secret is valid JSON text (a service account key file, say). */
  public boolean isJson() {
    try {
      AirbyteJson.parse(value);
      return !value.isBlank();
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  /**
   * The secret parsed as JSON, PyAirbyte's {@code parse_json}.
   *
   * @throws AkbException saying where the text stops being JSON, quoting none of it
   */
  public JsonNode parseJson() {
    try {
      JsonNode parsed = AirbyteJson.parse(value);
      if (parsed == null || parsed.isMissingNode()) {
        throw new AkbException("parsing a secret as JSON", "the secret is empty", null);
      }
      return parsed;
    } catch (JsonProcessingException e) {
      String where = AirbyteJson.where(e);
      throw new AkbException(
          "parsing a secret as JSON",
          "the secret (" + value.length() + " characters) is not valid JSON" + where,
          "Check that the secret holds the whole JSON document.");
    }
  }

  /** Always {@link SecretMasker#MASK}: the value never reaches a log by accident. */
  @Override
  public String toString() {
    return SecretMasker.MASK;
  }

  @Override
  public boolean equals(Object other) {
    // Constant time: how long a comparison takes says nothing about the secret.
    return other instanceof SecretString secret
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), secret.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
