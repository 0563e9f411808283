package org.discoverweekly.models;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class FeedbackMatrixTest extends ModelsTestBase {

  private static final Instant CUTOFF = Instant.parse("2026-11-16T00:00:00Z");
  private static final FeedbackMatrix.Settings SETTINGS =
      new FeedbackMatrix.Settings(90, 14, 0.25, 3);
  private static final StructType LISTENS =
      new StructType()
          .add("user_id", StringType)
          .add("track_id", StringType)
          .add("ts", TimestampType)
          .add("is_stream", BooleanType);

  private static Object[] listen(String user, String track, String ts, boolean stream) {
    return new Object[] {user, track, Timestamp.from(Instant.parse(ts)), stream};
  }

  private static Dataset<Row> matrix(Dataset<Row> listens) {
    Dataset<Row> windowed = FeedbackMatrix.window(listens, CUTOFF, SETTINGS);
    return FeedbackMatrix.build(
        windowed, FeedbackMatrix.bots(windowed, SETTINGS.botPlaysPerDay()), CUTOFF, SETTINGS);
  }

  @Test
  void shouldScoreConfidenceAsLogPlaysDecayedByHalfLife() {
    // 1 stream + 2 skips at weight 0.25, last played one half-life (14 days) before the cutoff.
    Dataset<Row> listens =
        rows(
            LISTENS,
            listen("u1", "t1", "2026-10-20T10:00:00Z", true),
            listen("u1", "t1", "2026-10-25T10:00:00Z", false),
            listen("u1", "t1", "2026-11-02T00:00:00Z", false));

    Row pair = matrix(listens).head();

    assertEquals(1L, pair.getLong(pair.fieldIndex("streams")));
    assertEquals(2L, pair.getLong(pair.fieldIndex("skips")));
    assertEquals(Math.log(2.5) * 0.5, pair.getDouble(pair.fieldIndex("confidence")), 1e-9);
  }

  @Test
  void shouldWeighAStreamAboveASkip() {
    Dataset<Row> listens =
        rows(
            LISTENS,
            listen("u1", "streamed", "2026-11-10T10:00:00Z", true),
            listen("u1", "skipped", "2026-11-10T10:00:00Z", false));

    List<Row> pairs = matrix(listens).orderBy("track_id").collectAsList();

    double skipped = pairs.get(0).getDouble(pairs.get(0).fieldIndex("confidence"));
    double streamed = pairs.get(1).getDouble(pairs.get(1).fieldIndex("confidence"));
    assertEquals(Math.log(2) / Math.log(1.25), streamed / skipped, 1e-9);
  }

  @Test
  void shouldLeaveOutListensAtOrAfterTheCutoffAndBeforeTheWindow() {
    Dataset<Row> listens =
        rows(
            LISTENS,
            listen("u1", "in", "2026-11-15T23:59:59Z", true),
            listen("u1", "at-cutoff", "2026-11-16T00:00:00Z", true),
            listen("u1", "too-old", "2026-08-17T23:59:59Z", true));

    List<String> tracks =
        matrix(listens)
            .select("track_id")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();

    assertEquals(List.of("in"), tracks);
  }

  @Test
  void shouldExcludeUsersAbovePlaysPerDayLimit() {
    // The limit is 3 plays on one UTC day; the bot plays 4 times on 2026-11-10.
    Dataset<Row> listens =
        rows(
            LISTENS,
            listen("bot", "t1", "2026-11-10T01:00:00Z", true),
            listen("bot", "t2", "2026-11-10T02:00:00Z", true),
            listen("bot", "t3", "2026-11-10T03:00:00Z", true),
            listen("bot", "t4", "2026-11-10T04:00:00Z", true),
            listen("human", "t1", "2026-11-10T01:00:00Z", true),
            listen("human", "t2", "2026-11-10T02:00:00Z", true),
            listen("human", "t3", "2026-11-10T03:00:00Z", true),
            listen("human", "t4", "2026-11-11T04:00:00Z", true));

    Dataset<Row> windowed = FeedbackMatrix.window(listens, CUTOFF, SETTINGS);
    List<Row> bots = FeedbackMatrix.bots(windowed, 3).collectAsList();
    List<String> users =
        matrix(listens)
            .select("user_id")
            .distinct()
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();

    assertEquals(1, bots.size());
    assertEquals("bot", bots.get(0).getString(0));
    assertEquals(4L, bots.get(0).getLong(1));
    assertEquals(List.of("human"), users);
  }

  @Test
  void shouldNumberIdsInSortOrderWhateverTheRowOrder() {
    Dataset<Row> forward =
        rows(
            LISTENS,
            listen("ann", "t-b", "2026-11-10T01:00:00Z", true),
            listen("bob", "t-a", "2026-11-10T02:00:00Z", true),
            listen("cid", "t-c", "2026-11-10T03:00:00Z", true));
    Dataset<Row> backward =
        rows(
            LISTENS,
            listen("cid", "t-c", "2026-11-10T03:00:00Z", true),
            listen("bob", "t-a", "2026-11-10T02:00:00Z", true),
            listen("ann", "t-b", "2026-11-10T01:00:00Z", true));

    List<Row> first = indices(forward);
    List<Row> second = indices(backward);

    assertEquals(first, second);
    assertEquals("[[ann,t-b,0,1], [bob,t-a,1,0], [cid,t-c,2,2]]", first.toString());
  }

  private static List<Row> indices(Dataset<Row> listens) {
    return FeedbackMatrix.withIndices(matrix(listens))
        .select("user_id", "track_id", "user_index", "track_index")
        .orderBy("user_id")
        .collectAsList();
  }
}
