package io.akb.runtime.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretResolverTest {
  @TempDir Path dir;

  @Test
  void looksInTheEnvironmentThenTheDotEnvFile() throws Exception {
    Path dotEnv = dir.resolve(".env");
    Files.writeString(
        dotEnv,
        "# comment\nexport FROM_FILE=\"file value\"\nSHADOWED=from-file\nPLAIN=abc # note\n");
    Map<String, String> env = Map.of("SHADOWED", "from-env");
    SecretResolver resolver = new SecretResolver(env::get, dotEnv, null);

    assertThat(resolver.get("SHADOWED").value()).isEqualTo("from-env");
    assertThat(resolver.get("FROM_FILE").value()).isEqualTo("file value");
    assertThat(resolver.get("PLAIN").value()).isEqualTo("abc");
  }

  @Test
  void aMissingSecretSaysWhereItWasLookedFor() {
    SecretResolver resolver = new SecretResolver(name -> null, dir.resolve(".env"), null);

    assertThatThrownBy(() -> resolver.get("API_TOKEN"))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("getting secret API_TOKEN failed")
        .hasMessageContaining("Set the environment variable API_TOKEN");
  }

  @Test
  void resolvesReferencesInACopyAndReportsTheValues() throws Exception {
    SecretResolver resolver = new SecretResolver(Map.of("DB_PASSWORD", "s3cr3t!")::get, null, null);
    var config =
        AirbyteJson.parse(
            "{\"password\":\"secret://DB_PASSWORD\",\"hosts\":[\"secret://DB_PASSWORD\"]}");

    SecretResolver.Resolved resolved = resolver.resolve(config);

    assertThat(resolved.config().get("password").asText()).isEqualTo("s3cr3t!");
    assertThat(resolved.config().get("hosts").get(0).asText()).isEqualTo("s3cr3t!");
    assertThat(resolved.secrets()).contains("s3cr3t!");
    assertThat(config.get("password").asText()).isEqualTo("secret://DB_PASSWORD");
  }
}
