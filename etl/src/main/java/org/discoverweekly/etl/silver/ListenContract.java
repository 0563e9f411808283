package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.discoverweekly.etl.config.PipelineConfig.ListenRules;
import org.discoverweekly.etl.privacy.ForgottenUsers;

/**
 * Parses bronze lines against the listen contract: every line comes out either as a typed listen
 * ({@code reason} null) or with the reason code it breaks, first rule first.
 */
public final class ListenContract {

  /** Reason codes in {@code silver.quarantine}, in the order the rules are checked. */
  public static final List<String> REASONS =
      List.of(
          Reasons.FORGOTTEN_USER,
          Reasons.EMPTY_LINE,
          Reasons.LINE_TOO_LONG,
          Reasons.INVALID_ENCODING,
          Reasons.NOT_AN_OBJECT,
          Reasons.MALFORMED_JSON,
          Reasons.TRAILING_DATA,
          Reasons.DUPLICATE_KEY,
          Reasons.BAD_TYPE,
          Reasons.MISSING_FIELD,
          Reasons.INVALID_ID,
          Reasons.BAD_TIMESTAMP,
          Reasons.NEGATIVE_MS_PLAYED,
          Reasons.MS_PLAYED_OUT_OF_RANGE,
          Reasons.FUTURE_TIMESTAMP,
          Reasons.BEYOND_LATENESS_HORIZON,
          Reasons.UNKNOWN_TRACK);

  /** The reason codes as constants, so tests and stages spell them one way. */
  public static final class Reasons {
    public static final String FORGOTTEN_USER = "forgotten_user";
    public static final String EMPTY_LINE = "empty_line";
    public static final String LINE_TOO_LONG = "line_too_long";
    public static final String INVALID_ENCODING = "invalid_encoding";
    public static final String TRAILING_DATA = "trailing_data";
    public static final String DUPLICATE_KEY = "duplicate_key";
    public static final String NOT_AN_OBJECT = "not_an_object";
    public static final String MALFORMED_JSON = "malformed_json";
    public static final String BAD_TYPE = "bad_type";
    public static final String MISSING_FIELD = "missing_field";
    public static final String INVALID_ID = "invalid_id";
    public static final String BAD_TIMESTAMP = "bad_timestamp";
    public static final String NEGATIVE_MS_PLAYED = "negative_ms_played";
    public static final String MS_PLAYED_OUT_OF_RANGE = "ms_played_out_of_range";
    public static final String FUTURE_TIMESTAMP = "future_timestamp";
    public static final String BEYOND_LATENESS_HORIZON = "beyond_lateness_horizon";
    public static final String UNKNOWN_TRACK = "unknown_track";

    private Reasons() {}
  }

  /** The contract-checked rows {@link #check} returns. */
  static final StructType CHECKED_SCHEMA =
      new StructType()
          .add("raw", DataTypes.StringType)
          .add("source_file", DataTypes.StringType)
          .add("ingest_date", DataTypes.DateType)
          .add("event_id", DataTypes.StringType)
          .add("user_id", DataTypes.StringType)
          .add("track_id", DataTypes.StringType)
          .add("ms_played", DataTypes.LongType)
          .add("platform", DataTypes.StringType)
          .add("country", DataTypes.StringType)
          .add("context", DataTypes.StringType)
          .add("ts", DataTypes.TimestampType)
          .add("reason", DataTypes.StringType)
          .add("detail", DataTypes.StringType)
          .add("event_date", DataTypes.DateType)
          .add("is_stream", DataTypes.BooleanType);

  private ListenContract() {}

