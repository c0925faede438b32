package io.akb.cache.layout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import org.junit.jupiter.api.Test;

class ColumnTypeTest {
  private static JsonNode json(String text) throws Exception {
    return AirbyteJson.MAPPER.readTree(text.replace('\'', '"'));
  }

  @Test
  void mapsJsonSchemaTypesAsPyAirbyteDoes() throws Exception {
    assertThat(ColumnType.fromJsonSchema(json("{'type': 'integer'}"))).isEqualTo(ColumnType.BIGINT);
    assertThat(ColumnType.fromJsonSchema(json("{'type': ['null', 'number']}")))
        .isEqualTo(ColumnType.DECIMAL);
    assertThat(ColumnType.fromJsonSchema(json("{'type': 'string'}"))).isEqualTo(ColumnType.VARCHAR);
    assertThat(ColumnType.fromJsonSchema(json("{'type': 'boolean'}")))
        .isEqualTo(ColumnType.BOOLEAN);
    assertThat(ColumnType.fromJsonSchema(json("{'type': 'string', 'format': 'date'}")))
        .isEqualTo(ColumnType.DATE);
    assertThat(ColumnType.fromJsonSchema(json("{'type': 'string', 'format': 'date-time'}")))
        .isEqualTo(ColumnType.TIMESTAMP_TZ);
    assertThat(
            ColumnType.fromJsonSchema(
                json(
                    "{'type': 'string', 'format': 'date-time', 'airbyte_type': 'timestamp_without_timezone'}")))
        .isEqualTo(ColumnType.TIMESTAMP);
    assertThat(ColumnType.fromJsonSchema(json("{'type': 'object'}"))).isEqualTo(ColumnType.JSON);
    assertThat(ColumnType.fromJsonSchema(json("{'type': ['null', 'array'], 'items': {}}")))
        .isEqualTo(ColumnType.JSON);
    assertThat(ColumnType.fromJsonSchema(json("{'type': ['string', 'integer']}")))
        .isEqualTo(ColumnType.VARCHAR);
    assertThat(ColumnType.fromJsonSchema(json("{}"))).isEqualTo(ColumnType.VARCHAR);
  }

  @Test
  void canonicalTextOrNullWhenTheValueDoesNotFit() throws Exception {
    assertThat(ColumnType.BIGINT.text(json("12"))).isEqualTo("12");
    assertThat(ColumnType.BIGINT.text(json("12.0"))).isEqualTo("12");
    assertThat(ColumnType.BIGINT.text(json("12.5"))).isNull();
    assertThat(ColumnType.BIGINT.text(json("123456789012345678901234567890"))).isNull();
    assertThat(ColumnType.BIGINT.text(json("'12'"))).isNull();
    assertThat(ColumnType.DECIMAL.text(json("1.5e3"))).isEqualTo("1500");
    assertThat(ColumnType.DECIMAL.text(json("1e40"))).isNull();
    assertThat(ColumnType.DOUBLE.text(json("1e40"))).isEqualTo("1E+40");
    assertThat(ColumnType.BOOLEAN.text(json("'yes'"))).isNull();
    assertThat(ColumnType.DATE.text(json("'2024-02-29'"))).isEqualTo("2024-02-29");
    assertThat(ColumnType.DATE.text(json("'29.02.2024'"))).isNull();
    assertThat(ColumnType.TIMESTAMP_TZ.text(json("'2024-01-01T10:00:00+02:00'")))
        .isEqualTo("2024-01-01T10:00:00+02:00");
    assertThat(ColumnType.TIMESTAMP_TZ.text(json("'2024-01-01 10:00:00'")))
        .isEqualTo("2024-01-01T10:00:00Z");
    assertThat(ColumnType.TIMESTAMP_TZ.text(json("'soon'"))).isNull();
    assertThat(ColumnType.VARCHAR.text(json("{'a': 1}"))).isNull();
    assertThat(ColumnType.JSON.text(json("'text'"))).isEqualTo("\"text\"");
  }

  @Test
  void typedValueOrNullWhenTheValueDoesNotFit() throws Exception {
    assertThat(ColumnType.BIGINT.value(json("12.0"))).isEqualTo(12L);
    assertThat(ColumnType.BIGINT.value(json("12.5"))).isNull();
    assertThat(ColumnType.DECIMAL.value(json("1.5e3")))
        .isEqualTo(new java.math.BigDecimal("1.5e3"));
    assertThat(ColumnType.DECIMAL.value(json("1e40"))).isNull();
    assertThat(ColumnType.DOUBLE.value(json("1e40"))).isEqualTo(1e40);
    assertThat(ColumnType.BOOLEAN.value(json("true"))).isEqualTo(true);
    assertThat(ColumnType.VARCHAR.value(json("12"))).isEqualTo("12");
    assertThat(ColumnType.DATE.value(json("'2024-02-29'")))
        .isEqualTo(java.time.LocalDate.of(2024, 2, 29));
    assertThat(ColumnType.TIMESTAMP_TZ.value(json("'2024-01-01 10:00:00'")))
        .isEqualTo(java.time.Instant.parse("2024-01-01T10:00:00Z"));
    assertThat(ColumnType.TIMESTAMP.value(json("'2024-01-01T10:00:00'")))
        .isEqualTo(java.time.LocalDateTime.parse("2024-01-01T10:00:00"));
    assertThat(ColumnType.TIME.value(json("'10:00:01.5'")))
        .isEqualTo(java.time.LocalTime.parse("10:00:01.5"));
    assertThat(ColumnType.JSON.value(json("{'a': [1]}"))).isEqualTo("{\"a\":[1]}");
    // The typed value fits exactly where the canonical text does: both loads widen alike.
    String[] samples = {
      "12",
      "12.5",
      "1e40",
      "true",
      "'x'",
      "'2024-02-29'",
      "'2024-01-01T10:00:00+02:00'",
      "'10:00:01'",
      "{'a': 1}",
      "[1]",
      "123456789012345678901234567890"
    };
    for (ColumnType type : ColumnType.values()) {
      for (String sample : samples) {
        assertThat(type.value(json(sample)) == null)
            .as(type + " " + sample)
            .isEqualTo(type.text(json(sample)) == null);
      }
    }
  }

  @Test
  void widensNumbersAlongTheNumberLadderAndEverythingElseToVarcharThenJson() throws Exception {
    assertThat(ColumnType.BIGINT.widenFor(json("1.5"))).isEqualTo(ColumnType.DECIMAL);
    assertThat(ColumnType.DECIMAL.widenFor(json("1e40"))).isEqualTo(ColumnType.DOUBLE);
    assertThat(ColumnType.BIGINT.widenFor(json("'x'"))).isEqualTo(ColumnType.VARCHAR);
    assertThat(ColumnType.DATE.widenFor(json("'x'"))).isEqualTo(ColumnType.VARCHAR);
    assertThat(ColumnType.BOOLEAN.widenFor(json("[1]"))).isEqualTo(ColumnType.JSON);
    assertThat(ColumnType.VARCHAR.widenFor(json("{}"))).isEqualTo(ColumnType.JSON);
    assertThat(ColumnType.BIGINT.unionWith(ColumnType.DOUBLE)).isEqualTo(ColumnType.DOUBLE);
    assertThat(ColumnType.DATE.unionWith(ColumnType.BIGINT)).isEqualTo(ColumnType.VARCHAR);
    assertThat(ColumnType.VARCHAR.unionWith(ColumnType.JSON)).isEqualTo(ColumnType.JSON);
  }
}
