package org.discoverweekly.etl.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.discoverweekly.etl.config.PipelineConfig;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.discoverweekly.etl.generate.Generator;
import org.discoverweekly.etl.generate.GeneratorSettings;
import org.discoverweekly.etl.gold.WeeklyRecommendations;
import org.discoverweekly.etl.serving.CassandraConnection;
import org.discoverweekly.etl.serving.PlaylistReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code demo}: the pipeline end to end on the sample data, with embedded defaults. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the pipeline on data-samples/ into a fresh demo lake (var/demo/lake unless --lake),",
      "generating the sample first if it is missing: ingest, silver, weekly for the week after",
      "the last arrival date, publish to Cassandra (bin/discover-weekly starts the local node);",
      "print what each stage did and one user's playlist read back from Cassandra, and end by",
      "writing the week's run report (report) to var/demo/report and printing its path."
    })
final class DemoCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path home = Path.of(System.getProperty("discover-weekly.home", ".")).toAbsolutePath();
    Path sample = home.resolve("data-samples").resolve("landing");
    if (!Files.exists(sample.resolve("manifest.json"))) {
      out.println("Generating the sample landing data in " + sample + " ...");
      Generator.write(GeneratorSettings.SAMPLE, sample);
    }
    if (root.lake == null) {
      Path demoLake = home.resolve("var").resolve("demo").resolve("lake");
      deleteTree(demoLake);
      root.lake = demoLake.toString();
    }
    if (root.landing == null) {
      root.landing = sample.toString();
    }
    PipelineConfig config = root.config();
    out.println("Lake: " + config.lake());
    out.println("Landing: " + config.landing());
    Pipeline pipeline = new Pipeline(config);
    List<LocalDate> dates = pipeline.landing().arrivalDates();
    try (var lock = pipeline.lockLake("demo")) {
      return run(pipeline, dates, home.resolve("var").resolve("demo").resolve("report"), out);
    }
  }

  /** The demo's stages, then the week's run report written into {@code reportDir}. */
  private int run(Pipeline pipeline, List<LocalDate> dates, Path reportDir, PrintWriter out) {
    PipelineConfig config = pipeline.config();

    out.println();
    out.println("== ingest: landing -> bronze.listens (and the catalog -> silver.tracks)");
    Stages.ingest(pipeline, dates, out);
    out.println();
    out.println("== silver: bronze -> silver.listens + silver.quarantine");
    Stages.silver(pipeline, dates, out);

    LocalDate week =
        dates
            .get(dates.size() - 1)
            .plusDays(1)
            .with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
    out.println();
    out.println(
        "== weekly " + week + ": snapshot, train, rank -> gold.discover_weekly; backtest, gate");
    WeeklyRecommendations.Result weekly = Stages.weekly(pipeline, week, false, out);

    pipeline.lake().registerTables();
    if (!weekly.verdict().accepted()) {
      out.println();
      out.println("The quality gate rejected " + week + ": " + weekly.verdict().reason());
      return DiscoverWeekly.FAILED;
    }
    out.println();
    out.println("== publish " + week + ": gold.discover_weekly -> Cassandra");
    Stages.publish(pipeline, week, out);

    String user =
        pipeline
            .spark()
            .sql(
                "SELECT min(user_id) FROM gold.discover_weekly WHERE source = 'als' AND week = DATE'"
                    + week
                    + "'")
            .head()
            .getString(0);
    CassandraSettings cassandra = config.cassandra();
    try (CqlSession session =
        CassandraConnection.open(CassandraConnection.connector(cassandra), cassandra)) {
      PlaylistReader.Playlist playlist =
          new PlaylistReader(session, cassandra).newest(user).orElseThrow();
      out.println();
      out.println(
          "== the playlist of "
              + user
              + " for "
              + playlist.week()
              + ", read back from Cassandra (source "
              + playlist.source()
              + ")");
      Stages.printPlaylist(playlist, out);
    }
    out.println();
    out.println("== silver.listens");
    printQuery(
        pipeline,
        out,
        "SELECT count(*) AS listens, count(DISTINCT user_id) AS users,"
            + " count(DISTINCT track_id) AS tracks, sum(CAST(is_stream AS INT)) AS streams,"
            + " min(event_date) AS first_day, max(event_date) AS last_day FROM silver.listens");
    out.println();
    out.println("== silver.quarantine by feed and reason");
    printQuery(
        pipeline,
        out,
        "SELECT coalesce(feed, 'listens') AS feed, reason, count(*) AS lines"
            + " FROM silver.quarantine GROUP BY 1, 2 ORDER BY 1, 2");
    out.println();
    out.println("Read a playlist or query the tables yourself, e.g.:");
    out.println("  bin/discover-weekly playlist --user " + user);
    out.println(
        "  bin/discover-weekly --lake "
            + config.lake()
            + " sql \"SELECT * FROM ops.pipeline_runs ORDER BY started_at\"");
    out.println();
    Path report = ReportCommand.write(pipeline, week, reportDir);
    out.println("== report " + week + " (open it in a browser): " + report);
    return 0;
  }

  private static void printQuery(Pipeline pipeline, PrintWriter out, String sql) {
    TextTable.of(pipeline.spark().sql(sql)).print(out);
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + root, e);
    }
  }
}
