package org.discoverweekly.etl.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.discoverweekly.etl.storage.Table.OPS_MODELS;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;
import org.discoverweekly.models.RankingQuality;

/**
 * {@code ops.models}, the model registry: one row per week and trained model, whose status moves
 * {@code candidate} → {@code accepted} | {@code rejected} (the quality gate) → {@code served}
 * (publish) → {@code rolled_back} (rollback) or {@code replaced} (another model of the week
 * published), with the time of each move. A row exists only for a model whose files were saved
 * whole. Each change rewrites the week's rows in one Delta commit, and only when a row changes, so
 * a rerun that changes nothing commits nothing.
 */
public final class ModelRegistry {

  public static final String CANDIDATE = "candidate";
  public static final String ACCEPTED = "accepted";
  public static final String REJECTED = "rejected";
  public static final String SERVED = "served";
  public static final String ROLLED_BACK = "rolled_back";
  public static final String REPLACED = "replaced";

  /** The backtest of a model, as {@code gold.model_metrics} holds it. */
  public record Backtested(int k, long users, double ndcg, double recall, double popularityNdcg) {

    public static Backtested of(RankingQuality.Metrics als, RankingQuality.Metrics popularity) {
      return new Backtested(als.k(), als.users(), als.ndcg(), als.recall(), popularity.ndcg());
    }
  }

  /** What trained a model: the weekly settings and their hash, its inputs, its folder, when. */
  public record Trained(
      Map<String, String> recipe,
      String recipeHash,
      Map<String, Long> inputVersions,
      String path,
      Instant at) {}

  /**
   * A model's backtest and the gate's verdict on it, with its reason and time; a backtest that no
   * gate judged ({@code evaluate} alone on a model not judged yet) has none of the three.
   */
  public record Judged(Backtested backtested, String verdict, String reason, Instant at) {}

  /** One registered model: how it was trained, judged (null: not yet), and where it is now. */
  public record Entry(
      LocalDate week,
      String modelVersion,
      String status,
      Trained trained,
      Judged judged,
      Instant servedAt,
      Instant rolledBackAt,
      Instant changedAt) {

    public Backtested backtested() {
      return judged == null ? null : judged.backtested();
    }

    public String verdict() {
      return judged == null ? null : judged.verdict();
    }

    public Instant judgedAt() {
      return judged == null ? null : judged.at();
    }

    public boolean accepted() {
      return ACCEPTED.equals(verdict());
    }

    Entry moved(String newStatus, Instant now) {
      boolean withdrawn = ROLLED_BACK.equals(newStatus) || REPLACED.equals(newStatus);
      return with(
          newStatus,
          judged,
          SERVED.equals(newStatus) ? now : servedAt,
          withdrawn ? now : rolledBackAt,
          changedAt);
    }

    Entry judged(Judged newJudged) {
      return with(status, newJudged, servedAt, rolledBackAt, changedAt);
    }

    Entry touched(Instant now) {
      return with(status, judged, servedAt, rolledBackAt, now);
    }

    private Entry with(
        String newStatus, Judged newJudged, Instant served, Instant rolledBack, Instant changed) {
      return new Entry(
          week, modelVersion, newStatus, trained, newJudged, served, rolledBack, changed);
    }
  }

  private final Lake lake;
  private final Clock clock;

  public ModelRegistry(Lake lake, Clock clock) {
    this.lake = lake;
    this.clock = clock;
  }

  /** W's registered models, oldest trained first. */
  public List<Entry> week(LocalDate week) {
    if (!lake.exists(OPS_MODELS)) {
      return List.of();
    }
    return lake
        .read(OPS_MODELS)
        .filter(col("week").equalTo(lit(Date.valueOf(week))))
        .collectAsList()
        .stream()
        .map(ModelRegistry::entry)
        .sorted(Comparator.comparing(e -> e.trained().at()))
        .toList();
  }

  public Optional<Entry> find(LocalDate week, String modelVersion) {
    return week(week).stream().filter(e -> e.modelVersion().equals(modelVersion)).findFirst();
  }

  /**
   * Registers a saved model as a candidate; a model already registered (kept by a rerun) stays as
   * it is.
   */
  public void trained(
      LocalDate week,
      String modelVersion,
      Map<String, String> config,
      Map<String, Long> inputs,
      String path) {
    Map<String, String> recipe = new TreeMap<>(config);
    String hash = recipe.remove("hash");
    recipe.remove("model_version");
    update(
        week,
        (entries, now) -> {
          if (entries.stream().noneMatch(e -> e.modelVersion().equals(modelVersion))) {
            Trained trained = new Trained(recipe, hash, new TreeMap<>(inputs), path, now);
            entries.add(new Entry(week, modelVersion, CANDIDATE, trained, null, null, null, now));
          }
        });
  }

