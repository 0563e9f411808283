package org.discoverweekly.etl.generate;

import java.time.DayOfWeek;
import java.time.LocalDate;

/**
 * What {@code generate} makes: how many users, tracks and weeks, up to which Monday, from which
 * seed.
 */
public record GeneratorSettings(
    int users,
    int tracks,
    int weeks,
    LocalDate endWeek,
    long seed,
    int playsPerDay,
    int bots,
    int botPlaysPerDay,
    boolean gzip,
    int linesPerFile) {

  /** The committed sample in data-samples/landing (its README has the same command line). */
  public static final GeneratorSettings SAMPLE =
      new GeneratorSettings(
          300, 3000, 2, LocalDate.parse("2026-11-16"), 42, 12, 2, 3000, true, 1_000_000);

  public GeneratorSettings {
    require(users >= 10, "--users must be at least 10");
    require(tracks >= 50, "--tracks must be at least 50");
    require(weeks >= 1 && weeks <= 104, "--weeks must be between 1 and 104");
    require(endWeek.getDayOfWeek() == DayOfWeek.MONDAY, "--end-week must be a Monday");
    require(playsPerDay >= 1, "--plays-per-day must be positive");
    require(bots >= 0 && bots < users, "--bots must be between 0 and the number of users");
    require(botPlaysPerDay >= 1, "bot plays per day must be positive");
    require(linesPerFile >= 1000, "--lines-per-file must be at least 1000");
  }

  /** The first day of generated events. */
  public LocalDate startDate() {
    return endWeek.minusWeeks(weeks);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
