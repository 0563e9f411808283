package org.discoverweekly.etl.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.discoverweekly.etl.storage.Table.BRONZE_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_QUARANTINE;

import com.amazon.deequ.analyzers.Analyzer;
import com.amazon.deequ.analyzers.Size;
import com.amazon.deequ.analyzers.Sum;
import com.amazon.deequ.analyzers.runners.AnalysisRunBuilder;
import com.amazon.deequ.analyzers.runners.AnalysisRunner;
import com.amazon.deequ.analyzers.runners.AnalyzerContext;
import com.amazon.deequ.analyzers.runners.EmptyStateException;
import com.amazon.deequ.metrics.Metric;
import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.silver.BuildSilver;
import org.discoverweekly.etl.silver.ListenContract;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;
import org.discoverweekly.models.FeedbackMatrix;
import scala.Option;

/**
 * The data-quality metrics of arrival dates' listens, measured with Deequ's analyzers over what
 * silver wrote for them, so that a rerun of a date measures the same values:
 *
 * <ul>
 *   <li>{@code lines}: landing lines of the date (bronze.listens);
 *   <li>{@code quarantine_rate}: lines quarantined / lines, and {@code quarantine_rate.<reason>}
 *       for each reason the date has, the lines of forgotten users left out of both (their
 *       quarantine is {@code forget}'s doing, not a fault of the data);
 *   <li>{@code forgotten_share}: lines of forgotten users (quarantined as {@code forgotten_user}) /
 *       lines;
 *   <li>{@code duplicate_share}: lines that passed the contract but repeat a listen silver already
 *       had (its first copy arrived earlier) / lines that passed;
 *   <li>{@code listens} and {@code users}: listens first seen on the date, and their listeners,
 *       bots left out; {@code bot_users}: listeners with more plays on one day than {@code
 *       listens.bot-plays-per-day} among them (the weekly matrix's rule, {@link FeedbackMatrix});
 *   <li>{@code late_share}: those human listens played more than a day before the date / listens.
 * </ul>
 */
public final class QualityMetrics {

  public static final String LINES = "lines";
  public static final String LISTENS = "listens";
  public static final String USERS = "users";
  public static final String BOT_USERS = "bot_users";
  public static final String QUARANTINE_RATE = "quarantine_rate";
  public static final String FORGOTTEN_SHARE = "forgotten_share";
  public static final String DUPLICATE_SHARE = "duplicate_share";
  public static final String LATE_SHARE = "late_share";

  private QualityMetrics() {}

  /** The metric of one quarantine reason's share of the lines. */
  public static String quarantineRate(String reason) {
    return QUARANTINE_RATE + "." + reason;
  }

  /** The dates' metrics from the lake's bronze, quarantine and silver listens. */
  public static SortedMap<LocalDate, Map<String, Double>> measure(
      Lake lake, List<LocalDate> dates, int latenessHorizonDays, int botPlaysPerDay) {
    LocalDate first = Collections.min(dates);
    LocalDate last = Collections.max(dates);
    Dataset<Row> bronze = lake.read(BRONZE_LISTENS).filter(Partitions.in("ingest_date", dates));
    // A listen's event date lies within the lateness horizon before its arrival and at most a day
    // after (the future skew): the event-date partitions to read.
    Dataset<Row> listens =
        lake.read(SILVER_LISTENS)
            .filter(
                col("event_date")
                    .geq(lit(java.sql.Date.valueOf(first.minusDays(latenessHorizonDays + 1)))))
            .filter(col("event_date").leq(lit(java.sql.Date.valueOf(last.plusDays(1)))))
            .filter(Partitions.in("ingest_date", dates));
    return measure(
        bronze,
        lake.read(SILVER_QUARANTINE)
            .filter(Partitions.in("ingest_date", dates))
            .filter(col("feed").equalTo(BuildSilver.FEED)),
        listens,
        dates,
        botPlaysPerDay);
  }

