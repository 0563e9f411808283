package org.discoverweekly.etl.cli;

import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.concurrent.Callable;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.generate.Generator;
import org.discoverweekly.etl.generate.GeneratorSettings;
import org.discoverweekly.etl.generate.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code generate}: a deterministic synthetic landing zone with planted trouble and a manifest. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Write a synthetic landing zone (listens per arrival date, a track catalog) with users'",
      "tastes, Zipf popularity, skips, retries, re-sends, late arrivals, bad lines and bots,",
      "a feedback feed (blocks, unblocks, likes and bad lines), plus manifest.json describing",
      "what was planted. Same options, same bytes."
    })
final class GenerateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(
      names = "--users",
      defaultValue = "200",
      description = "Users (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--tracks",
      defaultValue = "2000",
      description = "Catalog tracks (default: ${DEFAULT-VALUE}).")
  int tracks;

  @Option(
      names = "--weeks",
      defaultValue = "2",
      description = "Weeks of events (default: ${DEFAULT-VALUE}).")
  int weeks;

  @Option(
      names = "--end-week",
      converter = Dates.Monday.class,
      paramLabel = "W",
      description = "Events end before this Monday (default: the current week's Monday, UTC).")
  LocalDate endWeek;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--plays-per-day",
      defaultValue = "12",
      description = "Average plays per active user and day (default: ${DEFAULT-VALUE}).")
  int playsPerDay;

  @Option(
      names = "--bots",
      description = "Bot users, each active on two days (default: one per 200 users, at least 1).")
  Integer bots;

  @Option(
      names = "--bot-plays-per-day",
      defaultValue = "3000",
      description = "Plays of a bot on an active day (default: ${DEFAULT-VALUE}).")
  int botPlaysPerDay;

  @Option(names = "--gzip", description = "Write listen files as .json.gz.")
  boolean gzip;

  @Option(
      names = "--lines-per-file",
      defaultValue = "1000000",
      description =
          "Split a day into files of at most this many lines (default: ${DEFAULT-VALUE}).")
  int linesPerFile;

  @Option(
      names = "--profile",
      defaultValue = "clustered",
      paramLabel = "P",
      description = {
        "How users listen: clustered (8 tastes, two per user; the sample's) or realistic",
        "(64 tastes mixed per user, replays, log-normal activity; data-samples/README.md)",
        "(default: ${DEFAULT-VALUE})."
      })
  String profile;

  @Option(
      names = "--format-change",
      paramLabel = "D",
      converter = Dates.IsoDate.class,
      description = {
        "Plant a client release on arrival date D: a third of its listen lines name their track",
        "as dw:track:<id>, a form the contract does not know (listens.track-id-prefixes)."
      })
  LocalDate formatChange;

  @Override
  public Integer call() {
    LocalDate end =
        endWeek != null
            ? endWeek
            : LocalDate.now(ZoneOffset.UTC)
                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    GeneratorSettings settings;
    try {
      settings =
          new GeneratorSettings(
              users,
              tracks,
              weeks,
              end,
              seed,
              playsPerDay,
              bots != null ? bots : Math.max(1, users / 200),
              botPlaysPerDay,
              gzip,
              linesPerFile,
              GeneratorSettings.Profile.parse(profile),
              formatChange);
    } catch (IllegalArgumentException e) {
      throw new PipelineException(e.getMessage());
    }
    long started = System.nanoTime();
    Manifest manifest = Generator.write(settings, out);
    long lines = manifest.linesPerArrivalDate().values().stream().mapToLong(Long::longValue).sum();
    TextTable table = new TextTable(List.of("what", "value"));
    if (formatChange != null) {
      table.add("format change " + formatChange, manifest.formatChangedLines() + " lines");
    }
    table
        .add("folder", out.toAbsolutePath())
        .add("arrival dates", manifest.startDate() + " .. " + end.minusDays(1))
        .add("landing lines", lines)
        .add("unique listens", manifest.uniqueListens())
        .add("retries (same event id)", manifest.retries())
        .add("re-sends (new event id)", manifest.resends())
        .add("late listens", manifest.lateListens())
        .add("bad lines", manifest.quarantine().values().stream().mapToLong(Long::longValue).sum())
        .add("bot users", manifest.botUsers().size())
        .add("feedback events", manifest.feedbackEvents())
        .add(
            "bad feedback lines",
            manifest.feedbackQuarantine().values().stream().mapToLong(Long::longValue).sum())
        .add("blocks in force at the end", manifest.blocksInForce().size())
        .add("seconds", Stages.seconds(started))
        .print(spec.commandLine().getOut());
    return 0;
  }
}
