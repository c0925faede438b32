package io.akb.runtime.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.MessageStream;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.testkit.FakeConnector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registered secret manager feeding a real connector process: {@code secret://} references
 * resolve through it, and its secrets are hidden in the connector's log lines and in errors even
 * when copied into a field whose name says nothing.
 */
class SecretManagerIT {
  private static final String API_KEY = "vault-api-key-5e6f7a8b";
  private static final String SHOP = "shop-handle-91c2d3e4";

  @TempDir Path dir;

  @AfterEach
  void restoreTheDefaults() {
    SecretSources.reset();
  }

  /** A connector that logs its whole config on {@code read} and fails {@code check} quoting it. */
  private FakeConnector connector() {
    return FakeConnector.withSpec(
        dir,
        "source-vaulted",
        "CONF=$(tr -d '\\n\"' < $CONFIG)\n"
            + "if [ \"$1\" = discover ]; then echo '{\"type\":\"CATALOG\",\"catalog\":{\"streams\":"
            + "[{\"name\":\"users\",\"json_schema\":{},\"supported_sync_modes\":[\"full_refresh\"]}]}}';"
            + " exit 0; fi\n"
            + "if [ \"$1\" = check ]; then echo \"Traceback: bad config $CONF\" >&2; exit 1; fi\n"
            + "echo \"{\\\"type\\\":\\\"LOG\\\",\\\"log\\\":{\\\"level\\\":\\\"INFO\\\","
            + "\\\"message\\\":\\\"config: $CONF\\\"}}\"\n"
            + "echo '"
            + FakeConnector.record("users", 1)
            + "'");
  }

  @Test
  void aRegisteredManagersSecretsReachTheConnectorAndNoLogOrError() {
    SecretManager vault =
        new SecretManager() {
          @Override
          public Optional<SecretString> getSecret(String name) {
            return Optional.ofNullable(Map.of("SHOP_API_KEY", API_KEY, "SHOP", SHOP).get(name))
                .map(SecretString::new);
          }

          @Override
          public String name() {
            return "vault";
          }
        };
    Airbyte.registerSecretManager(vault);
    FakeConnector connector = connector();
    ObjectNode config = AirbyteJson.MAPPER.createObjectNode();
    config.put("api_key", "secret://SHOP_API_KEY");
    // A secret copied by hand into a field no spec marks and whose name looks harmless.
    config.put("note", Airbyte.getSecret("SHOP").value());
    Source source = Airbyte.getSource("source-vaulted", config, connector.options());

    List<String> logs = new ArrayList<>();
    try (MessageStream messages = source.selectStreams("*").read()) {
      messages.forEachRemaining(
          m -> {
            if (m.type() == AirbyteMessage.Type.LOG) {
              logs.add(m.log().message());
            }
          });
    }

    assertThat(logs)
        .singleElement()
        .asString()
        .contains("api_key:****", "note:****")
        .doesNotContain(API_KEY, SHOP);
    assertThatThrownBy(source::check)
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("Traceback: bad config")
        .hasMessageContaining("api_key:****")
        .hasMessageContaining("note:****")
        .hasMessageNotContaining(API_KEY)
        .hasMessageNotContaining(SHOP);
    assertThat(source.printableConfig().get("note").asText()).isEqualTo("****");
  }
}
