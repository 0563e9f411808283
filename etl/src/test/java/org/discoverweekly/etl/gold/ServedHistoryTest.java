package org.discoverweekly.etl.gold;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.config.PipelineConfig.MemorySettings;
import org.discoverweekly.etl.ops.RunLedger;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.ops.Step;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.Test;

/**
 * What week W remembers of the weeks served before it: which weeks count as served, by the ledger,
 * which slots they served, and the repeats and artist weights that follow.
 */
class ServedHistoryTest extends SparkTestBase {

  private static final LocalDate WEEK = LocalDate.parse("2026-11-16");
  private static final MemorySettings DEFAULTS = new MemorySettings(4, 0.6);
  private static final StructType SLOTS =
      new StructType()
          .add("week", DateType)
          .add("user_id", StringType)
          .add("track_id", StringType)
          .add("artist_id", StringType);

  private static Object[] slot(int weeksAgo, String user, String track, String artist) {
    return new Object[] {Date.valueOf(WEEK.minusWeeks(weeksAgo)), user, track, artist};
  }

  /** W − n weeks' playlist in gold: user u1 gets {@code track} by artist a; its gold version. */
  private static long rank(Lake lake, int weeksAgo, String track) {
    LocalDate week = WEEK.minusWeeks(weeksAgo);
    lake.replace(
        Table.GOLD_DISCOVER_WEEKLY,
        rows(
            Table.GOLD_DISCOVER_WEEKLY.schema(),
            new Object[] {
              Date.valueOf(week),
              "u1",
              1,
              track,
              "a",
              "T",
              "A",
              1.0,
              "als",
              "als-" + week,
              null,
              null,
              null
            }),
        Partitions.in("week", List.of(week)));
    return lake.latestVersion(Table.GOLD_DISCOVER_WEEKLY);
  }

  private static void record(RunLedger ledger, String stage, int weeksAgo, long goldVersion) {
    record(ledger, stage, weeksAgo, goldVersion, StageOutcome.SUCCEEDED);
  }

  private static void record(
      RunLedger ledger, String stage, int weeksAgo, long goldVersion, String status) {
    ledger.record(
        WEEK.minusWeeks(weeksAgo),
        new Step(
            stage,
            () ->
                new StageOutcome(
                    Map.of(Table.GOLD_DISCOVER_WEEKLY.sqlName(), goldVersion),
                    Map.of(),
                    Map.of(),
                    status,
                    null)));
  }

  private static Map<String, String> tracksByWeeksAgo(Dataset<Row> slots) {
    Map<String, String> byWeek = new TreeMap<>();
    for (Row row : slots.collectAsList()) {
      byWeek.merge(
          row.getDate(0).toString(), row.getString(2), (first, second) -> first + "," + second);
    }
    return byWeek;
  }

  @Test
  void shouldRememberTheSlotsEachServedWeeksPublishRead() {
    Lake lake = newLake();
    RunLedger ledger = new RunLedger(lake, Clock.systemUTC());
    // W − 1: published, then ranked again without a new publish: the served rows are the first.
    record(ledger, "publish", 1, rank(lake, 1, "served-1"));
    rank(lake, 1, "ranked-later");
    // W − 2: published, then rolled back: not served.
    record(ledger, "publish", 2, rank(lake, 2, "withdrawn"));
    record(ledger, "rollback", 2, -1);
    // W − 3: rolled back, then published again: served.
    long third = rank(lake, 3, "served-3");
    record(ledger, "rollback", 3, -1);
    record(ledger, "publish", 3, third);
    // W − 4: its publish failed: not served.
    record(ledger, "publish", 4, rank(lake, 4, "failed"), StageOutcome.FAILED);
    // W − 5: served, but older than the four weeks remembered.
    record(ledger, "publish", 5, rank(lake, 5, "too-old"));

    Dataset<Row> slots =
        ServedHistory.read(lake, lake.latestVersion(Table.OPS_PIPELINE_RUNS), WEEK, 4);

    assertEquals(
        Map.of(
            WEEK.minusWeeks(1).toString(), "served-1", WEEK.minusWeeks(3).toString(), "served-3"),
        tracksByWeeksAgo(slots));
  }

  @Test
  void shouldReadTheLedgerAsOfItsPinnedVersion() {
    Lake lake = newLake();
    RunLedger ledger = new RunLedger(lake, Clock.systemUTC());
    record(ledger, "publish", 1, rank(lake, 1, "served-1"));
    long pinned = lake.latestVersion(Table.OPS_PIPELINE_RUNS);
    record(ledger, "rollback", 1, -1);

    assertEquals(
        Map.of(WEEK.minusWeeks(1).toString(), "served-1"),
        tracksByWeeksAgo(ServedHistory.read(lake, pinned, WEEK, 4)));
    assertEquals(
        Map.of(),
        tracksByWeeksAgo(
            ServedHistory.read(lake, lake.latestVersion(Table.OPS_PIPELINE_RUNS), WEEK, 4)));
    assertEquals(Map.of(), tracksByWeeksAgo(ServedHistory.read(lake, -1, WEEK, 4)));
  }

  @Test
  void shouldNotRepeatAnyTrackServedInTheRememberedWeeks() {
    Dataset<Row> served =
        rows(
            SLOTS,
            slot(1, "u1", "t1", "a"),
            slot(2, "u1", "t1", "a"),
            slot(4, "u1", "t2", "b"),
            slot(1, "u2", "t3", "a"));

    List<Row> repeats =
        ServedHistory.transform(served, WEEK, DEFAULTS)
            .repeats()
            .orderBy("user_id", "track_id")
            .collectAsList();

    assertEquals("[[u1,t1], [u1,t2], [u2,t3]]", repeats.toString());
  }

  @Test
  void shouldWeighAnArtistByItsFatigueForEachWeekFeaturedFadingWithAge() {
    Dataset<Row> served =
        rows(
            SLOTS,
            // u1: artist a last week (twice: one week counts once) and two weeks ago; b four.
            slot(1, "u1", "t1", "a"),
            slot(1, "u1", "t2", "a"),
            slot(2, "u1", "t3", "a"),
            slot(4, "u1", "t4", "b"));

    Map<String, Double> weights = new TreeMap<>();
    ServedHistory.transform(served, WEEK, DEFAULTS)
        .artistWeights()
        .collectAsList()
        .forEach(row -> weights.put(row.getString(0) + "/" + row.getString(1), row.getDouble(2)));

    assertEquals(0.6 * Math.pow(0.6, 0.75), weights.get("u1/a"), 1e-12);
    assertEquals(Math.pow(0.6, 0.25), weights.get("u1/b"), 1e-12);
    assertEquals(2, weights.size());
  }

  @Test
  void shouldWeighNothingWithAFatigueOfOne() {
    Dataset<Row> served = rows(SLOTS, slot(1, "u1", "t1", "a"));

    ServedHistory.Memory memory = ServedHistory.transform(served, WEEK, new MemorySettings(4, 1.0));

    assertNull(memory.artistWeights());
    assertEquals(1, memory.repeats().count());
  }
}
