package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.CliRun;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.silver.ListenContract.Reasons;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.Test;

/**
 * A landing file of bad lines, written as bytes (BOM, bytes that are not UTF-8, NUL, a 1 MB line),
 * through the real {@code ingest} and {@code silver}: the run succeeds, every bad line is
 * quarantined with its specific reason, the valid lines around them reach silver, and the date
 * reconciles exactly.
 */
class BadInputCorpusTest extends SparkTestBase {

  private static final String DATE = "2026-11-16";

  /** Kind of bad line -> (the line's bytes, the reason it must get). */
  private static final Map<String, Map.Entry<byte[], String>> CORPUS = new LinkedHashMap<>();

  private static int serial;

  private static void bad(String kind, String line, String reason) {
    bad(kind, line.getBytes(StandardCharsets.UTF_8), reason);
  }

  private static void bad(String kind, byte[] line, String reason) {
    CORPUS.put(kind, Map.entry(line, reason));
  }

  /** A valid line with one field replaced (a JSON fragment, or null to leave the field out). */
  private static String with(String field, String json) {
    Map<String, String> fields = new LinkedHashMap<>();
    serial++;
    fields.put("event_id", "\"bad-" + serial + "\"");
    fields.put("user_id", "\"u-bad\"");
    fields.put("track_id", "\"t1\"");
    fields.put("ts", "\"" + DATE + "T08:" + String.format("%02d", serial % 60) + ":00Z\"");
    fields.put("ms_played", "200000");
    if (json == null) {
      fields.remove(field);
    } else {
      fields.put(field, json);
    }
    List<String> pairs = new ArrayList<>();
    fields.forEach((key, value) -> pairs.add("\"" + key + "\":" + value));
    return "{" + String.join(",", pairs) + "}";
  }