  /** Removes a model about to be trained again: its files are rewritten, and may be left half. */
  public void discard(LocalDate week, String modelVersion) {
    update(week, (entries, now) -> entries.removeIf(e -> e.modelVersion().equals(modelVersion)));
  }

  /** Records a backtest of a registered model that no gate judged ({@code evaluate} alone). */
  public void backtested(LocalDate week, String modelVersion, Backtested metrics) {
    change(
        week,
        modelVersion,
        (e, now) ->
            e.judged(
                e.judged() == null
                    ? new Judged(metrics, null, null, null)
                    : new Judged(metrics, e.verdict(), e.judged().reason(), e.judgedAt())));
  }

  /** The gate's verdict on one model of a week: {@link #judged(LocalDate, List)}. */
  public record Verdict(String modelVersion, Backtested metrics, boolean accepted, String reason) {

    String status() {
      return accepted ? ACCEPTED : REJECTED;
    }

    boolean repeatedBy(Entry e) {
      return e.modelVersion().equals(modelVersion)
          && status().equals(e.verdict())
          && metrics.equals(e.backtested())
          && reason.equals(e.judged().reason());
    }
  }

  /** {@link #judged(LocalDate, List)} of one model. */
  public void judged(
      LocalDate week, String modelVersion, Backtested metrics, boolean accepted, String reason) {
    judged(week, List.of(new Verdict(modelVersion, metrics, accepted, reason)));
  }

  /**
   * Records the gate's verdicts on registered models of W and the backtests they judged, in one
   * write, in order: the last is the week's latest ({@code judged_at} orders the week's verdicts,
   * each a microsecond after the one before, the last at the write's time). A model not yet served
   * moves to accepted or rejected, a served one keeps its status (publish serves only an accepted
   * verdict). A rerun that repeats the week's latest verdicts, in the same order, on the same
   * backtests, changes nothing.
   */
  public void judged(LocalDate week, List<Verdict> verdicts) {
    update(
        week,
        (entries, now) -> {
          if (repeats(entries, verdicts)) {
            return;
          }
          for (int i = 0; i < verdicts.size(); i++) {
            Verdict verdict = verdicts.get(i);
            Instant at = now.minus(verdicts.size() - 1 - i, ChronoUnit.MICROS);
            entries.replaceAll(
                e -> {
                  if (!e.modelVersion().equals(verdict.modelVersion())) {
                    return e;
                  }
                  Judged judged =
                      new Judged(verdict.metrics(), verdict.status(), verdict.reason(), at);
                  boolean unserved = List.of(CANDIDATE, ACCEPTED, REJECTED).contains(e.status());
                  return unserved ? e.judged(judged).moved(verdict.status(), at) : e.judged(judged);
                });
          }
        });
  }

