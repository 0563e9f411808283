package org.discoverweekly.etl.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.discoverweekly.etl.report.ReportPage;
import org.discoverweekly.etl.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code report}: the run report of week W, one self-contained HTML file. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write the run report of week W to DIR/discover-weekly-W.html and print its path: per",
      "arrival date of the 8 weeks up to W, listens and quarantined lines by reason with",
      "anomalous dates marked; per week, each stage's seconds, the backtest's ALS and",
      "popularity NDCG, and the playlists publish served. Charts and numbers in one file that",
      "needs no network to view. Reads the lake only."
    })
final class ReportCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Mixin WeekOption week;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "The folder to write the report to (created if missing).")
  Path out;

  @Override
  public Integer call() {
    Pipeline pipeline = new Pipeline(root.config());
    Path file = write(pipeline, week.week, out);
    spec.commandLine().getOut().println("report " + week.week + ": " + file);
    return 0;
  }

  /** Writes week {@code week}'s report of the pipeline's lake into {@code dir}; its path. */
  static Path write(Pipeline pipeline, LocalDate week, Path dir) {
    String html =
        ReportPage.html(
            RunReport.of(pipeline.dataQuality(), week),
            pipeline.lake().root(),
            pipeline.clock().instant());
    Path file = dir.resolve("discover-weekly-" + week + ".html").toAbsolutePath();
    try {
      Files.createDirectories(dir);
      Files.writeString(file, html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the report to " + file + ": " + e.getMessage(), e);
    }
    return file;
  }
}
