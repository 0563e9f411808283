package org.discoverweekly.etl.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.discoverweekly.models.FeedbackMatrix;
import org.junit.jupiter.api.Test;

/**
 * What the weekly steps read from silver besides the matrix: the rank step's heard tracks from
 * before the history window, and the backtest's sample of users with their first plays.
 */
class WeeklyInputsTest extends SparkTestBase {

  private static final LocalDate WEEK = LocalDate.parse("2026-11-16");
  private static final LocalDate SPLIT = WEEK.minusDays(7);

  private static final StructType WARM =
      new StructType().add("user_index", IntegerType).add("user_id", StringType);
  private static final StructType LISTENS =
      new StructType()
          .add("user_id", StringType)
          .add("track_id", StringType)
          .add("event_date", DateType);

  @Test
  void shouldHearEveryPairBeforeTheWeekThroughTheMatrixAndTheOlderSilver() {
    Lake lake = newLake();
    List<Object[]> listens = new ArrayList<>();
    // Plays at midnight and just before it, around the window's first day (W - 7 days) and W.
    String[] times = {
      "2026-10-20T12:00:00Z",
      "2026-11-08T23:59:59Z",
      "2026-11-09T00:00:00Z",
      "2026-11-12T08:30:00Z",
      "2026-11-15T23:59:59Z",
      "2026-11-16T00:00:00Z"
    };
    for (int t = 0; t < times.length; t++) {
      listens.add(listen("e" + t, "u1", "t" + t, times[t]));
    }
    append(
        lake,
        Table.SILVER_LISTENS,
        rows(Table.SILVER_LISTENS.schema(), listens.toArray(Object[][]::new)));
    FeedbackMatrix.Settings sevenDays = new FeedbackMatrix.Settings(7, 28, 0.25, 2880);

    List<String> inMatrix;
    try (BuildSnapshot.Snapshot snapshot =
        BuildSnapshot.transform(BuildSnapshot.listensInWindow(lake, WEEK, 7), WEEK, sevenDays)) {
      inMatrix = trackIds(snapshot.matrix());
    }
    List<String> older = trackIds(RankWeek.heardBeforeWindow(lake, WEEK, 7));

    assertEquals(List.of("t2", "t3", "t4"), inMatrix);
    assertEquals(List.of("t0", "t1"), older, "before the window, and nothing of it");
  }

  @Test
  void shouldSampleTheFirstUsersByHashWhoPlayedSomethingNewGrowingThePoolUntilItHasThem() {
    List<Object[]> warm = new ArrayList<>();
    for (int u = 0; u < 20; u++) {
      warm.add(new Object[] {u, "u" + u});
    }
    Dataset<Row> warmUsers = rows(WARM, warm.toArray(Object[][]::new));
    List<String> byHash =
        warmUsers.orderBy(xxhash64(col("user_id")), col("user_id")).collectAsList().stream()
            .map(row -> row.getString(1))
            .toList();
    List<Object[]> listens = new ArrayList<>();
    for (int rank = 0; rank < byHash.size(); rank++) {
      String user = byHash.get(rank);
      // Everyone heard t0 before the split and played it again after: not a first play.
      listens.add(new Object[] {user, "t0", Date.valueOf("2026-11-01")});
      listens.add(new Object[] {user, "t0", Date.valueOf("2026-11-10")});
      // Only the second half by hash played a track for the first time in the evaluated week, so
      // a pool of the first 6 warm users (3 wanted) holds none of them and must grow.
      if (rank >= 10) {
        listens.add(new Object[] {user, "t1", Date.valueOf("2026-11-12")});
      }
    }

    try (Backtest.Sample sample =
        Backtest.sample(warmUsers, rows(LISTENS, listens.toArray(Object[][]::new)), SPLIT, 3)) {
      List<String> users =
          sample.users().orderBy(xxhash64(col("user_id")), col("user_id")).collectAsList().stream()
              .map(row -> row.getString(row.fieldIndex("user_id")))
              .toList();
      assertEquals(byHash.subList(10, 13), users);
      Row heard =
          sample
              .pairs()
              .filter(col("user_id").equalTo(byHash.get(10)).and(col("track_id").equalTo("t0")))
              .head();
      assertEquals(Date.valueOf("2026-11-01"), heard.getAs("first_played"));
      assertTrue(sample.pairs().count() >= 2 * 3, "the pool's pairs, at least the sample's");
    }
  }

  private static Object[] listen(String eventId, String user, String track, String ts) {
    Timestamp at = Timestamp.from(java.time.Instant.parse(ts));
    return new Object[] {
      eventId,
      user,
      track,
      at,
      Date.valueOf(at.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate()),
      200_000L,
      true,
      null,
      null,
      null,
      Date.valueOf("2026-11-16"),
      "file:/landing/part-0.json"
    };
  }

  private static List<String> trackIds(Dataset<Row> pairs) {
    return pairs.select("track_id").distinct().orderBy("track_id").collectAsList().stream()
        .map(row -> row.getString(0))
        .toList();
  }
}
