package io.akb.cache.layout;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The logical type of a stream column, from the stream's JSON schema as PyAirbyte maps it: integer
 * → BIGINT, number → DECIMAL(38,9), string with format date / date-time / time → DATE / TIMESTAMP
 * WITH TIME ZONE (TIMESTAMP without zone for {@code timestamp_without_timezone}) / TIME, object and
 * array → JSON, anything else → VARCHAR. Each dialect names the SQL type.
 *
 * <p>{@link #text(JsonNode)} checks that a value fits and gives the canonical text a text bulk load
 * (PostgreSQL's COPY) parses; {@link #value(JsonNode)} makes the same check and gives the typed
 * Java value a typed bulk load (DuckDB's appender) takes; {@link #widenFor(JsonNode)} gives the
 * next type when it does not fit: integers widen to DECIMAL then DOUBLE, other scalars to VARCHAR,
 * objects and arrays to JSON. JSON holds every value, so widening always ends.
 */
public enum ColumnType {
  BIGINT,
  DECIMAL,
  DOUBLE,
  BOOLEAN,
  VARCHAR,
  DATE,
  TIMESTAMP_TZ,
  TIMESTAMP,
  TIME,
  JSON;

  /** DECIMAL(38,9) keeps 29 digits before the point. */
  private static final BigDecimal DECIMAL_LIMIT = new BigDecimal("1e29");

  /** The column type of one JSON-schema property. */
  public static ColumnType fromJsonSchema(JsonNode property) {
    if (property == null || !property.isObject()) {
      return VARCHAR;
    }
    String airbyteType = property.path("airbyte_type").asText("");
    switch (airbyteType) {
      case "timestamp_with_timezone":
        return TIMESTAMP_TZ;
      case "timestamp_without_timezone":
        return TIMESTAMP;
      case "time_with_timezone":
      case "time_without_timezone":
        return TIME;
      case "integer":
        return BIGINT;
      case "date":
        return DATE;
      default:
        break;
    }
    String type = singleType(property.get("type"));
    String format = property.path("format").asText("");
    if (type == null) {
      return property.has("properties") ? JSON : VARCHAR;
    }
    switch (type) {
      case "string":
        switch (format) {
          case "date":
            return DATE;
          case "date-time":
            return TIMESTAMP_TZ;
          case "time":
            return TIME;
          default:
            return VARCHAR;
        }
      case "integer":
        return BIGINT;
      case "number":
        return DECIMAL;
      case "boolean":
        return BOOLEAN;
      case "object":
      case "array":
        return JSON;
      default:
        return VARCHAR;
    }
  }

  /** {@code "string"} from {@code "string"} or {@code ["null","string"]}; null when ambiguous. */
  private static String singleType(JsonNode type) {
    if (type == null || type.isNull()) {
      return null;
    }
    if (type.isTextual()) {
      return type.asText();
    }
    String found = null;
    for (JsonNode item : type) {
      if (!"null".equals(item.asText())) {
        if (found != null) {
          return null; // a union such as ["string","integer"] stays VARCHAR-compatible via widening
        }
        found = item.asText();
      }
    }
    return found;
  }

  /**
   * The type that holds values of both types: itself when equal, the wider number for two numbers,
   * JSON when either is JSON, else VARCHAR. Used when a later schema declares another type.
   */
  public ColumnType unionWith(ColumnType other) {
    if (this == other) {
      return this;
    }
    if (this == JSON || other == JSON) {
      return JSON;
    }
    if (isNumeric() && other.isNumeric()) {
      return ordinal() > other.ordinal() ? this : other;
    }
    return VARCHAR;
  }

  private boolean isNumeric() {
    return this == BIGINT || this == DECIMAL || this == DOUBLE;
  }

  /** The column type that holds a value best, for a field the schema does not declare. */
  public static ColumnType inferFrom(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return BIGINT;
    }
    if (value.isNumber()) {
      return DOUBLE;
    }
    if (value.isBoolean()) {
      return BOOLEAN;
    }
    if (value.isContainerNode()) {
      return JSON;
    }
    return VARCHAR;
  }

  /**
   * The canonical text the database casts into this type, or null when the value does not fit.
   * Never called for JSON null (that is SQL NULL in every type).
   */
  public String text(JsonNode value) {
    switch (this) {
      case BIGINT:
        if (value.isIntegralNumber()) {
          return value.canConvertToLong() ? Long.toString(value.longValue()) : null;
        }
        if (value.isNumber()) {
          BigDecimal decimal = value.decimalValue();
          try {
            return Long.toString(decimal.longValueExact());
          } catch (ArithmeticException e) {
            return null;
          }
        }
        return null;
      case DECIMAL:
        if (!value.isNumber()) {
          return null;
        }
        BigDecimal decimal = value.decimalValue();
        return decimal.abs().compareTo(DECIMAL_LIMIT) < 0 ? decimal.toPlainString() : null;
      case DOUBLE:
        return value.isNumber() && Double.isFinite(value.doubleValue()) ? value.asText() : null;
      case BOOLEAN:
        return value.isBoolean() ? Boolean.toString(value.booleanValue()) : null;
      case VARCHAR:
        return value.isValueNode() ? value.asText() : null;
      case DATE:
        return value.isTextual() ? parseDate(value.textValue()) : null;
      case TIMESTAMP_TZ:
        return value.isTextual() ? parseTimestampWithZone(value.textValue()) : null;
      case TIMESTAMP:
        return value.isTextual() ? parseTimestamp(value.textValue()) : null;
      case TIME:
        return value.isTextual() ? parseTime(value.textValue()) : null;
      case JSON:
        return value.toString();
      default:
        throw new IllegalStateException("unknown type " + this);
    }
  }

  /**
   * The typed value of a JSON value in a column of this type, or null when it does not fit (the
   * same check as {@link #text}): {@code Long} for BIGINT, {@code BigDecimal} for DECIMAL, {@code
   * Double}, {@code Boolean}, {@code String} for VARCHAR, {@code LocalDate}, {@code Instant} for
   * TIMESTAMP_TZ (the instant is what the type keeps; a date-time without zone is UTC), {@code
   * LocalDateTime}, {@code LocalTime}, and the JSON text for JSON. Checking and converting is one
   * pass: nothing is rendered to be parsed again. Never called for JSON null.
   */
  public Object value(JsonNode value) {
    switch (this) {
      case BIGINT:
        if (value.isIntegralNumber()) {
          return value.canConvertToLong() ? value.longValue() : null;
        }
        if (value.isNumber()) {
          try {
            return value.decimalValue().longValueExact();
          } catch (ArithmeticException e) {
            return null;
          }
        }
        return null;
      case DECIMAL:
        if (!value.isNumber()) {
          return null;
        }
        BigDecimal decimal = value.decimalValue();
        return decimal.abs().compareTo(DECIMAL_LIMIT) < 0 ? decimal : null;
      case DOUBLE:
        return value.isNumber() && Double.isFinite(value.doubleValue())
            ? value.doubleValue()
            : null;
      case BOOLEAN:
        return value.isBoolean() ? value.booleanValue() : null;
      case VARCHAR:
        return value.isValueNode() ? value.asText() : null;
      case DATE:
        return value.isTextual() ? dateValue(value.textValue()) : null;
      case TIMESTAMP_TZ:
        return value.isTextual() ? timestampWithZoneValue(value.textValue()) : null;
      case TIMESTAMP:
        return value.isTextual() ? timestampValue(value.textValue()) : null;
      case TIME:
        return value.isTextual() ? timeValue(value.textValue()) : null;
      case JSON:
        return value.toString();
      default:
        throw new IllegalStateException("unknown type " + this);
    }
  }

  private static LocalDate dateValue(String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Instant timestampWithZoneValue(String text) {
    Instant common = IsoDateTime.instant(text);
    if (common != null) {
      return common;
    }
    String iso = text.length() > 10 && text.charAt(10) == ' ' ? text.replaceFirst(" ", "T") : text;
    try {
      return OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC); // no zone: UTC, as PyAirbyte
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }

  private static LocalDateTime timestampValue(String text) {
    String iso = text.length() > 10 && text.charAt(10) == ' ' ? text.replaceFirst(" ", "T") : text;
    try {
      return LocalDateTime.parse(iso);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static LocalTime timeValue(String text) {
    try {
      return LocalTime.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The next wider type for a value this type cannot hold. */
  public ColumnType widenFor(JsonNode value) {
    if (value.isContainerNode() || this == JSON) {
      return JSON;
    }
    if (value.isNumber()) {
      if (this == BIGINT) {
        return DECIMAL;
      }
      if (this == DECIMAL) {
        return DOUBLE;
      }
    }
    return this == VARCHAR ? JSON : VARCHAR;
  }

  private static String parseDate(String text) {
    try {
      return LocalDate.parse(text).toString();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String parseTimestampWithZone(String text) {
    if (IsoDateTime.instant(text) != null) {
      String iso = text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text;
      return IsoDateTime.hasZone(iso) ? iso : iso + "Z"; // no zone: UTC, as PyAirbyte does
    }
    String iso = text.length() > 10 && text.charAt(10) == ' ' ? text.replaceFirst(" ", "T") : text;
    try {
      OffsetDateTime.parse(iso);
      return iso; // ISO 8601 with an offset: both databases read it as it is
    } catch (DateTimeParseException e) {
      try {
        // A date-time without zone is read as UTC, as PyAirbyte does.
        LocalDateTime.parse(iso);
        return iso + "Z";
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }

  private static String parseTimestamp(String text) {
    String iso = text.length() > 10 && text.charAt(10) == ' ' ? text.replaceFirst(" ", "T") : text;
    try {
      return LocalDateTime.parse(iso).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String parseTime(String text) {
    try {
      return LocalTime.parse(text).format(DateTimeFormatter.ISO_LOCAL_TIME);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
