package org.discoverweekly.etl.gold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.CliRun;
import org.discoverweekly.etl.GeneratedLake;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.generate.Manifest;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code weekly} through the CLI on two generated weeks with planted taste clusters and bots (the
 * shared lake's {@link GeneratedLake.Stage#WEEK}, whose build ran the week): the playlists keep
 * every rule, ALS beats popularity, a rerun reuses its steps and changes nothing, a forced one
 * rebuilds the same rows, and a failed gate stops the week.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WeeklyRecommendationsTest extends SparkTestBase {

  private static final String WEEK = GeneratedLake.WEEK;

  private static Path landing;
  private static Lake lake;
  private static Manifest manifest;

  private static List<String> options() {
    return CliRun.smallRun(lake.root(), landing, List.of());
  }

  private static String cli(String... args) {
    return CliRun.succeeding(options(), args);
  }

  @BeforeAll
  static void buildSilver() {
    landing = tempDir.resolve("landing");
    lake = new Lake(spark, tempDir.resolve("lake").toString());
    manifest = GeneratedLake.copyTo(GeneratedLake.Stage.WEEK, landing, tempDir.resolve("lake"));
  }

  private static Dataset<Row> playlists() {
    return lake.read(Table.GOLD_DISCOVER_WEEKLY).filter("week = DATE'" + WEEK + "'");
  }

  /** The backtest row of {@code model} for the week's model (the train step's). */
  private static Row metrics(String model) {
    return lake.read(Table.GOLD_MODEL_METRICS)
        .filter("week = DATE'" + WEEK + "' AND model = '" + model + "'")
        .filter(
            org.apache
                .spark
                .sql
                .functions
                .col("model_version")
                .equalTo(configOf(latestRun("train")).get("model_version")))
        .head();
  }

  private static Row latestRun(String stage) {
    return lake.read(Table.OPS_PIPELINE_RUNS)
        .filter("stage = '" + stage + "' AND week = DATE'" + WEEK + "'")
        .orderBy(org.apache.spark.sql.functions.col("finished_at").desc())
        .head();
  }

  /** The week's model as {@code ops.models} registers it. */
  private static Row registered() {
    Row train = latestRun("train");
    String version =
        train.<String, String>getJavaMap(train.fieldIndex("config")).get("model_version");
    return lake.read(Table.OPS_MODELS)
        .filter("week = DATE'" + WEEK + "' AND model_version = '" + version + "'")
        .head();
  }

  private static java.util.Map<String, String> configOf(Row run) {
    return run.getJavaMap(run.fieldIndex("config"));
  }

  private static java.util.Map<String, String> evaluateConfig() {
    Row evaluate = latestRun("evaluate");
    return evaluate.getJavaMap(evaluate.fieldIndex("config"));
  }

  @Test
  @Order(1)
  void shouldHaveBuiltTheWeekAndPassedTheGate() {
    assertEquals("accepted", latestRun("gate").getAs("status"));
    assertEquals("succeeded", latestRun("snapshot").getAs("status"));
    assertEquals("succeeded", latestRun("train").getAs("status"));
    assertEquals("succeeded", latestRun("evaluate").getAs("status"));

    // The registry holds the model as trained and judged, with the backtest gold holds.
    Row model = registered();
    Row train = latestRun("train");
    assertEquals("accepted", model.getAs("status"));
    assertEquals("accepted", model.getAs("verdict"));
    assertEquals(
        train.<String, String>getJavaMap(train.fieldIndex("config")).get("hash"),
        model.getAs("recipe_hash"));
    assertEquals(
        train.<String, Long>getJavaMap(train.fieldIndex("input_versions")),
        model.<String, Long>getJavaMap(model.fieldIndex("input_versions")));
    assertTrue(
        java.nio.file.Files.isDirectory(
            java.nio.file.Path.of(lake.root(), model.<String>getAs("path"), "metadata")));
    assertEquals(metrics("als").<Double>getAs("ndcg"), model.<Double>getAs("ndcg"));
    assertEquals(
        metrics("popularity").<Double>getAs("ndcg"), model.<Double>getAs("popularity_ndcg"));
  }

  @Test
  @Order(2)
  void shouldGiveEveryUserThirtyDistinctTracksAtPositionsOneToThirty() {
    List<Row> shapes =
        playlists()
            .groupBy("user_id")
            .agg(
                org.apache.spark.sql.functions.count("*").as("slots"),
                org.apache.spark.sql.functions.countDistinct("track_id").as("tracks"),
                org.apache.spark.sql.functions.min("position").as("first"),
                org.apache.spark.sql.functions.max("position").as("last"))
            .filter("slots != 30 OR tracks != 30 OR first != 1 OR last != 30")
            .collectAsList();

    assertEquals(List.of(), shapes);
    assertEquals(118, playlists().select("user_id").distinct().count(), "every human, no bot");
  }

  @Test
  @Order(2)
  void shouldNeverRecommendAHeardOrUnavailableTrackNorThreeByOneArtist() {
    Dataset<Row> heard =
        lake.read(Table.SILVER_LISTENS)
            .filter("event_date < DATE'" + WEEK + "'")
            .select("user_id", "track_id");
    Dataset<Row> unavailable = lake.read(Table.SILVER_TRACKS).filter("NOT available");

    assertEquals(0, playlists().select("user_id", "track_id").intersect(heard).count());
    assertEquals(0, playlists().join(unavailable, "track_id").count());
    assertEquals(
        0, playlists().groupBy("user_id", "artist_id").count().filter("count > 2").count());
    assertTrue(manifest.unavailableTracks() > 0, "the generated catalog has unavailable tracks");
  }

  @Test
  @Order(2)
  void shouldExcludeBotsFromTheMatrixAndCountThemAndItsUsersAndTracks() {
    Dataset<Row> matrix = lake.read(Table.GOLD_USER_TRACK_MATRIX);
    long botRows =
        matrix
            .filter(
                org.apache.spark.sql.functions.col("user_id").isin(manifest.botUsers().toArray()))
            .count();

    assertEquals(0, botRows);
    Row snapshot = latestRun("snapshot");
    java.util.Map<String, Long> counts = snapshot.getJavaMap(snapshot.fieldIndex("row_counts"));
    assertEquals(2L, counts.get("bots"));
    Dataset<Row> week = matrix.filter("week = DATE'" + WEEK + "'");
    assertEquals(week.count(), counts.get("pairs"));
    assertEquals(week.select("user_id").distinct().count(), counts.get("users"));
    assertEquals(week.select("track_id").distinct().count(), counts.get("tracks"));
    java.util.Map<String, String> config = snapshot.getJavaMap(snapshot.fieldIndex("config"));
    assertTrue(config.get("matrix").contains("botPlaysPerDay"), config.toString());
    assertEquals(16, config.get("hash").length(), config.toString());
  }

  @Test
  @Order(2)
  void shouldRecordThePlaylistRowsAndTheirUsersBySource() {
    Row rank = latestRun("rank");
    java.util.Map<String, Long> counts = rank.getJavaMap(rank.fieldIndex("row_counts"));
    Dataset<Row> lists = playlists();

    assertEquals(lists.count(), counts.get("rows"));
    assertEquals(lists.select("user_id").distinct().count(), counts.get("users"));
    assertEquals(
        lists.filter("source = 'als'").select("user_id").distinct().count(),
        counts.get("als_users"));
    assertEquals(
        lists.filter("source = 'popular'").select("user_id").distinct().count(),
        counts.get("popular_users"));
  }

  @Test
  @Order(2)
  void shouldBeatPopularityOnRecallAndNdcgAtLeastTwofold() {
    Row als = metrics("als");
    Row popularity = metrics("popularity");
    double alsRecall = als.getAs("recall");
    double alsNdcg = als.getAs("ndcg");
    double popRecall = popularity.getAs("recall");
    double popNdcg = popularity.getAs("ndcg");
    String numbers =
        String.format(
            "ALS recall@30 %.3f NDCG@30 %.3f vs popularity %.3f %.3f",
            alsRecall, alsNdcg, popRecall, popNdcg);

    assertTrue(alsRecall >= 2 * popRecall, numbers);
    assertTrue(alsNdcg >= 2 * popNdcg, numbers);
    assertTrue((long) als.getAs("users") > 100, "users evaluated: " + als.getAs("users"));
  }

  @Test
  @Order(3)
  void shouldReuseSnapshotModelAndBacktestOnARerunAndWriteTheSameRows() {
    List<Row> before = playlists().orderBy("user_id", "position").collectAsList();
    Row metricsBefore = metrics("als");
    long goldVersion = lake.version(Table.GOLD_DISCOVER_WEEKLY);
    long metricsVersion = lake.version(Table.GOLD_MODEL_METRICS);

    String out = cli("weekly", "--week", WEEK);

    assertTrue(out.contains("(reused)") && out.contains("model: reused"), out);
    assertTrue(out.contains("remembered (reused)"), out);
    assertTrue(out.contains("backtest (k = 30, reused):"), out);
    assertEquals("reused", latestRun("train").getAs("status"));
    assertEquals("reused", latestRun("rank").getAs("status"));
    assertEquals("reused", latestRun("evaluate").getAs("status"));
    assertEquals(metricsBefore, metrics("als"));
    // Nothing read changed: neither the playlists nor the metrics were written again.
    assertEquals(goldVersion, lake.version(Table.GOLD_DISCOVER_WEEKLY));
    assertEquals(metricsVersion, lake.version(Table.GOLD_MODEL_METRICS));
    assertEquals(before, playlists().orderBy("user_id", "position").collectAsList());

    // Once gold.discover_weekly has been written since (here a property set, as maintain's or
    // forget's rewrites would), the playlists are ranked again, to the same rows, and the
    // beyond-accuracy metrics measured again beside the kept backtest.
    spark.sql(
        "ALTER TABLE delta.`"
            + lake.path(Table.GOLD_DISCOVER_WEEKLY)
            + "` SET TBLPROPERTIES ('discover-weekly.test' = 'rewritten')");
    String again = cli("weekly", "--week", WEEK);

    assertTrue(!again.contains("remembered (reused)"), again);
    assertEquals("succeeded", latestRun("rank").getAs("status"));
    assertEquals("reused", latestRun("evaluate").getAs("status"));
    assertEquals(metricsVersion + 1, lake.version(Table.GOLD_MODEL_METRICS));
    assertEquals(metricsBefore.getAs("ndcg"), (Object) metrics("als").getAs("ndcg"));
    assertEquals(before, playlists().orderBy("user_id", "position").collectAsList());
  }

  @Test
  @Order(3)
  void shouldReadBackTheBacktestWeeklyRecordedWhenEvaluateFindsItsRecipeUnchanged() {
    Row metricsBefore = metrics("als");
    String beyondInputs = evaluateConfig().get(WeeklyReuse.BEYOND_INPUTS);
    long metricsVersion = lake.version(Table.GOLD_MODEL_METRICS);

    String out = cli("evaluate", "--week", WEEK);

    assertTrue(out.contains("backtest (k = 30, reused):"), out);
    assertTrue(out.contains("gate: would accept"), out);
    assertEquals("reused", latestRun("evaluate").getAs("status"));
    assertEquals(metricsBefore, metrics("als"));
    // W's playlists, matrix and the weeks served before it are as the last run measured them:
    // the beyond-accuracy metrics are kept too, and nothing is written to gold.
    assertEquals(12, beyondInputs.length(), beyondInputs);
    assertEquals(beyondInputs, evaluateConfig().get(WeeklyReuse.BEYOND_INPUTS));
    assertEquals(metricsVersion, lake.version(Table.GOLD_MODEL_METRICS));
  }

  @Test
  @Order(4)
  void shouldRecomputeWhenForcedAndStillWriteTheSameRows() {
    List<Row> before = playlists().orderBy("user_id", "position").collectAsList();

    String out = cli("weekly", "--week", WEEK, "--force");

    assertTrue(out.contains("model: trained; BLAS: ") && out.contains("backtest (k = 30):"), out);
    assertTrue(out.contains("gate: accepted"), out);
    assertEquals("succeeded", latestRun("train").getAs("status"));
    assertEquals(before, playlists().orderBy("user_id", "position").collectAsList());
  }

  /** A challenger config file holding {@code text}. */
  private static String challengerFile(String name, String text) {
    try {
      return java.nio.file.Files.writeString(tempDir.resolve(name), text).toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** W's model of {@code version} in ops.models. */
  private static Row registered(String version) {
    return lake.read(Table.OPS_MODELS)
        .filter("week = DATE'" + WEEK + "' AND model_version = '" + version + "'")
        .head();
  }

  /** The model W's latest verdict is on, the one publish would serve if accepted. */
  private static Row latestJudged() {
    return lake.read(Table.OPS_MODELS)
        .filter("week = DATE'" + WEEK + "' AND judged_at IS NOT NULL")
        .orderBy(org.apache.spark.sql.functions.col("judged_at").desc())
        .head();
  }

  private static String servedModel() {
    List<Row> versions = playlists().select("model_version").distinct().collectAsList();
    assertEquals(1, versions.size(), versions.toString());
    return versions.get(0).getString(0);
  }

  private static double alsNdcg(String version) {
    return lake.read(Table.GOLD_MODEL_METRICS)
        .filter("week = DATE'" + WEEK + "' AND model = 'als' AND model_version = '" + version + "'")
        .head()
        .getAs("ndcg");
  }

  @Test
  @Order(5)
  void shouldTuneAGridOnOneSampleAndWriteTheBestAsAnOverrideWeeklyAccepts() throws Exception {
    String grid = challengerFile("grid.conf", "rank = [1, 8]\nmax-iter = 3\n");
    String best = tempDir.resolve("best.conf").toString();

    // Alpha stays the configured one, so the best point, rank 8 (rank 1 is the suite's weak
    // model), is the suite's recipe, which the next tests' runs keep.
    String out = cli("tune", "--week", WEEK, "--grid", grid, "--write", best);

    // Two points, best NDCG first, each in gold.model_metrics as tune-W-<recipe hash> with its
    // seconds, all scored on the same users.
    assertTrue(out.contains("tune " + WEEK + ": 2 of 2 points backtested on "), out);
    Dataset<Row> points =
        lake.read(Table.GOLD_MODEL_METRICS)
            .filter("week = DATE'" + WEEK + "' AND model = 'als' AND model_version LIKE 'tune-%'")
            .orderBy(org.apache.spark.sql.functions.col("ndcg").desc());
    List<Row> rows = points.collectAsList();
    assertEquals(2, rows.size(), rows.toString());
    assertEquals(1, points.select("users").distinct().count());
    assertTrue(rows.stream().allMatch(r -> r.<Double>getAs("seconds") > 0), rows.toString());
    String bestVersion = rows.get(0).getAs("model_version");
    List<String> lines = out.lines().toList();
    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("rank ")).findFirst().get());
    String firstRow = lines.get(header + 2);
    assertTrue(bestVersion.endsWith(firstRow.substring(firstRow.lastIndexOf(' ') + 1)), out);
    assertEquals("succeeded", latestRun("tune").getAs("status"));
    // The override holds the best point's ALS settings, and weekly --conf takes it.
    String written = java.nio.file.Files.readString(Path.of(best));
    assertTrue(written.contains(bestVersion), written);
    int bestRank = Integer.parseInt(firstRow.strip().split("\\s+")[0]);
    assertTrue(written.contains("rank = " + bestRank), written);
    // Without the suite's -D ALS overrides, which would win over the file.
    CliRun weekly =
        CliRun.of(
            List.of(
                "-Dspark.shuffle-partitions=2",
                "--conf",
                best,
                "--lake",
                lake.root(),
                "--landing",
                landing.toString()),
            "weekly",
            "--week",
            WEEK);
    assertEquals(0, weekly.code(), weekly.out() + weekly.err());
    assertTrue(
        configOf(latestRun("train")).get("als").contains("rank=" + bestRank + ","),
        configOf(latestRun("train")).toString());
    // A time limit already passed still backtests the first point, and says so.
    String limited =
        cli(
            "tune",
            "--week",
            WEEK,
            "--rank",
            "2,4",
            "--max-iter",
            "1",
            "--time-limit",
            "0s",
            "--users",
            "50");
    assertTrue(limited.contains("time limit of 0 s reached: 1 of 2 points backtested"), limited);
    CliRun badGrid = CliRun.of(options(), "tune", "--week", WEEK, "--rank", "0");
    assertEquals(2, badGrid.code(), badGrid.err());
    assertEquals(
        "discover-weekly tune: the grid's rank must be positive, got 0", badGrid.errLine());
  }

  @Test
  @Order(6)
  void shouldKeepTheWeeksModelWhenAWorseChallengerLoses() {
    String champion = registered().getAs("model_version");
    List<Row> before = playlists().orderBy("user_id", "position").collectAsList();
    String weak = challengerFile("weak.conf", "weekly.als { rank = 1, max-iter = 1 }\n");

    String out = cli("weekly", "--week", WEEK, "--challenger", weak);

    Row challenger = latestRun("challenger");
    String version = configOf(challenger).get("model_version");
    assertTrue(out.contains("challenger " + version + ": NDCG@30 "), out);
    assertTrue(out.contains("not served: challenger NDCG@30"), out);
    assertTrue(out.contains("gate: accepted"), out);
    // The champion keeps the week: its playlists, the latest verdict, accepted.
    assertEquals(before, playlists().orderBy("user_id", "position").collectAsList());
    assertEquals(champion, latestJudged().getAs("model_version"));
    assertEquals("accepted", latestJudged().getAs("status"));
    // The challenger is registered, rejected with the comparison, its backtest in gold beside
    // the champion's, on the same users.
    Row loser = registered(version);
    assertEquals("rejected", loser.getAs("status"));
    assertTrue(loser.<String>getAs("reason").contains("below the champion's"), loser.toString());
    assertEquals(alsNdcg(version), loser.<Double>getAs("ndcg"));
    assertTrue(alsNdcg(version) < alsNdcg(champion), alsNdcg(version) + " vs " + alsNdcg(champion));
    assertEquals(metrics("als").<Long>getAs("users"), loser.<Long>getAs("users"));
    assertTrue(
        loser.<String, String>getJavaMap(loser.fieldIndex("recipe")).get("als").contains("rank=1,"),
        loser.toString());
  }

  @Test
  @Order(7)
  void shouldServeABetterChallengerInsteadOfTheWeeksModel() {
    // The week's model weakened to rank 1 and one iteration; the challenger is the suite's usual
    // ALS (rank 8, 3 iterations).
    String usual = challengerFile("usual.conf", "weekly.als { rank = 8, max-iter = 3 }\n");

    CliRun run =
        CliRun.of(
            options(),
            "-Dweekly.als.rank=1",
            "-Dweekly.als.max-iter=1",
            "weekly",
            "--week",
            WEEK,
            "--challenger",
            usual);

    assertEquals(0, run.code(), run.out() + run.err());
    String version = configOf(latestRun("challenger")).get("model_version");
    String champion = configOf(latestRun("train")).get("model_version");
    assertTrue(run.out().contains("served instead of the week's model"), run.out());
    assertEquals(version, servedModel());
    assertEquals(version, latestJudged().getAs("model_version"));
    assertEquals("accepted", latestJudged().getAs("status"));
    assertEquals(version, configOf(latestRun("gate")).get("model_version"));
    Row loser = registered(champion);
    assertEquals("rejected", loser.getAs("status"));
    assertTrue(
        loser.<String>getAs("reason").startsWith("challenger " + version + " served instead"),
        loser.toString());
    assertTrue(alsNdcg(version) > alsNdcg(champion), alsNdcg(version) + " vs " + alsNdcg(champion));
    // The winner's playlists keep every rule, like the week's model's.
    assertEquals(
        0, playlists().groupBy("user_id", "artist_id").count().filter("count > 2").count());
  }

  @Test
  @Order(7)
  void shouldRefuseAChallengerFileWithKeysBeyondAlsAndRankingWithExitTwo() {
    String matrix = challengerFile("matrix.conf", "weekly.history-days = 30\n");

    CliRun run = CliRun.of(options(), "weekly", "--week", WEEK, "--challenger", matrix);
    CliRun missing =
        CliRun.of(options(), "weekly", "--week", WEEK, "--challenger", "/nonexistent.conf");

    assertEquals(2, run.code(), run.err());
    assertEquals(
        "discover-weekly weekly: challenger file "
            + matrix
            + " sets weekly.history-days: a challenger may set only weekly.als.*,"
            + " weekly.max-tracks-per-artist, weekly.repeat-weeks, weekly.artist-fatigue",
        run.errLine());
    assertEquals(2, missing.code(), missing.err());
    assertEquals(
        "discover-weekly weekly: config file not found: /nonexistent.conf", missing.errLine());
  }

  @Test
  @Order(8)
  void shouldRejectAWeekThatFailsTheGateWithOneLineAndExitOne() {
    CliRun result =
        CliRun.of(options(), "-Dweekly.gate.min-ndcg-lift=100", "weekly", "--week", WEEK);

    assertEquals(1, result.code(), result.out());
    assertTrue(result.errLine().contains("rejected by the quality gate"), result.err());
    assertEquals("rejected", latestRun("gate").getAs("status"));
    assertEquals("rejected", registered().getAs("status"));
    assertEquals(latestRun("gate").<String>getAs("message"), registered().<String>getAs("reason"));
  }

  @Test
  @Order(9)
  void shouldRebuildAPastWeekIdenticallyFromTheSilverVersionsItsRunRecorded() throws Exception {
    Row accepted =
        lake.read(Table.OPS_PIPELINE_RUNS)
            .filter("stage = 'gate' AND status = 'accepted' AND week = DATE'" + WEEK + "'")
            .orderBy(org.apache.spark.sql.functions.col("finished_at").desc())
            .head();
    List<Row> recorded = playlists().orderBy("user_id", "position").collectAsList();
    // Late listens arrive: three users play the track at the top of their playlist, so silver
    // changes and a rebuild from the current silver must drop those tracks.
    List<Row> tops = playlists().filter("position = 1").orderBy("user_id").limit(3).collectAsList();
    StringBuilder lines = new StringBuilder();
    for (Row top : tops) {
      lines
          .append(
              listen(
                  "late-" + top.getAs("user_id"),
                  top.getAs("user_id"),
                  top.getAs("track_id"),
                  "2026-11-15T12:00:00Z",
                  200_000))
          .append('\n');
    }
    java.nio.file.Path folder = landing.resolve("listens").resolve("date=" + WEEK);
    java.nio.file.Files.createDirectories(folder);
    java.nio.file.Files.writeString(folder.resolve("part-00000.json"), lines);
    cli("ingest", "--date", WEEK);
    cli("silver", "--date", WEEK);

    cli("weekly", "--week", WEEK);
    List<Row> rebuilt = playlists().orderBy("user_id", "position").collectAsList();
    cli("weekly", "--week", WEEK, "--as-of-run", accepted.getAs("run_id"));
    List<Row> reproduced = playlists().orderBy("user_id", "position").collectAsList();

    assertTrue(!rebuilt.equals(recorded), "the late listens must change the current build");
    assertEquals(recorded, reproduced);
    CliRun unknown = CliRun.of(options(), "weekly", "--week", WEEK, "--as-of-run", "nope");
    assertEquals(1, unknown.code());
    assertEquals("discover-weekly weekly: no run nope in ops.pipeline_runs", unknown.errLine());
  }
}
