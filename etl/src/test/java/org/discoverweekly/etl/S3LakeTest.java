package org.discoverweekly.etl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every stage from landing to gold with the lake and landing on {@code s3a://} in a real
 * S3-compatible server: the CLI gets the S3A settings as {@code -D} overrides and the credentials
 * from the environment, as on a cluster. The tables must hold what the generator planted, and be
 * objects in the bucket.
 */
@ExtendWith(S3ProxyServer.class)
class S3LakeTest {

  private static final String BUCKET = "discover-weekly-test";
  private static final String LAKE = "s3a://" + BUCKET + "/lake";
  private static final String LANDING = "s3a://" + BUCKET + "/landing";
  private static final LocalDate WEEK = LocalDate.parse("2026-11-16");

  @TempDir static Path tempDir;

  private static Manifest manifest;
  private static Lake lake;

  private static String cli(String... args) {
    return CliRun.succeeding(CliRun.smallRun(LAKE, LANDING, S3ProxyServer.options()), args);
  }

  @BeforeAll
  static void runEveryStageOnS3() throws IOException {
    // The CLI must build the session from its own options, as one spark-submit does.
    stopSpark();
    S3ProxyServer.client().createBucket(BUCKET);
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

    List<LocalDate> dates = manifest.arrivalDates();
    String from = dates.get(0).toString();
    String to = dates.get(dates.size() - 1).toString();
    cli("ingest", "--from", from, "--to", to);
    cli("silver", "--from", from, "--to", to);
    String weekly = cli("weekly", "--week", WEEK.toString());
    assertTrue(weekly.contains("gate: accepted"), weekly);
    lake = new Lake(SparkSession.active(), LAKE);
  }

  @AfterAll
  static void stopTheCliSession() {
    stopSpark();
  }

  @Test
  void shouldListTheArrivalDatesOnS3() {
    assertEquals(
        manifest.arrivalDates(), new Landing(SparkSession.active(), LANDING).arrivalDates());
  }

  @Test
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
  void shouldQuarantineExactlyThePlantedBadLines() {
    Map<String, Long> reasons = new TreeMap<>();
    for (Row row : lake.read(Table.SILVER_QUARANTINE).groupBy("reason").count().collectAsList()) {
      reasons.put(row.getString(0), row.getLong(1));
    }
    assertEquals(manifest.quarantine(), reasons);
  }

  @Test
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
            "gate", Set.of("accepted")),
        statuses);
  }

  @Test
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
