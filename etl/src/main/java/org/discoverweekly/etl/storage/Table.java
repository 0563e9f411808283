package org.discoverweekly.etl.storage;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The catalog of lake tables: name, partitioning, schema and meaning, in one place. */
public enum Table {
  BRONZE_LISTENS(
      "bronze",
      "listens",
      "One row per landing line, exactly as received, partitioned by arrival (ingest) date.",
      List.of("ingest_date"),
      column("raw", StringType, false, "The landing line as received, unparsed"),
      column("source_file", StringType, false, "URI of the landing file the line came from"),
      column("ingest_date", DateType, false, "Arrival date of the landing file (UTC)")),

  BRONZE_FEEDBACK(
      "bronze",
      "feedback",
      "One row per feedback landing line (blocks, unblocks, likes), exactly as received,"
          + " partitioned by arrival (ingest) date.",
      List.of("ingest_date"),
      column("raw", StringType, false, "The landing line as received, unparsed"),
      column("source_file", StringType, false, "URI of the landing file the line came from"),
      column("ingest_date", DateType, false, "Arrival date of the landing file (UTC)")),

  SILVER_LISTENS(
      "silver",
      "listens",
      "One row per real listen, deduplicated by event id and by (user, track, ts), partitioned by"
          + " event date.",
      List.of("event_date"),
      column("event_id", StringType, false, "Client event id; the first one seen for the listen"),
      column("user_id", StringType, false, "Listener"),
      column("track_id", StringType, false, "Track played; present in silver.tracks"),
      column("ts", TimestampType, false, "When the play started (UTC)"),
      column("event_date", DateType, false, "UTC date of ts"),
      column("ms_played", LongType, false, "Milliseconds played"),
      column("is_stream", BooleanType, false, "Played at least the stream threshold (30 s)"),
      column("platform", StringType, true, "Client platform, when sent"),
      column("country", StringType, true, "Listener country, when sent"),
      column("context", StringType, true, "Play context (playlist, album, ...), when sent"),
      column("ingest_date", DateType, false, "Arrival date of the first copy of this listen"),
      column("source_file", StringType, false, "Landing file of the first copy of this listen")),

  SILVER_QUARANTINE(
      "silver",
      "quarantine",
      "One row per rejected landing line, with the reason, partitioned by arrival date.",
      List.of("ingest_date"),
      column("raw", StringType, false, "The landing line as received"),
      column("reason", StringType, false, "Reason code, e.g. malformed_json, unknown_track"),
      column("detail", StringType, true, "The offending field or value, when there is one"),
      column("source_file", StringType, false, "URI of the landing file the line came from"),
      column("ingest_date", DateType, false, "Arrival date of the landing file (UTC)"),
      column(
          "feed",
          StringType,
          true,
          "The landing feed of the line: listens, or feedback; null (listens) for rows written"
              + " before the feedback feed")),

  SILVER_FEEDBACK(
      "silver",
      "feedback",
      "One row per feedback event (block, unblock, like), deduplicated by event id, partitioned"
          + " by event date.",
      List.of("event_date"),
      column("event_id", StringType, false, "Client event id; the first one seen for the event"),
      column("user_id", StringType, false, "Listener who gave the feedback"),
      column(
          "action",
          StringType,
          false,
          "block_track, block_artist, unblock_track, unblock_artist or like_track"),
      column("track_id", StringType, true, "The track, for a *_track action; in silver.tracks"),
      column("artist_id", StringType, true, "The artist, for a *_artist action"),
      column(
          "until",
          DateType,
          true,
          "A block's last day in force (UTC); null: until unblocked. Ignored for other actions"),
      column("ts", TimestampType, false, "When the user gave it (UTC)"),
      column("event_date", DateType, false, "UTC date of ts"),
      column("ingest_date", DateType, false, "Arrival date of the first copy of this event"),
      column("source_file", StringType, false, "Landing file of the first copy of this event")),

  SILVER_TRACKS(
      "silver",
      "tracks",
      "One row per catalog track, as of the latest catalog ingest.",
      List.of(),
      column("track_id", StringType, false, "Track"),
      column("artist_id", StringType, false, "Main artist"),
      column("track_name", StringType, true, "Track title"),
      column("artist_name", StringType, true, "Artist name"),
      column("duration_ms", LongType, true, "Track length in milliseconds"),
      column("available", BooleanType, false, "Playable now; unavailable tracks are never served")),

