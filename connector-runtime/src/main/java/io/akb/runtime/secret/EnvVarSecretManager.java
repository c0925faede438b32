package io.akb.runtime.secret;

import java.util.Optional;
import java.util.function.Function;

/**
 * Secrets from environment variables, PyAirbyte's {@code EnvVarSecretManager}: name {@code env}.
 */
public final class EnvVarSecretManager implements SecretManager {
  /** This manager's {@link #name()}. */
  public static final String NAME = "env";

  private final Function<String, String> environment;

  /** The process's environment ({@link System#getenv(String)}). */
  public EnvVarSecretManager() {
    this(System::getenv);
  }

  /**
   * @param environment looks a variable up, null when unset (a map's {@code get}, in tests)
   */
  public EnvVarSecretManager(Function<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public Optional<SecretString> getSecret(String name) {
    String value = environment.apply(name);
    return value == null || value.isEmpty()
        ? Optional.empty()
        : Optional.of(new SecretString(value));
  }

  @Override
  public String name() {
    return NAME;
  }
}
