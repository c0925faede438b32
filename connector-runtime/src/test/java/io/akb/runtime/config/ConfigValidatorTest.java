package io.akb.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.secret.SecretMasker;
import org.junit.jupiter.api.Test;

class ConfigValidatorTest {
  private static JsonNode json(String text) throws Exception {
    return AirbyteJson.parse(text);
  }

  @Test
  void namesEveryBadFieldByItsPath() throws Exception {
    JsonNode spec =
        json(
            "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","
                + "\"required\":[\"host\"],\"properties\":{\"host\":{\"type\":\"string\",\"order\":0},"
                + "\"port\":{\"type\":\"integer\",\"minimum\":1},"
                + "\"tables\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
                + "\"password\":{\"type\":\"string\",\"airbyte_secret\":true}}}");
    ConfigValidator validator = new ConfigValidator("source-db", spec);

    assertThat(validator.problems(json("{\"port\":0,\"tables\":[\"a\",7]}"), SecretMasker.none()))
        .containsExactly(
            "$: required property 'host' not found",
            "$.port: must have a minimum value of 1",
            "$.tables[1]: integer found, string expected");
    assertThat(validator.problems(json("{\"host\":\"h\",\"password\":\"x\"}"), SecretMasker.none()))
        .isEmpty();
  }

  @Test
  void theExceptionListsTheProblemsAndHints() throws Exception {
    ConfigValidator validator =
        new ConfigValidator(
            "source-faker",
            json("{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"}}}"));

    assertThatThrownBy(() -> validator.validate(json("{\"count\":\"many\"}"), SecretMasker.none()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("validating the config of source-faker failed")
        .hasMessageContaining("$.count: string found, integer expected");
  }
}
