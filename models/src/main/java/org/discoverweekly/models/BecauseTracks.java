package org.discoverweekly.models;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.types.DataTypes.IntegerType;

import dev.ludovic.netlib.lapack.LAPACK;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The reason for each ALS slot: the user's played track that contributes most to the slot's score,
 * as Hu, Koren and Volinsky (2008, §5) explain an implicit-feedback prediction. With the item
 * factors Y fixed, user u's factors solve {@code (YᵀY + Yᵀ(Cᵘ − I)Y + λ nᵤ I) xᵤ = Yᵀ Cᵘ pᵘ}, so
 * the score of item i is {@code Σⱼ cᵤⱼ · yᵢᵀ Wᵘ yⱼ} over the tracks j the user played, with {@code
 * Wᵘ} the inverse of that matrix and {@code cᵤⱼ = 1 + α rᵤⱼ}; the track with the largest term is
 * the reason. The terms are Spark's own normal equations for implicit ALS (its regularisation
 * scaled by the user's number of positive ratings nᵤ), so they add up to the model's score.
 */
public final class BecauseTracks {

  /** The rows produced: {@code user_index, position, because_track_index} (null: none played). */
  public static final StructType OUTPUT =
      new StructType()
          .add("user_index", IntegerType, false)
          .add("position", IntegerType, false)
          .add("because_track_index", IntegerType, true);

  private BecauseTracks() {}

  /** The model's item factors by track index, and their Gram matrix YᵀY, shared by every user. */
  record Items(float[] factors, int rank, double[] gram, double alpha, double regParam)
      implements Serializable {

    static Items of(ALSModel model, ImplicitAls.Settings als) {
      List<Row> rows = model.itemFactors().orderBy("id").collectAsList();
      int rank = model.rank();
      int size = rows.isEmpty() ? 0 : rows.get(rows.size() - 1).getInt(0) + 1;
      float[] factors = new float[size * rank];
      for (Row row : rows) {
        List<Float> features = row.getList(1);
        for (int f = 0; f < rank; f++) {
          factors[row.getInt(0) * rank + f] = features.get(f);
        }
      }
      return new Items(factors, rank, gram(factors, rank), als.alpha(), als.regParam());
    }

    /** YᵀY, row-major, over every item of the model. */
    static double[] gram(float[] factors, int rank) {
      double[] gram = new double[rank * rank];
      for (int i = 0; i < factors.length; i += rank) {
        for (int a = 0; a < rank; a++) {
          for (int b = 0; b < rank; b++) {
            gram[a * rank + b] += (double) factors[i + a] * factors[i + b];
          }
        }
      }
      return gram;
    }
  }

  /**
   * The because track of each {@code ranked} slot ({@code user_index, position, track_index}), from
   * the user's rows of {@code matrix} ({@code user_index, track_index, confidence}, the ratings the
   * model was fitted on).
   */
  public static Dataset<Row> explain(
      Dataset<Row> ranked, Dataset<Row> matrix, ALSModel model, ImplicitAls.Settings als) {
    Broadcast<Items> items =
        JavaSparkContext.fromSparkContext(ranked.sparkSession().sparkContext())
            .broadcast(Items.of(model, als));
    Dataset<Row> slots =
        ranked
            .groupBy("user_index")
            .agg(collect_list(struct(col("position"), col("track_index"))).as("slots"));
    // A pair the user only liked (likes counted as streams) weighs in the equations, but is no
    // track the user played.
    Column playedOnly =
        Arrays.asList(matrix.columns()).contains("likes")
            ? col("streams").plus(col("skips")).gt(coalesce(col("likes"), lit(0L)))
            : lit(true);
    Dataset<Row> played =
        matrix
            .join(slots.select("user_index"), "user_index", "left_semi")
            .groupBy("user_index")
            .agg(
                collect_list(struct(col("track_index"), col("confidence"), playedOnly.as("played")))
                    .as("played"));
    return slots
        .join(played, "user_index", "left_outer")
        .flatMap(new Explainer(items), Encoders.row(OUTPUT));
  }

  /** One user's slots explained from their played tracks. */
  private static final class Explainer implements FlatMapFunction<Row, Row> {
    private final Broadcast<Items> shared;

    Explainer(Broadcast<Items> shared) {
      this.shared = shared;
    }

