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
    assertThat(ColumnType.fromJsonSchema(json("{'type': 'number'}"))).isEqualTo(ColumnType.DOUBLE);
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
  void aNullableUnionIsTypedAsItsNonNullMembers() throws Exception {
    assertThat(ColumnType.fromJsonSchema(json("{'type': ['null', 'number']}")))
        .isEqualTo(ColumnType.DOUBLE);
    assertThat(ColumnType.fromJsonSchema(json("{'type': ['number', 'null']}")))
        .isEqualTo(ColumnType.DOUBLE);
    assertThat(ColumnType.fromJsonSchema(json("{'oneOf': [{'type': 'number'}, {'type': 'null'}]}")))
        .isEqualTo(ColumnType.DOUBLE);
    assertThat(ColumnType.fromJsonSchema(json("{'anyOf': [{'type': 'null'}, {'type': 'number'}]}")))
        .isEqualTo(ColumnType.DOUBLE);
    assertThat(
            ColumnType.fromJsonSchema(
                json("{'anyOf': [{'type': 'null'}, {'type': 'string', 'format': 'date-time'}]}")))
        .isEqualTo(ColumnType.TIMESTAMP_TZ);
    assertThat(ColumnType.fromJsonSchema(json("{'type': ['null', 'string'], 'format': 'date'}")))
        .isEqualTo(ColumnType.DATE);
    assertThat(
            ColumnType.fromJsonSchema(json("{'oneOf': [{'type': 'integer'}, {'type': 'null'}]}")))
        .isEqualTo(ColumnType.BIGINT);
    // Two non-null members: what holds the values of both.
    assertThat(ColumnType.fromJsonSchema(json("{'type': ['integer', 'number']}")))
        .isEqualTo(ColumnType.DOUBLE);
    assertThat(
            ColumnType.fromJsonSchema(json("{'oneOf': [{'type': 'integer'}, {'type': 'string'}]}")))
        .isEqualTo(ColumnType.VARCHAR);
    assertThat(ColumnType.fromJsonSchema(json("{'anyOf': [{'type': 'object'}, {'type': 'null'}]}")))
        .isEqualTo(ColumnType.JSON);
    assertThat(ColumnType.fromJsonSchema(json("{'oneOf': [{'type': 'null'}]}")))
        .isEqualTo(ColumnType.VARCHAR);
  }

  @Test
  void aTimeWithTimeZoneIsATimeWithTimeZone() throws Exception {
    JsonNode schema =
        json("{'type': 'string', 'format': 'time', 'airbyte_type': 'time_with_timezone'}");
    assertThat(ColumnType.fromJsonSchema(schema)).isEqualTo(ColumnType.TIME_TZ);
    assertThat(ColumnType.TIME_TZ.text(json("'10:00:01.5+02:00'"))).isEqualTo("10:00:01.5+02:00");
    assertThat(ColumnType.TIME_TZ.text(json("'10:00:01Z'"))).isEqualTo("10:00:01+00:00");
    assertThat(ColumnType.TIME_TZ.text(json("'10:00:01'"))).isEqualTo("10:00:01+00:00");
    assertThat(ColumnType.TIME_TZ.value(json("'23:59:59-05:30'")))
        .isEqualTo(java.time.OffsetTime.parse("23:59:59-05:30"));
    assertThat(ColumnType.TIME_TZ.text(json("'noon'"))).isNull();
    assertThat(
            ColumnType.fromJsonSchema(
                json(
                    "{'type': 'string', 'format': 'time', 'airbyte_type': 'time_without_timezone'}")))
        .isEqualTo(ColumnType.TIME);
  }

  @Test
  void aDoubleHoldsANumberOnlyWhenItGivesBackTheSourcesDigits() throws Exception {
    assertThat(ColumnType.DOUBLE.value(json("3.141592653589793"))).isEqualTo(Math.PI);
    assertThat(ColumnType.DOUBLE.value(json("1e-10"))).isEqualTo(1e-10);
    assertThat(ColumnType.DOUBLE.value(json("0.1"))).isEqualTo(0.1);
    assertThat(ColumnType.DOUBLE.value(json("0.0"))).isEqualTo(0.0);
    assertThat(ColumnType.DOUBLE.value(json("1e300"))).isEqualTo(1e300);
    assertThat(ColumnType.DOUBLE.value(json("4.9e-324"))).isEqualTo(Double.MIN_VALUE);
    assertThat(ColumnType.DOUBLE.value(json("0.30000000000000004"))).isEqualTo(0.1 + 0.2);
    assertThat(ColumnType.DOUBLE.value(json("100.000000000000000000"))).isEqualTo(100.0);
    assertThat(ColumnType.DOUBLE.value(json("9007199254740992"))).isEqualTo(9007199254740992.0);
    assertThat(ColumnType.DOUBLE.value(json("7"))).isEqualTo(7.0);
    // More digits than a double gives back, or beyond its range: not a double.
    assertThat(ColumnType.DOUBLE.value(json("12345678901234567890.1234567894"))).isNull();
    assertThat(ColumnType.DOUBLE.value(json("0.12345678901234567890123"))).isNull();
    assertThat(ColumnType.DOUBLE.value(json("9007199254740993"))).isNull();
    assertThat(ColumnType.DOUBLE.value(json("123456789012345678901234567890"))).isNull();
    assertThat(ColumnType.DOUBLE.value(json("1e400"))).isNull();
    assertThat(ColumnType.DOUBLE.value(json("1e-400"))).isNull();
    assertThat(ColumnType.DOUBLE.text(json("1e-400"))).isNull();
    // The text COPY parses is the source's own.
    assertThat(ColumnType.DOUBLE.text(json("1e10"))).isEqualTo("1e10");
    assertThat(ColumnType.DOUBLE.text(json("3.141592653589793"))).isEqualTo("3.141592653589793");
  }

  @Test
  void aDecimalHoldsANumberOnlyWithAtMostNineDecimals() throws Exception {
    assertThat(ColumnType.DECIMAL.value(json("3.141592653589793"))).isNull();
    assertThat(ColumnType.DECIMAL.text(json("3.141592653589793"))).isNull();
    assertThat(ColumnType.DECIMAL.value(json("1e-10"))).isNull();
    assertThat(ColumnType.DECIMAL.text(json("0.123456789"))).isEqualTo("0.123456789");
    assertThat(ColumnType.DECIMAL.text(json("0.12345678900000"))).isEqualTo("0.12345678900000");
    assertThat(ColumnType.DECIMAL.text(json("12345678901234567890.123456789")))
        .isEqualTo("12345678901234567890.123456789");
    // A BIGINT column that meets π widens past DECIMAL to DOUBLE, which holds it.
    assertThat(ColumnType.BIGINT.widenFor(json("3.141592653589793"))).isEqualTo(ColumnType.DECIMAL);
    assertThat(ColumnType.DOUBLE.widenFor(json("12345678901234567890.1234567894")))
        .isEqualTo(ColumnType.VARCHAR);
    assertThat(ColumnType.VARCHAR.text(json("12345678901234567890.1234567894")))
        .isEqualTo("12345678901234567890.1234567894");
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
    assertThat(ColumnType.DOUBLE.text(json("1e40"))).isEqualTo("1e40");
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
      "'10:00:01+02:00'",
      "3.141592653589793",
      "1e-400",
      "12345678901234567890.1234567894",
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