  GOLD_USER_TRACK_MATRIX(
      "gold",
      "user_track_matrix",
      "Frozen feature snapshot: one row per user x track played in the history window before week"
          + " W (bots excluded), with the implicit confidence ALS trains on; partitioned by week.",
      List.of("week"),
      column("week", DateType, false, "Monday W; only listens before W 00:00 UTC count"),
      column("user_id", StringType, false, "Listener"),
      column("track_id", StringType, false, "Track"),
      column("user_index", IntegerType, false, "ALS user id: rank of user_id in sort order"),
      column("track_index", IntegerType, false, "ALS item id: rank of track_id in sort order"),
      column(
          "streams",
          LongType,
          false,
          "Plays of 30 s or more in the window, and likes (silver.feedback), each one stream"),
      column("skips", LongType, false, "Shorter plays in the window"),
      column("likes", LongType, true, "Likes in the window, counted in streams"),
      column("last_played", TimestampType, false, "Start of the latest play in the window"),
      column(
          "confidence",
          DoubleType,
          false,
          "ln(1 + streams + skip_weight * skips) * 2^(-days since last play / half_life_days)")),

  GOLD_DISCOVER_WEEKLY(
      "gold",
      "discover_weekly",
      "One row per playlist slot: up to 30 never-played tracks per user for week W, partitioned"
          + " by week. Serve only models the quality gate accepted (ops.models, verdict).",
      List.of("week"),
      column("week", DateType, false, "Monday W the playlist is for"),
      column("user_id", StringType, false, "Listener"),
      column("position", IntegerType, false, "Slot 1..30, best first"),
      column("track_id", StringType, false, "Recommended track, never played by the user"),
      column("artist_id", StringType, false, "The track's main artist"),
      column("track_name", StringType, true, "Track title from the catalog"),
      column("artist_name", StringType, true, "Artist name from the catalog"),
      column(
          "score",
          DoubleType,
          false,
          "Ranking score: ALS dot product, or listeners if popular; lowered for an artist featured"
              + " in the user's recent playlists (weekly.artist-fatigue)"),
      column("source", StringType, false, "als, or popular for a cold-start user"),
      column("model_version", StringType, false, "The model that ranked the week"),
      column(
          "because_track_id",
          StringType,
          true,
          "The user's played track that contributes most to the slot's ALS score (Hu, Koren and"
              + " Volinsky 2008, section 5); null for a popular slot"),
      column("because_track_name", StringType, true, "Its title from the catalog"),
      column("because_artist_name", StringType, true, "Its artist's name from the catalog")),

  GOLD_MODEL_METRICS(
      "gold",
      "model_metrics",
      "One row per week x trained model (ops.models) x model: a backtest trained on listens"
          + " before W - 7 days and scored against first plays in [W - 7 days, W); a week's"
          + " challenger has rows of its own.",
      List.of(),
      column("week", DateType, false, "Monday W whose model was evaluated"),
      column("model", StringType, false, "als or popularity"),
      column("k", IntegerType, false, "Playlist length the metrics are at"),
      column(
          "users",
          LongType,
          false,
          "Users evaluated: warm users with a first play, a fixed sample of at most"
              + " weekly.evaluate-users"),
      column("recall", DoubleType, false, "Mean recall@k"),
      column("precision", DoubleType, false, "Mean precision@k"),
      column("ndcg", DoubleType, false, "Mean NDCG@k, binary relevance"),
      column("map", DoubleType, false, "Mean average precision@k"),
      column("coverage", DoubleType, false, "Distinct tracks recommended / available tracks"),
      column(
          "model_version",
          StringType,
          false,
          "The trained model backtested, as ops.models names it: the week's, or a challenger"),
      column(
          "served_users",
          LongType,
          true,
          "Users the beyond-accuracy columns describe: W's ALS users, their ALS playlists or the"
              + " popularity baseline's under the same rules and memory; null for a challenger"
              + " that did not win (its playlists were never ranked)"),
      column(
          "novelty",
          DoubleType,
          true,
          "Mean -log2 of a slot's track popularity (share of the matrix's users who played it)"),
      column("artists_per_playlist", DoubleType, true, "Mean distinct artists per playlist"),
      column(
          "top_track_share",
          DoubleType,
          true,
          "Share of slots from the 1 % most played tracks of W's matrix"),
      column(
          "overlap_previous",
          DoubleType,
          true,
          "Mean Jaccard overlap of a user's playlist with their previous served one, over users"
              + " who had one; null when none did"),
      column(
          "seconds",
          DoubleType,
          true,
          "Seconds a tune point's fit and scoring took (model_version tune-W-<recipe hash>); null"
              + " for a week's own backtest")),

