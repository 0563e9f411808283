package org.discoverweekly.etl.silver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.discoverweekly.etl.privacy.ForgottenUsers;
import org.discoverweekly.etl.silver.ListenContract.Reasons;
import org.junit.jupiter.api.Test;

/** What a line reads to: its fields, ms_played, and the first structural rule it breaks. */
class ListenLineTest {

  private static final String BASE =
      "\"event_id\":\"e-1\",\"user_id\":\"u1\",\"track_id\":\"t1\",\"ts\":\"2026-11-16T10:00:00Z\"";

  private static final String[] BASE_FIELDS = {"e-1", "u1", "t1", "2026-11-16T10:00:00Z"};

  private record Tricky(String line, String reads) {}

  private static Tricky tricky(String line, String reads) {
    return new Tricky(line, reads);
  }

  /**
   * Lines beside what they read to, as {@link #describe} writes it: the reason and detail ("ok" for
   * none), ms_played, then each field that differs from {@link #BASE}'s.
   */
  private static final List<Tricky> TRICKY =
      List.of(
          tricky("{" + BASE + ",\"ms_played\":45000}", "ok ms=45000"),
          tricky(
              "{" + BASE + ",\"ms_played\":45000,\"platform\":\"ios\",\"country\":\"SE\"}",
              "ok ms=45000 platform=ios country=SE"),
          tricky(
              "{ " + BASE.replace(",", " , ").replace(":", " : ") + " , \"ms_played\" : 0 }",
              "ok ms=0 ts=2026-11-16T10 : 00 : 00Z"),
          tricky("{" + BASE + ",\"ms_played\":-0}", "ok ms=0"),
          tricky("{" + BASE + ",\"ms_played\":-5}", "ok ms=-5"),
          tricky("{" + BASE + ",\"ms_played\":007}", "malformed_json ms=null"),
          tricky("{" + BASE + ",\"ms_played\":0}", "ok ms=0"),
          tricky("{" + BASE + ",\"ms_played\":123456789012345678}", "ok ms=123456789012345678"),
          tricky("{" + BASE + ",\"ms_played\":1234567890123456789}", "ok ms=1234567890123456789"),
          tricky(
              "{" + BASE + ",\"ms_played\":99999999999999999999999}", "bad_type ms_played ms=null"),
          tricky("{" + BASE + ",\"ms_played\":1.5}", "bad_type ms_played ms=null"),
          tricky("{" + BASE + ",\"ms_played\":1e3}", "bad_type ms_played ms=null"),
          tricky("{" + BASE + ",\"ms_played\":-}", "malformed_json ms=null"),
          tricky("{" + BASE + ",\"ms_played\":NaN}", "bad_type ms_played ms=null"),
          tricky("{" + BASE + ",\"ms_played\":-Infinity}", "bad_type ms_played ms=null"),
          tricky("{" + BASE + ",\"ms_played\":\"200\"}", "bad_type ms_played ms=null"),
          tricky("{" + BASE + ",\"ms_played\":null}", "missing_field ms_played ms=null"),
          tricky("{" + BASE + ",\"ms_played\":nul}", "malformed_json ms=null"),
          tricky("{" + BASE + ",\"ms_played\":nullx}", "malformed_json ms=null"),
          tricky("{" + BASE + ",\"ms_played\":true}", "bad_type ms_played ms=null"),
          tricky(
              "{" + BASE + ",\"ms_played\":12,\"ms_played\":\"x\"}",
              "duplicate_key ms_played ms=12"),
          tricky(
              "{" + BASE + ",\"ms_played\":\"x\",\"ms_played\":12}",
              "duplicate_key ms_played ms=12"),
          tricky(
              "{" + BASE + ",\"ms_played\":12,\"ms_played\":null}",
              "duplicate_key ms_played ms=12"),
          tricky(
              "{" + BASE + ",\"ms_played\":1,\"user_id\":null}",
              "duplicate_key user_id ms=1 user_id=null"),
          tricky(
              "{" + BASE + ",\"ms_played\":1,\"user_id\":7}",
              "duplicate_key user_id ms=1 user_id=7"),
          tricky(
              "{" + BASE + ",\"ms_played\":1,\"context\":{\"a\":[1,2]}}",
              "ok ms=1 context={\"a\":[1,2]}"),
          tricky("{" + BASE + ",\"ms_played\":1,\"extra\":1}", "ok ms=1"),
          tricky("{" + BASE + ",\"ms_played\":1,\"platform\":\"a\\\"b\"}", "ok ms=1 platform=a\"b"),
          tricky(
              "{" + BASE + ",\"ms_played\":1,\"platform\":\"caf\u00e9\"}",
              "ok ms=1 platform=caf\u00e9"),
          tricky(
              "{" + BASE + ",\"ms_played\":1,\"platform\":\"tab\there\"}", "malformed_json ms=1"),
          tricky(
              "{" + BASE + ",\"ms_played\":1,\"platform\":\"\u007f\"}", "ok ms=1 platform=\u007f"),
          tricky("{" + BASE + ",\"ms_played\":1,\"\\u0070latform\":\"x\"}", "ok ms=1 platform=x"),
          tricky("{" + BASE + ",\"ms_played\":1,}", "malformed_json ms=1"),
          tricky("{" + BASE + ",\"ms_played\":1 2}", "malformed_json ms=1"),
          tricky("{" + BASE + ",\"ms_played\":1}}", "trailing_data ms=1"),
          tricky("{" + BASE + ",\"ms_played\":1} trailing", "trailing_data ms=1"),
          tricky("{" + BASE + ",\"ms_played\":1}{}", "trailing_data ms=1"),
          tricky("{" + BASE + ",\"ms_played\":1", "malformed_json ms=1"),
          tricky("{" + BASE + ",\"ms_played\":1\t}", "ok ms=1"),
          tricky("{" + BASE + ",\"ms_played\":1}\r", "ok ms=1"),
          tricky("{" + BASE + ",\"ms_played\":1}   ", "ok ms=1"),
          tricky(
              "\f{" + BASE + ",\"ms_played\":1}",
              "malformed_json ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky(" {" + BASE + ",\"ms_played\":1}", "ok ms=1"),
          tricky("\t{" + BASE + ",\"ms_played\":1}", "ok ms=1"),
          tricky("{\t" + BASE + ",\"ms_played\":1}", "ok ms=1"),
          tricky(
              "{" + BASE + ",\"ms_played\":1,\"ts\":1794820200000}",
              "duplicate_key ts ms=1 ts=1794820200000"),
          tricky(
              "{\"event_id\":\"e-1\",\"event_id\":\"e-2\",\"ms_played\":1}",
              "duplicate_key event_id ms=1 event_id=e-2 user_id=null track_id=null ts=null"),
          tricky(
              "{\"event_id\":\"\",\"user_id\":\"u\",\"track_id\":\"t\",\"ts\":\"x\",\"ms_played\":1}",
              "invalid_id event_id ms=1 event_id= user_id=u track_id=t ts=x"),
          tricky(
              "{\"event_id\":'e'}",
              "malformed_json ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky(
              "{event_id:\"e\"}",
              "malformed_json ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky(
              "{\"event_id\"}",
              "malformed_json ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky(
              "{\"event_id\":}",
              "malformed_json ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky(
              "{\"event_id\"\"e\"}",
              "malformed_json ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky(
              "{}",
              "missing_field event_id ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky(
              "{ }",
              "missing_field event_id ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky("{", "malformed_json ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky("{\"", "malformed_json ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky(
              "{\"event_id\":\"e",
              "malformed_json ms=null event_id=null user_id=null track_id=null ts=null"),
          tricky(
              "{\"event_id\":\"e\"",
              "malformed_json ms=null event_id=e user_id=null track_id=null ts=null"));

  /** The reason and detail, ms_played and the fields that differ from {@link #BASE}'s. */
  private static String describe(ListenLine read) {
    StringBuilder text = new StringBuilder(read.reason == null ? "ok" : read.reason);
    if (read.detail != null) {
      text.append(' ').append(read.detail);
    }
    text.append(" ms=").append(read.msPlayed);
    for (int field = 0; field < read.fields.length; field++) {
      String base = field < BASE_FIELDS.length ? BASE_FIELDS[field] : null;
      if (!Objects.equals(base, read.fields[field])) {
        text.append(' ')
            .append(ListenLine.FIELDS.get(field))
            .append('=')
            .append(read.fields[field]);
      }
    }
    return text.toString();
  }

  @Test
  void shouldReadTrickyLines() {
    ListenLine read = new ListenLine(ForgottenUsers.REDACTED_PREFIX, 65536);
    for (Tricky tricky : TRICKY) {
      read.read(tricky.line().getBytes(StandardCharsets.UTF_8));
      assertEquals(tricky.reads(), describe(read), tricky.line());
    }
  }

  /**
   * Every sample line's reason, detail, ms_played and fields, hashed in file order: as recorded on
   * 2026-12-06, when silver's hand-written reader for the common shape and Jackson still read all
   * of them alike, before the hand-written one was removed (issue 31).
   */
  private static final String SAMPLE_READS_SHA256 =
      "33f6e932058957d368c6976e9a9d010ed64668723477215dfa6e3993aa1e02d4";

  private static final int SAMPLE_LINES = 48_017;

  @Test
  void shouldReadEverySampleLineAsBefore() throws IOException, NoSuchAlgorithmException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Path.of("../data-samples/landing/listens"))) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    MessageDigest reads = MessageDigest.getInstance("SHA-256");
    ListenLine read = new ListenLine(ForgottenUsers.REDACTED_PREFIX, 65536);
    int lines = 0;
    int valid = 0;
    List<String> reasons = new ArrayList<>();
    for (Path file : files) {
      try (InputStream raw = Files.newInputStream(file);
          InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
          BufferedReader reader =
              new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1))) {
        String line;
        while ((line = reader.readLine()) != null) {
          read.read(line.getBytes(StandardCharsets.ISO_8859_1));
          String fields = String.join("|", read.fields);
          reads.update(
              (read.reason + "|" + read.detail + "|" + read.msPlayed + "|" + fields + "\n")
                  .getBytes(StandardCharsets.UTF_8));
          lines++;
          if (read.reason == null) {
            valid++;
          } else {
            reasons.add(read.reason);
          }
        }
      }
    }
    assertEquals(SAMPLE_LINES, lines);
    assertEquals(SAMPLE_READS_SHA256, HexFormat.of().formatHex(reads.digest()));
    assertTrue(valid > lines * 9 / 10, lines + " lines, " + valid + " valid");
    assertTrue(reasons.contains(Reasons.MALFORMED_JSON), "the sample plants malformed lines");
  }

  @Test
  void shouldReadTheCommonShape() {
    ListenLine line = new ListenLine(ForgottenUsers.REDACTED_PREFIX, 65536);
    line.read(
        ("{" + BASE + ",\"ms_played\":45000,\"country\":null}").getBytes(StandardCharsets.UTF_8));
    assertNull(line.reason);
    assertArrayEquals(
        new String[] {"e-1", "u1", "t1", "2026-11-16T10:00:00Z", null, null, null, null},
        line.fields);
    assertEquals(45_000L, line.msPlayed);
  }
}
