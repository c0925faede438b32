package io.akb.runtime.schema;

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
import java.time.format.DateTimeParseException;

/**
 * Whether a JSON value fits a scalar {@link TypedSchema.Kind}, and the value it gives: each method
 * returns the typed Java value, or null when the value does not fit (the caller then nulls it and
 * records the change, Airbyte's rule). Every typed wire format reads values through these, so a
 * value fits Avro exactly when it fits a Connect schema.
 *
 * <p>What fits: an integer is a JSON integer within 64 bits, a number with no fraction, or the text
 * of one ({@code "12"}: a cast Airbyte's destinations make too); a number is any JSON number, or
 * its text, whose nearest double gives back its significant digits (so {@code 0.1} fits, a 25-digit
 * decimal or {@code 1e400} does not); a boolean is {@code true}/{@code false} or their text; a
 * string is any scalar's text; temporal values are ISO 8601 text as the SQL cache reads them (a
 * space may stand for the {@code T}; a date-time without zone in a with-zone field is UTC).
 */
public final class TypedValues {
  /** Integers up to 2^53 are doubles exactly. */
  private static final long EXACT_DOUBLE_INTEGER = 1L << 53;

  /** Any decimal of up to 15 significant digits is given back by its nearest double. */
  private static final int DOUBLE_SAFE_DIGITS = 15;

  /** A double has no more than 17 significant decimal digits to give back. */
  private static final int DOUBLE_MAX_DIGITS = 17;

  private TypedValues() {}

  /** A 64-bit integer, or null. */
  public static Long integer(JsonNode value) {
    if (value.isIntegralNumber()) {
      return value.canConvertToLong() ? value.longValue() : null;
    }
    BigDecimal decimal = decimal(value);
    if (decimal == null) {
      return null;
    }
    try {
      return decimal.longValueExact();
    } catch (ArithmeticException e) {
      return null;
    }
  }

  /** The double that gives the number back, or null. */
  public static Double number(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      long integer = value.longValue();
      if (integer >= -EXACT_DOUBLE_INTEGER && integer <= EXACT_DOUBLE_INTEGER) {
        return (double) integer;
      }
    }
    BigDecimal decimal = decimal(value);
    if (decimal == null) {
      return null;
    }
    double nearest = decimal.doubleValue();
    if (!Double.isFinite(nearest)) {
      return null;
    }
    if (decimal.signum() == 0) {
      return 0.0;
    }
    if (decimal.precision() <= DOUBLE_SAFE_DIGITS && Math.abs(nearest) >= Double.MIN_NORMAL) {
      return nearest;
    }
    BigDecimal digits = decimal.stripTrailingZeros();
    if (digits.precision() > DOUBLE_MAX_DIGITS) {
      return null;
    }
    BigDecimal back = new BigDecimal(nearest).round(new MathContext(digits.precision()));
    return back.compareTo(digits) == 0 ? nearest : null;
  }

  /** {@code true} or {@code false}, from a boolean or its exact text; else null. */
  public static Boolean bool(JsonNode value) {
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isTextual()) {
      String text = value.textValue().trim();
      return text.equals("true") ? Boolean.TRUE : text.equals("false") ? Boolean.FALSE : null;
    }
    return null;
  }

  /** A scalar's text (the source's number text for a number); null for an object or array. */
  public static String string(JsonNode value) {
    return value.isValueNode() ? value.asText() : null;
  }

  /** An ISO date ({@code 2024-02-29}), or null. */
  public static LocalDate date(JsonNode value) {
    if (!value.isTextual()) {
      return null;
    }
    try {
      return LocalDate.parse(value.textValue().trim());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The instant of a date-time with an offset, or of one without as UTC; else null. */
  public static Instant timestampWithTimezone(JsonNode value) {
    String iso = isoDateTime(value);
    if (iso == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }

  /** A date-time without zone, or null (one with an offset does not fit: which wall clock?). */
  public static LocalDateTime timestampWithoutTimezone(JsonNode value) {
    String iso = isoDateTime(value);
    if (iso == null) {
      return null;
    }
    try {
      return LocalDateTime.parse(iso);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A time of day without zone ({@code 13:45:00.123}), or null. */
  public static LocalTime timeWithoutTimezone(JsonNode value) {
    if (!value.isTextual()) {
      return null;
    }
    try {
      return LocalTime.parse(value.textValue().trim());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * A time with an offset, or a time without one as UTC (as the SQL cache reads it), or null. No
   * wire format has such a type, so it travels as text; this only checks it.
   */
  public static OffsetTime timeWithTimezone(JsonNode value) {
    if (!value.isTextual()) {
      return null;
    }
    String text = value.textValue().trim();
    try {
      return OffsetTime.parse(text);
    } catch (DateTimeParseException e) {
      LocalTime local = timeWithoutTimezone(value);
      return local == null ? null : local.atOffset(ZoneOffset.UTC);
    }
  }

  private static BigDecimal decimal(JsonNode value) {
    if (value.isNumber()) {
      return value.decimalValue();
    }
    if (value.isTextual()) {
      try {
        return new BigDecimal(value.textValue().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String isoDateTime(JsonNode value) {
    if (!value.isTextual()) {
      return null;
    }
    String text = value.textValue().trim();
    return text.length() > 10 && text.charAt(10) == ' '
        ? text.substring(0, 10) + 'T' + text.substring(11)
        : text;
  }
}
