package io.akb.runtime.secret;

import java.util.Optional;

/**
 * A place secrets are looked up by name, PyAirbyte's {@code SecretManager} (and {@code
 * CustomSecretManager}): implement {@link #getSecret} to plug in a vault, a cloud secret manager or
 * a test fixture, then register it with {@link SecretSources#register} (or {@code
 * Airbyte.registerSecretManager}) or pass it to a {@link SecretResolver}.
 *
 * <p>Built in: {@link EnvVarSecretManager} ({@code env}), {@link DotenvSecretManager} ({@code
 * dotenv}) and {@link SecretsPrompt} ({@code prompt}), in that order by default.
 *
 * <p>Contract: {@link #getSecret} returns empty when this manager does not have the secret (it must
 * not throw for that: the next manager is asked), and never logs the value. Implementations may be
 * called from several threads.
 */
@FunctionalInterface
public interface SecretManager {

  /**
   * The secret named {@code name}, or empty when this manager does not have it. An empty string
   * counts as not found, as in PyAirbyte.
   */
  Optional<SecretString> getSecret(String name);

  /**
   * This manager's name, for {@link SecretSources#disable} and for messages ("env", "dotenv",
   * "prompt"); by default its class's simple name.
   */
  default String name() {
    return getClass().getSimpleName();
  }
}
