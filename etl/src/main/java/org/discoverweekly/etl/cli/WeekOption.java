package org.discoverweekly.etl.cli;

import java.time.LocalDate;
import picocli.CommandLine.Option;

/** {@code --week W}: the Monday a weekly verb works on. */
final class WeekOption {

  @Option(
      names = "--week",
      required = true,
      converter = Dates.Monday.class,
      paramLabel = "W",
      description = "The week, by its Monday (YYYY-MM-DD).")
  LocalDate week;
}