    @Override
    public java.util.Iterator<Row> call(Row user) {
      int userIndex = user.getInt(0);
      List<Row> slots = user.getList(1);
      List<Row> played = user.isNullAt(2) ? List.of() : user.getList(2);
      int[] playedTracks = new int[played.size()];
      double[] ratings = new double[played.size()];
      boolean[] reasons = new boolean[played.size()];
      for (int j = 0; j < playedTracks.length; j++) {
        playedTracks[j] = played.get(j).getInt(0);
        ratings[j] = ((Number) played.get(j).get(1)).doubleValue();
        reasons[j] = played.get(j).getBoolean(2);
      }
      int[] slotTracks = new int[slots.size()];
      for (int s = 0; s < slotTracks.length; s++) {
        slotTracks[s] = slots.get(s).getInt(1);
      }
      int[] because = because(shared.value(), playedTracks, ratings, reasons, slotTracks);
      List<Row> out = new ArrayList<>(slotTracks.length);
      for (int s = 0; s < slotTracks.length; s++) {
        out.add(
            RowFactory.create(
                userIndex, slots.get(s).getInt(0), because[s] < 0 ? null : because[s]));
      }
      return out.iterator();
    }
  }

  /**
   * For each of {@code slots} (track indices), the played track (of {@code played}, with the
   * ratings the model saw) with the largest term, ties to the lower track index; -1 when the user
   * played nothing with a positive rating.
   */
  static int[] because(Items items, int[] played, double[] ratings, int[] slots) {
    boolean[] all = new boolean[played.length];
    Arrays.fill(all, true);
    return because(items, played, ratings, all, slots);
  }

  /** As above, among the played tracks marked in {@code reasons} only (not those only liked). */
  static int[] because(
      Items items, int[] played, double[] ratings, boolean[] reasons, int[] slots) {
    double[][] terms = terms(items, played, ratings, slots);
    int[] because = new int[slots.length];
    for (int s = 0; s < slots.length; s++) {
      because[s] = -1;
      double best = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < played.length; j++) {
        if (reasons[j]
            && ratings[j] > 0
            && (terms[s][j] > best
                || (terms[s][j] == best && because[s] >= 0 && played[j] < because[s]))) {
          best = terms[s][j];
          because[s] = played[j];
        }
      }
    }
    return because;
  }

  /**
   * {@code terms[s][j]}: played track j's term in slot s's score, {@code cⱼ · yₛᵀ Wᵘ yⱼ}; 0 for a
   * track with no positive rating, which adds to the matrix but not to the score.
   */
  static double[][] terms(Items items, int[] played, double[] ratings, int[] slots) {
    int rank = items.rank();
    float[] y = items.factors();
    // A = YᵀY + Σⱼ α|rⱼ| yⱼyⱼᵀ + λ nᵤ I, as Spark's implicit ALS builds each user's equations.
    double[] a = items.gram().clone();
    int positives = 0;
    for (int j = 0; j < played.length; j++) {
      double c1 = items.alpha() * Math.abs(ratings[j]);
      int at = played[j] * rank;
      for (int p = 0; p < rank; p++) {
        for (int q = 0; q < rank; q++) {
          a[p * rank + q] += c1 * y[at + p] * y[at + q];
        }
      }
      if (ratings[j] > 0) {
        positives++;
      }
    }
    for (int p = 0; p < rank; p++) {
      a[p * rank + p] += items.regParam() * positives;
    }
    // V = A⁻¹ [y_s1 .. y_sk]: one Cholesky solve for all slots (A is symmetric, so row- and
    // column-major agree).
    double[] v = new double[rank * slots.length];
    for (int s = 0; s < slots.length; s++) {
      for (int p = 0; p < rank; p++) {
        v[s * rank + p] = y[slots[s] * rank + p];
      }
    }
    org.netlib.util.intW info = new org.netlib.util.intW(0);
    LAPACK.getInstance().dposv("U", rank, slots.length, a, rank, v, rank, info);
    if (info.val != 0) {
      throw new IllegalStateException("the user's ALS equations are not positive definite");
    }
    double[][] terms = new double[slots.length][played.length];
    for (int s = 0; s < slots.length; s++) {
      for (int j = 0; j < played.length; j++) {
        if (ratings[j] <= 0) {
          continue;
        }
        double dot = 0;
        int at = played[j] * rank;
        for (int p = 0; p < rank; p++) {
          dot += v[s * rank + p] * y[at + p];
        }
        terms[s][j] = (1 + items.alpha() * ratings[j]) * dot;
      }
    }
    return terms;
  }
}
