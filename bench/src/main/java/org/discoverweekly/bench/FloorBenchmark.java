package org.discoverweekly.bench;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_timestamp;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.discoverweekly.etl.bronze.IngestListens;
import org.discoverweekly.etl.config.ConfigLoader;
import org.discoverweekly.etl.config.PipelineConfig;
import org.discoverweekly.etl.storage.Landing;
import org.discoverweekly.etl.storage.SparkSessions;
import org.discoverweekly.models.ImplicitAls;

/**
 * The least Spark and Delta do with the landing lines of a range of arrival dates, for comparison
 * with {@code ingest}, {@code silver} and {@code weekly}: no contract, no quarantine, no MERGE, no
 * ledger, no id mapping, no ranking. Arguments: {@code LANDING WORK}; runs the steps twice in one
 * JVM (cold, then warm) and prints the arrival dates, then one line per step: round, step, rows,
 * seconds.
 *
 * <ul>
 *   <li>{@code read}: count the landing lines of the dates (text files, no parsing);
 *   <li>{@code lines to delta}: each line with its file and arrival date into a Delta table
 *       partitioned by arrival date (what {@code ingest} writes);
 *   <li>{@code parse into memory}: that table's lines parsed by Spark's JSON reader with an
 *       explicit schema into Spark's cache;
 *   <li>{@code write parsed rows to delta}: the cached rows into a Delta table partitioned by event
 *       date (silver's write without its MERGE);
 *   <li>{@code dedupe parsed rows by event id}: the cached rows' distinct event ids, counted;
 *   <li>{@code user x track pairs}: the cached rows' play counts per user and track, without the
 *       users who played more than the bot limit on a day, ids hashed to integers, into Spark's
 *       cache;
 *   <li>{@code ALS fit}: Spark's implicit ALS on those pairs with the configured settings (what
 *       {@code weekly} does twice: the week's model and the backtest's);
 *   <li>{@code naive silver} (warm round only): parse, keep one row per event id and write, in one
 *       job from the lines table.
 * </ul>
 */
public final class FloorBenchmark {

  private static final StructType LISTEN =
      new StructType()
          .add("event_id", DataTypes.StringType)
          .add("user_id", DataTypes.StringType)
          .add("track_id", DataTypes.StringType)
          .add("ts", DataTypes.StringType)
          .add("ms_played", DataTypes.LongType)
          .add("platform", DataTypes.StringType)
          .add("country", DataTypes.StringType)
          .add("context", DataTypes.StringType);

  private FloorBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[1]);
    PipelineConfig config = ConfigLoader.defaults();
    ImplicitAls.Settings als = config.weekly().als();
    int botPlaysPerDay = config.listens().botPlaysPerDay();
    SparkSession spark = SparkSessions.create(config.spark());
    spark.sparkContext().setCheckpointDir(work.resolve("checkpoints").toString());
    spark.sparkContext().setLogLevel("WARN");
    Landing landing = new Landing(spark, args[0]);
    List<LocalDate> dates = landing.arrivalDates();
    List<String> out = new ArrayList<>();
    out.add("arrival dates " + dates.get(0) + " .. " + dates.get(dates.size() - 1));
    // JVM start to a Delta table written: the start-up every command pays before its data.
    Path probe = work.resolve("probe");
    spark.range(1).write().format("delta").mode("overwrite").save(probe.toString());
    double startup =
        (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
    out.add(line("-", "start-up (JVM start to a first Delta write)", 0, startup));

    for (String round : List.of("cold", "warm")) {
      Path bronze = work.resolve("lines-" + round);
      Path parsedPath = work.resolve("parsed-" + round);
      Path silver = work.resolve("listens-" + round);
      Dataset<Row> all =
          dates.stream()
              .map(
                  date ->
                      IngestListens.transform(
                          spark
                              .read()
                              .text(landing.listenFiles(date).toArray(String[]::new))
                              .select(col("value"), col("_metadata.file_path").as("source_file")),
                          date))
              .reduce(Dataset::unionAll)
              .orElseThrow();

      long started = System.nanoTime();
      long read = all.count();
      out.add(line(round, "read", read, seconds(started)));

      started = System.nanoTime();
      all.write().format("delta").partitionBy("ingest_date").save(bronze.toString());
      out.add(line(round, "lines to delta", read, seconds(started)));

      Dataset<Row> parsed =
          spark
              .read()
              .format("delta")
              .load(bronze.toString())
              .select(from_json(col("raw"), LISTEN).as("l"), col("ingest_date"))
              .select("l.*", "ingest_date")
              .withColumn(
                  "ts",
                  coalesce(
                      to_timestamp(col("ts")),
                      timestamp_millis(col("ts").cast(DataTypes.LongType))))
              .filter(col("event_id").isNotNull().and(col("ts").isNotNull()))
              .withColumn("event_date", to_date(col("ts")));

      started = System.nanoTime();
      Dataset<Row> cached = parsed.persist(StorageLevel.MEMORY_AND_DISK());
      long valid = cached.count();
      out.add(line(round, "parse into memory", valid, seconds(started)));

      started = System.nanoTime();
      cached.write().format("delta").partitionBy("event_date").save(parsedPath.toString());
      out.add(line(round, "write parsed rows to delta", valid, seconds(started)));

      started = System.nanoTime();
      long unique = cached.dropDuplicates("event_id").count();
      out.add(line(round, "dedupe parsed rows by event id", unique, seconds(started)));

      // ALS on the user x track play counts of users below the bot limit on every day, ids hashed
      // to integers (a collision only merges two users or two tracks), with the configured rank,
      // iterations and blocks.
      started = System.nanoTime();
      Dataset<Row> bots =
          cached
              .groupBy("user_id", "event_date")
              .count()
              .filter(col("count").gt(botPlaysPerDay))
              .select("user_id");
      Dataset<Row> pairs =
          cached
              .join(bots, cached.col("user_id").equalTo(bots.col("user_id")), "left_anti")
              .groupBy(
                  pmod(hash(col("user_id")), lit(Integer.MAX_VALUE)).as("user_index"),
                  pmod(hash(col("track_id")), lit(Integer.MAX_VALUE)).as("track_index"))
              .agg(log1p(count(lit(1))).as("confidence"))
              .persist(StorageLevel.MEMORY_AND_DISK());
      long pairCount = pairs.count();
      out.add(
          line(round, "user x track pairs, bots out, into memory", pairCount, seconds(started)));
      started = System.nanoTime();
      ALSModel model = ImplicitAls.fit(pairs, als);
      long factors = model.userFactors().count() + model.itemFactors().count();
      out.add(
          line(
              round,
              "ALS fit (rank " + als.rank() + ", " + als.maxIter() + " iterations)",
              factors,
              seconds(started)));
      pairs.unpersist(true);
      cached.unpersist(true);

      if (round.equals("warm")) {
        // Once, warm: Spark's JSON reader dominates it and it takes minutes.
        started = System.nanoTime();
        parsed
            .dropDuplicates("event_id")
            .write()
            .format("delta")
            .partitionBy("event_date")
            .save(silver.toString());
        out.add(line(round, "naive silver: parse, dedupe, write", unique, seconds(started)));
      }
    }
    out.forEach(System.out::println);
    spark.stop();
  }

  private static double seconds(long started) {
    return (System.nanoTime() - started) / 1e9;
  }

  private static String line(String round, String step, long rows, double seconds) {
    return String.format(Locale.ROOT, "%s|%s|%d|%.1f", round, step, rows, seconds);
  }
}
