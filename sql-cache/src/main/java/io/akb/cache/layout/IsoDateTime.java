package io.akb.cache.layout;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The fast path for the date-times sources send nearly always, {@code yyyy-MM-dd'T'HH:mm[:ss[.f]]}
 * with {@code Z}, {@code ±HH:MM} or no zone ({@code T} or a space between date and time): parsed by
 * hand, as {@code java.time}'s formatters cost more than the rest of a record's conversion. Any
 * other form gives null, and the caller falls back to {@code java.time}, so what is accepted never
 * changes, only how fast.
 */
final class IsoDateTime {
  private IsoDateTime() {}

  /** The instant of {@code text} (no zone: UTC), or null when it is not in the common form. */
  static Instant instant(String text) {
    int length = text.length();
    if (length < 16
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || (text.charAt(10) != 'T' && text.charAt(10) != ' ')
        || text.charAt(13) != ':') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
      return null;
    }
    int at = 16;
    int second = 0;
    int nano = 0;
    if (at < length && text.charAt(at) == ':') {
      second = length >= 19 ? digits(text, 17, 2) : -1;
      if (second < 0 || second > 59) {
        return null;
      }
      at = 19;
      if (at < length && text.charAt(at) == '.') {
        int start = ++at;
        while (at < length && isDigit(text.charAt(at)) && at - start < 9) {
          nano = nano * 10 + (text.charAt(at++) - '0');
        }
        if (at == start) {
          return null;
        }
        for (int i = at - start; i < 9; i++) {
          nano *= 10;
        }
      }
    }
    int offsetSeconds;
    if (at == length) {
      offsetSeconds = 0;
    } else if (at == length - 1 && text.charAt(at) == 'Z') {
      offsetSeconds = 0;
    } else if (at == length - 6
        && (text.charAt(at) == '+' || text.charAt(at) == '-')
        && text.charAt(at + 3) == ':') {
      int hours = digits(text, at + 1, 2);
      int minutes = digits(text, at + 4, 2);
      if (hours < 0 || minutes < 0 || minutes > 59 || hours * 60 + minutes > 18 * 60) {
        return null;
      }
      offsetSeconds = (hours * 3600 + minutes * 60) * (text.charAt(at) == '-' ? -1 : 1);
    } else {
      return null;
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return null; // such as February 30th
    }
    long seconds = epochDay * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
    return Instant.ofEpochSecond(seconds, nano);
  }

  /** Whether {@code text}, accepted by {@link #instant}, names its zone. */
  static boolean hasZone(String text) {
    int length = text.length();
    char last = text.charAt(length - 1);
    return last == 'Z' || text.charAt(length - 6) == '+' || text.charAt(length - 6) == '-';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The non-negative number of {@code count} ASCII digits at {@code from}, or -1. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
