package io.akb.cache.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

class IsoDateTimeTest {
  /** What java.time reads, as ColumnType did before the fast path: the reference. */
  private static Instant javaTime(String text) {
    String iso = text.length() > 10 && text.charAt(10) == ' ' ? text.replaceFirst(" ", "T") : text;
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

  @Test
  void theCommonFormsGiveJavaTimesInstant() {
    String[] common = {
      "2024-05-06T07:08:09+02:00",
      "2024-05-06 07:08:09.123456-05:30",
      "2024-05-06T07:08:09.123456789Z",
      "2024-05-06T07:08:09.1Z",
      "2024-02-29T23:59:59",
      "1969-12-31T23:59:59.999999Z",
      "0001-01-01T00:00Z",
      "2024-05-06T07:08",
      "2024-05-06T07:08:09+18:00",
    };
    for (String text : common) {
      assertThat(IsoDateTime.instant(text)).as(text).isNotNull().isEqualTo(javaTime(text));
      assertThat(IsoDateTime.hasZone(text)).as(text).isEqualTo(javaTime(text + "Z") == null);
    }
  }

  @Test
  void anythingElseIsLeftToJavaTime() {
    String[] other = {
      "2023-02-29T10:00:00Z",
      "2024-13-01T10:00:00Z",
      "2024-05-06T24:00:00Z",
      "2024-05-06T07:08:60Z",
      "2024-05-06T07:08:09.Z",
      "2024-05-06T07:08:09.1234567891Z",
      "2024-05-06T07:08:09+19:00",
      "2024-05-06T07:08:09+0200",
      "2024-05-06T07:08:09+02:00:30",
      "2024-05-06T07:08:09 +02:00",
      "2024-05-06",
      "soon, very soon",
      "２０２４-05-06T07:08:09Z",
    };
    for (String text : other) {
      assertThat(IsoDateTime.instant(text)).as(text).isNull();
    }
  }
}
