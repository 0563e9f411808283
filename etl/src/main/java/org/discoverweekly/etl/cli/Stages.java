package org.discoverweekly.etl.cli;

import dev.ludovic.netlib.blas.BLAS;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.bronze.IngestFeedback;
import org.discoverweekly.etl.bronze.IngestListens;
import org.discoverweekly.etl.bronze.LoadTracks;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.gold.Backtest;
import org.discoverweekly.etl.gold.BeyondWeek;
import org.discoverweekly.etl.gold.TuneWeek;
import org.discoverweekly.etl.gold.WeeklyPlan;
import org.discoverweekly.etl.gold.WeeklyRecommendations;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.ops.MaintainLake;
import org.discoverweekly.etl.ops.RunLedger;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.ops.Step;
import org.discoverweekly.etl.privacy.ForgottenUsers;
import org.discoverweekly.etl.quality.DataQuality;
import org.discoverweekly.etl.serving.PlaylistReader;
import org.discoverweekly.etl.serving.PublishWeek;
import org.discoverweekly.etl.serving.RollbackWeek;
import org.discoverweekly.etl.silver.BuildSilver;
import org.discoverweekly.etl.storage.Table;
import org.discoverweekly.models.BeyondAccuracy;
import org.discoverweekly.models.ImplicitAls;
import org.discoverweekly.models.RankingQuality;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages as steps that verbs chain, and their one runner: each step is recorded here in the run
 * ledger, per date or per week, never by the stage itself.
 */
final class Stages {

  private static final Logger LOG = LoggerFactory.getLogger(Stages.class);

  private Stages() {}

  /** The dates' landing files in one pass (every folder checked first), then the catalog. */
  static void ingest(Pipeline pipeline, List<LocalDate> dates, PrintWriter out) {
    RunLedger ledger = pipeline.ledger();
    long started = System.nanoTime();
    ForgottenUsers forgotten =
        new ForgottenUsers(pipeline.lake(), pipeline.config().forget()::salt);
    IngestListens ingest = new IngestListens(pipeline.lake(), pipeline.landing(), forgotten);
    IngestFeedback feedback = new IngestFeedback(pipeline.lake(), pipeline.landing(), forgotten);
    SortedMap<LocalDate, StageOutcome> outcomes =
        ledger.trackDates(
            Stage.INGEST,
            dates,
            () -> {
              SortedMap<LocalDate, StageOutcome> listens = ingest.run(dates);
              SortedMap<LocalDate, Map<String, Long>> feedbackCounts = feedback.run(dates);
              listens.replaceAll((date, outcome) -> outcome.withCounts(feedbackCounts.get(date)));
              return listens;
            });
    LocalDate first = dates.get(0);
    SortedMap<LocalDate, StageOutcome> catalog =
        ledger.trackDates(
            "catalog",
            List.of(first),
            () -> {
              Map<String, Long> counts = new LoadTracks(pipeline.lake(), pipeline.landing()).run();
              return new TreeMap<>(Map.of(first, new StageOutcome(Map.of(), counts)));
            });
    LOG.info("catalog: {} tracks -> silver.tracks", catalog.get(first).rowCounts().get("tracks"));
    String seconds = seconds(started);
    TextTable table =
        new TextTable(List.of("date", "files", "bronze_rows", "feedback_files", "feedback_rows"));
    outcomes.forEach(
        (date, outcome) -> {
          Map<String, Long> counts = outcome.rowCounts();
          LOG.info(
              "ingest {}: {} lines -> bronze.listens, {} -> bronze.feedback",
              date,
              counts.get("bronze"),
              counts.get("feedback_bronze"));
          table.add(
              date,
              counts.get("files"),
              counts.get("bronze"),
              counts.get("feedback_files"),
              counts.get("feedback_bronze"));
        });
    table.print(out);
    out.println("ingest: " + dates.size() + " date(s) in " + seconds + " s");
  }

