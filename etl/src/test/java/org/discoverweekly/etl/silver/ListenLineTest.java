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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.discoverweekly.etl.privacy.ForgottenUsers;
import org.discoverweekly.etl.silver.ListenContract.Reasons;
import org.junit.jupiter.api.Test;

/** The reader's own path for the common shape reads every line exactly as Jackson does. */
class ListenLineTest {

  private static final String BASE =
      "\"event_id\":\"e-1\",\"user_id\":\"u1\",\"track_id\":\"t1\",\"ts\":\"2026-11-16T10:00:00Z\"";

  private static final List<String> TRICKY =
      List.of(
          "{" + BASE + ",\"ms_played\":45000}",
          "{" + BASE + ",\"ms_played\":45000,\"platform\":\"ios\",\"country\":\"SE\"}",
          "{ " + BASE.replace(",", " , ").replace(":", " : ") + " , \"ms_played\" : 0 }",
          "{" + BASE + ",\"ms_played\":-0}",
          "{" + BASE + ",\"ms_played\":-5}",
          "{" + BASE + ",\"ms_played\":007}",
          "{" + BASE + ",\"ms_played\":0}",
          "{" + BASE + ",\"ms_played\":123456789012345678}",
          "{" + BASE + ",\"ms_played\":1234567890123456789}",
          "{" + BASE + ",\"ms_played\":99999999999999999999999}",
          "{" + BASE + ",\"ms_played\":1.5}",
          "{" + BASE + ",\"ms_played\":1e3}",
          "{" + BASE + ",\"ms_played\":-}",
          "{" + BASE + ",\"ms_played\":NaN}",
          "{" + BASE + ",\"ms_played\":-Infinity}",
          "{" + BASE + ",\"ms_played\":\"200\"}",
          "{" + BASE + ",\"ms_played\":null}",
          "{" + BASE + ",\"ms_played\":nul}",
          "{" + BASE + ",\"ms_played\":nullx}",
          "{" + BASE + ",\"ms_played\":true}",
          "{" + BASE + ",\"ms_played\":12,\"ms_played\":\"x\"}",
          "{" + BASE + ",\"ms_played\":\"x\",\"ms_played\":12}",
          "{" + BASE + ",\"ms_played\":12,\"ms_played\":null}",
          "{" + BASE + ",\"ms_played\":1,\"user_id\":null}",
          "{" + BASE + ",\"ms_played\":1,\"user_id\":7}",
          "{" + BASE + ",\"ms_played\":1,\"context\":{\"a\":[1,2]}}",
          "{" + BASE + ",\"ms_played\":1,\"extra\":1}",
          "{" + BASE + ",\"ms_played\":1,\"platform\":\"a\\\"b\"}",
          "{" + BASE + ",\"ms_played\":1,\"platform\":\"caf\u00e9\"}",
          "{" + BASE + ",\"ms_played\":1,\"platform\":\"tab\there\"}",
          "{" + BASE + ",\"ms_played\":1,\"platform\":\"\u007f\"}",
          "{" + BASE + ",\"ms_played\":1,\"\\u0070latform\":\"x\"}",
          "{" + BASE + ",\"ms_played\":1,}",
          "{" + BASE + ",\"ms_played\":1 2}",
          "{" + BASE + ",\"ms_played\":1}}",
          "{" + BASE + ",\"ms_played\":1} trailing",
          "{" + BASE + ",\"ms_played\":1}{}",
          "{" + BASE + ",\"ms_played\":1",
          "{" + BASE + ",\"ms_played\":1\t}",
          "{" + BASE + ",\"ms_played\":1}\r",
          "{" + BASE + ",\"ms_played\":1}   ",
          "\f{" + BASE + ",\"ms_played\":1}",
          " {" + BASE + ",\"ms_played\":1}",
          "\t{" + BASE + ",\"ms_played\":1}",
          "{\t" + BASE + ",\"ms_played\":1}",
          "{" + BASE + ",\"ms_played\":1,\"ts\":1794820200000}",
          "{\"event_id\":\"e-1\",\"event_id\":\"e-2\",\"ms_played\":1}",
          "{\"event_id\":\"\",\"user_id\":\"u\",\"track_id\":\"t\",\"ts\":\"x\",\"ms_played\":1}",
          "{\"event_id\":'e'}",
          "{event_id:\"e\"}",
          "{\"event_id\"}",
          "{\"event_id\":}",
          "{\"event_id\"\"e\"}",
          "{}",
          "{ }",
          "{",
          "{\"",
          "{\"event_id\":\"e",
          "{\"event_id\":\"e\"");

  private static void assertSameAsJackson(byte[] line) {
    ListenLine simple = new ListenLine(ForgottenUsers.REDACTED_PREFIX, 65536, true);
    ListenLine jackson = new ListenLine(ForgottenUsers.REDACTED_PREFIX, 65536, false);
    simple.read(line);
    jackson.read(line);
    String text = new String(line, StandardCharsets.UTF_8);
    assertArrayEquals(jackson.fields, simple.fields, text);
    assertEquals(jackson.msPlayed, simple.msPlayed, text);
    assertEquals(jackson.reason, simple.reason, text);
    assertEquals(jackson.detail, simple.detail, text);
  }

  @Test
  void shouldReadTrickyLinesAsJacksonDoes() {
    for (String line : TRICKY) {
      assertSameAsJackson(line.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void shouldReadEverySampleLineAsJacksonDoes() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Path.of("../data-samples/landing/listens"))) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
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
          byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
          assertSameAsJackson(bytes);
          ListenLine read = new ListenLine(ForgottenUsers.REDACTED_PREFIX, 65536);
          read.read(bytes);
          lines++;
          if (read.reason == null) {
            valid++;
          } else {
            reasons.add(read.reason);
          }
        }
      }
    }
    assertTrue(lines > 10_000 && valid > lines * 9 / 10, lines + " lines, " + valid + " valid");
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