  static {
    String valid = with("platform", "\"ios\"");
    bad("empty line", "", Reasons.EMPTY_LINE);
    bad("whitespace only", "  \t  ", Reasons.EMPTY_LINE);
    bad("truncated JSON", valid.substring(0, 40), Reasons.MALFORMED_JSON);
    bad(
        "garbage after the object",
        with("platform", "\"web\"") + " trailing",
        Reasons.TRAILING_DATA);
    bad(
        "two objects on one line",
        with("platform", "\"a\"") + with("platform", "\"b\""),
        Reasons.TRAILING_DATA);
    bad("array instead of object", "[" + with("platform", "\"c\"") + "]", Reasons.NOT_AN_OBJECT);
    bad("string instead of object", "\"a listen\"", Reasons.NOT_AN_OBJECT);
    bad("number instead of object", "42", Reasons.NOT_AN_OBJECT);
    bad("JSON null", "null", Reasons.NOT_AN_OBJECT);
    bad("a comment", "// listens of 2026-11-16", Reasons.NOT_AN_OBJECT);
    for (String field : List.of("event_id", "user_id", "track_id", "ts", "ms_played")) {
      bad("missing " + field, with(field, null), Reasons.MISSING_FIELD);
      bad("null " + field, with(field, "null"), Reasons.MISSING_FIELD);
    }
    bad("ms_played as a string", with("ms_played", "\"200000\""), Reasons.BAD_TYPE);
    bad("ms_played as a fraction", with("ms_played", "1.5"), Reasons.BAD_TYPE);
    bad("ms_played as a boolean", with("ms_played", "true"), Reasons.BAD_TYPE);
    bad("ms_played 1e30", with("ms_played", "1e30"), Reasons.BAD_TYPE);
    bad("ms_played beyond a long", with("ms_played", "99999999999999999999999"), Reasons.BAD_TYPE);
    bad("ms_played NaN", with("ms_played", "NaN"), Reasons.BAD_TYPE);
    bad("negative ms_played", with("ms_played", "-5"), Reasons.NEGATIVE_MS_PLAYED);
    bad("ms_played of five hours", with("ms_played", "18000000"), Reasons.MS_PLAYED_OUT_OF_RANGE);
    bad("ts far in the future", with("ts", "\"2099-01-01T00:00:00Z\""), Reasons.FUTURE_TIMESTAMP);
    bad(
        "ts far in the past",
        with("ts", "\"1999-01-01T00:00:00Z\""),
        Reasons.BEYOND_LATENESS_HORIZON);
    bad("ts in epoch seconds", with("ts", "1794816000"), Reasons.BEYOND_LATENESS_HORIZON);
    bad("ts day/month/year", with("ts", "\"16/11/2026 08:00\""), Reasons.BAD_TIMESTAMP);
    bad("ts in words", with("ts", "\"yesterday\""), Reasons.BAD_TIMESTAMP);
    bad("ts month 13", with("ts", "\"2026-13-45T99:00:00Z\""), Reasons.BAD_TIMESTAMP);
    bad("ts as an object", with("ts", "{\"seconds\":1}"), Reasons.BAD_TIMESTAMP);
    bad("unknown track", with("track_id", "\"t-nope\""), Reasons.UNKNOWN_TRACK);
    bad("user id as an object", with("user_id", "{\"id\":1}"), Reasons.INVALID_ID);
    bad("user id of 1 KB", with("user_id", "\"" + "u".repeat(1024) + "\""), Reasons.INVALID_ID);
    bad("a 1 MB line", with("context", "\"" + "c".repeat(1 << 20) + "\""), Reasons.LINE_TOO_LONG);
    bad("duplicate key", with("user_id", "\"u-a\",\"user_id\":\"u-b\""), Reasons.DUPLICATE_KEY);
    bad("single-quoted JSON", with("platform", "\"q\"").replace('"', '\''), Reasons.MALFORMED_JSON);
    bad("NUL byte in a string", with("user_id", "\"u\u0000\""), Reasons.MALFORMED_JSON);
    bad("byte order mark", "\uFEFF" + with("platform", "\"bom\""), Reasons.INVALID_ENCODING);
    byte[] latin1 = with("user_id", "\"caf\u00e9\"").getBytes(StandardCharsets.ISO_8859_1);
    bad("Latin-1 byte, not UTF-8", latin1, Reasons.INVALID_ENCODING);
    byte[] broken = with("platform", "\"xx\"").getBytes(StandardCharsets.UTF_8);
    int quote = new String(broken, StandardCharsets.UTF_8).indexOf("xx");
    broken[quote] = (byte) 0xC3; // a two-byte sequence cut short
    bad("truncated UTF-8 sequence", broken, Reasons.INVALID_ENCODING);
    bad("UTF-16 looking bytes", new byte[] {'{', 0, '}', 0}, Reasons.MALFORMED_JSON);
    bad("empty object", "{}", Reasons.MISSING_FIELD);
    bad(
        "unquoted keys",
        with("platform", "\"u\"").replace("\"event_id\"", "event_id"),
        Reasons.MALFORMED_JSON);
    bad("NUL after the object", with("platform", "\"n\"") + "\u0000", Reasons.TRAILING_DATA);
    bad("user id NaN", with("user_id", "NaN"), Reasons.INVALID_ID);
    bad(
        "ts offset beyond 18 hours",
        with("ts", "\"2026-11-16T08:00:00+18:30\""),
        Reasons.BAD_TIMESTAMP);
    bad(
        "duplicate optional key",
        with("platform", "\"a\",\"platform\":\"b\""),
        Reasons.DUPLICATE_KEY);
  }

  /** Valid listens around the corpus: they must reach silver. */
  private static final List<String> VALID =
      List.of(
          "{\"event_id\":\"ok-1\",\"user_id\":\"u-ok\",\"track_id\":\"t1\","
              + "\"ts\":\"2026-11-16T09:00:00Z\",\"ms_played\":200000}",
          "{\"event_id\":\"ok-2\",\"user_id\":\"u-ok\",\"track_id\":\"t2\","
              + "\"ts\":\"2026-11-16T09:05:00Z\",\"ms_played\":1000,\"extra\":{\"a\":[1,2]}}",
          "{ \"event_id\" : \"ok-3\" , \"user_id\" : \"u-ok3\" , \"track_id\" : \"t1\" ,"
              + " \"ts\" : 1794820200000 , \"ms_played\" : 0 }");