  /** Whether the week's last judged models are {@code verdicts}' models, judged so, in order. */
  private static boolean repeats(List<Entry> entries, List<Verdict> verdicts) {
    List<Entry> judged =
        entries.stream()
            .filter(e -> e.judgedAt() != null)
            .sorted(Comparator.comparing(Entry::judgedAt))
            .toList();
    if (judged.size() < verdicts.size()) {
      return false;
    }
    List<Entry> last = judged.subList(judged.size() - verdicts.size(), judged.size());
    for (int i = 0; i < verdicts.size(); i++) {
      if (!verdicts.get(i).repeatedBy(last.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** W's model the gate judged last, if it judged one. */
  public Optional<Entry> latestJudged(LocalDate week) {
    return latestJudged(week(week));
  }

  private static Optional<Entry> latestJudged(List<Entry> entries) {
    return entries.stream()
        .filter(e -> e.judgedAt() != null)
        .max(Comparator.comparing(Entry::judgedAt));
  }

  /** Marks a model served for its week, and the week's model served before it replaced. */
  public void served(LocalDate week, String modelVersion) {
    update(
        week,
        (entries, now) ->
            entries.replaceAll(
                e ->
                    e.modelVersion().equals(modelVersion)
                        ? e.moved(SERVED, now)
                        : SERVED.equals(e.status()) ? e.moved(REPLACED, now) : e));
  }

  /** Marks a served model rolled back; a model not registered or not served is left alone. */
  public void rolledBack(LocalDate week, String modelVersion) {
    change(
        week, modelVersion, (e, now) -> SERVED.equals(e.status()) ? e.moved(ROLLED_BACK, now) : e);
  }

  /**
   * The model of the newest week before {@code week} that the gate accepted; a week counts by the
   * model it judged last, so a rerun that was rejected withdraws the week and an older one counts.
   */
  public Optional<Entry> lastAcceptedBefore(LocalDate week) {
    if (!lake.exists(OPS_MODELS)) {
      return Optional.empty();
    }
    Map<LocalDate, List<Entry>> byWeek = new TreeMap<>(Comparator.reverseOrder());
    lake
        .read(OPS_MODELS)
        .filter(col("week").lt(lit(Date.valueOf(week))).and(col("judged_at").isNotNull()))
        .collectAsList()
        .stream()
        .map(ModelRegistry::entry)
        .forEach(e -> byWeek.computeIfAbsent(e.week(), w -> new ArrayList<>()).add(e));
    return byWeek.values().stream()
        .map(ModelRegistry::latestJudged)
        .flatMap(Optional::stream)
        .filter(Entry::accepted)
        .findFirst();
  }

  private void change(LocalDate week, String modelVersion, BiFunction<Entry, Instant, Entry> how) {
    update(
        week,
        (entries, now) ->
            entries.replaceAll(e -> e.modelVersion().equals(modelVersion) ? how.apply(e, now) : e));
  }

  /**
   * Applies {@code how} to W's rows at one reading of the clock, the time of every move it makes
   * and of {@code changed_at}, and writes them, each changed one touched, when any changed.
   */
  private void update(LocalDate week, BiConsumer<List<Entry>, Instant> how) {
    Instant now = clock.instant();
    List<Entry> before = week(week);
    List<Entry> after = new ArrayList<>(before);
    how.accept(after, now);
    if (after.equals(before)) {
      return;
    }
    List<Row> rows =
        after.stream()
            .map(e -> before.contains(e) ? e : e.touched(now))
            .map(ModelRegistry::row)
            .toList();
    lake.overwrite(
        OPS_MODELS,
        lake.spark().createDataFrame(rows, OPS_MODELS.schema()),
        Partitions.in("week", List.of(week)));
  }

  private static Row row(Entry e) {
    Trained t = e.trained();
    Backtested b = e.backtested();
    return RowFactory.create(
        Date.valueOf(e.week()),
        e.modelVersion(),
        e.status(),
        t.recipe(),
        t.recipeHash(),
        t.inputVersions(),
        t.path(),
        b == null ? null : b.k(),
        b == null ? null : b.users(),
        b == null ? null : b.ndcg(),
        b == null ? null : b.recall(),
        b == null ? null : b.popularityNdcg(),
        e.verdict(),
        e.judged() == null ? null : e.judged().reason(),
        timestamp(t.at()),
        timestamp(e.judgedAt()),
        timestamp(e.servedAt()),
        timestamp(e.rolledBackAt()),
        timestamp(e.changedAt()));
  }

  private static Entry entry(Row row) {
    Backtested backtested =
        row.isNullAt(row.fieldIndex("ndcg"))
            ? null
            : new Backtested(
                row.getAs("k"),
                row.getAs("users"),
                row.getAs("ndcg"),
                row.getAs("recall"),
                row.getAs("popularity_ndcg"));
    Trained trained =
        new Trained(
            new TreeMap<>(row.<String, String>getJavaMap(row.fieldIndex("recipe"))),
            row.getAs("recipe_hash"),
            new TreeMap<>(row.<String, Long>getJavaMap(row.fieldIndex("input_versions"))),
            row.getAs("path"),
            instant(row, "trained_at"));
    return new Entry(
        row.getDate(row.fieldIndex("week")).toLocalDate(),
        row.getAs("model_version"),
        row.getAs("status"),
        trained,
        backtested == null
            ? null
            : new Judged(
                backtested, row.getAs("verdict"), row.getAs("reason"), instant(row, "judged_at")),
        instant(row, "served_at"),
        instant(row, "rolled_back_at"),
        instant(row, "changed_at"));
  }

  private static Timestamp timestamp(Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }

  private static Instant instant(Row row, String column) {
    int field = row.fieldIndex(column);
    return row.isNullAt(field) ? null : row.getTimestamp(field).toInstant();
  }
}
