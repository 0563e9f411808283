package org.discoverweekly.etl.silver;

import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.spark.sql.catalyst.util.DateTimeUtils$;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Option;

/**
 * A listen's {@code ts}: epoch milliseconds, or ISO-8601 text, UTC unless it carries an offset.
 *
 * <p>The common forms are read here without Spark's string-to-timestamp reading, which compiles a
 * regular expression for every zoned value it reads: epoch milliseconds, and ISO-8601 {@code
 * YYYY-MM-DD[T ]HH:MM:SS[.ffffff][Z|+HH:MM|-HH:MM]}. Any other text that starts like an ISO date,
 * including an impossible date in one of these forms, goes to Spark's reading (the one behind
 * {@code CAST(ts AS TIMESTAMP)}), so the two always agree on what they both read.
 */
final class Timestamps {

  private static final int MAX_EPOCH_DIGITS = 15;
  private static final int MAX_OFFSET_HOURS = 18;
  private static final long MICROS_PER_SECOND = 1_000_000L;

  private Timestamps() {}

  /** Epoch microseconds of {@code text} in any form the contract accepts, or null. */
  static Long parse(String text) {
    Long common = micros(text);
    if (common != null || text == null || !startsLikeIsoDate(text)) {
      return common;
    }
    Option<Object> read =
        DateTimeUtils$.MODULE$.stringToTimestamp(UTF8String.fromString(text), ZoneOffset.UTC);
    return read.isDefined() ? (Long) read.get() : null;
  }

  /** {@code YYYY-MM-DD}, {@code T} or a space, {@code HH:}: what Spark's reading is tried on. */
  private static boolean startsLikeIsoDate(String text) {
    return text.length() >= 14
        && allDigits(text, 0, 4)
        && text.charAt(4) == '-'
        && allDigits(text, 5, 7)
        && text.charAt(7) == '-'
        && allDigits(text, 8, 10)
        && (text.charAt(10) == 'T' || text.charAt(10) == ' ')
        && allDigits(text, 11, 13)
        && text.charAt(13) == ':';
  }

  /** Epoch microseconds of {@code text}, or null when it has none of the common forms. */
  static Long micros(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    char first = text.charAt(0);
    if (first == '-' || text.length() < 10 || text.charAt(4) != '-') {
      return epochMillis(text);
    }
    return iso(text);
  }

  private static Long epochMillis(String text) {
    int start = text.charAt(0) == '-' ? 1 : 0;
    int digits = text.length() - start;
    if (digits < 1 || digits > MAX_EPOCH_DIGITS || !allDigits(text, start, text.length())) {
      return null;
    }
    return Long.parseLong(text) * 1000L;
  }

  private static Long iso(String text) {
    int length = text.length();
    if (length < 19
        || !startsLikeIsoDate(text)
        || !allDigits(text, 14, 16)
        || text.charAt(16) != ':'
        || !allDigits(text, 17, 19)) {
      return null;
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 7);
    int day = number(text, 8, 10);
    int hour = number(text, 11, 13);
    int minute = number(text, 14, 16);
    int second = number(text, 17, 19);
    if (month < 1
        || month > 12
        || day < 1
        || day > LocalDate.of(year, month, 1).lengthOfMonth()
        || hour > 23
        || minute > 59
        || second > 59) {
      return null;
    }
    int at = 19;
    long fraction = 0;
    if (at < length && text.charAt(at) == '.') {
      int end = at + 1;
      while (end < length && text.charAt(end) >= '0' && text.charAt(end) <= '9') {
        end++;
      }
      int digits = end - at - 1;
      if (digits < 1 || digits > 6) {
        return null;
      }
      fraction = number(text, at + 1, end);
      for (int i = digits; i < 6; i++) {
        fraction *= 10;
      }
      at = end;
    }
    int offsetSeconds = 0;
    if (at < length) {
      char zone = text.charAt(at);
      if (zone == 'Z' && at + 1 == length) {
        offsetSeconds = 0;
      } else if ((zone == '+' || zone == '-')
          && at + 6 == length
          && allDigits(text, at + 1, at + 3)
          && text.charAt(at + 3) == ':'
          && allDigits(text, at + 4, at + 6)) {
        int hours = number(text, at + 1, at + 3);
        int minutes = number(text, at + 4, at + 6);
        if (hours > MAX_OFFSET_HOURS
            || minutes > 59
            || (hours == MAX_OFFSET_HOURS && minutes > 0)) {
          return null;
        }
        offsetSeconds = (zone == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
      } else {
        return null;
      }
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    long seconds = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
    return seconds * MICROS_PER_SECOND + fraction;
  }

  private static boolean allDigits(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static int number(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return value;
  }
}