  @Test
  void shouldQuarantineEveryKindWithItsReasonAndReconcileExactly() throws Exception {
    Path landing = tempDir.resolve("landing");
    Path folder = landing.resolve("listens").resolve("date=" + DATE);
    Files.createDirectories(folder);
    Files.createDirectories(landing.resolve("catalog"));
    Files.writeString(
        landing.resolve("catalog").resolve("tracks.jsonl"),
        "{\"track_id\":\"t1\",\"artist_id\":\"a1\",\"track_name\":\"One\",\"artist_name\":\"A\"}\n"
            + "{\"track_id\":\"t2\",\"artist_id\":\"a1\",\"track_name\":\"Two\",\"artist_name\":\"A\"}\n");
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write((VALID.get(0) + "\n").getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<byte[], String> line : CORPUS.values()) {
      file.write(line.getKey());
      file.write('\n');
    }
    file.write((VALID.get(1) + "\r\n" + VALID.get(2) + "\n").getBytes(StandardCharsets.UTF_8));
    Files.write(folder.resolve("part-00000.json"), file.toByteArray());
    Lake lake = newLake();
    List<String> options = CliRun.smallRun(lake.root(), landing, List.of());

    CliRun.succeeding(options, "ingest", "--date", DATE);
    CliRun silver = CliRun.of(options, "silver", "--date", DATE);

    assertEquals(0, silver.code(), silver.err());
    assertTrue(CORPUS.size() >= 25, CORPUS.size() + " kinds");
    // Each kind, found by its exact bytes in quarantine (bronze keeps them as received, not
    // decoded), has its reason.
    Map<String, String> reasonByRaw = new TreeMap<>();
    for (Row row :
        lake.read(Table.SILVER_QUARANTINE)
            .select(col("raw").cast("binary"), col("reason"))
            .collectAsList()) {
      reasonByRaw.put(hex((byte[]) row.get(0)), row.getString(1));
    }
    Map<String, String> wrong = new TreeMap<>();
    CORPUS.forEach(
        (kind, line) -> {
          String got = reasonByRaw.get(hex(line.getKey()));
          if (!line.getValue().equals(got)) {
            wrong.put(kind, "expected " + line.getValue() + ", got " + got);
          }
        });
    assertEquals(Map.of(), wrong, "kinds quarantined with the wrong reason, or not at all");
    Map<String, String> extra = new TreeMap<>(reasonByRaw);
    CORPUS.values().forEach(line -> extra.remove(hex(line.getKey())));
    Map<String, String> extraLines = new TreeMap<>();
    extra.forEach(
        (raw, reason) ->
            extraLines.put(
                new String(java.util.HexFormat.of().parseHex(raw), StandardCharsets.UTF_8),
                reason));
    assertEquals(Map.of(), extraLines, "lines quarantined that are not in the corpus");
    assertEquals(CORPUS.size(), lake.read(Table.SILVER_QUARANTINE).count());
    assertEquals(
        List.of("ok-1", "ok-2", "ok-3"),
        lake
            .read(Table.SILVER_LISTENS)
            .orderBy("event_id")
            .select("event_id")
            .collectAsList()
            .stream()
            .map(row -> row.getString(0))
            .toList());
    Row ledger = lake.read(Table.OPS_PIPELINE_RUNS).filter(col("stage").equalTo("silver")).head();
    Map<String, Long> counts = ledger.getJavaMap(ledger.fieldIndex("row_counts"));
    assertEquals((long) CORPUS.size() + VALID.size(), counts.get("bronze"));
    assertEquals(3L, counts.get("new"));
    assertEquals(0L, counts.get("duplicates"));
    assertEquals((long) CORPUS.size(), counts.get("quarantined"));
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