  /**
   * The dates' bronze rows to silver in one pass, as if run one by one in date order; then each
   * date's data quality is measured and judged ({@link DataQuality}), and an anomalous date is
   * recorded as such: with {@code quality.on-anomaly = fail} the run then fails with its own exit
   * code.
   */
  static void silver(Pipeline pipeline, List<LocalDate> dates, PrintWriter out) {
    BuildSilver silver = new BuildSilver(pipeline.lake(), pipeline.config().listens());
    DataQuality quality = pipeline.dataQuality();
    long started = System.nanoTime();
    SortedMap<LocalDate, DataQuality.Verdict> verdicts = new TreeMap<>();
    SortedMap<LocalDate, StageOutcome> outcomes =
        pipeline
            .ledger()
            .trackDates(
                Stage.SILVER,
                dates,
                () -> {
                  SortedMap<LocalDate, StageOutcome> built = silver.run(dates);
                  verdicts.putAll(quality.check(dates));
                  DataQuality.markAnomalous(built, verdicts);
                  return built;
                });
    String seconds = seconds(started);
    TextTable table =
        new TextTable(
            List.of(
                "date",
                "bronze_rows",
                "new",
                "duplicates",
                "quarantined",
                "feedback_new",
                "feedback_quarantined",
                "quality"));
    outcomes.forEach(
        (date, outcome) -> {
          Map<String, Long> counts = outcome.rowCounts();
          LOG.info(
              "silver {}: {} new, {} duplicates, {} quarantined",
              date,
              counts.get("new"),
              counts.get("duplicates"),
              counts.get("quarantined"));
          table.add(
              date,
              counts.get("bronze"),
              counts.get("new"),
              counts.get("duplicates"),
              counts.get("quarantined"),
              counts.get("feedback_new"),
              counts.get("feedback_quarantined"),
              verdicts.get(date).quality());
        });
    table.print(out);
    out.println("silver: " + dates.size() + " date(s) in " + seconds + " s");
    verdicts.values().stream()
        .filter(DataQuality.Verdict::anomalous)
        .forEach(
            verdict -> out.println("anomalous " + verdict.date() + ": " + verdict.anomalies()));
    if (pipeline.config().quality().failOnAnomaly()) {
      DataQuality.requireNoAnomaly(verdicts.values());
    }
  }

  /**
   * Refuses week W, with {@code quality.on-anomaly = fail}, while an arrival date of its history
   * window is anomalous and not acknowledged.
   */
  static void requireNoOpenAnomaly(Pipeline pipeline, LocalDate week) {
    if (pipeline.config().quality().failOnAnomaly()) {
      pipeline
          .dataQuality()
          .requireAcknowledged(week, pipeline.config().weekly().matrix().historyDays());
    }
  }

  /** Week W end to end (see {@link WeeklyRecommendations}), with what each step did. */
  static WeeklyRecommendations.Result weekly(
      Pipeline pipeline, LocalDate week, boolean force, PrintWriter out) {
    return weekly(pipeline, week, force, Optional.empty(), Optional.empty(), out);
  }

  /**
   * {@code asOfRun}: rebuild W from the silver versions that recorded run of W read; {@code
   * challenger}: the settings of a challenger to train, backtest and serve if it wins.
   */
  static WeeklyRecommendations.Result weekly(
      Pipeline pipeline,
      LocalDate week,
      boolean force,
      Optional<String> asOfRun,
      Optional<WeeklySettings> challenger,
      PrintWriter out) {
    long started = System.nanoTime();
    requireNoOpenAnomaly(pipeline, week);
    WeeklyRecommendations weekly = weeklyRecommendations(pipeline);
    WeeklyPlan plan =
        asOfRun.isPresent()
            ? weekly.plan(
                week, force, pipeline.ledger().history().inputsOf(asOfRun.get(), week), challenger)
            : weekly.plan(week, force, challenger);
    for (Supplier<Step> step : plan.steps()) {
      pipeline.ledger().record(week, step.get());
    }
    WeeklyRecommendations.Result result = plan.result();
    Map<String, Long> snapshot = result.snapshot();
    Map<String, Long> playlists = result.playlists();
    out.println("week " + week + ", model " + result.modelVersion());
    out.printf(
        "snapshot: %d user x track pairs, %d users, %d tracks, %d bots excluded%s%n",
        snapshot.get("pairs"),
        snapshot.get("users"),
        snapshot.get("tracks"),
        snapshot.get("bots"),
        result.snapshotReused() ? " (reused)" : "");
    // ALS and the ranker run several times slower on Java's BLAS than on a native one: say which
    // one this JVM found (in local mode the executors' too).
    out.println(
        "model: "
            + (result.modelReused() ? "reused" : "trained")
            + "; BLAS: "
            + BLAS.getInstance().getClass().getSimpleName());
    out.printf(
        "playlists: %d rows for %d users (%d by ALS, %d popular for cold start); %d slots of"
            + " earlier served weeks remembered%s%n",
        playlists.get("rows"),
        playlists.get("users"),
        playlists.get("als_users"),
        playlists.get("popular_users"),
        playlists.getOrDefault("served_slots_remembered", 0L),
        result.rankReused() ? " (reused)" : "");
    printMetrics(result.metrics(), out);
    printBeyond(result.beyond(), out);
    result
        .challenger()
        .ifPresent(
            theirs ->
                out.printf(
                    "challenger %s: NDCG@%d %.4f, %s: %s%n",
                    theirs.modelVersion(),
                    theirs.metrics().als().k(),
                    theirs.metrics().als().ndcg(),
                    theirs.served() ? "served instead of the week's model" : "not served",
                    theirs.reason()));
    out.println(
        "gate: "
            + (result.verdict().accepted() ? "accepted: " : "rejected: ")
            + result.verdict().reason());
    out.println("weekly: " + week + " in " + seconds(started) + " s");
    return result;
  }

