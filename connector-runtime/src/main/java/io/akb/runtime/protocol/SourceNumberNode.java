package io.akb.runtime.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.NumericNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A JSON number with a fraction or an exponent, kept as its exact decimal value and the text the
 * source wrote: written back, it is that text ({@code 1e10}, {@code 100.0}, {@code 0.0}), never a
 * re-rendering of the value ({@code 1E+10}, {@code 1E+2}, {@code 0}). Equal to another such node of
 * the same value whatever its text or scale ({@code 1.50} and {@code 1.5}), as trees compared when
 * Jackson's reader stripped trailing zeros.
 */
final class SourceNumberNode extends NumericNode {
  private static final long serialVersionUID = 1L;

  private final String text;
  private final BigDecimal value;

  SourceNumberNode(String text, BigDecimal value) {
    this.text = text;
    this.value = value;
  }

  @Override
  public JsonToken asToken() {
    return JsonToken.VALUE_NUMBER_FLOAT;
  }

  @Override
  public JsonParser.NumberType numberType() {
    return JsonParser.NumberType.BIG_DECIMAL;
  }

  @Override
  public boolean isFloatingPointNumber() {
    return true;
  }

  @Override
  public boolean isBigDecimal() {
    return true;
  }

  @Override
  public boolean canConvertToInt() {
    return value.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) >= 0
        && value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0;
  }

  @Override
  public boolean canConvertToLong() {
    return value.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0
        && value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
  }

  @Override
  public boolean canConvertToExactIntegral() {
    return value.signum() == 0 || value.scale() <= 0 || value.stripTrailingZeros().scale() <= 0;
  }

  @Override
  public Number numberValue() {
    return value;
  }

  @Override
  public short shortValue() {
    return value.shortValue();
  }

  @Override
  public int intValue() {
    return value.intValue();
  }

  @Override
  public long longValue() {
    return value.longValue();
  }

  @Override
  public float floatValue() {
    return value.floatValue();
  }

  @Override
  public double doubleValue() {
    return value.doubleValue();
  }

  @Override
  public BigDecimal decimalValue() {
    return value;
  }

  @Override
  public BigInteger bigIntegerValue() {
    return value.toBigInteger();
  }

  /** The source's own text of the number. */
  @Override
  public String asText() {
    return text;
  }

  @Override
  public void serialize(JsonGenerator generator, SerializerProvider provider) throws IOException {
    generator.writeNumber(text);
  }

  @Override
  public boolean equals(Object other) {
    return other == this
        || (other instanceof SourceNumberNode number && number.value.compareTo(value) == 0);
  }

  @Override
  public int hashCode() {
    return value.signum() == 0 ? 0 : value.stripTrailingZeros().hashCode();
  }
}
