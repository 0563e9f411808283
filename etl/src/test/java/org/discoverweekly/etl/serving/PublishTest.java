package org.discoverweekly.etl.serving;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.CassandraNode;
import org.discoverweekly.etl.CliProcess;
import org.discoverweekly.etl.CliRun;
import org.discoverweekly.etl.GeneratedLake;
import org.discoverweekly.etl.PlaylistLines;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.config.ConfigLoader;
import org.discoverweekly.etl.config.PipelineConfig;
import org.discoverweekly.etl.ops.FaultPoint;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.quality.DataQuality;
import org.discoverweekly.etl.report.RunReport;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * From landing files to Cassandra on a real node: two weeks built and published, rows equal to
 * gold, reruns that change nothing, an unreachable cluster, a publish that dies before W is served,
 * readers falling back, rollback, and a node killed mid-publish.
 */
@ExtendWith(CassandraNode.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PublishTest extends SparkTestBase {

  private static final String KEYSPACE = "discover_publish_test";
  private static final LocalDate W1 = LocalDate.parse(GeneratedLake.WEEK_BEFORE);
  private static final LocalDate W2 = LocalDate.parse(GeneratedLake.WEEK);

  private static Path landing;
  private static Lake lake;
  private static CqlSession session;

  private static List<String> options(String... more) {
    List<String> options = new ArrayList<>(CassandraNode.options(KEYSPACE));
    options.addAll(List.of(more));
    return CliRun.smallRun(lake.root(), landing, options);
  }

  private static String cli(String... args) {
    return CliRun.succeeding(options(), args);
  }

  private static CliRun run(String... args) {
    return CliRun.of(options(), args);
  }

  @BeforeAll
  static void buildTwoWeeks() {
    landing = tempDir.resolve("landing");
    lake = new Lake(spark, tempDir.resolve("lake").toString());
    GeneratedLake.copyTo(GeneratedLake.Stage.WEEK, landing, tempDir.resolve("lake"));
    cli("weekly", "--week", W1.toString());
    session = CassandraNode.freshKeyspace(KEYSPACE);
  }

  @AfterAll
  static void closeSession() {
    if (session != null) {
      session.close();
    }
  }

  /** Each user's playlist for W in gold, one line per slot (see {@link PlaylistLines}). */
  private static Map<String, List<String>> gold(LocalDate week) {
    return PlaylistLines.gold(lake, week);
  }

  /** The same lines from Cassandra's rows for W. */
  private static Map<String, List<String>> served(LocalDate week) {
    return served(session, week);
  }

  /** The same lines from the rows for W of the node {@code session} reads. */
  private static Map<String, List<String>> served(CqlSession session, LocalDate week) {
    return PlaylistLines.cassandra(session, KEYSPACE, week);
  }

  @Test
  @Order(1)
  void shouldPublishOnlyWeeksTheGateAccepted() {
    CliRun unjudged = run("publish", "--week", W2.plusDays(7).toString());
    assertEquals(1, unjudged.code());
    assertTrue(unjudged.errLine().contains("has no quality-gate verdict yet"), unjudged.err());

    CliRun rejectedWeekly =
        CliRun.of(options("-Dweekly.gate.min-ndcg-lift=1000"), "weekly", "--week", W2.toString());
    assertEquals(1, rejectedWeekly.code(), rejectedWeekly.err());
    CliRun rejected = run("publish", "--week", W2.toString());
    assertEquals(1, rejected.code());
    assertTrue(
        rejected.errLine().contains("was rejected by the quality gate, not publishable"),
        rejected.err());

    assertEquals("rejected", registryStatus(W2));
    cli("weekly", "--week", W2.toString());
    assertEquals("accepted", registryStatus(W2));
  }

  /** The status of W's model in ops.models (one model per week in this class). */
  private static String registryStatus(LocalDate week) {
    List<Row> models =
        lake.read(Table.OPS_MODELS)
            .filter("week = DATE'" + week + "'")
            .select("status")
            .collectAsList();
    assertEquals(1, models.size(), "models of " + week + ": " + models);
    return models.get(0).getString(0);
  }

  @Test
  @Order(2)
  void shouldWriteEveryPlaylistOfTheWeekAsGoldHasIt() {
    String out = cli("publish", "--week", W1.toString());
    assertTrue(out.contains(W1 + " is served"), out);
    assertEquals("served", registryStatus(W1));

    Map<String, List<String>> gold = gold(W1);
    assertTrue(gold.size() > 100, "users in gold: " + gold.size());
    assertEquals(gold, served(W1));
    long ttl =
        session
            .execute("SELECT TTL(source) FROM " + KEYSPACE + ".playlists LIMIT 1")
            .one()
            .getInt(0);
    assertTrue(ttl > 35 * 86_400 - 600 && ttl <= 35 * 86_400, "ttl " + ttl);

    String user = gold.keySet().iterator().next();
    CliRun read = run("playlist", "--user", user);
    assertEquals(0, read.code(), read.err());
    List<String> lines = read.out().strip().lines().toList();
    assertEquals(32, lines.size(), read.out());
    assertTrue(lines.get(0).startsWith("position"), read.out());
    String first = gold.get(user).get(0);
    assertTrue(lines.get(2).contains(first.split("\\|")[2]), read.out() + " vs " + first);
  }

  @Test
  @Order(3)
  void shouldWriteTheSameRowsWhenAWeekIsPublishedAgain() {
    Map<String, List<String>> before = served(W1);
    cli("publish", "--week", W1.toString());
    assertEquals(before, served(W1));
  }

  @Test
  @Order(4)
  void shouldFailFastAndTouchNoTableWhenCassandraIsUnreachable() {
    Map<String, Long> versions =
        lake.versions(Table.GOLD_DISCOVER_WEEKLY, Table.SILVER_LISTENS, Table.OPS_PIPELINE_RUNS);
    // How long it takes to give up is a row of bench/publish, not a timed assertion.
    CliRun down = CliRun.of(options("-Dcassandra.port=19999"), "publish", "--week", W2.toString());
    assertEquals(1, down.code());
    assertTrue(
        down.errLine()
            .startsWith("discover-weekly publish: cannot reach Cassandra at 127.0.0.1:19999"),
        down.err());
    assertEquals(
        versions,
        lake.versions(Table.GOLD_DISCOVER_WEEKLY, Table.SILVER_LISTENS, Table.OPS_PIPELINE_RUNS));
    assertFalse(served(W2).size() > 0, "no W2 row may be written");
  }

  @Test
  @Order(5)
  void shouldKeepServingTheWeekBeforeUntilAKilledPublishIsRerun() {
    String user = gold(W2).keySet().iterator().next();
    System.setProperty(FaultPoint.PROPERTY, PublishWeek.ROWS_WRITTEN);
    CliRun killed;
    try {
      killed = run("publish", "--week", W2.toString());
    } finally {
      System.clearProperty(FaultPoint.PROPERTY);
    }
    assertEquals(1, killed.code());
    assertTrue(killed.errLine().contains("injected fault at " + PublishWeek.ROWS_WRITTEN));
    assertFalse(served(W2).isEmpty(), "the rows were written before the fault");
    assertEquals(W1.toString(), CliRun.servedWeek(options(), user));

    cli("publish", "--week", W2.toString());
    assertEquals(W2.toString(), CliRun.servedWeek(options(), user));
    assertEquals(gold(W2), served(W2));
  }

  @Test
  @Order(6)
  void shouldFallBackToTheWeekBeforeForAUserMissingFromTheNewest() {
    String user =
        gold(W1).keySet().stream().filter(gold(W2)::containsKey).findFirst().orElseThrow();
    session.execute(
        SimpleStatement.newInstance(
            "DELETE FROM " + KEYSPACE + ".playlists WHERE user_id = ? AND week = ?", user, W2));
    assertEquals(W1.toString(), CliRun.servedWeek(options(), user));
    CliRun exact = run("playlist", "--user", user, "--week", W2.toString());
    assertEquals(3, exact.code());
    assertTrue(exact.errLine().contains("no playlist for user " + user + " in week " + W2));
  }

  @Test
  @Order(7)
  void shouldStopServingARolledBackWeekAtOnce() {
    String user = gold(W2).keySet().stream().skip(1).findFirst().orElseThrow();
    assertEquals(W2.toString(), CliRun.servedWeek(options(), user));

    String out = cli("rollback", "--week", W2.toString());
    assertTrue(out.contains("readers now serve " + W1), out);
    assertEquals(W1.toString(), CliRun.servedWeek(options(), user));
    assertEquals("rolled_back", registryStatus(W2));
    CliRun exact = run("playlist", "--user", user, "--week", W2.toString());
    assertEquals(3, exact.code());
    assertTrue(exact.errLine().contains("week " + W2 + " was rolled back"), exact.err());
    assertTrue(cli("rollback", "--week", W2.toString()).contains("was already rolled back"));

    CliRun never = run("rollback", "--week", "2026-11-23");
    assertEquals(1, never.code());
    assertTrue(never.errLine().contains("week 2026-11-23 was never published"), never.err());

    cli("publish", "--week", W2.toString());
    assertEquals(W2.toString(), CliRun.servedWeek(options(), user));
    assertEquals("served", registryStatus(W2));
  }

  @Test
  @Order(8)
  void shouldExitWithThreeForAUserWithoutAPlaylist() {
    CliRun none = run("playlist", "--user", "nobody");
    assertEquals(3, none.code());
    assertEquals("discover-weekly playlist: no published playlist for user nobody", none.errLine());
  }

  @Test
  @Order(9)
  void shouldFailInOneLineWhenCassandraIsKilledMidPublishAndConvergeOnceItIsBack()
      throws Exception {
    // A node of this test's own, killed with SIGKILL (a crash: no drain, no goodbye) while a
    // publish process waits at publish.writing. Every publish is a process of its own, as in
    // production, and this JVM never connects to the node before the restart, so no driver
    // session of the test outlives the crash.
    CassandraNode.Node node = CassandraNode.another(tempDir.resolve("cassandra-outage"));
    List<String> options = CliRun.smallRun(lake.root(), landing, node.options(KEYSPACE));
    List<String> publish = new ArrayList<>(options);
    publish.addAll(List.of("publish", "--week", W2.toString()));
    List<String> publishW1 = new ArrayList<>(options);
    publishW1.addAll(List.of("publish", "--week", W1.toString()));
    node.start();
    try {
      CliProcess first = CliProcess.ranToEnd(tempDir, publishW1);
      assertEquals(0, first.exitCode(), first.output());
      CliProcess paused = CliProcess.pausedAt(PublishWeek.WRITING, tempDir, publish);
      node.kill();
      int code = paused.resumeAndWait();

      assertEquals(1, code, paused.output());
      List<String> errors =
          paused
              .output()
              .lines()
              .filter(line -> line.startsWith("discover-weekly publish:"))
              .toList();
      assertEquals(1, errors.size(), paused.output());
      assertTrue(
          errors.get(0).contains("writing the playlists to Cassandra failed")
              && errors.get(0).contains("the week before is still served"),
          errors.get(0));
      Row recorded =
          lake.read(Table.OPS_PIPELINE_RUNS)
              .filter("stage = 'publish' AND week = DATE'" + W2 + "'")
              .orderBy(col("started_at").desc())
              .first();
      assertEquals(StageOutcome.FAILED, recorded.getAs("status"));
      // The run report counts the users each week's last succeeded publish served: for W2 the
      // republish after rollback, not this failed run, which counted none; the lake's earlier
      // week, never published, has no count.
      Map<LocalDate, Long> servedUsers = new java.util.TreeMap<>();
      PipelineConfig defaults = ConfigLoader.defaults();
      RunReport.of(
              new DataQuality(
                  lake, defaults.quality(), defaults.listens(), java.time.Clock.systemUTC()),
              W2)
          .weeks()
          .stream()
          .filter(row -> row.servedUsers() != null)
          .forEach(row -> servedUsers.put(row.week(), row.servedUsers()));
      assertEquals(Map.of(W1, (long) gold(W1).size(), W2, (long) gold(W2).size()), servedUsers);

      node.start();
      String user = gold(W2).keySet().stream().filter(gold(W1)::containsKey).findFirst().get();
      assertEquals(
          W1.toString(),
          CliRun.servedWeek(options, user),
          "until the rerun, readers serve the week before");
      CliProcess rerun = CliProcess.ranToEnd(tempDir, publish);
      assertEquals(0, rerun.exitCode(), rerun.output());
      try (CqlSession back = node.session(KEYSPACE)) {
        assertEquals(gold(W2), served(back, W2));
      }
      assertEquals(W2.toString(), CliRun.servedWeek(options, user));
    } finally {
      node.stop();
    }
  }
}
