package org.discoverweekly.etl.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.next_day;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.quality.DataQuality;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import scala.collection.JavaConverters;

/**
 * What the run report of week W shows, read from the lake: per arrival date of the 8 weeks before W
 * its listens, quarantined lines by reason and anomalies; per week its stages' seconds, the
 * backtest's NDCG of ALS and popularity, and the playlists publish served.
 */
public record RunReport(LocalDate week, List<DateRow> dates, List<WeekRow> weeks) {

  /** Weeks the report covers, W included. */
  public static final int WEEKS = 8;

  /**
   * The stages whose seconds the report sums per week, in pipeline order: weekly's steps as the
   * ledger records them (its backtest, and the evaluate verb, as evaluate).
   */
  public static final List<String> STAGES =
      List.of(
          Stage.INGEST,
          Stage.SILVER,
          Stage.SNAPSHOT,
          Stage.TRAIN,
          Stage.RANK,
          Stage.EVALUATE,
          Stage.GATE,
          Stage.CHALLENGER,
          Stage.PUBLISH);

  /**
   * One arrival date: listens as silver's data-quality check measured them (null when it did not),
   * quarantined lines by reason (both feeds), and the anomaly silver recorded for it, if any, with
   * what became of it.
   */
  public record DateRow(
      LocalDate date,
      Long listens,
      SortedMap<String, Long> quarantined,
      String anomaly,
      AnomalyState state) {

    boolean isEmpty() {
      return listens == null && quarantined.isEmpty() && state == null;
    }
  }

  /** What became of a date silver recorded as anomalous. */
  public enum AnomalyState {
    /** Anomalous, not acknowledged: weekly refuses a window holding it. */
    OPEN,
    /** Anomalous and acknowledged with {@code ack}. */
    ACKNOWLEDGED,
    /** A later silver run of the date measured it clean. */
    RERUN_CLEAN
  }

  /**
   * One week W: seconds of each stage's runs for it (daily stages by the week their dates fall in),
   * the NDCG@k of ALS and popularity in the backtest of its last judged model, and the users the
   * last publish of W served a playlist to; null where there is none.
   */
  public record WeekRow(
      LocalDate week,
      SortedMap<String, Double> stageSeconds,
      Double alsNdcg,
      Double popularityNdcg,
      Long servedUsers) {

    boolean isEmpty() {
      return stageSeconds.isEmpty()
          && alsNdcg == null
          && popularityNdcg == null
          && servedUsers == null;
    }
  }

  /** The report of {@code week} from the lake whose anomalies {@code quality} judged. */
  public static RunReport of(DataQuality quality, LocalDate week) {
    Lake lake = quality.lake();
    LocalDate from = week.minusWeeks(WEEKS);
    boolean ledger = lake.exists(Table.OPS_PIPELINE_RUNS);
    return new RunReport(
        week,
        dates(lake, from, week, anomalies(lake, quality, from, week, ledger)),
        weeks(lake, from, week, ledger));
  }

  private static List<DateRow> dates(
      Lake lake, LocalDate from, LocalDate week, Map<LocalDate, Anomaly> anomalies) {
    Map<LocalDate, Long> listens = new TreeMap<>();
    if (lake.exists(Table.OPS_DATA_QUALITY)) {
      for (Row row :
          lake.read(Table.OPS_DATA_QUALITY)
              .where(col("metric").equalTo("listens").and(inRange("date", from, week)))
              .select("date", "value")
              .collectAsList()) {
        listens.put(row.getDate(0).toLocalDate(), Math.round(row.getDouble(1)));
      }
    }
    Map<LocalDate, SortedMap<String, Long>> quarantined = new TreeMap<>();
    if (lake.exists(Table.SILVER_QUARANTINE)) {
      for (Row row :
          lake.read(Table.SILVER_QUARANTINE)
              .where(inRange("ingest_date", from, week))
              .groupBy("ingest_date", "reason")
              .agg(count(lit(1)))
              .collectAsList()) {
        quarantined
            .computeIfAbsent(row.getDate(0).toLocalDate(), date -> new TreeMap<>())
            .put(row.getString(1), row.getLong(2));
      }
    }
    List<DateRow> rows = new ArrayList<>();
    for (LocalDate date = from; date.isBefore(week); date = date.plusDays(1)) {
      Anomaly anomaly = anomalies.get(date);
      rows.add(
          new DateRow(
              date,
              listens.get(date),
              quarantined.getOrDefault(date, new TreeMap<>()),
              anomaly == null ? null : anomaly.message,
              anomaly == null ? null : anomaly.state));
    }
    // From the lake's first date within the 8 weeks on.
    while (!rows.isEmpty() && rows.get(0).isEmpty()) {
      rows.remove(0);
    }
    return rows;
  }

  /** An anomaly silver recorded for a date, and what became of it. */
  private record Anomaly(String message, AnomalyState state) {}

