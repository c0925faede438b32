package io.akb.runtime.secret;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The JVM's secret managers, in the order they are asked, PyAirbyte's {@code
 * register_secret_manager} / {@code disable_secret_source}: what {@link SecretResolver#defaults()}
 * (so {@code Airbyte.getSecret}, and every {@code Source} and {@code Destination} made by {@code
 * Airbyte}) looks secrets up in.
 *
 * <p>Defaults, as PyAirbyte's: {@link EnvVarSecretManager}, {@link DotenvSecretManager} on {@code
 * ./.env}, then {@link SecretsPrompt} when a console is attached. A registered manager goes first
 * (the last registered wins), or last with {@code asBackup}; {@link #set} chooses the whole order.
 * Thread-safe; a change applies to every later lookup, also of sources made before it.
 */
public final class SecretSources {
  private static final List<SecretManager> SOURCES = new CopyOnWriteArrayList<>(defaults());

  private SecretSources() {}

  /** The default managers: env, dotenv ({@code ./.env}), and prompt when a console is attached. */
  public static List<SecretManager> defaults() {
    List<SecretManager> defaults = new ArrayList<>();
    defaults.add(new EnvVarSecretManager());
    defaults.add(new DotenvSecretManager());
    if (System.console() != null) {
      defaults.add(new SecretsPrompt(System.console()));
    }
    return defaults;
  }

  /** The managers in the order they are asked. */
  public static List<SecretManager> list() {
    return List.copyOf(SOURCES);
  }

  /** Registers {@code manager} before every other one: {@code register(manager, false, false)}. */
  public static void register(SecretManager manager) {
    register(manager, false, false);
  }

  /**
   * Registers a manager, PyAirbyte's {@code register_secret_manager}.
   *
   * @param asBackup ask it after the others instead of before them
   * @param replaceExisting drop every other manager, the defaults too
   */
  public static synchronized void register(
      SecretManager manager, boolean asBackup, boolean replaceExisting) {
    java.util.Objects.requireNonNull(manager, "manager");
    if (replaceExisting) {
      SOURCES.clear();
    }
    if (asBackup) {
      SOURCES.add(manager);
    } else {
      SOURCES.add(0, manager);
    }
  }

  /**
   * Removes every manager named {@code name} ({@code "env"}, {@code "dotenv"}, {@code "prompt"} or
   * a custom manager's {@link SecretManager#name()}), PyAirbyte's {@code disable_secret_source}.
   *
   * @return whether one was removed
   */
  public static synchronized boolean disable(String name) {
    return SOURCES.removeIf(manager -> manager.name().equals(name));
  }

  /** Replaces the managers by {@code managers}, asked in this order. */
  public static synchronized void set(List<? extends SecretManager> managers) {
    List<SecretManager> copy = List.copyOf(managers);
    SOURCES.clear();
    SOURCES.addAll(copy);
  }

  /** Back to {@link #defaults()}. */
  public static synchronized void reset() {
    set(defaults());
  }
}
