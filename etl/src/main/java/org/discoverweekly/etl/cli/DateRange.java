package org.discoverweekly.etl.cli;

import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --date D} or {@code --from D1 --to D2}: the arrival dates a daily stage processes. */
final class DateRange {

  private static final int MAX_DAYS = 366;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Choice choice;

  static final class Choice {
    @Option(
        names = "--date",
        required = true,
        converter = Dates.IsoDate.class,
        paramLabel = "D",
        description = "One arrival date (YYYY-MM-DD).")
    LocalDate date;

    @ArgGroup(exclusive = false)
    Range range;
  }

  static final class Range {
    @Option(
        names = "--from",
        required = true,
        converter = Dates.IsoDate.class,
        paramLabel = "D1",
        description = "First arrival date of a range.")
    LocalDate from;

    @Option(
        names = "--to",
        required = true,
        converter = Dates.IsoDate.class,
        paramLabel = "D2",
        description = "Last arrival date of a range, inclusive.")
    LocalDate to;
  }

  List<LocalDate> dates() {
    if (choice.date != null) {
      return List.of(choice.date);
    }
    LocalDate from = choice.range.from;
    LocalDate to = choice.range.to;
    if (to.isBefore(from)) {
      throw new ParameterException(spec.commandLine(), "--to " + to + " is before --from " + from);
    }
    List<LocalDate> dates = Stream.iterate(from, d -> !d.isAfter(to), d -> d.plusDays(1)).toList();
    if (dates.size() > MAX_DAYS) {
      throw new ParameterException(
          spec.commandLine(),
          "--from " + from + " --to " + to + " spans more than " + MAX_DAYS + " days");
    }
    return dates;
  }

  /** The option as given, e.g. {@code --date 2026-11-16}, for messages. */
  @Override
  public String toString() {
    return choice.date != null
        ? "--date " + choice.date
        : "--from " + choice.range.from + " --to " + choice.range.to;
  }
}
