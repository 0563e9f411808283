package org.discoverweekly.etl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.discoverweekly.etl.generate.Generator;
import org.discoverweekly.etl.generate.Manifest;

/**
 * Three generated weeks ending with {@link #WEEK}, ingested and built into silver through the CLI
 * once per test JVM, in stages, and copied into each class that asks: the classes whose assertions
 * hold for any such lake share its cost. A class copies the stage it starts from.
 */
public final class GeneratedLake {

  /** The last generated week, the one a class builds or finds built. */
  public static final String WEEK = "2026-11-16";

  /** The Monday before {@link #WEEK}: it has two weeks of history before it. */
  public static final String WEEK_BEFORE = "2026-11-09";

  /** What {@code generate} is given: taste clusters, bots and unavailable tracks included. */
  public static final List<String> GENERATE = shape(5, 2);

  /**
   * How far the CLI has built the lake of a stage; each stage's lake is the one before, built on.
   */
  public enum Stage {
    /**
     * Ingested and in silver: only the arrival dates before the week that precedes {@link
     * #WEEK_BEFORE}, the history two weekly runs read, none of their own weeks' dates.
     */
    HISTORY,
    /** Every arrival date ingested; silver for all but the last two. */
    ALL_BUT_LAST_TWO,
    /** Every arrival date ingested and in silver. */
    SILVER,
    /**
     * {@link #SILVER} with {@link #WEEK} built by {@code weekly} (small ALS) and accepted, not
     * published; built the first time a class asks for it.
     */
    WEEK
  }

  /** The arguments of {@code generate} for three weeks of this lake's shape. */
  public static List<String> shape(int seed, int bots) {
    return shape(120, 3, seed, bots);
  }

  /**
   * The arguments of {@code generate} for {@code weeks} weeks up to {@link #WEEK} of {@code users}
   * users, over this lake's catalog of 800 tracks at 12 plays a day.
   */
  public static List<String> shape(int users, int weeks, int seed, int bots) {
    return List.of(
        "--users",
        String.valueOf(users),
        "--tracks",
        "800",
        "--weeks",
        String.valueOf(weeks),
        "--end-week",
        WEEK,
        "--seed",
        String.valueOf(seed),
        "--plays-per-day",
        "12",
        "--bots",
        String.valueOf(bots));
  }

  private static Path built;

  private GeneratedLake() {}

  /**
   * Copies the landing data to {@code landing} and the lake with every date in silver to {@code
   * lake}; returns the landing's manifest.
   */
  public static Manifest copyTo(Path landing, Path lake) {
    return copyTo(Stage.SILVER, landing, lake);
  }

  /**
   * Copies the landing data to {@code landing} and the lake of {@code stage} to {@code lake};
   * returns the landing's manifest.
   */
  public static synchronized Manifest copyTo(Stage stage, Path landing, Path lake) {
    copy(built().resolve("landing"), landing);
    return copyLakeTo(stage, lake);
  }

  /** Copies only the lake of {@code stage} to {@code lake}; returns the landing's manifest. */
  public static synchronized Manifest copyLakeTo(Stage stage, Path lake) {
    Path folder = built().resolve(stage.name());
    if (stage == Stage.WEEK && !Files.exists(folder)) {
      buildWeek(folder);
    }
    copy(folder, lake);
    return Generator.readManifest(built.resolve("landing"));
  }

  /** The {@link Stage#WEEK} lake: the silver one with {@link #WEEK}'s weekly run on a copy. */
  private static void buildWeek(Path folder) {
    Path lake = built.resolve("week-building");
    copy(built.resolve(Stage.SILVER.name()), lake);
    CliRun.succeeding(
        CliRun.smallRun(lake.toString(), built.resolve("landing"), List.of()),
        "weekly",
        "--week",
        WEEK);
    try {
      Files.move(lake, folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path built() {
    if (built == null) {
      built = build();
    }
    return built;
  }

  /** Generates, ingests and builds silver stage by stage in a folder deleted when the JVM exits. */
  private static Path build() {
    Path folder;
    try {
      folder = Files.createTempDirectory("discover-weekly-generated-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(folder)));
    Path landing = folder.resolve("landing");
    Path lake = folder.resolve("lake");
    List<String> options = CliRun.smallRun(lake.toString(), landing, List.of());
    List<String> generate = new ArrayList<>(List.of("generate", "--out", landing.toString()));
    generate.addAll(GENERATE);
    CliRun.succeeding(options, generate.toArray(String[]::new));
    List<LocalDate> dates = Generator.readManifest(landing).arrivalDates();
    LocalDate firstOwn = LocalDate.parse(WEEK_BEFORE).minusDays(7);
    List<LocalDate> history = dates.stream().filter(date -> date.isBefore(firstOwn)).toList();
    List<LocalDate> rest = dates.subList(history.size(), dates.size());

    build(options, "ingest", history);
    build(options, "silver", history);
    copy(lake, folder.resolve(Stage.HISTORY.name()));
    build(options, "ingest", rest);
    build(options, "silver", rest.subList(0, rest.size() - 2));
    copy(lake, folder.resolve(Stage.ALL_BUT_LAST_TWO.name()));
    build(options, "silver", rest.subList(rest.size() - 2, rest.size()));
    try {
      Files.move(lake, folder.resolve(Stage.SILVER.name()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return folder;
  }

  /** Runs {@code stage} (ingest or silver) for the consecutive {@code dates}. */
  private static void build(List<String> options, String stage, List<LocalDate> dates) {
    CliRun.succeeding(
        options,
        stage,
        "--from",
        dates.get(0).toString(),
        "--to",
        dates.get(dates.size() - 1).toString());
  }

  /** Copies a folder tree; Delta tables name their files relative to the table folder. */
  static void copy(Path from, Path to) {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(from)) {
      paths = new ArrayList<>(walk.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      for (Path path : paths) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path folder) {
    try (Stream<Path> walk = Files.walk(folder)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Best effort at exit: the folder is in the system's temporary directory.
    }
  }
}
