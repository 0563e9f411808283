package org.discoverweekly.etl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
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

  /** The one line on stderr; fails when there are more or none. */
  public String errLine() {
    List<String> lines = err.strip().lines().toList();
    assertEquals(1, lines.size(), "expected one line on stderr, got: " + err);
    return lines.get(0);
  }
}
