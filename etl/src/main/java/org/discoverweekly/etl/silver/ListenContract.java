package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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

  private static final String CORRUPT = "_corrupt_record";

  /** Required fields by the column holding them before typing; {@code ts} is still text. */
  private static final List<String> REQUIRED =
      List.of("event_id", "user_id", "track_id", "ts_text", "ms_played");

  private static final List<String> IDS = List.of("event_id", "user_id", "track_id");
  private static final String ID_PATTERN = "^[A-Za-z0-9_.:-]{1,128}$";
  private static final String EPOCH_MILLIS_PATTERN = "^-?[0-9]{1,15}$";
  private static final String ISO_TIMESTAMP_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:";

  /** The typed contract; ids and ts are read as text and checked by the rules below. */
  static final StructType EVENT_SCHEMA = eventSchema(DataTypes.LongType);

  /** The same fields all as text, to tell a wrongly typed field from a broken line. */
  static final StructType TEXT_SCHEMA = eventSchema(DataTypes.StringType);

  /** Strict JSON: single-quoted strings are malformed, as RFC 8259 has them. */
  private static final Map<String, String> PERMISSIVE =
      Map.of(
          "mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT, "allowSingleQuotes", "false");

  /** The fields a line may name once; a second value would silently replace the first. */
  private static final List<String> KEYS =
      List.of("event_id", "user_id", "track_id", "ts", "ms_played");

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
    return bronze
        .withColumn("event", from_json(col("raw"), EVENT_SCHEMA, PERMISSIVE))
        .select(
            col("raw"),
            col("source_file"),
            col("ingest_date"),
            col("event.event_id"),
            col("event.user_id"),
            col("event.track_id"),
            col("event.ts").as("ts_text"),
            col("event.ms_played"),
            col("event.platform"),
            col("event.country"),
            col("event.context"),
            col("event." + CORRUPT).isNotNull().as("corrupt"))
        .withColumn("ts", parseTimestamp(col("ts_text")))
        .join(known, col("track_id").equalTo(col("known_track_id")), "left")
        .withColumn("reason", reason(rules))
        .withColumn("detail", detail())
        .withColumn("event_date", to_date(col("ts")))
        .withColumn("is_stream", col("ms_played").geq(rules.streamThresholdMs()))
        .drop("ts_text", "corrupt", "known_track_id");
  }

  private static Column reason(ListenRules rules) {
    Column arrivalStart = col("ingest_date").cast("timestamp");
    Column latestAllowed =
        date_add(col("ingest_date"), 1)
            .cast("timestamp")
            .plus(expr("make_dt_interval(0, 0, " + rules.futureSkewMinutes() + ", 0)"));
    Column earliestAllowed = date_add(col("ingest_date"), -rules.latenessHorizonDays());
    Column textParsed = from_json(col("raw"), TEXT_SCHEMA, PERMISSIVE).getField(CORRUPT);
    Column raw = col("raw");
    return when(raw.startsWith(ForgottenUsers.REDACTED_PREFIX), Reasons.FORGOTTEN_USER)
        .when(raw.rlike("^\\s*$"), Reasons.EMPTY_LINE)
        .when(octet_length(raw).gt(rules.maxLineBytes()), Reasons.LINE_TOO_LONG)
        .when(badEncoding(raw), Reasons.INVALID_ENCODING)
        .when(not(raw.rlike("^\\s*\\{")), Reasons.NOT_AN_OBJECT)
        .when(col("corrupt").and(textParsed.isNotNull()), Reasons.MALFORMED_JSON)
        .when(raw.rlike("\\}\\s*\\{").or(not(raw.rlike("\\}\\s*$"))), Reasons.TRAILING_DATA)
        .when(repeatedKey().isNotNull(), Reasons.DUPLICATE_KEY)
        .when(col("corrupt"), Reasons.BAD_TYPE)
        .when(anyNull(REQUIRED), Reasons.MISSING_FIELD)
        .when(anyInvalidId(), Reasons.INVALID_ID)
        .when(col("ts").isNull(), Reasons.BAD_TIMESTAMP)
        .when(col("ms_played").lt(0), Reasons.NEGATIVE_MS_PLAYED)
        .when(col("ms_played").gt(rules.maxMsPlayed()), Reasons.MS_PLAYED_OUT_OF_RANGE)
        .when(col("ts").gt(latestAllowed), Reasons.FUTURE_TIMESTAMP)
        .when(col("ts").lt(earliestAllowed.cast("timestamp")), Reasons.BEYOND_LATENESS_HORIZON)
        .when(col("known_track_id").isNull(), Reasons.UNKNOWN_TRACK)
        .otherwise(lit(null).cast("string"));
  }

  /**
   * Bytes that are not UTF-8, or a byte order mark, which JSON text must not carry (RFC 8259). Only
   * lines with a non-ASCII byte pay for the check: decoding replaces each bad byte with U+FFFD,
   * which changes the length in bytes.
   */
  private static Column badEncoding(Column raw) {
    Column nonAscii = octet_length(raw).notEqual(length(raw));
    Column invalid = octet_length(raw).notEqual(octet_length(encode(raw, "UTF-8")));
    return nonAscii.and(invalid.or(raw.startsWith("\uFEFF")));
  }

  /** The first required field whose quoted name appears twice, or null: two byte searches each. */
  private static Column repeatedKey() {
    Column repeated = lit(null).cast("string");
    for (int i = KEYS.size() - 1; i >= 0; i--) {
      String quoted = "'\"" + KEYS.get(i) + "\"'";
      Column again =
          expr(
              "locate("
                  + quoted
                  + ", raw, instr(raw, "
                  + quoted
                  + ") + 1) > instr(raw, "
                  + quoted
                  + ")");
      repeated = when(again, lit(KEYS.get(i))).otherwise(repeated);
    }
    return repeated;
  }

  /** The field a rule points at, or the offending value where that is more useful. */
  private static Column detail() {
    Column firstMissing = lit(null).cast("string");
    for (int i = REQUIRED.size() - 1; i >= 0; i--) {
      String field = REQUIRED.get(i);
      firstMissing =
          when(col(field).isNull(), lit(field.replace("_text", ""))).otherwise(firstMissing);
    }
    Column firstInvalidId = lit(null).cast("string");
    for (int i = IDS.size() - 1; i >= 0; i--) {
      String field = IDS.get(i);
      firstInvalidId =
          when(not(col(field).rlike(ID_PATTERN)), lit(field)).otherwise(firstInvalidId);
    }
    return when(col("reason").equalTo(Reasons.MISSING_FIELD), firstMissing)
        .when(col("reason").equalTo(Reasons.DUPLICATE_KEY), repeatedKey())
        .when(
            col("reason").equalTo(Reasons.LINE_TOO_LONG),
            concat(octet_length(col("raw")).cast("string"), lit(" bytes")))
        .when(
            col("reason").equalTo(Reasons.INVALID_ENCODING),
            when(col("raw").startsWith("\uFEFF"), lit("byte order mark"))
                .otherwise(lit("not UTF-8")))
        .when(col("reason").equalTo(Reasons.INVALID_ID), firstInvalidId)
        .when(col("reason").equalTo(Reasons.BAD_TYPE), lit("ms_played"))
        .when(col("reason").equalTo(Reasons.BAD_TIMESTAMP), col("ts_text"))
        .when(
            col("reason").isin(Reasons.FUTURE_TIMESTAMP, Reasons.BEYOND_LATENESS_HORIZON),
            col("ts").cast("string"))
        .when(col("reason").equalTo(Reasons.UNKNOWN_TRACK), col("track_id"))
        .when(
            col("reason").isin(Reasons.NEGATIVE_MS_PLAYED, Reasons.MS_PLAYED_OUT_OF_RANGE),
            col("ms_played").cast("string"))
        .otherwise(lit(null).cast("string"));
  }

  /** ISO-8601 text (UTC unless it carries an offset) or epoch milliseconds. */
  static Column parseTimestamp(Column text) {
    return when(text.rlike(EPOCH_MILLIS_PATTERN), timestamp_millis(text.cast("bigint")))
        .when(text.rlike(ISO_TIMESTAMP_PATTERN), text.cast("timestamp"))
        .otherwise(lit(null).cast("timestamp"));
  }

  private static Column anyNull(List<String> fields) {
    return fields.stream().map(f -> col(f).isNull()).reduce(Column::or).orElseThrow();
  }

  private static Column anyInvalidId() {
    return IDS.stream().map(f -> not(col(f).rlike(ID_PATTERN))).reduce(Column::or).orElseThrow();
  }

  private static Column not(Column condition) {
    return org.apache.spark.sql.functions.not(condition);
  }

  private static StructType eventSchema(org.apache.spark.sql.types.DataType msPlayedType) {
    return new StructType()
        .add("event_id", DataTypes.StringType)
        .add("user_id", DataTypes.StringType)
        .add("track_id", DataTypes.StringType)
        .add("ts", DataTypes.StringType)
        .add("ms_played", msPlayedType)
        .add("platform", DataTypes.StringType)
        .add("country", DataTypes.StringType)
        .add("context", DataTypes.StringType)
        .add(CORRUPT, DataTypes.StringType);
  }
}
