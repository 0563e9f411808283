package org.discoverweekly.etl.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.silver.ListenContract.Reasons;
import org.junit.jupiter.api.Test;

class ListenContractTest extends SparkTestBase {

  private static final LocalDate ARRIVAL = LocalDate.parse("2026-11-16");

  /** Checks lines arriving on 2026-11-16 against a catalog of t1 and t2; rows keyed by line. */
  private static Map<String, Row> check(String... lines) {
    return ListenContract.check(bronze(ARRIVAL, lines), catalog("t1", "t2"), RULES)
        .collectAsList()
        .stream()
        .collect(Collectors.toMap(row -> row.getAs("raw"), row -> row));
  }

  private static Row checkOne(String line) {
    return check(line).get(line);
  }

  private static void assertRejected(String line, String reason, String detail) {
    Row row = checkOne(line);
    assertEquals(reason, row.getAs("reason"), line);
    assertEquals(detail, row.getAs("detail"), line);
  }

  @Test
  void shouldAcceptIsoTimestampInUtc() {
    Row row = checkOne(listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 45_000));
    assertNull(row.getAs("reason"));
    assertEquals(Timestamp.from(Instant.parse("2026-11-16T10:00:00Z")), row.getAs("ts"));
    assertEquals(java.sql.Date.valueOf("2026-11-16"), row.getAs("event_date"));
    assertEquals(45_000L, (long) row.getAs("ms_played"));
  }

  @Test
  void shouldAcceptEpochMillisAndOffsetsAsTheSameInstant() {
    long millis = Instant.parse("2026-11-15T23:30:00Z").toEpochMilli();
    String epoch =
        "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"track_id\":\"t1\",\"ts\":"
            + millis
            + ",\"ms_played\":1000}";
    String offset = listen("e2", "u1", "t1", "2026-11-16T00:30:00+01:00", 1000);
    Map<String, Row> rows = check(epoch, offset);
    Timestamp expected = Timestamp.from(Instant.ofEpochMilli(millis));
    assertEquals(expected, rows.get(epoch).getAs("ts"));
    assertEquals(expected, rows.get(offset).getAs("ts"));
    assertEquals(java.sql.Date.valueOf("2026-11-15"), rows.get(epoch).getAs("event_date"));
  }

  @Test
  void shouldCallThirtySecondsAStreamAndLessASkip() {
    String stream = listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 30_000);
    String skip = listen("e2", "u1", "t1", "2026-11-16T10:01:00Z", 29_999);
    Map<String, Row> rows = check(stream, skip);
    assertTrue((boolean) rows.get(stream).getAs("is_stream"));
    assertFalse((boolean) rows.get(skip).getAs("is_stream"));
    assertNull(rows.get(skip).getAs("reason"));
  }

  @Test
  void shouldKeepOptionalFieldsAndIgnoreUnknownOnes() {
    String line =
        "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"track_id\":\"t1\",\"ts\":\"2026-11-16T10:00:00Z\","
            + "\"ms_played\":1000,\"platform\":\"ios\",\"country\":\"SE\",\"app_version\":\"9\"}";
    Row row = checkOne(line);
    assertNull(row.getAs("reason"));
    assertEquals("ios", row.getAs("platform"));
    assertEquals("SE", row.getAs("country"));
    assertNull(row.getAs("context"));
  }

  @Test
  void shouldQuarantineEmptyLine() {
    assertRejected("   ", Reasons.EMPTY_LINE, null);
  }

  @Test
  void shouldQuarantineArrayInsteadOfObject() {
    assertRejected("[{\"event_id\":\"e1\"}]", Reasons.NOT_AN_OBJECT, null);
  }

  @Test
  void shouldQuarantineTruncatedJson() {
    assertRejected("{\"event_id\":\"e1\",\"user_id\":\"u", Reasons.MALFORMED_JSON, null);
  }

  @Test
  void shouldQuarantineMsPlayedOfTheWrongType() {
    assertRejected(
        "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"track_id\":\"t1\",\"ts\":\"2026-11-16T10:00:00Z\","
            + "\"ms_played\":\"long\"}",
        Reasons.BAD_TYPE,
        "ms_played");
  }

  @Test
  void shouldQuarantineMissingFieldNamingIt() {
    assertRejected(
        "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"track_id\":\"t1\",\"ms_played\":1000}",
        Reasons.MISSING_FIELD,
        "ts");
    assertRejected(
        "{\"event_id\":\"e1\",\"track_id\":\"t1\",\"ts\":\"2026-11-16T10:00:00Z\",\"ms_played\":1}",
        Reasons.MISSING_FIELD,
        "user_id");
  }

  @Test
  void shouldQuarantineNullRequiredField() {
    assertRejected(
        "{\"event_id\":null,\"user_id\":\"u1\",\"track_id\":\"t1\",\"ts\":\"2026-11-16T10:00:00Z\","
            + "\"ms_played\":1000}",
        Reasons.MISSING_FIELD,
        "event_id");
  }

  @Test
  void shouldQuarantineObjectWhereAnIdBelongs() {
    assertRejected(
        "{\"event_id\":\"e1\",\"user_id\":{\"id\":1},\"track_id\":\"t1\","
            + "\"ts\":\"2026-11-16T10:00:00Z\",\"ms_played\":1000}",
        Reasons.INVALID_ID,
        "user_id");
  }

  @Test
  void shouldQuarantineUnparseableTimestamp() {
    assertRejected(
        listen("e1", "u1", "t1", "16/11/2026 10:00", 1000),
        Reasons.BAD_TIMESTAMP,
        "16/11/2026 10:00");
  }

  @Test
  void shouldQuarantineNegativeMsPlayed() {
    assertRejected(
        listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", -1), Reasons.NEGATIVE_MS_PLAYED, "-1");
  }

  @Test
  void shouldQuarantineImplausiblyLongPlay() {
    assertRejected(
        listen("e1", "u1", "t1", "2026-11-16T10:00:00Z", 14_400_001),
        Reasons.MS_PLAYED_OUT_OF_RANGE,
        "14400001");
  }

  @Test
  void shouldAllowSmallClockSkewButQuarantineTheFuture() {
    String skewed = listen("e1", "u1", "t1", "2026-11-17T00:14:00Z", 1000);
    String future = listen("e2", "u1", "t1", "2026-11-17T00:16:00Z", 1000);
    Map<String, Row> rows = check(skewed, future);
    assertNull(rows.get(skewed).getAs("reason"));
    assertEquals(Reasons.FUTURE_TIMESTAMP, rows.get(future).getAs("reason"));
  }

  @Test
  void shouldAcceptLateEventsWithinTheHorizonOnly() {
    String late = listen("e1", "u1", "t1", "2026-10-17T00:00:00Z", 1000);
    String tooLate = listen("e2", "u1", "t1", "2026-10-16T23:59:59Z", 1000);
    Map<String, Row> rows = check(late, tooLate);
    assertNull(rows.get(late).getAs("reason"));
    assertEquals(java.sql.Date.valueOf("2026-10-17"), rows.get(late).getAs("event_date"));
    assertEquals(Reasons.BEYOND_LATENESS_HORIZON, rows.get(tooLate).getAs("reason"));
  }

  @Test
  void shouldQuarantineTrackMissingFromCatalog() {
    assertRejected(
        listen("e1", "u1", "t9", "2026-11-16T10:00:00Z", 1000), Reasons.UNKNOWN_TRACK, "t9");
  }
}
