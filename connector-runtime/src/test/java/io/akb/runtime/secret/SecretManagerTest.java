package io.akb.runtime.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret managers as a PyAirbyte user plugs them in: order, backup, replace, disable, masking. */
class SecretManagerTest {
  @TempDir Path dir;

  /** A vault holding fixed secrets, as a user's CustomSecretManager would. */
  private record Vault(String name, Map<String, String> secrets) implements SecretManager {
    @Override
    public Optional<SecretString> getSecret(String secretName) {
      return Optional.ofNullable(secrets.get(secretName)).map(SecretString::new);
    }
  }

  @AfterEach
  void restoreTheDefaults() {
    SecretSources.reset();
  }

  @Test
  void aSecretStringPrintsMaskedAndGivesItsValueWhenAsked() {
    SecretString secret = new SecretString("hunter2-very-secret");

    assertThat(secret.toString()).isEqualTo("****");
    assertThat(String.valueOf(Map.of("password", secret))).isEqualTo("{password=****}");
    assertThat("token " + secret).isEqualTo("token ****");
    assertThat(secret.value()).isEqualTo("hunter2-very-secret");
    assertThat(secret).isEqualTo(new SecretString("hunter2-very-secret"));
    assertThat(secret.isJson()).isFalse();
  }

  @Test
  void aJsonSecretParsesAndABrokenOneSaysWhereQuotingNothing() {
    SecretString key = new SecretString("{\"type\":\"service_account\",\"private_key\":\"k3y\"}");
    assertThat(key.isJson()).isTrue();
    assertThat(key.parseJson().get("type").asText()).isEqualTo("service_account");

    SecretString broken = new SecretString("{\"private_key\": abcdef-9876}");
    assertThatThrownBy(broken::parseJson)
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("parsing a secret as JSON failed: the secret (28 characters) is not")
        .hasMessageContaining("at line 1, column")
        .hasMessageNotContaining("abcdef");
  }

  @Test
  void theDefaultsAreEnvThenDotenvAndARegisteredManagerIsAskedFirst() {
    assertThat(SecretSources.list())
        .extracting(SecretManager::name)
        .startsWith("env", "dotenv")
        .doesNotContain("prompt"); // no console in a test run
    SecretSources.set(List.of(environment(), new DotenvSecretManager(dir.resolve(".env"))));

    Airbyte.registerSecretManager(new Vault("vault", Map.of("API_TOKEN", "from-the-vault")));

    assertThat(SecretSources.list())
        .extracting(SecretManager::name)
        .containsExactly("vault", "env", "dotenv");
    assertThat(Airbyte.getSecret("API_TOKEN").value()).isEqualTo("from-the-vault");
  }

  @Test
  void aBackupIsAskedLastAndReplaceExistingDropsTheDefaults() {
    SecretSources.set(List.of(environment()));
    Airbyte.registerSecretManager(
        new Vault("backup", Map.of("API_TOKEN", "from-backup", "ONLY_IN_BACKUP", "b4ckup")),
        true,
        false);
    assertThat(SecretSources.list())
        .extracting(SecretManager::name)
        .containsExactly("env", "backup");
    assertThat(Airbyte.getSecret("API_TOKEN").value()).isEqualTo("from-env");
    assertThat(Airbyte.getSecret("ONLY_IN_BACKUP").value()).isEqualTo("b4ckup");

    Airbyte.registerSecretManager(
        new Vault("only", Map.of("API_TOKEN", "vault-token")), false, true);
    assertThat(SecretSources.list()).extracting(SecretManager::name).containsExactly("only");
    assertThat(Airbyte.getSecret("API_TOKEN").value()).isEqualTo("vault-token");
  }

  /** An environment holding API_TOKEN=from-env, so no real variable becomes a secret. */
  private static SecretManager environment() {
    return new EnvVarSecretManager(Map.of("API_TOKEN", "from-env")::get);
  }

  @Test
  void aDisabledSourceIsNoLongerAskedAndTheErrorSaysWhereItLooked() {
    SecretSources.set(List.of(environment(), new DotenvSecretManager(dir.resolve(".env"))));
    assertThat(Airbyte.disableSecretSource("env")).isTrue();
    assertThat(Airbyte.disableSecretSource("env")).isFalse();

    assertThatThrownBy(() -> Airbyte.getSecret("API_TOKEN"))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("getting secret API_TOKEN failed: it is not in ")
        .hasMessageContaining(".env, and no console is attached to ask for it")
        .hasMessageNotContaining("environment variable,")
        .hasMessageContaining("register a SecretManager that has it");
  }

  @Test
  void theOrderIsTheCallersChoice() throws Exception {
    Path dotEnv = dir.resolve(".env");
    Files.writeString(dotEnv, "API_TOKEN=from-file\n");
    SecretManager env = new EnvVarSecretManager(Map.of("API_TOKEN", "from-env")::get);
    SecretManager file = new DotenvSecretManager(dotEnv);

    assertThat(new SecretResolver(List.of(env, file)).get("API_TOKEN").value())
        .isEqualTo("from-env");
    assertThat(new SecretResolver(List.of(file, env)).get("API_TOKEN").value())
        .isEqualTo("from-file");

    SecretSources.set(List.of(file, env));
    assertThat(Airbyte.getSecret("API_TOKEN").value()).isEqualTo("from-file");
  }

  @Test
  void aSecretFromAManagerIsMaskedEvenInAFieldWhoseNameLooksHarmless() {
    Airbyte.registerSecretManager(new Vault("vault", Map.of("SHOP_KEY", "shpat-00aa11bb22cc")));
    String key = Airbyte.getSecret("SHOP_KEY").value();
    var config = AirbyteJson.MAPPER.createObjectNode().put("shop", key).put("count", 3);

    // No spec, no secret-looking name: only the remembered value can hide it.
    SecretMasker masker = SecretMasker.forConfig(null, config);

    assertThat(masker.mask("connecting to shop shpat-00aa11bb22cc"))
        .isEqualTo("connecting to shop ****");
    assertThat(masker.maskConfig(config).get("shop").asText()).isEqualTo("****");
    assertThat(SecretMasker.none().mask("{\"shop\":\"shpat-00aa11bb22cc\"}"))
        .isEqualTo("{\"shop\":\"****\"}");
  }

  @Test
  void secretReferencesResolveThroughTheRegisteredManagers() throws Exception {
    Airbyte.registerSecretManager(new Vault("vault", Map.of("DB_PASSWORD", "pg-pass-4321")));
    var config = AirbyteJson.parse("{\"password\":\"secret://DB_PASSWORD\"}");

    SecretResolver.Resolved resolved = SecretResolver.defaults().resolve(config);

    assertThat(resolved.config().get("password").asText()).isEqualTo("pg-pass-4321");
    assertThat(resolved.secrets()).containsExactly("pg-pass-4321");
  }
}