  /**
   * The dates in [{@code from}, {@code week}) silver ever recorded as anomalous: open or
   * acknowledged while their latest measurement is anomalous ({@link DataQuality}), rerun clean
   * once a later silver run measured them clean. The message is the last anomalous silver run's (it
   * names the quarantine reason with the largest share).
   */
  private static Map<LocalDate, Anomaly> anomalies(
      Lake lake, DataQuality quality, LocalDate from, LocalDate week, boolean ledger) {
    Map<LocalDate, String> messages = new TreeMap<>();
    if (ledger) {
      for (Row row :
          lake.read(Table.OPS_PIPELINE_RUNS)
              .where(
                  col("stage")
                      .equalTo(Stage.SILVER)
                      .and(col("status").equalTo(StageOutcome.ANOMALOUS))
                      .and(inRange("date", from, week)))
              .groupBy("date")
              .agg(max_by(col("message"), col("finished_at")))
              .collectAsList()) {
        messages.put(row.getDate(0).toLocalDate(), row.getString(1));
      }
    }
    Map<LocalDate, Anomaly> anomalies = new TreeMap<>();
    messages.forEach(
        (date, message) -> anomalies.put(date, new Anomaly(message, AnomalyState.RERUN_CLEAN)));
    quality
        .anomalies(from, week)
        .forEach(
            (date, recorded) ->
                anomalies.put(
                    date,
                    new Anomaly(
                        messages.getOrDefault(date, recorded.anomalies()),
                        recorded.acknowledged() ? AnomalyState.ACKNOWLEDGED : AnomalyState.OPEN)));
    return anomalies;
  }

  private static List<WeekRow> weeks(Lake lake, LocalDate from, LocalDate week, boolean ledger) {
    Map<LocalDate, SortedMap<String, Double>> seconds = new TreeMap<>();
    Map<LocalDate, Long> served = new TreeMap<>();
    if (ledger) {
      // A daily stage's date counts toward the week W with the date in [W - 7, W). A run of
      // several dates records each date with the run's start and whole duration: each date's row
      // counts for its share of it.
      Dataset<Row> byWeek =
          lake.read(Table.OPS_PIPELINE_RUNS)
              .where(col("stage").isin(STAGES.toArray()))
              .withColumn(
                  "duration_ms",
                  col("duration_ms")
                      .divide(count(lit(1)).over(Window.partitionBy("stage", "started_at"))))
              .withColumn("for_week", coalesce(col("week"), next_day(col("date"), "Mon")))
              .where(col("for_week").gt(day(from)).and(col("for_week").leq(day(week))));
      // Per week and stage: the seconds, and the users the last succeeded run counted (publish's
      // are the playlists it served).
      for (Row row :
          byWeek
              .groupBy("for_week", "stage")
              .agg(
                  sum("duration_ms"),
                  max_by(
                      col("row_counts").getItem("users"),
                      when(col("status").equalTo(StageOutcome.SUCCEEDED), col("finished_at"))))
              .collectAsList()) {
        LocalDate forWeek = row.getDate(0).toLocalDate();
        seconds
            .computeIfAbsent(forWeek, w -> new TreeMap<>())
            .put(row.getString(1), row.getDouble(2) / 1000.0);
        if (row.getString(1).equals(Stage.PUBLISH) && !row.isNullAt(3)) {
          served.put(forWeek, row.getLong(3));
        }
      }
    }
    Map<LocalDate, Map<String, Double>> ndcg = new TreeMap<>();
    if (lake.exists(Table.GOLD_MODEL_METRICS) && lake.exists(Table.OPS_MODELS)) {
      Dataset<Row> judged =
          lake.read(Table.OPS_MODELS)
              .groupBy("week")
              .agg(max_by(col("model_version"), col("judged_at")).as("model_version"));
      for (Row row :
          lake.read(Table.GOLD_MODEL_METRICS)
              .join(judged, JavaConverters.asScalaBuffer(List.of("week", "model_version")).toSeq())
              .where(col("week").gt(day(from)).and(col("week").leq(day(week))))
              .select("week", "model", "ndcg")
              .collectAsList()) {
        ndcg.computeIfAbsent(row.getDate(0).toLocalDate(), w -> new TreeMap<>())
            .put(row.getString(1), row.getDouble(2));
      }
    }
    List<WeekRow> rows = new ArrayList<>();
    for (LocalDate w = from.plusWeeks(1); !w.isAfter(week); w = w.plusWeeks(1)) {
      Map<String, Double> scores = ndcg.getOrDefault(w, Map.of());
      rows.add(
          new WeekRow(
              w,
              seconds.getOrDefault(w, new TreeMap<>()),
              scores.get("als"),
              scores.get("popularity"),
              served.get(w)));
    }
    while (!rows.isEmpty() && rows.get(0).isEmpty()) {
      rows.remove(0);
    }
    return rows;
  }

  private static Column day(LocalDate date) {
    return lit(java.sql.Date.valueOf(date));
  }

  private static Column inRange(String column, LocalDate from, LocalDate to) {
    return col(column).geq(day(from)).and(col(column).lt(day(to)));
  }
}