  /**
   * {@code tune}: the grid backtested on W's split, recorded as one run of stage {@code tune} with
   * the silver versions it read, the points and the best one's recipe hash.
   */
  static TuneWeek.Result tune(
      Pipeline pipeline,
      LocalDate week,
      WeeklySettings settings,
      List<ImplicitAls.Settings> grid,
      Duration limit) {
    List<TuneWeek.Result> done = new ArrayList<>();
    Map<String, Long> inputs =
        pipeline.lake().versions(Table.SILVER_LISTENS, Table.SILVER_TRACKS, Table.SILVER_FEEDBACK);
    if (inputs.get(Table.SILVER_LISTENS.sqlName()) < 0) {
      throw new PipelineException("silver.listens does not exist yet: run ingest and silver first");
    }
    pipeline
        .ledger()
        .record(
            week,
            new Step(
                Stage.TUNE,
                () -> {
                  TuneWeek.Result result =
                      new TuneWeek(pipeline.lake(), settings).run(week, grid, limit);
                  done.add(result);
                  Map<String, String> config = new TreeMap<>(Hashes.withHash(settings.asMap()));
                  config.put("grid", grid.toString());
                  result.best().ifPresent(best -> config.put("best", best.point().recipeHash()));
                  return new StageOutcome(
                      inputs,
                      Map.of(
                          "points",
                          (long) result.scored().size(),
                          "users",
                          result.best().map(b -> b.metrics().als().users()).orElse(0L)),
                      config,
                      StageOutcome.SUCCEEDED,
                      null);
                }));
    return done.get(0);
  }

  /** The backtest of W alone ({@code evaluate}), recorded like the weekly run's step. */
  static Backtest.Result evaluate(Pipeline pipeline, LocalDate week, boolean force) {
    WeeklyPlan plan = weeklyRecommendations(pipeline).plan(week, force);
    pipeline.ledger().record(week, plan.evaluateAlone());
    return plan.metrics();
  }

  static WeeklyRecommendations weeklyRecommendations(Pipeline pipeline) {
    return new WeeklyRecommendations(
        pipeline.lake(),
        pipeline.ledger().history(),
        pipeline.config().weekly(),
        pipeline.registry());
  }

  /** W's playlists to Cassandra, then W served. */
  static PublishWeek.Result publish(Pipeline pipeline, LocalDate week, PrintWriter out) {
    long started = System.nanoTime();
    Step publish =
        new PublishWeek(
                pipeline.lake(),
                pipeline.registry(),
                pipeline.config().cassandra(),
                pipeline.clock())
            .step(week);
    PublishWeek.Result result = PublishWeek.Result.of(pipeline.ledger().record(week, publish));
    CassandraSettings cassandra = pipeline.config().cassandra();
    out.println(
        "publish "
            + week
            + ": "
            + result.users()
            + " playlists -> Cassandra "
            + cassandra.keyspace()
            + ".playlists in "
            + seconds(started)
            + " s; "
            + week
            + " is served (model "
            + result.modelVersion()
            + ")");
    return result;
  }

