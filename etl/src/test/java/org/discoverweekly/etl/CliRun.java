package org.discoverweekly.etl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.discoverweekly.etl.cli.DiscoverWeekly;

/** One command line run in this JVM: its exit code, stdout and stderr. */
public record CliRun(int code, String out, String err) {

  /** Runs {@code args} after {@code leading} (shared options such as --lake). */
  public static CliRun of(List<String> leading, String... args) {
    List<String> all = new ArrayList<>(leading);
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        DiscoverWeekly.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return new CliRun(code, out.toString(), err.toString());
  }

  /** Stdout of a run that must succeed. */
  public static String succeeding(List<String> leading, String... args) {
    CliRun run = of(leading, args);
    assertEquals(0, run.code(), String.join(" ", args) + " failed: " + run.err());
    return run.out();
  }

  /** Options for a small test run: two shuffle partitions, a small ALS, the lake and landing. */
  public static List<String> smallRun(String lake, Path landing, List<String> more) {
    return smallRun(lake, landing.toString(), more);
  }

  /** {@link #smallRun(String, Path, List)} for a landing root given as a URI ({@code s3a://}). */
  public static List<String> smallRun(String lake, String landing, List<String> more) {
    List<String> options =
        new ArrayList<>(
            List.of(
                "-Dspark.shuffle-partitions=2",
                // A small ALS: on the generated lake, rank 8 with 3 iterations scored NDCG@30
                // 0.324 against popularity's 0.080 (rank 16, 5 iterations: 0.312; both at alpha
                // 10, the default then) and fitted in half the time of the latter, twice in each
                // of the suite's many weekly runs; the default rank 64 costs more still.
                "-Dweekly.als.rank=8",
                "-Dweekly.als.max-iter=3",
                "--lake",
                lake,
                "--landing",
                landing));
    options.addAll(more);
    return options;
  }

  /** The week {@code playlist --user} serves, from the line it writes on stderr. */
  public static String servedWeek(List<String> leading, String user) {
    CliRun read = of(leading, "playlist", "--user", user);
    assertEquals(0, read.code(), read.err());
    String line = read.errLine();
    int week = line.indexOf(" for ") + " for ".length();
    return line.substring(week, week + "YYYY-MM-DD".length());
  }

  /** The one line on stderr; fails when there are more or none. */
  public String errLine() {
    List<String> lines = err.strip().lines().toList();
    assertEquals(1, lines.size(), "expected one line on stderr, got: " + err);
    return lines.get(0);
  }
}