  OPS_PIPELINE_RUNS(
      "ops",
      "pipeline_runs",
      "One row per stage run: inputs, counts, timings and outcome.",
      List.of(),
      column("run_id", StringType, false, "Unique id of the stage run"),
      column("stage", StringType, false, "ingest, silver, weekly, ..."),
      column("date", DateType, true, "Arrival date the run processed, for daily stages"),
      column("week", DateType, true, "Monday of the week the run built, for weekly stages"),
      column(
          "status",
          StringType,
          false,
          "succeeded, failed or reused (a weekly step whose inputs had not changed); for stage"
              + " gate, accepted or rejected"),
      column("started_at", TimestampType, false, "Wall-clock start (UTC)"),
      column("finished_at", TimestampType, false, "Wall-clock end (UTC)"),
      column("duration_ms", LongType, false, "Wall-clock duration"),
      column(
          "input_versions",
          DataTypes.createMapType(StringType, LongType, false),
          false,
          "Delta version of every input table read, by table name"),
      column(
          "row_counts",
          DataTypes.createMapType(StringType, LongType, false),
          false,
          "Row counts by name (bronze, new, duplicates, quarantined, ...)"),
      column("message", StringType, true, "Error message of a failed run, or the gate's reason"),
      column("code_version", StringType, false, "Version of the pipeline code that ran"),
      column(
          "config",
          DataTypes.createMapType(StringType, StringType, false),
          true,
          "Config values that shape the stage's output, with their hash")),

  OPS_MODELS(
      "ops",
      "models",
      "The model registry: one row per week x trained model, with the recipe and inputs that built"
          + " it, its backtest, and where it is in its life: candidate, then accepted or rejected by"
          + " the quality gate, then served, then rolled_back or replaced.",
      List.of(),
      column("week", DateType, false, "Monday W the model was trained for"),
      column("model_version", StringType, false, "als-W-<hash>, as gold.discover_weekly names it"),
      column(
          "status",
          StringType,
          false,
          "candidate (trained, not judged), accepted or rejected (the gate's verdict), served"
              + " (published), rolled_back (rollback), or replaced (another model of W published)"),
      column(
          "recipe",
          DataTypes.createMapType(StringType, StringType, false),
          false,
          "The weekly settings that shaped the model (matrix, als, playlists, gate, ...)"),
      column(
          "recipe_hash", StringType, false, "Hash of the recipe, as ops.pipeline_runs records it"),
      column(
          "input_versions",
          DataTypes.createMapType(StringType, LongType, false),
          false,
          "Delta version of every table the model was trained from, by table name"),
      column(
          "path",
          StringType,
          false,
          "The model's folder relative to the lake root (ALSModel.load reads <lake>/<path>)"),
      column("k", IntegerType, true, "Playlist length of the backtest's metrics"),
      column("users", LongType, true, "Users the backtest evaluated"),
      column("ndcg", DoubleType, true, "The backtest's NDCG@k of the model (gold.model_metrics)"),
      column("recall", DoubleType, true, "The backtest's recall@k of the model"),
      column("popularity_ndcg", DoubleType, true, "NDCG@k of the popularity baseline, same users"),
      column("verdict", StringType, true, "The quality gate's latest verdict: accepted, rejected"),
      column("reason", StringType, true, "The gate's reason for its verdict"),
      column("trained_at", TimestampType, false, "When the model was saved (UTC)"),
      column("judged_at", TimestampType, true, "When the gate last judged it"),
      column("served_at", TimestampType, true, "When publish last made it the week's served one"),
      column(
          "rolled_back_at",
          TimestampType,
          true,
          "When rollback withdrew it, or another model of W replaced it"),
      column("changed_at", TimestampType, false, "When the row last changed")),

  OPS_DATA_QUALITY(
      "ops",
      "data_quality",
      "Data-quality metrics of each arrival date's listens, measured by silver (Deequ analyzers),"
          + " each with its trailing mean and the anomaly rule it broke, if any; a rerun of silver"
          + " for a date replaces that date's rows.",
      List.of(),
      column("date", DateType, false, "Arrival date the metrics describe"),
      column(
          "metric",
          StringType,
          false,
          "lines, listens, users, bot_users, quarantine_rate, quarantine_rate.<reason>,"
              + " duplicate_share or late_share (docs/operations.md, Data quality)"),
      column("value", DoubleType, false, "The metric's value on that date"),
      column(
          "baseline",
          DoubleType,
          true,
          "Mean of the metric over the trailing dates it was judged against; null without any"),
      column("trailing_dates", IntegerType, false, "How many earlier dates the baseline averages"),
      column(
          "anomaly",
          StringType,
          true,
          "The rule the value broke (quality.*), in words; null when it broke none"),
      column("measured_at", TimestampType, false, "When silver measured it (UTC)")),

