package org.discoverweekly.etl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.discoverweekly.etl.generate.Generator;
import org.discoverweekly.etl.generate.ListenFingerprint;
import org.discoverweekly.etl.generate.Manifest;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Landing;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every verb with the lake and landing on {@code s3a://} in a real S3-compatible server: ingest and
 * silver of the week before, then {@code backfill} of the week (ingest, silver, weekly, publish), a
 * publish rerun, {@code rollback}, {@code forget} and {@code maintain}. The CLI gets the S3A
 * settings as {@code -D} overrides and the credentials from the environment, as on a cluster. The
 * tables must hold what the generator planted and be objects in the bucket, Cassandra must serve
 * exactly gold, and no secret of the environment (S3, Cassandra, the forget salt) may appear in a
 * log line, a ledger row, a table or any object of the bucket.
 */
@ExtendWith({S3ProxyServer.class, CassandraNode.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3LakeTest {

  private static final String BUCKET = "discover-weekly-test";
  private static final String LAKE = "s3a://" + BUCKET + "/lake";
  private static final String LANDING = "s3a://" + BUCKET + "/landing";
  private static final LocalDate WEEK = LocalDate.parse("2026-11-16");
  private static final String KEYSPACE = "discover_s3_test";

  /**
   * The secrets etl/pom.xml puts in the test JVM's environment, where the CLI reads them: S3A's
   * secret key, Cassandra's credentials (sent to a node that asks for none) and the forget salt.
   */
  private static final List<String> SECRET_ENV =
      List.of(
          "AWS_SECRET_ACCESS_KEY",
          "DW_CASSANDRA_USERNAME",
          "DW_CASSANDRA_PASSWORD",
          "DW_FORGET_SALT");

  @TempDir static Path tempDir;

  private static Manifest manifest;
  private static Lake lake;
  private static final LogCapture LOGS = new LogCapture();

  /** What every CLI run of this class printed, stdout and stderr. */
  private static final StringBuilder PRINTED = new StringBuilder();

  private static List<String> options(String... more) {
    List<String> options = new ArrayList<>(S3ProxyServer.options());
    options.addAll(CassandraNode.options(KEYSPACE));
    options.addAll(List.of(more));
    return CliRun.smallRun(LAKE, LANDING, options);
  }

  private static String cli(String... args) {
    return succeeding(options(), args);
  }

  private static String succeeding(List<String> options, String... args) {
    CliRun run = CliRun.of(options, args);
    PRINTED.append(run.out()).append(run.err());
    assertEquals(0, run.code(), String.join(" ", args) + " failed: " + run.err());
    return run.out();
  }

  @BeforeAll
  static void runEveryStageOnS3() throws IOException {
    // The CLI must build the session from its own options, as one spark-submit does.
    stopSpark();
    LOGS.start();
    S3ProxyServer.client().createBucket(BUCKET);
    CassandraNode.freshKeyspace(KEYSPACE).close();
    Path generated = tempDir.resolve("landing");
    CliRun.succeeding(
        List.of(),
        "generate",
        "--out",
        generated.toString(),
        "--users",
        "80",
        "--tracks",
        "500",
        "--weeks",
        "2",
        "--end-week",
        WEEK.toString(),
        "--seed",
        "3",
        "--plays-per-day",
        "12",
        "--gzip");
    manifest = Generator.readManifest(generated);
    upload(generated, LANDING);

    // The week before W's dates by ingest and silver, W's own by backfill (as run does them).
    List<LocalDate> dates = manifest.arrivalDates();
    assertEquals(WEEK.minusDays(1), dates.get(dates.size() - 1), "no arrival date after W's");
    String from = dates.get(0).toString();
    String to = WEEK.minusDays(8).toString();
    cli("ingest", "--from", from, "--to", to);
    cli("silver", "--from", from, "--to", to);
    cli("backfill", "--from", WEEK.toString(), "--to", WEEK.toString());
    lake = new Lake(SparkSession.active(), LAKE);
  }

  @AfterAll
  static void stopTheCliSession() {
    LOGS.stop();
    stopSpark();
  }

  @Test
  @Order(1)
  void shouldListTheArrivalDatesOnS3() {
    assertEquals(
        manifest.arrivalDates(), new Landing(SparkSession.active(), LANDING).arrivalDates());
  }

  @Test
  @Order(2)
  void shouldHoldExactlyTheUniqueValidListensInSilver() {
    ListenFingerprint fingerprint = new ListenFingerprint();
    for (Row row :
        lake.read(Table.SILVER_LISTENS).select("user_id", "track_id", "ts").collectAsList()) {
      fingerprint.add(row.getString(0), row.getString(1), row.getTimestamp(2).getTime());
    }
    assertEquals(manifest.uniqueListens(), fingerprint.count());
    assertEquals(manifest.fingerprint(), fingerprint.hex());
  }

  @Test
  @Order(3)
  void shouldQuarantineExactlyThePlantedBadLines() {
    Map<String, Long> reasons = new TreeMap<>();
    for (Row row : lake.read(Table.SILVER_QUARANTINE).groupBy("reason").count().collectAsList()) {
      reasons.put(row.getString(0), row.getLong(1));
    }
    assertEquals(manifest.quarantine(), reasons);
  }

  @Test
  @Order(4)
  void shouldGiveEveryServedUserThirtyDistinctTracks() {
    List<Row> playlists =
        lake.read(Table.GOLD_DISCOVER_WEEKLY)
            .filter(functions.col("week").equalTo(Date.valueOf(WEEK)))
            .groupBy("user_id")
            .agg(functions.count("*").as("slots"), functions.countDistinct("track_id").as("tracks"))
            .collectAsList();
    assertTrue(playlists.size() > 60, "users served of 80: " + playlists.size());
    assertEquals(
        List.of(),
        playlists.stream().filter(user -> user.getLong(1) != 30 || user.getLong(2) != 30).toList());
  }

  @Test
  @Order(5)
  void shouldRecordEveryStageRunAsSucceeded() {
    Map<String, Set<String>> statuses = new TreeMap<>();
    for (Row run : lake.read(Table.OPS_PIPELINE_RUNS).select("stage", "status").collectAsList()) {
      statuses.computeIfAbsent(run.getString(0), stage -> new TreeSet<>()).add(run.getString(1));
    }
    assertEquals(
        Map.of(
            "catalog", Set.of("succeeded"),
            "ingest", Set.of("succeeded"),
            "silver", Set.of("succeeded"),
            "snapshot", Set.of("succeeded"),
            "train", Set.of("succeeded"),
            "rank", Set.of("succeeded"),
            "evaluate", Set.of("succeeded"),
            "gate", Set.of("accepted"),
            "publish", Set.of("succeeded"),
            "run", Set.of("succeeded")),
        statuses);
  }

  @Test
  @Order(6)
  void shouldStoreTheLakeAsObjectsInTheBucket() {
    Set<String> keys = objectKeys(S3ProxyServer.client(), "lake/");
    for (Table table : Table.values()) {
      if (table != Table.OPS_PIPELINE_RUNS && !lake.exists(table)) {
        continue;
      }
      String log = "lake/" + table.relativePath() + "/_delta_log/00000000000000000000.json";
      assertTrue(keys.contains(log), "no " + log + " in the bucket");
    }
    assertTrue(
        keys.stream().anyMatch(key -> key.startsWith("lake/models/als/week=" + WEEK + "/")),
        "no ALS model in the bucket");
    // A path mistaken for a local one would have made a folder named after the scheme.
    assertFalse(Files.exists(Path.of("s3a:")), "a local folder s3a: was written");
  }

  @Test
  @Order(7)
  void shouldServeExactlyGoldAndWriteTheSameRowsWhenPublishedAgain() {
    Map<String, List<String>> gold = gold();
    assertTrue(gold.size() > 60, "users in gold: " + gold.size());
    assertEquals(gold, served());

    cli("publish", "--week", WEEK.toString());

    assertEquals(gold, served());
    String user = gold.keySet().iterator().next();
    assertEquals(WEEK.toString(), servedWeek(user));
  }

  @Test
  @Order(8)
  void shouldStopServingARolledBackWeekAndServeItAgainOncePublished() {
    String user = gold().keySet().iterator().next();

    String out = cli("rollback", "--week", WEEK.toString());

    assertTrue(out.contains("no longer served"), out);
    CliRun read = CliRun.of(options(), "playlist", "--user", user);
    assertEquals(3, read.code(), read.err());
    cli("publish", "--week", WEEK.toString());
    assertEquals(WEEK.toString(), servedWeek(user));
  }

  @Test
  @Order(9)
  void shouldForgetAUserEverywhereAndMaintainWithoutChangingAnotherRow() throws IOException {
    String user = gold().keySet().iterator().next();
    assertTrue(rowsNaming(lake.read(Table.SILVER_LISTENS), user) > 0);

    cli("forget", "--user", user);
    // Every table's rows after forget: VACUUM with no retention deletes the files of older
    // versions.
    Map<Table, List<Row>> forgotten = new TreeMap<>();
    for (Table table : Table.values()) {
      if (lake.exists(table) && table != Table.OPS_PIPELINE_RUNS) {
        forgotten.put(table, lake.read(table).collectAsList());
      }
    }
    succeeding(options("-Dmaintain.vacuum-retention-hours=0"), "maintain");

    for (Map.Entry<Table, List<Row>> table : forgotten.entrySet()) {
      Dataset<Row> rows = lake.read(table.getKey());
      assertEquals(0, rowsNaming(rows, user), table.getKey().sqlName() + " still names the user");
      RowSets.assertSameRows(table.getValue(), rows);
    }
    // VACUUM deleted the objects that held the user: none under silver.listens still does.
    List<String> parquet =
        objectKeys(S3ProxyServer.client(), "lake/" + Table.SILVER_LISTENS.relativePath() + "/")
            .stream()
            .filter(key -> key.endsWith(".parquet"))
            .map(key -> "s3a://" + BUCKET + "/" + key)
            .toList();
    assertFalse(parquet.isEmpty());
    assertEquals(
        0,
        rowsNaming(SparkSession.active().read().parquet(parquet.toArray(String[]::new)), user),
        "an object of silver.listens still holds the user");
    CliRun read = CliRun.of(options(), "playlist", "--user", user);
    assertEquals(3, read.code(), read.err());
  }

  @Test
  @Order(10)
  void shouldWriteNoSecretToALogALedgerRowATableOrAnObjectOfTheBucket() throws IOException {
    Map<String, String> secrets = new TreeMap<>();
    for (String name : SECRET_ENV) {
      String value = System.getenv(name);
      assertTrue(value != null && value.length() >= 8, name + " must be set (etl/pom.xml)");
      secrets.put(name, value);
    }
    String logs = LOGS.text();
    assertTrue(
        logs.lines().count() > 1000, "the capture saw the runs' INFO lines: " + logs.length());
    List<String> found = new ArrayList<>();
    secrets.forEach(
        (name, value) -> {
          if (logs.contains(value)) {
            found.add(name + " in the log");
          }
          if (PRINTED.indexOf(value) >= 0) {
            found.add(name + " in the CLI's output");
          }
        });
    // One scan per table: the rows (as JSON) that name any secret, then which.
    for (Table table : Table.values()) {
      if (lake.exists(table)) {
        Column any = functions.lit(false);
        for (String value : secrets.values()) {
          any = any.or(functions.col("row").contains(value));
        }
        Column json = functions.to_json(functions.struct(functions.col("*"))).as("row");
        for (Row row : lake.read(table).select(json).filter(any).collectAsList()) {
          secrets.forEach(
              (name, value) -> {
                if (row.getString(0).contains(value)) {
                  found.add(name + " in " + table.sqlName());
                }
              });
        }
      }
    }
    // Every object as bytes: Delta logs and checkpoints, data files, models' metadata and factors.
    AmazonS3 s3 = S3ProxyServer.client();
    Set<String> keys = objectKeys(s3, "");
    assertTrue(keys.stream().anyMatch(key -> key.startsWith("lake/models/")), keys.toString());
    for (String key : keys) {
      String bytes;
      try (var object = s3.getObject(BUCKET, key).getObjectContent()) {
        bytes = new String(object.readAllBytes(), StandardCharsets.ISO_8859_1);
      }
      secrets.forEach(
          (name, value) -> {
            if (bytes.contains(value)) {
              found.add(name + " in s3://" + BUCKET + "/" + key);
            }
          });
    }
    assertEquals(List.of(), found);
  }

  /** Each user's playlist for W in gold, one line per slot. */
  private static Map<String, List<String>> gold() {
    return PlaylistLines.gold(lake, WEEK);
  }

  /** The same lines from Cassandra's rows for W. */
  private static Map<String, List<String>> served() {
    try (CqlSession session = CassandraNode.freshSession(KEYSPACE)) {
      return PlaylistLines.cassandra(session, KEYSPACE, WEEK);
    }
  }

  private static String servedWeek(String user) {
    return CliRun.servedWeek(options(), user);
  }

  /** Rows whose any column, rendered as JSON, contains {@code text}. */
  private static long rowsNaming(Dataset<Row> rows, String text) {
    return rows.select(functions.to_json(functions.struct(functions.col("*"))).as("row"))
        .filter(functions.col("row").contains(text))
        .count();
  }

  private static Set<String> objectKeys(AmazonS3 s3, String prefix) {
    Set<String> keys = new TreeSet<>();
    var listing = s3.listObjects(BUCKET, prefix);
    while (true) {
      listing.getObjectSummaries().stream().map(S3ObjectSummary::getKey).forEach(keys::add);
      if (!listing.isTruncated()) {
        return keys;
      }
      listing = s3.listNextBatchOfObjects(listing);
    }
  }

  /**
   * Copies the generated listens and catalog to an S3 landing root with S3A, as an uploader would.
   */
  private static void upload(Path generated, String root) throws IOException {
    Configuration hadoop = new Configuration();
    S3ProxyServer.sparkConf()
        .forEach((key, value) -> hadoop.set(key.substring("spark.hadoop.".length()), value));
    // An instance of its own: the pipeline's S3A must come from the CLI's settings, not this cache.
    try (FileSystem s3 = FileSystem.newInstance(URI.create(root), hadoop)) {
      for (String folder : List.of("listens", "catalog")) {
        FileUtil.copy(
            FileSystem.getLocal(hadoop),
            new org.apache.hadoop.fs.Path(generated.resolve(folder).toUri()),
            s3,
            new org.apache.hadoop.fs.Path(root + "/" + folder),
            false,
            hadoop);
      }
    }
  }

  /** Stops the session the CLI built; the next test class builds its own. */
  private static void stopSpark() {
    if (SparkSession.getDefaultSession().isDefined()) {
      SparkSession.getDefaultSession().get().stop();
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }
}
