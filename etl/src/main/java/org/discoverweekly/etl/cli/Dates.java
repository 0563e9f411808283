package org.discoverweekly.etl.cli;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converters for the CLI's ISO dates and Monday weeks. */
final class Dates {

  private Dates() {}

  /** An ISO date, {@code 2026-11-16}. */
  static final class IsoDate implements ITypeConverter<LocalDate> {
    @Override
    public LocalDate convert(String value) {
      try {
        return LocalDate.parse(value);
      } catch (DateTimeParseException e) {
        throw new TypeConversionException("'" + value + "' is not a date (expected YYYY-MM-DD)");
      }
    }
  }

  /** An ISO date that is a Monday, the first day of a playlist week. */
  static final class Monday implements ITypeConverter<LocalDate> {
    @Override
    public LocalDate convert(String value) {
      LocalDate date = new IsoDate().convert(value);
      if (date.getDayOfWeek() != DayOfWeek.MONDAY) {
        throw new TypeConversionException(
            "'"
                + value
                + "' is a "
                + date.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH)
                + "; a week must be given by its Monday");
      }
      return date;
    }
  }
}
