package io.akb.cache.layout;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The logical type of a stream column, from the stream's JSON schema: integer → BIGINT, number →
 * DOUBLE, string with format date / date-time / time → DATE / TIMESTAMP WITH TIME ZONE (TIMESTAMP
 * without zone for {@code timestamp_without_timezone}) / TIME (TIME WITH TIME ZONE for {@code
 * time_with_timezone}), object and array → JSON, anything else → VARCHAR. A nullable union ({@code
 * ["null","number"]}, {@code oneOf} or {@code anyOf} with a null member) is typed as its non-null
 * members. Each dialect names the SQL type.
 *
 * <p>A value is stored only where its type keeps it exactly, so nothing changes without a word:
 * {@link #text(JsonNode)} checks that a value fits and gives the canonical text a text bulk load
 * (PostgreSQL's COPY) parses; {@link #value(JsonNode)} makes the same check and gives the typed
 * Java value a typed bulk load (DuckDB's appender) takes; {@link #widenFor(JsonNode)} gives the
 * next type when it does not fit: integers widen to DECIMAL then DOUBLE, other scalars to VARCHAR,
 * objects and arrays to JSON. JSON holds every value, so widening always ends.
 *
 * <p>Numbers: PyAirbyte's DECIMAL(38,9) rounds π to 3.141592654 and 1e-10 to 0, so a number is a
 * DOUBLE, which holds every number a source prints from a float (JSON's own number type). A DOUBLE
 * holds a number when the double nearest to it gives back the source's significant digits (up to
 * 17); a number it does not hold (more digits, such as a database's exact decimal, or beyond a
 * double's range) widens the column to VARCHAR, which keeps every number's text, the change
 * recorded in the rows' {@code _airbyte_meta}. DECIMAL(38,9), still used for existing columns and
 * for integers beyond BIGINT, holds a number with at most 29 digits before the point and 9 after.
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
  TIME_TZ,
  JSON;

  /** DECIMAL(38,9) keeps 29 digits before the point. */
  private static final BigDecimal DECIMAL_LIMIT = new BigDecimal("1e29");

  /** DECIMAL(38,9) keeps 9 digits after the point. */
  private static final int DECIMAL_SCALE = 9;

  /** Integers up to 2^53 are doubles exactly. */
  private static final long EXACT_DOUBLE_INTEGER = 1L << 53;

  /** Any decimal of up to 15 significant digits is given back by its nearest double. */
  private static final int DOUBLE_SAFE_DIGITS = 15;

  /** A double has no more than 17 significant decimal digits to give back. */
  private static final int DOUBLE_MAX_DIGITS = 17;

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
        return TIME_TZ;
      case "time_without_timezone":
        return TIME;
      case "integer":
        return BIGINT;
      case "date":
        return DATE;
      default:
        break;
    }
    JsonNode type = property.get("type");
    String format = property.path("format").asText("");
    if (type == null || type.isNull()) {
      JsonNode members = property.has("oneOf") ? property.get("oneOf") : property.get("anyOf");
      if (members != null && members.isArray()) {
        return ofMembers(members);
      }
      return property.has("properties") ? JSON : VARCHAR;
    }
    if (type.isTextual()) {
      return ofType(type.asText(), format);
    }
    // ["null","number"] is a number; ["integer","number"] holds both; ["string","integer"] text.
    ColumnType union = null;
    for (JsonNode item : type) {
      if (!"null".equals(item.asText())) {
        ColumnType member = ofType(item.asText(), format);
        union = union == null ? member : union.unionWith(member);
      }
    }
    return union == null ? VARCHAR : union;
  }

  /** The type of a {@code oneOf} or {@code anyOf}: what holds each non-null member's values. */
  private static ColumnType ofMembers(JsonNode members) {
    ColumnType union = null;
    for (JsonNode member : members) {
      JsonNode type = member.get("type");
      if (type != null && type.isTextual() && "null".equals(type.asText())) {
        continue;
      }
      ColumnType next = fromJsonSchema(member);
      union = union == null ? next : union.unionWith(next);
    }
    return union == null ? VARCHAR : union;
  }

  private static ColumnType ofType(String type, String format) {
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
        return DOUBLE;
      case "boolean":
        return BOOLEAN;
      case "object":
      case "array":
        return JSON;
      default:
        return VARCHAR;
    }
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
        BigDecimal decimal = exactDecimal(value);
        return decimal == null ? null : decimal.toPlainString();
      case DOUBLE:
        return exactDouble(value) == null ? null : value.asText();
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
      case TIME_TZ:
        if (!value.isTextual()) {
          return null;
        }
        OffsetTime time = timeWithZoneValue(value.textValue());
        return time == null ? null : timeWithZoneText(time);
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
   * LocalDateTime}, {@code LocalTime}, {@code OffsetTime} for TIME_TZ (a time without zone is UTC),
   * and the JSON text for JSON. Checking and converting is one pass: nothing is rendered to be
   * parsed again. Never called for JSON null.
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
        return exactDecimal(value);
      case DOUBLE:
        return exactDouble(value);
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
      case TIME_TZ:
        return value.isTextual() ? timeWithZoneValue(value.textValue()) : null;
      case JSON:
        return value.toString();
      default:
        throw new IllegalStateException("unknown type " + this);
    }
  }

  /** The number as DECIMAL(38,9) keeps it, or null when it has more digits than that. */
  private static BigDecimal exactDecimal(JsonNode value) {
    if (!value.isNumber()) {
      return null;
    }
    BigDecimal decimal = value.decimalValue();
    if (decimal.abs().compareTo(DECIMAL_LIMIT) >= 0) {
      return null;
    }
    return decimal.scale() <= DECIMAL_SCALE || decimal.stripTrailingZeros().scale() <= DECIMAL_SCALE
        ? decimal
        : null;
  }

  /**
   * The double nearest to the number, or null when that double does not give back the number's
   * significant digits: more than 17 of them, or beyond a double's range (1e400, 1e-400). Up to 15
   * digits always come back, so only longer numbers cost a comparison.
   */
  private static Double exactDouble(JsonNode value) {
    if (!value.isNumber()) {
      return null;
    }
    if (value.canConvertToLong() && value.isIntegralNumber()) {
      long integer = value.longValue();
      if (integer >= -EXACT_DOUBLE_INTEGER && integer <= EXACT_DOUBLE_INTEGER) {
        return (double) integer;
      }
    }
    BigDecimal decimal = value.decimalValue();
    double nearest = decimal.doubleValue();
    if (!Double.isFinite(nearest)) {
      return null;
    }
    if (decimal.precision() <= DOUBLE_SAFE_DIGITS && Math.abs(nearest) >= Double.MIN_NORMAL) {
      return nearest;
    }
    if (decimal.signum() == 0) {
      return 0.0;
    }
    BigDecimal digits = decimal.stripTrailingZeros();
    if (digits.precision() > DOUBLE_MAX_DIGITS) {
      return null;
    }
    BigDecimal back = new BigDecimal(nearest).round(new MathContext(digits.precision()));
    return back.compareTo(digits) == 0 ? nearest : null;
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

  /** A time with its offset; a time without one is UTC, as a date-time without zone is. */
  private static OffsetTime timeWithZoneValue(String text) {
    try {
      return OffsetTime.parse(text);
    } catch (DateTimeParseException e) {
      LocalTime local = timeValue(text);
      return local == null ? null : local.atOffset(ZoneOffset.UTC);
    }
  }

  /** ISO text with a numeric offset ({@code +00:00}, not {@code Z}), which both databases read. */
  private static String timeWithZoneText(OffsetTime time) {
    String offset = time.getOffset().getTotalSeconds() == 0 ? "+00:00" : time.getOffset().getId();
    return time.toLocalTime().format(DateTimeFormatter.ISO_LOCAL_TIME) + offset;
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
