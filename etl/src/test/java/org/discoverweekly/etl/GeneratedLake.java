package org.discoverweekly.etl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.discoverweekly.etl.generate.Generator;
import org.discoverweekly.etl.generate.Manifest;

/**
 * Three generated weeks ending with {@link #WEEK}, ingested and built into silver through the CLI
 * once per test run, and copied into each class that asks: the classes whose assertions hold for
 * any such lake share its cost.
 */
public final class GeneratedLake {

  /** The last generated week, the one a class builds or finds built. */
  public static final String WEEK = "2026-11-16";

  /** The Monday before {@link #WEEK}: it has two weeks of history before it. */
  public static final String WEEK_BEFORE = "2026-11-09";

  /** What {@code generate} is given: taste clusters, bots and unavailable tracks included. */
  public static final List<String> GENERATE = shape(5, 2);

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
   * Copies the landing data to {@code landing} and the lake to {@code lake}; returns the landing's
   * manifest.
   */
  public static synchronized Manifest copyTo(Path landing, Path lake) {
    if (built == null) {
      built = build();
    }
    copy(built.resolve("landing"), landing);
    copy(built.resolve("lake"), lake);
    return Generator.readManifest(landing);
  }

  /** Generates, ingests and builds silver in a folder deleted when the JVM exits. */
  private static Path build() {
    Path folder;
    try {
      folder = Files.createTempDirectory("discover-weekly-generated-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(folder)));
    Path landing = folder.resolve("landing");
    CliRun.silverFromGenerated(
        CliRun.smallRun(folder.resolve("lake").toString(), landing, List.of()),
        landing,
        GENERATE.toArray(String[]::new));
    return folder;
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
