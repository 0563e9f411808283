package org.discoverweekly.etl.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.SparkTestBase;
import org.junit.jupiter.api.Test;

/** The feedback contract on inline lines arriving on 2026-11-16, with a catalog of t1 and t2. */
class FeedbackContractTest extends SparkTestBase {

  private static final LocalDate ARRIVAL = LocalDate.parse("2026-11-16");

  private static Map<String, Row> check(String... lines) {
    return FeedbackContract.check(bronze(ARRIVAL, lines), catalog("t1", "t2"), RULES)
        .collectAsList()
        .stream()
        .collect(
            Collectors.toMap(row -> row.getAs("raw"), row -> row, (a, b) -> a, LinkedHashMap::new));
  }

  private static String event(String action, String target, String id, String extra) {
    return "{\"event_id\":\"f1\",\"user_id\":\"u1\",\"ts\":\"2026-11-16T10:00:00Z\",\"action\":\""
        + action
        + "\",\""
        + target
        + "\":\""
        + id
        + "\""
        + extra
        + "}";
  }

  @Test
  void shouldAcceptEachActionWithItsTarget() {
    String blockArtist = event("block_artist", "artist_id", "a9", ",\"until\":\"2026-12-01\"");
    String like = event("like_track", "track_id", "t2", "");
    Map<String, Row> rows = check(blockArtist, like);

    Row block = rows.get(blockArtist);
    assertNull(block.getAs("reason"));
    assertEquals("a9", block.getAs("artist_id"));
    assertNull(block.getAs("track_id"));
    assertEquals(Date.valueOf("2026-12-01"), block.getAs("until"));
    assertEquals(Timestamp.from(Instant.parse("2026-11-16T10:00:00Z")), block.getAs("ts"));
    assertEquals(Date.valueOf("2026-11-16"), block.getAs("event_date"));
    assertNull(rows.get(like).getAs("reason"));
    assertEquals("t2", rows.get(like).getAs("track_id"));
  }

  @Test
  void shouldRejectEachBrokenRuleWithItsReasonAndDetail() {
    Map<String, String[]> expected = new LinkedHashMap<>();
    expected.put("", new String[] {"empty_line", null});
    expected.put("[1,2]", new String[] {"not_an_object", null});
    expected.put("{\"event_id\":\"f1\",", new String[] {"malformed_json", null});
    expected.put(
        event("like_track", "track_id", "t1", "} {"), new String[] {"trailing_data", null});
    expected.put(
        event("like_track", "track_id", "t1", ",\"user_id\":\"u2\""),
        new String[] {"duplicate_key", "user_id"});
    expected.put(
        "{\"event_id\":\"f1\",\"user_id\":7,\"ts\":\"2026-11-16T10:00:00Z\","
            + "\"action\":\"like_track\",\"track_id\":\"t1\"}",
        new String[] {"bad_type", "user_id"});
    expected.put(
        "{\"event_id\":\"f1\",\"user_id\":\"u1\",\"ts\":\"2026-11-16T10:00:00Z\","
            + "\"track_id\":\"t1\"}",
        new String[] {"missing_field", "action"});
    expected.put(
        event("mute_track", "track_id", "t1", ""), new String[] {"unknown_action", "mute_track"});
    expected.put(
        event("block_track", "artist_id", "a1", ""), new String[] {"missing_field", "track_id"});
    expected.put(
        event("block_artist", "artist_id", "a 1", ""), new String[] {"invalid_id", "artist_id"});
    expected.put(
        event("block_track", "track_id", "t1", ",\"until\":\"soon\""),
        new String[] {"bad_until", "soon"});
    expected.put(
        event("like_track", "track_id", "t-retired", ""),
        new String[] {"unknown_track", "t-retired"});
    expected.put(
        "{\"event_id\":\"f1\",\"user_id\":\"u1\",\"ts\":\"2026-11-19T10:00:00Z\","
            + "\"action\":\"like_track\",\"track_id\":\"t1\"}",
        new String[] {"future_timestamp", "2026-11-19T10:00:00Z"});
    expected.put(
        "{\"event_id\":\"f1\",\"user_id\":\"u1\",\"ts\":\"noon\","
            + "\"action\":\"like_track\",\"track_id\":\"t1\"}",
        new String[] {"bad_timestamp", "noon"});

    Map<String, Row> rows = check(expected.keySet().toArray(String[]::new));

    expected.forEach(
        (line, reason) -> {
          assertEquals(reason[0], rows.get(line).getAs("reason"), line);
          assertEquals(reason[1], rows.get(line).getAs("detail"), line);
          assertNull(rows.get(line).getAs("ts"), line);
        });
  }
}
