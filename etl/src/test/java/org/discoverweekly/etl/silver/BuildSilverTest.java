package org.discoverweekly.etl.silver;

import static org.discoverweekly.etl.storage.Table.BRONZE_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_QUARANTINE;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.storage.Lake;
import org.junit.jupiter.api.Test;

class BuildSilverTest extends SparkTestBase {

  private static final LocalDate MONDAY = LocalDate.parse("2026-11-16");
  private static final LocalDate TUESDAY = LocalDate.parse("2026-11-17");

  private static Lake lakeWithCatalog() {
    Lake lake = newLake();
    append(lake, SILVER_TRACKS, catalog("t1", "t2"));
    return lake;
  }

  private static org.discoverweekly.etl.ops.StageOutcome run(Lake lake, LocalDate date) {
    return new BuildSilver(lake, RULES).run(List.of(date)).get(date);
  }

  private static List<Row> silver(Lake lake) {
    return lake.read(SILVER_LISTENS).orderBy("event_id").collectAsList();
  }

  /** A date's listen counts, with no feedback that day. */
  private static Map<String, Long> counts(long bronze, long fresh, long duplicates, long bad) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    counts.putAll(Map.of("bronze", bronze, "new", fresh, "duplicates", duplicates));
    counts.put("quarantined", bad);
    for (String name : List.of("bronze", "new", "duplicates", "quarantined")) {
      counts.put("feedback_" + name, 0L);
    }
    return counts;
  }

  @Test
  void shouldKeepTheRawTextOfRejectsOnlyInTheTransform() {
    String valid = listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000);
    String unknownTrack = listen("e2", "u1", "t9", "2026-11-16T10:00:00Z", 40_000);

    List<Row> checked =
        BuildSilver.transform(
                bronze(MONDAY, valid, unknownTrack, "not json"), catalog("t1", "t2"), RULES)
            .orderBy("raw")
            .collectAsList();

    assertEquals(3, checked.size());
    assertNull(checked.get(0).getAs("raw"));
    assertNull(checked.get(0).getAs("reason"));
    assertEquals("e1", checked.get(0).getAs("event_id"));
    assertEquals("not json", checked.get(1).getAs("raw"));
    assertEquals(ListenContract.Reasons.NOT_AN_OBJECT, checked.get(1).getAs("reason"));
    assertEquals(unknownTrack, checked.get(2).getAs("raw"));
    assertEquals(ListenContract.Reasons.UNKNOWN_TRACK, checked.get(2).getAs("reason"));
  }

  @Test
  void shouldReconcileBronzeWithNewDuplicatesAndQuarantined() {
    Lake lake = lakeWithCatalog();
    String first = listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000);
    append(
        lake,
        BRONZE_LISTENS,
        bronze(
            MONDAY,
            first,
            first,
            listen("e2", "u1", "t1", "2026-11-16T10:00:00Z", 40_000),
            listen("e3", "u2", "t2", "2026-11-16T12:00:00Z", 10_000),
            "not json"));
    var outcome = run(lake, MONDAY);
    assertEquals(counts(5, 2, 2, 1), outcome.rowCounts());
    assertEquals(2, silver(lake).size());
    assertEquals(1, lake.read(SILVER_QUARANTINE).count());
  }

  @Test
  void shouldChangeNothingWhenRerun() {
    Lake lake = lakeWithCatalog();
    append(
        lake,
        BRONZE_LISTENS,
        bronze(
            MONDAY,
            listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000),
            listen("e2", "u1", "t2", "2026-11-16T11:00:00Z", 40_000),
            "{"));
    run(lake, MONDAY);
    List<Row> listens = silver(lake);
    List<Row> quarantine = lake.read(SILVER_QUARANTINE).collectAsList();

    var rerun = run(lake, MONDAY);

    assertEquals(listens, silver(lake));
    assertEquals(quarantine, lake.read(SILVER_QUARANTINE).collectAsList());
    assertEquals(counts(3, 0, 2, 1), rerun.rowCounts());
  }

  @Test
  void shouldDedupeAgainstListensThatArrivedOnAnEarlierDay() {
    Lake lake = lakeWithCatalog();
    append(
        lake,
        BRONZE_LISTENS,
        bronze(MONDAY, listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000)));
    append(
        lake,
        BRONZE_LISTENS,
        bronze(
            TUESDAY,
            listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 40_000),
            listen("e7", "u1", "t1", "2026-11-16T10:00:00Z", 40_000),
            listen("e8", "u1", "t1", "2026-11-17T10:00:00Z", 40_000)));
    run(lake, MONDAY);
    var tuesday = run(lake, TUESDAY);
    assertEquals(1L, tuesday.rowCounts().get("new"));
    assertEquals(2L, tuesday.rowCounts().get("duplicates"));
    assertEquals(
        List.of("e1", "e8"), silver(lake).stream().map(r -> r.<String>getAs("event_id")).toList());
  }

  @Test
  void shouldPutLateListenInThePartitionOfItsEventDate() {
    Lake lake = lakeWithCatalog();
    append(
        lake,
        BRONZE_LISTENS,
        bronze(TUESDAY, listen("e1", "u1", "t1", "2026-11-12T23:59:00Z", 40_000)));
    run(lake, TUESDAY);
    Row listen = silver(lake).get(0);
    assertEquals(java.sql.Date.valueOf("2026-11-12"), listen.getAs("event_date"));
    assertEquals(java.sql.Date.valueOf("2026-11-17"), listen.getAs("ingest_date"));
    assertTrue(
        lake.spark()
            .read()
            .format("delta")
            .load(lake.path(SILVER_LISTENS))
            .inputFiles()[0]
            .contains("event_date=2026-11-12"));
  }

  @Test
  void shouldGiveTheSameResultForARangeAsForItsDatesInOrder() {
    String retry = listen("e5", "u1", "t1", "2026-11-16T10:00:00Z", 40_000);
    String resend = listen("e4", "u1", "t1", "2026-11-16T10:00:00Z", 40_000);
    Lake oneByOne = lakeWithCatalog();
    Lake range = lakeWithCatalog();
    for (Lake lake : List.of(oneByOne, range)) {
      append(lake, BRONZE_LISTENS, bronze(MONDAY, retry, "x"));
      append(lake, BRONZE_LISTENS, bronze(TUESDAY, resend, retry));
    }
    var monday = run(oneByOne, MONDAY);
    var tuesday = run(oneByOne, TUESDAY);
    var both = new BuildSilver(range, RULES).run(List.of(MONDAY, TUESDAY));

    assertEquals(silver(oneByOne), silver(range));
    assertEquals("e5", silver(range).get(0).getAs("event_id"));
    assertEquals(monday.rowCounts(), both.get(MONDAY).rowCounts());
    assertEquals(tuesday.rowCounts(), both.get(TUESDAY).rowCounts());
    assertEquals(counts(2, 0, 2, 0), both.get(TUESDAY).rowCounts());
  }

  @Test
  void shouldRefuseADateWithNoBronzeRows() {
    Lake lake = lakeWithCatalog();
    append(lake, BRONZE_LISTENS, bronze(MONDAY, "{}"));
    PipelineException error = assertThrows(PipelineException.class, () -> run(lake, TUESDAY));
    assertTrue(error.getMessage().contains("run ingest --date 2026-11-17 first"));
  }
}