  OPS_FORGET_REQUESTS(
      "ops",
      "forget_requests",
      "One row per erasure (forget) request: the salted hash of the user id, never the id itself,"
          + " and the rows removed per table; later ingests redact the events of these users.",
      List.of(),
      column("request_id", StringType, false, "Unique id of the request"),
      column(
          "user_hash",
          StringType,
          false,
          "SHA-256 of the salt (forget.salt-env), a colon and the user id, in hex"),
      column("requested_at", TimestampType, false, "When forget started (UTC)"),
      column("finished_at", TimestampType, false, "When it finished (UTC)"),
      column("status", StringType, false, "succeeded, or failed (rerun forget to finish)"),
      column(
          "removed",
          DataTypes.createMapType(StringType, LongType, false),
          false,
          "Rows removed by table (silver.listens, ...), Cassandra rows, model folders"),
      column("message", StringType, true, "Why a failed request failed (without the user id)"),
      column("code_version", StringType, false, "Version of the pipeline code that ran"));

  private final String layer;
  private final String entity;
  private final String comment;
  private final List<String> partitionColumns;
  private final StructType schema;

  Table(
      String layer,
      String entity,
      String comment,
      List<String> partitionColumns,
      StructField... columns) {
    this.layer = layer;
    this.entity = entity;
    this.comment = comment;
    this.partitionColumns = partitionColumns;
    this.schema = new StructType(columns);
  }

  /** The name analysts use in SQL, {@code layer.entity}. */
  public String sqlName() {
    return layer + "." + entity;
  }

  /** The table's folder below the lake root. */
  public String relativePath() {
    return layer + "/" + entity;
  }

  public String comment() {
    return comment;
  }

  public List<String> partitionColumns() {
    return partitionColumns;
  }

  /**
   * Delta table properties set when the table is created. Writers gather min/max statistics of
   * every indexed column of every row, which cost more than the Parquet encoding itself for long
   * strings (bench/): bronze and quarantine lines are never looked up by value, so they keep row
   * counts only, and silver listens and the two large gold tables keep the columns readers filter
   * on (the week is the gold tables' partition; {@code maintain} Z-orders silver listens and gold
   * playlists by {@code user_id}, which needs its statistics). Keeping no line in the log also
   * keeps a forgotten user's raw text out of the Delta log's statistics.
   *
   * <p>Delta hands a table's properties to the Parquet writer of every write of it, so {@code
   * parquet.*} keys here set Parquet for that table alone: silver's event ids (unique) and user ids
   * (hundreds of thousands a file) overflow Parquet's dictionary page, so building the dictionary
   * first only costs a hash and a compare per value before Parquet falls back to plain encoding.
   */
  public Map<String, String> properties() {
    return switch (this) {
      case BRONZE_LISTENS, BRONZE_FEEDBACK, SILVER_QUARANTINE ->
          Map.of("delta.dataSkippingNumIndexedCols", "0");
      case SILVER_LISTENS ->
          Map.of(
              "delta.dataSkippingStatsColumns", "user_id,track_id,ts,ingest_date",
              "parquet.enable.dictionary#event_id", "false",
              "parquet.enable.dictionary#user_id", "false");
      case GOLD_USER_TRACK_MATRIX -> Map.of("delta.dataSkippingStatsColumns", "user_id,user_index");
      case GOLD_DISCOVER_WEEKLY -> Map.of("delta.dataSkippingStatsColumns", "user_id,track_id");
      default -> Map.of();
    };
  }

  public StructType schema() {
    return schema;
  }

  public String[] columnNames() {
    return schema.fieldNames();
  }

  public static Optional<Table> bySqlName(String sqlName) {
    return Arrays.stream(values()).filter(t -> t.sqlName().equalsIgnoreCase(sqlName)).findFirst();
  }

  private static StructField column(String name, DataType type, boolean nullable, String comment) {
    return DataTypes.createStructField(name, type, nullable).withComment(comment);
  }
}
