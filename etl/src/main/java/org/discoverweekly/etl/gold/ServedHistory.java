package org.discoverweekly.etl.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.discoverweekly.etl.storage.Table.GOLD_DISCOVER_WEEKLY;
import static org.discoverweekly.etl.storage.Table.OPS_PIPELINE_RUNS;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.config.PipelineConfig.MemorySettings;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.storage.Lake;

/**
 * The playlists served in the weeks before W, and what they mean for W: the tracks not to serve
 * again and each user's recently featured artists, down-weighted by age. A week counts as served
 * when its latest successful publish or rollback in {@code ops.pipeline_runs} is a publish, and its
 * slots are the {@code gold.discover_weekly} rows that publish read, at the version it recorded.
 */
public final class ServedHistory {

  private ServedHistory() {}

  /** The memory W's ranking takes: tracks not to repeat and artist weights, per user. */
  public record Memory(Dataset<Row> repeats, Dataset<Row> artistWeights) {}

  /**
   * The slots ({@code week, user_id, track_id, artist_id}) served in the {@code weeks} weeks before
   * W, as the ledger recorded them at {@code ledgerVersion} (-1: no ledger yet, nothing served).
   */
  public static Dataset<Row> read(Lake lake, long ledgerVersion, LocalDate week, int weeks) {
    return read(lake, weeks(lake, ledgerVersion, week, weeks));
  }

  /**
   * The slots ({@code week, user_id, track_id, artist_id}) of {@code served} weeks, each at the
   * {@code gold.discover_weekly} version its publish read ({@link #weeks}).
   */
  public static Dataset<Row> read(Lake lake, Map<LocalDate, Long> served) {
    Dataset<Row> none =
        lake.spark()
            .createDataFrame(List.of(), GOLD_DISCOVER_WEEKLY.schema())
            .select("week", "user_id", "track_id", "artist_id");
    Dataset<Row> slots = none;
    for (Map.Entry<LocalDate, Long> week : served.entrySet()) {
      slots =
          slots.unionByName(
              lake.read(GOLD_DISCOVER_WEEKLY, week.getValue())
                  .filter(col("week").equalTo(lit(Date.valueOf(week.getKey()))))
                  .select("week", "user_id", "track_id", "artist_id"));
    }
    return slots;
  }

  /**
   * The served weeks among the {@code weeks} before W, with the {@code gold.discover_weekly}
   * version each one's publish read, as the ledger recorded them at {@code ledgerVersion} (-1: no
   * ledger yet, none): what {@link #read} reads the slots of.
   */
  public static Map<LocalDate, Long> weeks(
      Lake lake, long ledgerVersion, LocalDate week, int weeks) {
    return ledgerVersion < 0 || weeks == 0
        ? Map.of()
        : servedWeeks(lake.read(OPS_PIPELINE_RUNS, ledgerVersion), week, weeks);
  }

  /** The served weeks of {@code served} ({@link #weeks}) among the {@code weeks} before W. */
  public static Map<LocalDate, Long> within(
      Map<LocalDate, Long> served, LocalDate week, int weeks) {
    Map<LocalDate, Long> within = new TreeMap<>(served);
    within.keySet().removeIf(servedWeek -> servedWeek.isBefore(week.minusWeeks(weeks)));
    return within;
  }

  /**
   * The served weeks among the {@code weeks} before W, with the {@code gold.discover_weekly}
   * version each one's publish read: by each week's latest publish or rollback that succeeded.
   */
  static Map<LocalDate, Long> servedWeeks(Dataset<Row> ledger, LocalDate week, int weeks) {
    List<Row> runs =
        ledger
            .filter(col("stage").isin(Stage.PUBLISH, Stage.ROLLBACK))
            .filter(col("status").equalTo(StageOutcome.SUCCEEDED))
            .filter(col("week").geq(lit(Date.valueOf(week.minusWeeks(weeks)))))
            .filter(col("week").lt(lit(Date.valueOf(week))))
            .orderBy(col("week"), col("finished_at"), col("run_id"))
            .select("week", "stage", "input_versions")
            .collectAsList();
    Map<LocalDate, Long> served = new TreeMap<>();
    for (Row run : runs) {
      LocalDate runWeek = run.getDate(0).toLocalDate();
      Long version =
          run.isNullAt(2)
              ? null
              : run.<String, Long>getJavaMap(2).get(GOLD_DISCOVER_WEEKLY.sqlName());
      if (Stage.PUBLISH.equals(run.getString(1)) && version != null) {
        served.put(runWeek, version);
      } else {
        served.remove(runWeek);
      }
    }
    return served;
  }

  /**
   * W's memory of {@code served} slots ({@code week, user_id, track_id, artist_id}): every track
   * served is a repeat ({@code user_id, track_id}); each artist featured gets a weight ({@code
   * user_id, artist_id, weight}), the product over the weeks it was featured of {@code fatigue ^
   * ((n − age + 1) / n)} for a week {@code age} weeks before W of the last {@code n}: the full
   * factor a week ago, fading to {@code fatigue ^ (1/n)} at n weeks.
   */
  public static Memory transform(Dataset<Row> served, LocalDate week, MemorySettings settings) {
    Dataset<Row> repeats = served.select("user_id", "track_id").distinct();
    int n = settings.repeatWeeks();
    if (settings.artistFatigue() >= 1 || n == 0) {
      return new Memory(repeats, null);
    }
    Dataset<Row> featured =
        served
            .select("week", "user_id", "artist_id")
            .distinct()
            .withColumn(
                "age", datediff(lit(Date.valueOf(week)), col("week")).divide(7).cast("int"));
    Dataset<Row> weights =
        featured
            .groupBy("user_id", "artist_id")
            // A product of the weeks' factors, as the exponent of a sum of their logarithms.
            .agg(
                exp(sum(lit(n + 1).minus(col("age")).divide(n))
                        .multiply(Math.log(settings.artistFatigue())))
                    .as("weight"));
    return new Memory(repeats, weights);
  }
}
