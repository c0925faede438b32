package io.akb.runtime.secret;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.akb.runtime.AkbException;
import java.io.Console;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds secrets by name, as PyAirbyte's {@code get_secret}: asks its {@link SecretManager}s in
 * order, the first that has the secret wins. {@link #defaults()} asks the JVM's {@link
 * SecretSources} (environment, {@code ./.env}, then a console prompt when one is attached, plus
 * what was registered). Also replaces {@code secret://NAME} references in a config by the secret's
 * value, at run time only: the config a user keeps and prints still holds the reference.
 */
public final class SecretResolver {
  /** A config string of this form is replaced by the secret NAME. */
  public static final String REFERENCE_PREFIX = "secret://";

  private final Supplier<List<SecretManager>> managers;

  private SecretResolver(Supplier<List<SecretManager>> managers) {
    this.managers = managers;
  }

  /** Asks {@code managers}, in this order. */
  public SecretResolver(List<? extends SecretManager> managers) {
    this(fixed(managers));
  }

  /**
   * The three built-in managers: {@link EnvVarSecretManager}, {@link DotenvSecretManager}, {@link
   * SecretsPrompt}.
   *
   * @param environment looks a variable up ({@code System::getenv})
   * @param dotEnv a {@code .env} file, read when first needed; may not exist; null for none
   * @param console where to prompt, or null to never prompt
   */
  public SecretResolver(Function<String, String> environment, Path dotEnv, Console console) {
    this(builtIn(environment, dotEnv, console));
  }

  private static Supplier<List<SecretManager>> fixed(List<? extends SecretManager> managers) {
    List<SecretManager> copy = List.copyOf(managers);
    return () -> copy;
  }

  private static Supplier<List<SecretManager>> builtIn(
      Function<String, String> environment, Path dotEnv, Console console) {
    List<SecretManager> managers = new ArrayList<>();
    managers.add(new EnvVarSecretManager(environment));
    if (dotEnv != null) {
      managers.add(new DotenvSecretManager(dotEnv));
    }
    if (console != null) {
      managers.add(new SecretsPrompt(console));
    }
    return fixed(managers);
  }

  /** The JVM's {@link SecretSources}, as they are at each lookup. */
  public static SecretResolver defaults() {
    return new SecretResolver(SecretSources::list);
  }

  /** The managers asked, in order. */
  public List<SecretManager> managers() {
    return managers.get();
  }

  /** The secret, or empty when no manager has it (a prompt, when there is one, is asked too). */
  public Optional<SecretString> find(String name) {
    for (SecretManager manager : managers.get()) {
      Optional<SecretString> found = manager.getSecret(name);
      if (found != null && found.isPresent() && !found.get().isEmpty()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /**
   * The secret.
   *
   * @throws AkbException naming the managers asked when none has it
   */
  public SecretString get(String name) {
    return find(name).orElseThrow(() -> notFound(name));
  }

  private AkbException notFound(String name) {
    List<SecretManager> asked = managers.get();
    List<String> places = new ArrayList<>();
    boolean prompt = false;
    for (SecretManager manager : asked) {
      if (manager instanceof EnvVarSecretManager) {
        places.add("an environment variable");
      } else if (manager instanceof DotenvSecretManager dotenv) {
        places.add("in " + dotenv.file().toAbsolutePath());
      } else if (manager instanceof SecretsPrompt) {
        prompt = true;
        places.add("typed at the prompt");
      } else {
        places.add("in secret manager " + manager.name());
      }
    }
    String why =
        places.isEmpty()
            ? "no secret manager is registered"
            : "it is not " + String.join(", nor ", places);
    if (!prompt) {
      why += ", and no console is attached to ask for it";
    }
    return new AkbException(
        "getting secret " + name,
        why,
        "Set the environment variable "
            + name
            + " or add "
            + name
            + "=... to .env, or register a SecretManager that has it"
            + " (Airbyte.registerSecretManager).");
  }

  /** A config with its {@code secret://} references replaced, and the values put in. */
  public record Resolved(JsonNode config, List<String> secrets) {}

  /** Replaces every {@code secret://NAME} string in {@code config} (a copy; null stays null). */
  public Resolved resolve(JsonNode config) {
    if (config == null) {
      return new Resolved(null, List.of());
    }
    JsonNode copy = config.deepCopy();
    List<String> secrets = new ArrayList<>();
    JsonNode resolved = resolveIn(copy, secrets);
    return new Resolved(resolved, List.copyOf(secrets));
  }

  private JsonNode resolveIn(JsonNode node, List<String> secrets) {
    if (node.isTextual() && node.asText().startsWith(REFERENCE_PREFIX)) {
      String value = get(node.asText().substring(REFERENCE_PREFIX.length())).value();
      secrets.add(value);
      return TextNode.valueOf(value);
    }
    if (node instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      names.forEach(name -> object.set(name, resolveIn(object.get(name), secrets)));
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, resolveIn(array.get(i), secrets));
      }
    }
    return node;
  }
}
