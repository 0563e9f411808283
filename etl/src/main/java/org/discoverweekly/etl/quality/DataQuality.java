package org.discoverweekly.etl.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.discoverweekly.etl.storage.Table.OPS_DATA_QUALITY;
import static org.discoverweekly.etl.storage.Table.OPS_PIPELINE_RUNS;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.ListenRules;
import org.discoverweekly.etl.config.PipelineConfig.QualitySettings;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.quality.AnomalyRules.Judged;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silver's data-quality check of arrival dates: their metrics ({@link QualityMetrics}) judged in
 * date order against the trailing dates before each ({@link AnomalyRules}), written to {@code
 * ops.data_quality}. A trailing date counts unless it is anomalous and not acknowledged: an
 * acknowledgement ({@code ack}, a run of stage {@value Stage#ACK} in the ledger) covers the
 * anomalies measured before it, and a rerun of silver for the date measures it afresh.
 */
public final class DataQuality {

  private static final Logger LOG = LoggerFactory.getLogger(DataQuality.class);

  /** The ledger's stage of an acknowledgement of an anomalous date. */
  private final Lake lake;

  private final QualitySettings settings;
  private final ListenRules rules;
  private final Clock clock;

  public DataQuality(Lake lake, QualitySettings settings, ListenRules rules, Clock clock) {
    this.lake = lake;
    this.settings = settings;
    this.rules = rules;
    this.clock = clock;
  }

  /** The lake whose dates this check measures and records. */
  public Lake lake() {
    return lake;
  }

  /**
   * One arrival date's metrics as judged; {@code judged} is false when the date had too few
   * trailing listens to be judged ({@link AnomalyRules.Judgement}): measured and recorded only.
   */
  public record Verdict(LocalDate date, boolean judged, List<Judged> metrics) {

    /** {@link #quality()} of a date judged and found clean. */
    public static final String OK = "ok";

    /** {@link #quality()} of a date measured but not judged. */
    public static final String UNJUDGED = "unjudged";

    /** The date's data quality in a word: anomalous, ok, or unjudged. */
    public String quality() {
      return anomalous() ? StageOutcome.ANOMALOUS : judged ? OK : UNJUDGED;
    }

    public boolean anomalous() {
      return metrics.stream().anyMatch(m -> m.anomaly().isPresent());
    }

    /**
     * The date's anomalies in one line; a quarantine anomaly names the reason with the largest
     * share.
     */
    public String anomalies() {
      return metrics.stream()
          .filter(m -> m.anomaly().isPresent())
          .map(
              m ->
                  m.anomaly().get()
                      + (m.metric().equals(QualityMetrics.QUARANTINE_RATE) ? top() : ""))
          .collect(Collectors.joining("; "));
    }

    private String top() {
      String prefix = QualityMetrics.QUARANTINE_RATE + ".";
      return metrics.stream()
          .filter(m -> m.metric().startsWith(prefix))
          .max(Comparator.comparingDouble(Judged::value))
          .map(
              m ->
                  " (most of it "
                      + m.metric().substring(prefix.length())
                      + ": "
                      + AnomalyRules.percent(m.value())
                      + ")")
          .orElse("");
    }
  }

  /**
   * Measures and judges {@code dates} (in date order, each against the dates before it) and
   * replaces their rows of {@code ops.data_quality}.
   */
  public SortedMap<LocalDate, Verdict> check(List<LocalDate> dates) {
    long started = System.nanoTime();
    SortedMap<LocalDate, Verdict> verdicts =
        judge(
            QualityMetrics.measure(
                lake, dates, rules.latenessHorizonDays(), rules.botPlaysPerDay()));
    LOG.info(
        "data quality of {} date(s) measured and judged in {} s",
        dates.size(),
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
    return verdicts;
  }

  /** Judges measured dates in date order and replaces their rows of {@code ops.data_quality}. */
  SortedMap<LocalDate, Verdict> judge(SortedMap<LocalDate, Map<String, Double>> measured) {
    List<LocalDate> sorted = List.copyOf(measured.keySet());
    // The trailing dates' metrics: recorded ones before the first date, then each date judged.
    TreeMap<LocalDate, Map<String, Double>> usable = new TreeMap<>(usableBefore(sorted.get(0)));
    SortedMap<LocalDate, Verdict> verdicts = new TreeMap<>();
    for (LocalDate date : sorted) {
      List<Map<String, Double>> trailing =
          usable.headMap(date, false).descendingMap().values().stream()
              .limit(settings.trailingDates())
              .toList();
      AnomalyRules.Judgement judgement = AnomalyRules.judge(measured.get(date), trailing, settings);
      Verdict verdict = new Verdict(date, judgement.judged(), judgement.metrics());
      verdicts.put(date, verdict);
      if (!verdict.anomalous()) {
        usable.put(date, measured.get(date));
      }
    }
    write(verdicts, clock.instant());
    return verdicts;
  }

  /** An arrival date's recorded anomalies in one line, and whether {@code ack} covers them. */
  public record RecordedAnomaly(String anomalies, boolean acknowledged) {}

  /**
   * The arrival dates in [{@code from}, {@code to}) whose latest measurement recorded an anomaly,
   * by date: a date silver measured afresh and found clean is not among them.
   */
  public SortedMap<LocalDate, RecordedAnomaly> anomalies(LocalDate from, LocalDate to) {
    SortedMap<LocalDate, RecordedAnomaly> anomalies = new TreeMap<>();
    Recorded recorded = recorded(from, to);
    recorded.anomalies.forEach(
        (date, anomaly) ->
            anomalies.put(date, new RecordedAnomaly(anomaly, recorded.acknowledged(date))));
    return anomalies;
  }

  /**
   * The anomalies of the arrival dates in [{@code from}, {@code to}) that no acknowledgement
   * covers, by date, each in one line.
   */
  public SortedMap<LocalDate, String> unacknowledged(LocalDate from, LocalDate to) {
    SortedMap<LocalDate, String> open = new TreeMap<>();
    anomalies(from, to)
        .forEach(
            (date, anomaly) -> {
              if (!anomaly.acknowledged()) {
                open.put(date, anomaly.anomalies());
              }
            });
    return open;
  }

  /** Gives the run of each anomalous date among {@code verdicts} the status that says so. */
  public static void markAnomalous(
      SortedMap<LocalDate, StageOutcome> outcomes, Map<LocalDate, Verdict> verdicts) {
    outcomes.replaceAll(
        (date, outcome) ->
            verdicts.get(date).anomalous()
                ? outcome.withStatus(StageOutcome.ANOMALOUS, verdicts.get(date).anomalies())
                : outcome);
  }

  /**
   * Fails with a {@link DataAnomalyException} naming the anomalous dates among {@code verdicts} and
   * what to do about them; nothing when none is.
   */
  public static void requireNoAnomaly(Collection<Verdict> verdicts) {
    List<String> anomalous =
        verdicts.stream()
            .filter(Verdict::anomalous)
            .map(verdict -> verdict.date() + " (" + verdict.anomalies() + ")")
            .toList();
    if (!anomalous.isEmpty()) {
      throw new DataAnomalyException(
          "anomalous data on "
              + String.join(", ", anomalous)
              + "; silver was built and recorded it. Check the landing files; then rerun silver"
              + " for the date once fixed, or accept it with ack --date D --reason TEXT"
              + " (quality.on-anomaly = fail)");
    }
  }

  /**
   * Fails with a {@link DataAnomalyException} when an arrival date of week W's history window (the
   * {@code historyDays} before W) is anomalous and not acknowledged.
   */
  public void requireAcknowledged(LocalDate week, int historyDays) {
    SortedMap<LocalDate, String> open = unacknowledged(week.minusDays(historyDays), week);
    if (!open.isEmpty()) {
      LocalDate first = open.firstKey();
      throw new DataAnomalyException(
          String.format(
              "week %s reads %d anomalous arrival date(s) not acknowledged, first %s (%s): rerun"
                  + " silver --date %s once the data is fixed, or ack --date %s --reason TEXT to"
                  + " build from it as it is",
              week, open.size(), first, open.get(first), first, first));
    }
  }

  /** The recorded anomalies of {@code date}, in one line; a one-line error when it has none. */
  public String anomaliesOf(LocalDate date) {
    Optional<String> anomaly =
        Optional.ofNullable(recorded(date, date.plusDays(1)).anomalies.get(date));
    return anomaly.orElseThrow(
        () ->
            new PipelineException(
                date
                    + " has no anomaly in ops.data_quality to acknowledge"
                    + " (silver measures each date it builds)"));
  }

  /**
   * The metrics of recorded dates before {@code first} that may be trailing dates: those with no
   * anomaly, or whose anomalies were acknowledged.
   */
  private Map<LocalDate, Map<String, Double>> usableBefore(LocalDate first) {
    // Enough dates back to find the trailing ones past a few anomalous dates or a gap.
    LocalDate from = first.minusDays(4L * settings.trailingDates() + 28);
    Recorded recorded = recorded(from, first);
    Map<LocalDate, Map<String, Double>> usable = new HashMap<>();
    recorded.metrics.forEach(
        (date, metrics) -> {
          if (!recorded.anomalies.containsKey(date) || recorded.acknowledged(date)) {
            usable.put(date, metrics);
          }
        });
    return usable;
  }

  /** What {@code ops.data_quality} and the ledger's acknowledgements hold for [from, to). */
  private Recorded recorded(LocalDate from, LocalDate to) {
    Recorded recorded = new Recorded();
    if (!lake.exists(OPS_DATA_QUALITY)) {
      return recorded;
    }
    String range = "date >= DATE'" + from + "' AND date < DATE'" + to + "'";
    for (Row row :
        lake.read(OPS_DATA_QUALITY)
            .filter(range)
            .select("date", "metric", "value", "anomaly", "measured_at")
            // A date's anomalies join in the metrics' order, the same on every read.
            .orderBy("date", "metric")
            .collectAsList()) {
      LocalDate date = row.getDate(0).toLocalDate();
      recorded
          .metrics
          .computeIfAbsent(date, d -> new LinkedHashMap<>())
          .put(row.getString(1), row.getDouble(2));
      recorded.measuredAt.merge(
          date, row.getTimestamp(4).toInstant(), (a, b) -> a.isAfter(b) ? a : b);
      if (!row.isNullAt(3)) {
        recorded.anomalies.merge(date, row.getString(3), (a, b) -> a + "; " + b);
      }
    }
    if (!recorded.anomalies.isEmpty() && lake.exists(OPS_PIPELINE_RUNS)) {
      for (Row ack :
          lake.read(OPS_PIPELINE_RUNS)
              .filter(col("stage").equalTo(lit(Stage.ACK)))
              .filter(range)
              .select("date", "finished_at")
              .collectAsList()) {
        recorded.acknowledgedAt.merge(
            ack.getDate(0).toLocalDate(),
            ack.getTimestamp(1).toInstant(),
            (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    return recorded;
  }

  private static final class Recorded {
    final Map<LocalDate, Map<String, Double>> metrics = new HashMap<>();
    final SortedMap<LocalDate, String> anomalies = new TreeMap<>();
    final Map<LocalDate, Instant> measuredAt = new HashMap<>();
    final Map<LocalDate, Instant> acknowledgedAt = new HashMap<>();

    /** Whether an acknowledgement came after the date was last measured. */
    boolean acknowledged(LocalDate date) {
      Instant ack = acknowledgedAt.get(date);
      return ack != null && !ack.isBefore(measuredAt.get(date));
    }
  }

  private void write(SortedMap<LocalDate, Verdict> verdicts, Instant measuredAt) {
    List<Row> rows = new ArrayList<>();
    verdicts.forEach(
        (date, verdict) ->
            verdict
                .metrics()
                .forEach(
                    m ->
                        rows.add(
                            RowFactory.create(
                                Date.valueOf(date),
                                m.metric(),
                                m.value(),
                                m.baseline().isPresent() ? m.baseline().getAsDouble() : null,
                                m.trailingDates(),
                                m.anomaly().orElse(null),
                                Timestamp.from(measuredAt)))));
    lake.overwrite(
        OPS_DATA_QUALITY,
        lake.spark().createDataFrame(rows, OPS_DATA_QUALITY.schema()),
        Partitions.in("date", new ArrayList<>(verdicts.keySet())));
  }
}
