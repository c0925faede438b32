package io.akb.runtime.secret;

import java.io.Console;
import java.util.Optional;

/**
 * Asks for a secret on the console without echoing it, PyAirbyte's {@code SecretsPrompt}: name
 * {@code prompt}. Part of the defaults only when a console is attached ({@link System#console()} is
 * null in CI and in a service, so they are never asked).
 */
public final class SecretsPrompt implements SecretManager {
  /** This manager's {@link #name()}. */
  public static final String NAME = "prompt";

  private final Console console;

  /**
   * @param console where to ask; not null
   */
  public SecretsPrompt(Console console) {
    this.console = java.util.Objects.requireNonNull(console, "console");
  }

  @Override
  public Optional<SecretString> getSecret(String name) {
    char[] typed = console.readPassword("Enter the value of secret %s: ", name);
    return typed == null || typed.length == 0
        ? Optional.empty()
        : Optional.of(new SecretString(new String(typed)));
  }

  @Override
  public String name() {
    return NAME;
  }
}