  /** W no longer served, recorded when it was served until now. */
  static RollbackWeek.Result rollback(Pipeline pipeline, LocalDate week) {
    try (RollbackWeek rollback =
        RollbackWeek.open(pipeline.config().cassandra(), pipeline.registry(), pipeline.clock())) {
      Optional<Step> step = rollback.step(week);
      step.ifPresent(stop -> pipeline.ledger().record(week, stop));
      return new RollbackWeek.Result(step.isEmpty(), rollback.nowServed());
    }
  }

  /** Every table compacted and vacuumed, recorded as one run about the whole lake. */
  static List<MaintainLake.TableReport> maintain(Pipeline pipeline, MaintainLake maintain) {
    List<MaintainLake.TableReport> reports = new ArrayList<>();
    pipeline
        .ledger()
        .trackLake(
            Stage.MAINTAIN,
            () -> {
              reports.addAll(maintain.run());
              return maintain.outcome(reports);
            });
    return reports;
  }

  /** A playlist read back from Cassandra, one line per slot. */
  static void printPlaylist(PlaylistReader.Playlist playlist, PrintWriter out) {
    TextTable table =
        new TextTable(List.of("position", "track", "artist", "score", "because you played"));
    for (PlaylistReader.Track track : playlist.tracks()) {
      table.add(
          track.position(),
          track.trackName(),
          track.artistName(),
          String.format(Locale.ROOT, "%.4f", track.score()),
          because(track));
    }
    table.print(out);
  }

  /** "Title by Artist" of the slot's reason; "-" for a slot without one (a popular one). */
  private static String because(PlaylistReader.Track track) {
    if (track.becauseTrackId() == null) {
      return "-";
    }
    String title =
        track.becauseTrackName() == null ? track.becauseTrackId() : track.becauseTrackName();
    return track.becauseArtistName() == null ? title : title + " by " + track.becauseArtistName();
  }

  static void printMetrics(Backtest.Result metrics, PrintWriter out) {
    TextTable table =
        new TextTable(
            List.of("model", "users", "recall@k", "precision@k", "ndcg@k", "map@k", "coverage"));
    for (var entry :
        List.of(Map.entry("als", metrics.als()), Map.entry("popularity", metrics.popularity()))) {
      RankingQuality.Metrics m = entry.getValue();
      table.add(
          entry.getKey(),
          m.users(),
          String.format("%.4f", m.recall()),
          String.format("%.4f", m.precision()),
          String.format("%.4f", m.ndcg()),
          String.format("%.4f", m.map()),
          String.format("%.4f", m.coverage()));
    }
    String how =
        metrics.reused()
            ? ", reused"
            : Backtest.FITTED.equals(metrics.model()) ? "" : ", with " + metrics.model();
    out.println("backtest (k = " + metrics.als().k() + how + "):");
    table.print(out);
  }

  /** The week's beyond-accuracy metrics, per model. */
  static void printBeyond(BeyondWeek.Result beyond, PrintWriter out) {
    TextTable table =
        new TextTable(
            List.of(
                "model",
                "users",
                "novelty",
                "artists/playlist",
                "top-1% share",
                "overlap_previous"));
    for (var entry :
        List.of(Map.entry("als", beyond.als()), Map.entry("popularity", beyond.popularity()))) {
      BeyondAccuracy.Metrics m = entry.getValue();
      table.add(
          entry.getKey(),
          m.users(),
          String.format(Locale.ROOT, "%.3f", m.novelty()),
          String.format(Locale.ROOT, "%.2f", m.artistsPerPlaylist()),
          String.format(Locale.ROOT, "%.4f", m.topTrackShare()),
          m.overlapPrevious() == null
              ? "-"
              : String.format(Locale.ROOT, "%.4f", m.overlapPrevious()));
    }
    out.println("beyond accuracy (W's playlists; popularity: the baseline for the same users):");
    table.print(out);
  }

  static String seconds(long startedNanos) {
    return String.format("%.1f", (System.nanoTime() - startedNanos) / 1e9);
  }
}
