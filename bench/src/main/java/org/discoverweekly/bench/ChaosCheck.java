package org.discoverweekly.bench;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import com.datastax.oss.driver.api.core.CqlSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.discoverweekly.etl.config.ConfigLoader;
import org.discoverweekly.etl.config.PipelineConfig;
import org.discoverweekly.etl.serving.CassandraConnection;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.SparkSessions;
import org.discoverweekly.etl.storage.Table;

/**
 * The independent check of {@code bench/chaos}: compares a lake whose stages were killed and rerun
 * with a lake that was never killed, table by table as row sets, and the Cassandra keyspace they
 * published to. Arguments: {@code CLEAN_LAKE RUN_LAKE WEEK CLEAN_KEYSPACE RUN_KEYSPACE
 * CASSANDRA_PORT}; the rest comes from the embedded config. Prints one tab-separated line per
 * table: name, clean rows, run rows, rows lost, duplicated, wrong; then drops {@code RUN_KEYSPACE}
 * so the next round publishes into an empty one.
 *
 * <p>A row is compared by all its columns (as JSON) except the model version, which names silver's
 * table version and so moves on with the extra commits of a killed run. Lost: copies in the clean
 * table missing from the run's; duplicated: extra copies of a clean row; wrong: rows the clean
 * table does not hold at all. Cassandra's rows must also name the model version {@code
 * published_weeks} serves, and that must be the run lake's gold model version: a row that does not
 * counts as wrong, since no reader would serve it.
 */
public final class ChaosCheck {

  private ChaosCheck() {}

  public static void main(String[] args) {
    if (args.length != 6) {
      System.err.println(
          "usage: ChaosCheck CLEAN_LAKE RUN_LAKE WEEK CLEAN_KEYSPACE RUN_KEYSPACE CASSANDRA_PORT"
              + " (got "
              + Arrays.toString(args)
              + ")");
      System.exit(2);
    }
    String week = args[2];
    PipelineConfig config =
        ConfigLoader.load(
            Optional.empty(),
            Map.of("cassandra.port", args[5]),
            Optional.empty(),
            Optional.empty());
    SparkSession spark = SparkSessions.create(config.spark());
    spark.sparkContext().setLogLevel("ERROR");
    CassandraConnection.properties(config.cassandra()).forEach(spark.conf()::set);
    Lake clean = new Lake(spark, args[0]);
    Lake run = new Lake(spark, args[1]);
    List<String> lines = new ArrayList<>();
    for (Table table :
        List.of(
            Table.SILVER_LISTENS,
            Table.SILVER_QUARANTINE,
            Table.SILVER_FEEDBACK,
            Table.GOLD_USER_TRACK_MATRIX,
            Table.GOLD_DISCOVER_WEEKLY,
            Table.GOLD_MODEL_METRICS)) {
      lines.add(
          line(
              table.sqlName(),
              withoutModelVersion(clean.read(table)),
              withoutModelVersion(run.read(table))));
    }
    Dataset<Row> cleanPlaylists = cassandra(spark, args[3], "playlists");
    Dataset<Row> runPlaylists = cassandra(spark, args[4], "playlists");
    String served = servedModelVersion(spark, args[4], week);
    String gold =
        run
            .read(Table.GOLD_DISCOVER_WEEKLY)
            .filter(col("week").equalTo(lit(week).cast("date")))
            .select("model_version")
            .distinct()
            .collectAsList()
            .stream()
            .map(row -> row.getString(0))
            .reduce((a, b) -> a + "," + b)
            .orElse("none");
    // A row naming another model than the served one is one no reader serves: count it as wrong
    // by making it unlike every clean row.
    Column unservable =
        gold.equals(served)
            ? col("model_version").isNull().or(col("model_version").notEqual(lit(gold)))
            : lit(true);
    Dataset<Row> marked =
        runPlaylists.withColumn(
            "user_id",
            concat(when(unservable, lit("unservable:")).otherwise(lit("")), col("user_id")));
    lines.add(
        line(
            "cassandra.playlists",
            withoutModelVersion(cleanPlaylists),
            withoutModelVersion(marked)));
    lines.add(
        line(
            "cassandra.published_weeks",
            cassandra(spark, args[3], "published_weeks")
                .select("playlist", "week", "status", "users"),
            cassandra(spark, args[4], "published_weeks")
                .select("playlist", "week", "status", "users")));
    lines.forEach(System.out::println);
    try (CqlSession session =
        CassandraConnection.open(
            CassandraConnection.connector(config.cassandra()), config.cassandra())) {
      session.execute("DROP KEYSPACE IF EXISTS " + args[4]);
    }
    spark.stop();
  }

  /** {@code name clean_rows run_rows lost duplicated wrong}, tab-separated. */
  private static String line(String name, Dataset<Row> clean, Dataset<Row> run) {
    Dataset<Row> cleanCounts = counted(clean).withColumnRenamed("n", "clean_n");
    Dataset<Row> runCounts = counted(run).withColumnRenamed("n", "run_n");
    Row totals =
        cleanCounts
            .join(runCounts, cleanCounts.col("row").equalTo(runCounts.col("row")), "full_outer")
            .select(
                sum(col("clean_n")).as("clean"),
                sum(col("run_n")).as("run"),
                sum(when(
                        col("clean_n").isNotNull(),
                        greatest(lit(0L), col("clean_n").minus(coalesce0(col("run_n"))))))
                    .as("lost"),
                sum(when(
                        col("clean_n").isNotNull().and(col("run_n").isNotNull()),
                        greatest(lit(0L), col("run_n").minus(col("clean_n")))))
                    .as("duplicated"),
                sum(when(col("clean_n").isNull(), col("run_n"))).as("wrong"))
            .first();
    Map<String, Long> values = new TreeMap<>();
    for (String field : List.of("clean", "run", "lost", "duplicated", "wrong")) {
      values.put(field, totals.isNullAt(totals.fieldIndex(field)) ? 0L : totals.getAs(field));
    }
    return String.join(
        "\t",
        name,
        String.valueOf(values.get("clean")),
        String.valueOf(values.get("run")),
        String.valueOf(values.get("lost")),
        String.valueOf(values.get("duplicated")),
        String.valueOf(values.get("wrong")));
  }

  private static Column coalesce0(Column value) {
    return coalesce(value, lit(0L));
  }

  /** Each distinct row (all its columns as JSON, in name order) and how many copies it has. */
  private static Dataset<Row> counted(Dataset<Row> rows) {
    Column[] columns =
        Arrays.stream(rows.columns()).sorted().map(name -> col(name)).toArray(Column[]::new);
    return rows.select(to_json(struct(columns)).as("row")).groupBy("row").agg(count("*").as("n"));
  }

  private static Dataset<Row> withoutModelVersion(Dataset<Row> rows) {
    return rows.drop("model_version");
  }

  private static Dataset<Row> cassandra(SparkSession spark, String keyspace, String table) {
    return spark
        .read()
        .format("org.apache.spark.sql.cassandra")
        .option("keyspace", keyspace)
        .option("table", table)
        .load();
  }

  /** The model version {@code published_weeks} serves for the week, or "none". */
  private static String servedModelVersion(SparkSession spark, String keyspace, String week) {
    List<Row> rows =
        cassandra(spark, keyspace, "published_weeks")
            .filter(
                col("week").equalTo(lit(week).cast("date")).and(col("status").equalTo("served")))
            .select("model_version")
            .collectAsList();
    return rows.size() == 1 ? rows.get(0).getString(0) : "none";
  }
}
