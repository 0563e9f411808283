package org.discoverweekly.etl.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.sketch.BloomFilter;
import org.discoverweekly.etl.SparkTestBase;
import org.junit.jupiter.api.Test;

class DedupeTest extends SparkTestBase {

  private static final LocalDate ARRIVAL = LocalDate.parse("2026-11-16");

  private static Dataset<Row> valid(String... lines) {
    return ListenContract.check(bronze(ARRIVAL, lines), catalog("t1", "t2"), RULES)
        .filter("reason IS NULL");
  }

  private static List<String> eventIds(Dataset<Row> listens) {
    return listens
        .orderBy("event_id")
        .select("event_id")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }

  @Test
  void shouldTreatSameEventIdAsOneListen() {
    String line = listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000);
    assertEquals(List.of("e1"), eventIds(Dedupe.withinBatch(valid(line, line + " "))));
  }

  @Test
  void shouldTreatSameUserTrackAndTimeUnderNewIdAsOneListenKeepingTheSmallestId() {
    Dataset<Row> unique =
        Dedupe.withinBatch(
            valid(
                listen("e2", "u1", "t1", "2026-11-16T10:00:00Z", 40_000),
                listen("e1", "u1", "t1", "2026-11-16T10:00:00.000Z", 40_000)));
    assertEquals(List.of("e1"), eventIds(unique));
  }

  @Test
  void shouldKeepDistinctPlaysOfTheSameTrack() {
    Dataset<Row> unique =
        Dedupe.withinBatch(
            valid(
                listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000),
                listen("e2", "u1", "t1", "2026-11-16T10:05:00Z", 40_000),
                listen("e3", "u2", "t1", "2026-11-16T10:00:00Z", 40_000)));
    assertEquals(List.of("e1", "e2", "e3"), eventIds(unique));
  }

  @Test
  void shouldKeepOneRowWhenAnEventIdIsReusedForAnotherPlay() {
    Dataset<Row> unique =
        Dedupe.withinBatch(
            valid(
                listen("e1", "u1", "t1", "2026-11-16T10:05:00Z", 40_000),
                listen("e1", "u1", "t2", "2026-11-16T10:00:00Z", 40_000)));
    List<Row> rows = unique.collectAsList();
    assertEquals(1, rows.size());
    assertEquals("t2", rows.get(0).getAs("track_id"));
  }

  @Test
  void shouldKeepUniqueListensThatTheFilterOfRepeatedKeysHoldsByChance() {
    // A filter with every bit set holds every key: all rows take the exact path, as a row whose
    // key the real filter holds by chance does.
    BloomFilter everything = BloomFilter.create(1, 0.5);
    for (long key = 0; key < 1_000; key++) {
      everything.putLong(key);
    }
    assertTrue(everything.mightContainLong(Long.MIN_VALUE));
    String line = listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000);
    Dataset<Row> unique =
        Dedupe.withinBatch(
            valid(
                line,
                line,
                listen("e0", "u1", "t1", "2026-11-16T10:00:00Z", 40_000),
                listen("e2", "u1", "t1", "2026-11-16T10:05:00Z", 40_000),
                listen("e3", "u2", "t2", "2026-11-16T10:00:00Z", 40_000)),
            everything);
    assertEquals(List.of("e0", "e2", "e3"), eventIds(unique));
  }

  @Test
  void shouldFindEachRepeatedKeyOnceWhateverTheNumberOfCopies() {
    String retried = listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000);
    String resent = listen("e2", "u1", "t1", "2026-11-16T10:00:00Z", 40_000);
    String reusedId = listen("e3", "u2", "t2", "2026-11-16T11:00:00Z", 40_000);
    String otherPlay = listen("e3", "u2", "t2", "2026-11-16T12:00:00Z", 40_000);
    String single = listen("e4", "u3", "t1", "2026-11-16T10:00:00Z", 40_000);
    List<Long> keys =
        Dedupe.repeatedKeys(valid(retried, retried, retried, resent, reusedId, otherPlay, single))
            .as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList();
    // e1 (three copies), the (u1, t1, 10:00) listen (four rows) and e3 (two plays): one key each.
    assertEquals(3, keys.size());
    assertEquals(3, keys.stream().distinct().count());
    assertEquals(2, keys.stream().filter(key -> (key & 1) == 1).count(), "event id keys");
  }

  @Test
  void shouldDropWhatSilverAlreadyHoldsByIdOrByUserTrackAndTime() {
    Dataset<Row> existing =
        valid(
            listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000),
            listen("e2", "u1", "t2", "2026-11-16T11:00:00Z", 40_000));
    Dataset<Row> batch =
        valid(
            listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000),
            listen("e9", "u1", "t2", "2026-11-16T11:00:00Z", 40_000),
            listen("e3", "u2", "t2", "2026-11-16T11:00:00Z", 40_000));
    assertEquals(List.of("e3"), eventIds(Dedupe.notIn(batch, existing)));
  }
}
