package io.akb.runtime.topic;

import static io.akb.runtime.topic.RecordValueDecoderTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * JsonConverter envelopes ({@code schemas.enable=true}) of AKB's {@code record.format=struct} back
 * to the record's JSON: what a target stores must be the record the source sent, whatever the
 * Connect schema had to rename or write as text.
 */
class JsonEnvelopeTest {

  private static JsonNode payload(String envelope) {
    JsonNode value = json(envelope);
    assertThat(JsonEnvelope.isEnvelope(value)).as("an envelope").isTrue();
    return JsonEnvelope.payload(value);
  }

  @Test
  void jsonNamesComeBackFromTheSchemasParametersAtEveryLevel() {
    JsonNode record =
        payload(
            """
            {"schema":{"type":"struct","fields":[
              {"type":"string","optional":true,"field":"first_name","parameters":{"airbyte.name":"first name"}},
              {"type":"struct","optional":true,"field":"_1st","parameters":{"airbyte.name":"1st"},"fields":[
                {"type":"struct","optional":true,"field":"post_code","parameters":{"airbyte.name":"post-code"},
                 "fields":[{"type":"int64","optional":true,"field":"_n","parameters":{"airbyte.name":"#n"}}]}]}]},
             "payload":{"first_name":"Ada","_1st":{"post_code":{"_n":150}}}}""");

    assertThat(record)
        .isEqualTo(json("{\"first name\":\"Ada\",\"1st\":{\"post-code\":{\"#n\":150}}}"));
  }

  @Test
  void arraysOfStructsAndMapsOfThemAreReadItemByItem() {
    JsonNode record =
        payload(
            """
            {"schema":{"type":"struct","fields":[
              {"type":"array","optional":true,"field":"lines","items":{"type":"struct","optional":true,"fields":[
                {"type":"string","optional":true,"field":"sku_id","parameters":{"airbyte.name":"sku-id"}}]}},
              {"type":"map","optional":true,"field":"by_day","parameters":{"airbyte.name":"by day"},
               "keys":{"type":"string"},"values":{"type":"struct","optional":true,"fields":[
                 {"type":"int64","optional":true,"field":"n_1","parameters":{"airbyte.name":"n 1"}}]}},
              {"type":"array","optional":true,"field":"plain","items":{"type":"int64","optional":true}}]},
             "payload":{"lines":[{"sku_id":"a"},null,{"sku_id":null}],
                        "by_day":{"2024-01-02":{"n_1":3}},"plain":[1,null,3]}}""");

    assertThat(record)
        .isEqualTo(
            json(
                """
                {"lines":[{"sku-id":"a"},null,{}],"by day":{"2024-01-02":{"n 1":3}},"plain":[1,null,3]}"""));
  }

  @Test
  void nullFieldsAreLeftOutAsTheJsonPathLeavesThemOut() {
    JsonNode record =
        payload(
            """
            {"schema":{"type":"struct","fields":[
              {"type":"int64","optional":true,"field":"id"},
              {"type":"string","optional":true,"field":"name"},
              {"type":"struct","optional":true,"field":"address","fields":[
                {"type":"string","optional":true,"field":"city"}]}]},
             "payload":{"id":1,"name":null,"address":null}}""");

    assertThat(record).isEqualTo(json("{\"id\":1}"));
    assertThat(
            payload("{\"schema\":{\"type\":\"struct\",\"fields\":[]},\"payload\":null}").isNull())
        .isTrue();
  }

  @Test
  void datesAndTimesStayTheIsoTextTheStructFormWrites() {
    JsonNode record =
        payload(
            """
            {"schema":{"type":"struct","fields":[
              {"type":"string","optional":true,"field":"born"},
              {"type":"string","optional":true,"field":"seen"},
              {"type":"string","optional":true,"field":"local"},
              {"type":"string","optional":true,"field":"at"}]},
             "payload":{"born":"1815-12-10","seen":"2024-01-02T03:04:05.123456Z",
                        "local":"2024-01-02T03:04:05","at":"03:04:05"}}""");

    assertThat(record)
        .isEqualTo(
            json(
                """
                {"born":"1815-12-10","seen":"2024-01-02T03:04:05.123456Z",
                 "local":"2024-01-02T03:04:05","at":"03:04:05"}"""));
  }

  @Test
  void jsonTextIsParsedBackAndUndeclaredFieldsMergedIn() {
    JsonNode record =
        payload(
            """
            {"schema":{"type":"struct","fields":[
              {"type":"int64","optional":true,"field":"id"},
              {"type":"string","optional":true,"field":"anything","parameters":{"airbyte.json":"no_type"}},
              {"type":"string","optional":true,"field":"quoted","parameters":{"airbyte.json":"no_type"}},
              {"type":"string","optional":true,"field":"_airbyte_additional_properties",
               "parameters":{"airbyte.json":"additional_properties"}}]},
             "payload":{"id":1,"anything":"{\\"n\\":1.50}","quoted":"\\"x\\"",
                        "_airbyte_additional_properties":"{\\"extra\\":[true],\\"id\\":99}"}}""");

    // A declared field wins over an undeclared one of the same name.
    assertThat(record)
        .isEqualTo(json("{\"id\":1,\"anything\":{\"n\":1.50},\"quoted\":\"x\",\"extra\":[true]}"));
    assertThat(record.at("/anything/n").toString()).isEqualTo("1.50");
  }

  @Test
  void aForeignEnvelopeGivesItsPayloadAsItIs() {
    JsonNode record =
        payload(
            """
            {"schema":{"type":"struct","name":"other","fields":[
              {"type":"string","optional":true,"field":"_airbyte_additional_properties"},
              {"type":"string","optional":true,"field":"text"}]},
             "payload":{"_airbyte_additional_properties":"{\\"a\\":1}","text":"{\\"b\\":2}"}}""");

    // Without AKB's parameters, text stays text and nothing is merged.
    assertThat(record)
        .isEqualTo(
            json(
                "{\"_airbyte_additional_properties\":\"{\\\"a\\\":1}\",\"text\":\"{\\\"b\\\":2}\"}"));
  }
}
