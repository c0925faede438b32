package io.akb.runtime.secret;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskerTest {
  private static JsonNode json(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static final JsonNode SPEC =
      json(
          "{\"type\":\"object\",\"properties\":{\"host\":{\"type\":\"string\"},"
              + "\"credentials\":{\"oneOf\":[{\"properties\":{\"secret_value\":{\"type\":\"string\","
              + "\"airbyte_secret\":true}}}]}}}");

  @Test
  void masksFieldsTheSpecMarksSecretEvenWhenNested() {
    JsonNode config =
        json("{\"host\":\"db.example.com\",\"credentials\":{\"secret_value\":\"hunter2-xyz\"}}");
    SecretMasker masker = SecretMasker.forConfig(SPEC, config);

    assertThat(masker.mask("login with hunter2-xyz at db.example.com"))
        .isEqualTo("login with **** at db.example.com");
    assertThat(masker.maskConfig(config).toString())
        .isEqualTo("{\"host\":\"db.example.com\",\"credentials\":{\"secret_value\":\"****\"}}");
  }

  @Test
  void masksSecretLookingNamesWithoutASpec() {
    JsonNode config =
        json("{\"api_key\":\"abcd-1234\",\"password\":\"pa$$word\",\"name\":\"plain\"}");
    SecretMasker masker = SecretMasker.forConfig(null, config);

    assertThat(masker.mask("key=abcd-1234 pw=pa$$word name=plain"))
        .isEqualTo("key=**** pw=**** name=plain");
  }

  @Test
  void masksTheJsonEscapedFormOfASecret() {
    SecretMasker masker = SecretMasker.none().with(List.of("quo\"te\\d"));

    assertThat(masker.mask("{\"token\":\"quo\\\"te\\\\d\"}")).isEqualTo("{\"token\":\"****\"}");
  }

  @Test
  void leavesShortValuesAndReferencesAlone() {
    JsonNode config = json("{\"token\":\"ab\",\"password\":\"secret://DB_PASSWORD\"}");
    SecretMasker masker = SecretMasker.forConfig(null, config);

    assertThat(masker.hasSecrets()).isFalse();
    assertThat(masker.maskConfig(config).get("password").asText())
        .isEqualTo("secret://DB_PASSWORD");
  }

  @Test
  void aSecretContainingAnotherIsHiddenWhole() {
    SecretMasker masker = SecretMasker.none().with(List.of("abcd", "abcdefgh"));

    assertThat(masker.mask("x abcdefgh y")).isEqualTo("x **** y");
  }
}