  /**
   * Bronze rows ({@code raw}, {@code source_file}, {@code ingest_date}) to contract-checked rows:
   * the listen's typed fields plus {@code reason} and {@code detail}, null for a valid listen.
   *
   * <p>The lines are read on Spark's internal rows: mapping them through {@code Row} objects
   * decoded and re-encoded every field of every line, and the date rules' time-zone conversions
   * cost as much again (a profile of silver put these at half of the parse). The catalog rule comes
   * last, as a join ({@link KnownTracks}).
   *
   * @param tracks the catalog, {@code silver.tracks}
   */
  public static Dataset<Row> check(Dataset<Row> bronze, Dataset<Row> tracks, ListenRules rules) {
    SparkSession spark = bronze.sparkSession();
    RDD<InternalRow> lines =
        bronze.select("raw", "source_file", "ingest_date").queryExecution().toRdd();
    RDD<InternalRow> checked = lines.toJavaRDD().mapPartitions(new CheckLines(rules)).rdd();
    // The out-of-window rules report the timestamp as Spark prints it.
    return KnownTracks.check(spark.internalCreateDataFrame(checked, CHECKED_SCHEMA, false), tracks)
        .withColumn(
            "detail",
            when(
                    col("reason").isin(Reasons.FUTURE_TIMESTAMP, Reasons.BEYOND_LATENESS_HORIZON),
                    col("ts").cast("string"))
                .otherwise(col("detail")));
  }

  /** Checks each line of a partition with one reusable {@link ListenLine}. */
  private static final class CheckLines
      implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {

    private static final long serialVersionUID = 1L;
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final long MICROS_PER_MINUTE = 60_000_000L;

    private final ListenRules rules;

    CheckLines(ListenRules rules) {
      this.rules = rules;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> lines) {
      ListenLine line = new ListenLine(ForgottenUsers.REDACTED_PREFIX, rules.maxLineBytes());
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return lines.hasNext();
        }

        @Override
        public InternalRow next() {
          // The scan may reuse the bronze row's buffers for the next line: the checked row holds
          // its strings only until Spark's scan of this RDD copies it, before asking for more.
          InternalRow bronze = lines.next();
          UTF8String raw = bronze.getUTF8String(0);
          int ingestDay = bronze.getInt(2);
          line.read(raw.getBytes());
          String[] fields = line.fields;
          String tsText = fields[ListenLine.TS];
          Long ts = tsText == null ? null : Timestamps.parse(tsText);
          String reason = line.reason;
          String detail = line.detail;
          if (reason == null) {
            reason = valueReason(ts, line.msPlayed, ingestDay);
            detail = valueDetail(reason, tsText, line.msPlayed);
          }
          return new GenericInternalRow(
              new Object[] {
                raw,
                bronze.getUTF8String(1),
                ingestDay,
                utf8(fields[0]),
                utf8(fields[1]),
                utf8(fields[2] == null ? null : rules.trackId(fields[2])),
                line.msPlayed,
                utf8(fields[5]),
                utf8(fields[6]),
                utf8(fields[7]),
                ts,
                utf8(reason),
                utf8(detail),
                ts == null ? null : (int) Math.floorDiv(ts, MICROS_PER_DAY),
                line.msPlayed == null ? null : line.msPlayed >= rules.streamThresholdMs()
              });
        }

        /**
         * The rules on a well-shaped line's values, first rule first; the catalog's comes after.
         */
        private String valueReason(Long ts, long msPlayed, int ingestDay) {
          if (ts == null) {
            return Reasons.BAD_TIMESTAMP;
          } else if (msPlayed < 0) {
            return Reasons.NEGATIVE_MS_PLAYED;
          } else if (msPlayed > rules.maxMsPlayed()) {
            return Reasons.MS_PLAYED_OUT_OF_RANGE;
          } else if (ts
              > (ingestDay + 1L) * MICROS_PER_DAY + rules.futureSkewMinutes() * MICROS_PER_MINUTE) {
            return Reasons.FUTURE_TIMESTAMP;
          } else if (ts < (ingestDay - (long) rules.latenessHorizonDays()) * MICROS_PER_DAY) {
            return Reasons.BEYOND_LATENESS_HORIZON;
          }
          return null;
        }
      };
    }

    /** The offending value of a value rule (the window rules' timestamp is printed by Spark). */
    private static String valueDetail(String reason, String tsText, long msPlayed) {
      if (reason == null) {
        return null;
      }
      return switch (reason) {
        case Reasons.BAD_TIMESTAMP -> tsText;
        case Reasons.NEGATIVE_MS_PLAYED, Reasons.MS_PLAYED_OUT_OF_RANGE -> Long.toString(msPlayed);
        default -> null;
      };
    }

    private static UTF8String utf8(String text) {
      return text == null ? null : UTF8String.fromString(text);
    }
  }
}
