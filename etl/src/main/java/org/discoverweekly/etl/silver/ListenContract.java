package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_micros;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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

  private static final String EPOCH_MILLIS_PATTERN = "^-?[0-9]{1,15}$";
  private static final String ISO_TIMESTAMP_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:";

  /** A bronze line read for its shape: the fields as text, or the structural rule it breaks. */
  static final StructType LINE_SCHEMA =
      new StructType()
          .add("raw", DataTypes.BinaryType)
          .add("source_file", DataTypes.StringType)
          .add("ingest_date", DataTypes.DateType)
          .add("event_id", DataTypes.StringType)
          .add("user_id", DataTypes.StringType)
          .add("track_id", DataTypes.StringType)
          .add("ts_text", DataTypes.StringType)
          .add("ts_micros", DataTypes.LongType)
          .add("ms_played", DataTypes.LongType)
          .add("platform", DataTypes.StringType)
          .add("country", DataTypes.StringType)
          .add("context", DataTypes.StringType)
          .add("line_reason", DataTypes.StringType)
          .add("line_detail", DataTypes.StringType);

  private ListenContract() {}

  /**
   * Bronze rows ({@code raw}, {@code source_file}, {@code ingest_date}) to contract-checked rows:
   * the listen's typed fields plus {@code reason} and {@code detail}, null for a valid listen.
   *
   * @param trackIds the catalog's {@code track_id}s
   */
  public static Dataset<Row> check(Dataset<Row> bronze, Dataset<Row> trackIds, ListenRules rules) {
    Dataset<Row> known =
        broadcast(trackIds.select(col("track_id").as("known_track_id")).distinct());
    // The raw bytes as received: a line that is not UTF-8 must reach quarantine unchanged.
    return bronze
        .select(col("raw").cast("binary").as("raw"), col("source_file"), col("ingest_date"))
        .mapPartitions(
            new ReadLines(ForgottenUsers.REDACTED_PREFIX, rules.maxLineBytes()),
            Encoders.row(LINE_SCHEMA))
        .withColumn("raw", col("raw").cast("string"))
        .withColumn(
            "ts",
            when(col("ts_micros").isNotNull(), timestamp_micros(col("ts_micros")))
                .otherwise(parseTimestamp(col("ts_text"))))
        .join(known, col("track_id").equalTo(col("known_track_id")), "left")
        .withColumn("reason", coalesce(col("line_reason"), valueReason(rules)))
        .withColumn(
            "detail",
            when(col("line_reason").isNotNull(), col("line_detail")).otherwise(valueDetail()))
        .withColumn("event_date", to_date(col("ts")))
        .withColumn("is_stream", col("ms_played").geq(rules.streamThresholdMs()))
        .drop("ts_text", "ts_micros", "line_reason", "line_detail", "known_track_id");
  }

  /** The rules on a well-shaped line's values, first rule first. */
  private static Column valueReason(ListenRules rules) {
    Column latestAllowed =
        date_add(col("ingest_date"), 1)
            .cast("timestamp")
            .plus(expr("make_dt_interval(0, 0, " + rules.futureSkewMinutes() + ", 0)"));
    Column earliestAllowed = date_add(col("ingest_date"), -rules.latenessHorizonDays());
    return when(col("ts").isNull(), Reasons.BAD_TIMESTAMP)
        .when(col("ms_played").lt(0), Reasons.NEGATIVE_MS_PLAYED)
        .when(col("ms_played").gt(rules.maxMsPlayed()), Reasons.MS_PLAYED_OUT_OF_RANGE)
        .when(col("ts").gt(latestAllowed), Reasons.FUTURE_TIMESTAMP)
        .when(col("ts").lt(earliestAllowed.cast("timestamp")), Reasons.BEYOND_LATENESS_HORIZON)
        .when(col("known_track_id").isNull(), Reasons.UNKNOWN_TRACK)
        .otherwise(lit(null).cast("string"));
  }

  /** The offending value of a value rule. */
  private static Column valueDetail() {
    return when(col("reason").equalTo(Reasons.BAD_TIMESTAMP), col("ts_text"))
        .when(
            col("reason").isin(Reasons.FUTURE_TIMESTAMP, Reasons.BEYOND_LATENESS_HORIZON),
            col("ts").cast("string"))
        .when(col("reason").equalTo(Reasons.UNKNOWN_TRACK), col("track_id"))
        .when(
            col("reason").isin(Reasons.NEGATIVE_MS_PLAYED, Reasons.MS_PLAYED_OUT_OF_RANGE),
            col("ms_played").cast("string"))
        .otherwise(lit(null).cast("string"));
  }

  /** Reads each line of a partition with one reusable {@link ListenLine}. */
  private static final class ReadLines implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final String redactedPrefix;
    private final int maxLineBytes;

    ReadLines(String redactedPrefix, int maxLineBytes) {
      this.redactedPrefix = redactedPrefix;
      this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> lines) {
      ListenLine line = new ListenLine(redactedPrefix, maxLineBytes);
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return lines.hasNext();
        }

        @Override
        public Row next() {
          Row bronze = lines.next();
          byte[] raw = (byte[]) bronze.get(0);
          line.read(raw);
          String[] fields = line.fields;
          return RowFactory.create(
              raw,
              bronze.get(1),
              bronze.get(2),
              fields[0],
              fields[1],
              fields[2],
              fields[3],
              line.tsMicros,
              line.msPlayed,
              fields[5],
              fields[6],
              fields[7],
              line.reason,
              line.detail);
        }
      };
    }
  }

  /** ISO-8601 text (UTC unless it carries an offset) or epoch milliseconds. */
  static Column parseTimestamp(Column text) {
    return when(text.rlike(EPOCH_MILLIS_PATTERN), timestamp_millis(text.cast("bigint")))
        .when(text.rlike(ISO_TIMESTAMP_PATTERN), text.cast("timestamp"))
        .otherwise(lit(null).cast("timestamp"));
  }
}
