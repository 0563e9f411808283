package org.discoverweekly.etl.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.SparkTestBase;
import org.junit.jupiter.api.Test;

class TimestampsTest extends SparkTestBase {

  /** Text that starts like an ISO date but has none of the common forms. */
  private static final List<String> OTHER_ISO_FORMS =
      List.of(
          "2026-11-16T10:00Z",
          "2026-11-16T10:00:00.1234567Z",
          "2026-11-16T10:00:00+0100",
          "2026-11-16T10:00:00 UTC",
          "2026-02-30T10:00:00Z",
          "2026-13-45T99:00:00Z",
          "2026-11-16T24:00:00Z",
          "2026-11-16T10:00:00+18:30");

  /** Spark's own reading of {@code text}: the contract's fallback, and the reference. */
  private static Long sparkMicros(String text) {
    Row row =
        spark
            .sql(
                "SELECT CASE WHEN ts RLIKE '^-?[0-9]{1,15}$' THEN unix_micros(timestamp_millis("
                    + "CAST(ts AS BIGINT))) ELSE unix_micros(CAST(ts AS TIMESTAMP)) END"
                    + " FROM VALUES (?) AS t(ts)",
                new Object[] {text})
            .head();
    return row.isNullAt(0) ? null : row.getLong(0);
  }

  @Test
  void shouldReadTheCommonFormsExactlyAsSparksCastDoes() {
    for (String text :
        List.of(
            "2026-11-16T10:00:00Z",
            "2026-11-16T10:00:00.733Z",
            "2026-11-16T10:00:00.123456Z",
            "2026-11-16 10:00:00",
            "2026-11-16T00:30:00+01:00",
            "2026-11-15T23:30:00-05:30",
            "2024-02-29T12:00:00Z",
            "2026-11-16T10:00:00+18:00",
            "0000-01-01T00:00:00Z",
            "1794820200000",
            "-1000",
            "0")) {
      Long fast = Timestamps.micros(text);
      assertNotNull(fast, text);
      assertEquals(sparkMicros(text), fast, text);
    }
  }

  @Test
  void shouldLeaveEveryOtherFormToSparksCast() {
    for (String text : OTHER_ISO_FORMS) {
      assertNull(Timestamps.micros(text), text);
    }
    for (String text : List.of("16/11/2026 10:00", "yesterday", "1234567890123456", "1.5e12", "")) {
      assertNull(Timestamps.micros(text), text);
    }
  }

  @Test
  void shouldReadTheOtherIsoFormsAsSparksCastDoesAndNothingElse() {
    for (String text : OTHER_ISO_FORMS) {
      assertEquals(sparkMicros(text), Timestamps.parse(text), text);
    }
    assertNotNull(Timestamps.parse("2026-11-16T10:00:00 UTC"), "a zone only Spark's reading takes");
    for (String text :
        List.of(
            "16/11/2026 10:00",
            "yesterday",
            "now",
            " 2026-11-16T10:00:00Z",
            "1234567890123456",
            "1.5e12",
            "")) {
      assertNull(Timestamps.parse(text), text);
    }
  }
}
