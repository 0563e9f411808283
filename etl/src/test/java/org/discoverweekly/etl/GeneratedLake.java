package org.discoverweekly.etl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.discoverweekly.etl.generate.Generator;
import org.discoverweekly.etl.generate.Manifest;

/**
 * Three generated weeks ending with {@link #WEEK}, ingested and built into silver through the CLI
 * once per test run, and copied into each class that asks: the classes whose assertions hold for
 * any such lake share its cost. A class may ask for weeks already run by {@code weekly}; each such
 * variant is built once too, from a copy of the base lake.
 */
public final class GeneratedLake {

  /** The last generated week, the one a class builds or finds built. */
  public static final String WEEK = "2026-11-16";

  /** The Monday before {@link #WEEK}: it has two weeks of history before it. */
  public static final String WEEK_BEFORE = "2026-11-09";

  /** What {@code generate} is given: taste clusters, bots and unavailable tracks included. */
  public static final List<String> GENERATE =
      List.of(
          "--users",
          "120",
          "--tracks",
          "800",
          "--weeks",
          "3",
          "--end-week",
          WEEK,
          "--seed",
          "5",
          "--plays-per-day",
          "12",
          "--bots",
          "2");

  private static final Map<List<String>, Path> BUILT = new HashMap<>();
  private static Path root;

  private GeneratedLake() {}

  /**
   * Copies the landing data to {@code landing} and the lake, with {@code weekly} run for each of
   * {@code weeks} in order, to {@code lake}; returns the landing's manifest.
   */
  public static synchronized Manifest copyTo(Path landing, Path lake, String... weeks) {
    Path built = built(List.of(weeks));
    copy(built.resolve("landing"), landing);
    copy(built.resolve("lake"), lake);
    return Generator.readManifest(landing);
  }

  private static Path built(List<String> weeks) {
    Path built = BUILT.get(weeks);
    if (built != null) {
      return built;
    }
    built = root().resolve("lake-" + BUILT.size());
    Path landing = built.resolve("landing");
    Path lake = built.resolve("lake");
    if (weeks.isEmpty()) {
      CliRun.silverFromGenerated(
          CliRun.smallRun(lake.toString(), landing, List.of()),
          landing,
          GENERATE.toArray(String[]::new));
    } else {
      Path base = built(weeks.subList(0, weeks.size() - 1));
      copy(base.resolve("landing"), landing);
      copy(base.resolve("lake"), lake);
      CliRun.succeeding(
          CliRun.smallRun(lake.toString(), landing, List.of()),
          "weekly",
          "--week",
          weeks.get(weeks.size() - 1));
    }
    BUILT.put(List.copyOf(weeks), built);
    return built;
  }

  /** A folder for this test run's lakes, deleted when the JVM exits. */
  private static Path root() {
    if (root == null) {
      try {
        root = Files.createTempDirectory("discover-weekly-generated-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Path folder = root;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(folder)));
    }
    return root;
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