  /**
   * The metrics of {@code dates} from their landing lines ({@code ingest_date}), their rejects
   * ({@code ingest_date, reason}) and the listens first seen on them ({@code ingest_date, user_id,
   * event_date}).
   */
  static SortedMap<LocalDate, Map<String, Double>> measure(
      Dataset<Row> lines,
      Dataset<Row> rejects,
      Dataset<Row> listens,
      List<LocalDate> dates,
      int botPlaysPerDay) {
    Analyses onLines = new Analyses(lines);
    Analyses onRejects = new Analyses(rejects);
    Analyses onUsers = new Analyses(perUser(listens, botPlaysPerDay));
    for (LocalDate date : dates) {
      String on = "ingest_date = DATE'" + date + "'";
      onLines.add(date, LINES, Size.apply(Option.apply(on)));
      onRejects.add(date, "rejects", Size.apply(Option.apply(on)));
      for (String reason : ListenContract.REASONS) {
        onRejects.add(
            date, reason, Size.apply(Option.apply(on + " AND reason = '" + reason + "'")));
      }
      String humans = on + " AND NOT bot";
      onUsers.add(date, "new", Sum.apply("plays", Option.apply(on)));
      onUsers.add(date, LISTENS, Sum.apply("plays", Option.apply(humans)));
      onUsers.add(date, USERS, Size.apply(Option.apply(humans)));
      onUsers.add(date, BOT_USERS, Size.apply(Option.apply(on + " AND bot")));
      onUsers.add(date, "late", Sum.apply("late", Option.apply(humans)));
    }
    Map<LocalDate, Map<String, Double>> counted = onLines.run();
    Map<LocalDate, Map<String, Double>> rejected = onRejects.run();
    Map<LocalDate, Map<String, Double>> users = onUsers.run();

    SortedMap<LocalDate, Map<String, Double>> metrics = new TreeMap<>();
    for (LocalDate date : dates) {
      Map<String, Double> of = new LinkedHashMap<>();
      Map<String, Double> rejects_ = rejected.get(date);
      Map<String, Double> listens_ = users.get(date);
      double lineCount = counted.get(date).get(LINES);
      double rejectCount = rejects_.get("rejects");
      double passed = lineCount - rejectCount;
      double fresh = listens_.get("new");
      double forgotten = rejects_.get(ListenContract.Reasons.FORGOTTEN_USER);
      // The lines the contract judged: a forgotten user's are quarantined by request.
      double judged = lineCount - forgotten;
      of.put(LINES, lineCount);
      of.put(LISTENS, listens_.get(LISTENS));
      of.put(USERS, listens_.get(USERS));
      of.put(BOT_USERS, listens_.get(BOT_USERS));
      of.put(QUARANTINE_RATE, share(rejectCount - forgotten, judged));
      of.put(FORGOTTEN_SHARE, share(forgotten, lineCount));
      of.put(DUPLICATE_SHARE, share(passed - fresh, passed));
      of.put(LATE_SHARE, share(listens_.get("late"), listens_.get(LISTENS)));
      for (String reason : ListenContract.REASONS) {
        double rows = rejects_.get(reason);
        if (rows > 0 && !reason.equals(ListenContract.Reasons.FORGOTTEN_USER)) {
          of.put(quarantineRate(reason), share(rows, judged));
        }
      }
      metrics.put(date, of);
    }
    return metrics;
  }

  /**
   * One row per arrival date and listener: {@code plays} first seen on the date, the {@code late}
   * ones among them, and whether the listener is a {@code bot} by those plays.
   */
  private static Dataset<Row> perUser(Dataset<Row> listens, int botPlaysPerDay) {
    return listens
        .groupBy(col("ingest_date"), col("user_id"), col("event_date"))
        .agg(count(lit(1)).as("plays"))
        .groupBy(col("ingest_date"), col("user_id"))
        .agg(
            sum("plays").as("plays"),
            sum(when(datediff(col("ingest_date"), col("event_date")).gt(1), col("plays"))
                    .otherwise(0))
                .as("late"),
            FeedbackMatrix.isBot(max("plays"), botPlaysPerDay).as("bot"));
  }

  private static double share(double part, double whole) {
    return whole == 0 ? 0 : part / whole;
  }

  /** Deequ analyzers over one dataset, each named by date and metric; run in one scan. */
  private static final class Analyses {

    private final AnalysisRunBuilder runner;
    private final Map<Analyzer<?, Metric<?>>, Map.Entry<LocalDate, String>> names =
        new LinkedHashMap<>();

    Analyses(Dataset<Row> data) {
      this.runner = AnalysisRunner.onData(data);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void add(LocalDate date, String name, Analyzer analyzer) {
      names.put(analyzer, Map.entry(date, name));
      runner.addAnalyzer(analyzer);
    }

    Map<LocalDate, Map<String, Double>> run() {
      AnalyzerContext context = runner.run();
      Map<LocalDate, Map<String, Double>> values = new TreeMap<>();
      names.forEach(
          (analyzer, name) -> {
            Option<Metric<?>> metric = context.metric(analyzer);
            Object value;
            if (metric.isDefined() && metric.get().value().isSuccess()) {
              value = metric.get().value().get();
            } else if (metric.isDefined()
                && metric.get().value().failed().get() instanceof EmptyStateException) {
              // A sum over no rows (a date with no listens): Deequ has no state, the sum is 0.
              value = 0.0;
            } else {
              throw new PipelineException(
                  "data quality: Deequ could not measure "
                      + name.getValue()
                      + " of "
                      + name.getKey()
                      + (metric.isEmpty()
                          ? ""
                          : ": " + metric.get().value().failed().get().getMessage()));
            }
            values
                .computeIfAbsent(name.getKey(), date -> new LinkedHashMap<>())
                .put(name.getValue(), ((Number) value).doubleValue());
          });
      return values;
    }
  }
}
