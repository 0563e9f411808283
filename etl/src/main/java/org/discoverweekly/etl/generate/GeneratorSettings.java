package org.discoverweekly.etl.generate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.Locale;

/**
 * What {@code generate} makes: how many users, tracks and weeks, up to which Monday, from which
 * seed, with listeners of which profile, and on which arrival date, if any, a client release
 * changes the track id form of a third of the listens ({@code formatChange}).
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
    int linesPerFile,
    Profile profile,
    @JsonInclude(JsonInclude.Include.NON_NULL) LocalDate formatChange) {

  /**
   * How users listen: {@code clustered} ({@link ClusteredListeners}: 8 tastes, two per user, the
   * committed sample's) or {@code realistic} ({@link RealisticListeners}: 64 tastes mixed per user,
   * replays, log-normal activity).
   */
  public enum Profile {
    @JsonProperty("clustered")
    CLUSTERED,
    @JsonProperty("realistic")
    REALISTIC;

    /** The profile named {@code name}, in any case. */
    public static Profile parse(String name) {
      for (Profile profile : values()) {
        if (profile.name().equalsIgnoreCase(name)) {
          return profile;
        }
      }
      throw new IllegalArgumentException(
          "--profile must be clustered or realistic, not '" + name + "'");
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The committed sample in data-samples/landing (its README has the same command line). */
  public static final GeneratorSettings SAMPLE =
      new GeneratorSettings(
          300,
          3000,
          2,
          LocalDate.parse("2026-11-16"),
          42,
          12,
          2,
          3000,
          true,
          1_000_000,
          Profile.CLUSTERED);

  /** Settings without a format change. */
  public GeneratorSettings(
      int users,
      int tracks,
      int weeks,
      LocalDate endWeek,
      long seed,
      int playsPerDay,
      int bots,
      int botPlaysPerDay,
      boolean gzip,
      int linesPerFile,
      Profile profile) {
    this(
        users,
        tracks,
        weeks,
        endWeek,
        seed,
        playsPerDay,
        bots,
        botPlaysPerDay,
        gzip,
        linesPerFile,
        profile,
        null);
  }

  public GeneratorSettings {
    require(users >= 10, "--users must be at least 10");
    require(tracks >= 50, "--tracks must be at least 50");
    require(weeks >= 1 && weeks <= 104, "--weeks must be between 1 and 104");
    require(endWeek.getDayOfWeek() == DayOfWeek.MONDAY, "--end-week must be a Monday");
    require(playsPerDay >= 1, "--plays-per-day must be positive");
    require(bots >= 0 && bots < users, "--bots must be between 0 and the number of users");
    require(botPlaysPerDay >= 1, "bot plays per day must be positive");
    require(linesPerFile >= 1000, "--lines-per-file must be at least 1000");
    require(
        profile == Profile.CLUSTERED || tracks >= 10 * RealisticListeners.TASTES,
        "--profile realistic needs at least " + 10 * RealisticListeners.TASTES + " --tracks");
    require(
        formatChange == null
            || (!formatChange.isBefore(endWeek.minusWeeks(weeks))
                && formatChange.isBefore(endWeek)),
        "--format-change must be one of the generated arrival dates");
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
