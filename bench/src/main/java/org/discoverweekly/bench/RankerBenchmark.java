package org.discoverweekly.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.discoverweekly.etl.config.ConfigLoader;
import org.discoverweekly.etl.storage.SparkSessions;
import org.discoverweekly.models.BlockedRanker;
import org.discoverweekly.models.ImplicitAls;

/**
 * Candidate generation side by side: the blocked ranker against {@code recommendForAllUsers} plus
 * an anti-join and the artist cap, on the same ALS factors of a synthetic matrix. Arguments: pairs
 * of {@code USERSxTRACKS}, e.g. {@code 20000x20000}; prints one line per method and size.
 */
public final class RankerBenchmark {

  private static final int K = 30;
  private static final int MAX_PER_ARTIST = 2;
  private static final int RANK = 64;
  private static final int HEARD_PER_USER = 40;
  private static final int TRACKS_PER_ARTIST = 10;

  private RankerBenchmark() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSessions.create(ConfigLoader.defaults().spark());
    spark.sparkContext().setLogLevel("WARN");
    List<String> lines = new ArrayList<>();
    for (String size : args) {
      String[] parts = size.split("x");
      lines.addAll(measure(spark, Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
    }
    System.out.printf(
        "%-8s %-8s %-5s %-38s %-9s %-12s %-10s%n",
        "users", "tracks", "rank", "method", "seconds", "users_short", "rows");
    lines.forEach(System.out::println);
    System.out.println(
        "BLAS: " + dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getSimpleName());
  }

  private static List<String> measure(SparkSession spark, int users, int tracks) {
    // Each user heard HEARD_PER_USER tracks spread over the catalog; a skewed half of them come
    // from the first tenth of the catalog, as popular tracks do.
    Dataset<Row> matrix =
        spark
            .range(users)
            .select(col("id").cast("int").as("user_index"))
            .withColumn("n", explode(expr("sequence(1, " + HEARD_PER_USER + ")")))
            .withColumn(
                "track_index",
                expr(
                    "CAST(pmod(hash(user_index, n), CASE WHEN n % 2 = 0 THEN "
                        + Math.max(1, tracks / 10)
                        + " ELSE "
                        + tracks
                        + " END) AS INT)"))
            .select("user_index", "track_index")
            .distinct()
            .withColumn("confidence", lit(1.0))
            .persist(StorageLevel.MEMORY_AND_DISK());
    long pairs = matrix.count();
    long fitStarted = System.nanoTime();
    ALSModel model =
        ImplicitAls.fit(matrix, new ImplicitAls.Settings(RANK, 0.05, 10, 2, 42, -1, 0));
    model.userFactors().persist(StorageLevel.MEMORY_AND_DISK()).count();
    model.itemFactors().persist(StorageLevel.MEMORY_AND_DISK()).count();
    double fitSeconds = seconds(fitStarted);
    Dataset<Row> heard =
        matrix.groupBy("user_index").agg(collect_list("track_index").as("heard")).cache();
    heard.count();
    Dataset<Row> items =
        model
            .itemFactors()
            .select(
                col("id").as("track_index"),
                col("features"),
                expr("CAST(id DIV " + TRACKS_PER_ARTIST + " AS STRING)").as("artist_id"));
    List<String> lines = new ArrayList<>();
    String prefix = String.format("%-8d %-8d %-5d ", users, tracks, RANK);
    lines.add(
        prefix
            + String.format(
                "%-38s %-9.1f %-12s %-10s",
                "als fit (2 iterations, " + pairs + " pairs)", fitSeconds, "-", "-"));

    long started = System.nanoTime();
    Dataset<Row> blocked =
        BlockedRanker.rank(
            model
                .userFactors()
                .select(col("id").as("user_index"), col("features"))
                .join(heard, "user_index", "left_outer"),
            items,
            new BlockedRanker.Settings(K, MAX_PER_ARTIST, 256));
    lines.add(prefix + line("blocked ranker", started, blocked, users));

    if (Boolean.getBoolean("bench.blocked-only")) {
      return lines;
    }
    int maxHeard = heard.select(max(expr("size(heard)"))).head().getInt(0);
    started = System.nanoTime();
    Dataset<Row> recommended =
        model
            .recommendForAllUsers(K + maxHeard)
            .select(col("user_index"), explode(col("recommendations")).as("r"))
            .select(col("user_index"), col("r.track_index"), col("r.rating").as("score"))
            .join(
                matrix.select("user_index", "track_index"),
                new String[] {"user_index", "track_index"},
                "left_anti")
            .join(items.select("track_index", "artist_id"), "track_index")
            .withColumn(
                "by_artist",
                row_number()
                    .over(
                        Window.partitionBy("user_index", "artist_id").orderBy(col("score").desc())))
            .filter(col("by_artist").leq(MAX_PER_ARTIST))
            .withColumn(
                "position",
                row_number().over(Window.partitionBy("user_index").orderBy(col("score").desc())))
            .filter(col("position").leq(K));
    lines.add(
        prefix
            + line(
                "recommendForAllUsers(" + (K + maxHeard) + ") + anti-join",
                started,
                recommended,
                users));
    matrix.unpersist();
    heard.unpersist();
    return lines;
  }

  private static String line(String method, long started, Dataset<Row> ranked, int users) {
    Row counts =
        ranked
            .groupBy("user_index")
            .count()
            .agg(
                expr("sum(CASE WHEN count < " + K + " THEN 1 ELSE 0 END)"),
                expr("sum(count)"),
                expr("count(*)"))
            .head();
    long full = counts.getLong(2);
    long short_ = counts.getLong(0) + (users - full);
    return String.format(
        "%-38s %-9.1f %-12d %-10d", method, seconds(started), short_, counts.getLong(1));
  }

  private static double seconds(long started) {
    return (System.nanoTime() - started) / 1e9;
  }
}
