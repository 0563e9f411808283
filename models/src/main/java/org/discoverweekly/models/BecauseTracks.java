package org.discoverweekly.models;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.types.DataTypes.IntegerType;

import dev.ludovic.netlib.lapack.LAPACK;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
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

  /**
   * The factors of the tracks one user's equations read, by index into {@code factors}, with what
   * every user shares: the Gram matrix YᵀY over every item of the model and the fit's settings.
   */
  record Items(float[] factors, int rank, double[] gram, double alpha, double regParam)
      implements Serializable {

    /** YᵀY, row-major, over the items of {@code factors}. */
    static double[] gram(float[] factors, int rank) {
      return accumulate(new double[rank * rank], factors, rank);
    }

    /** Adds the outer products of the items of {@code factors} to {@code gram}; returns it. */
    static double[] accumulate(double[] gram, float[] factors, int rank) {
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
   * YᵀY over every item of {@code model}, summed by the executors: the driver receives its rank²
   * values, not the factors.
   */
  static double[] gram(ALSModel model) {
    int rank = model.rank();
    return model
        .itemFactors()
        .select("features")
        .toJavaRDD()
        .treeAggregate(
            new double[rank * rank],
            (gram, row) -> Items.accumulate(gram, floats(row.getList(0)), rank),
            (left, right) -> {
              for (int i = 0; i < left.length; i++) {
                left[i] += right[i];
              }
              return left;
            });
  }

  /**
   * The because track of each {@code ranked} slot ({@code user_index, position, track_index}), from
   * the user's rows of {@code matrix} ({@code user_index, track_index, confidence}, the ratings the
   * model was fitted on). Each user's row carries the factors of their played and ranked tracks,
   * joined by track index, so no catalog-sized value passes through the driver.
   */
  public static Dataset<Row> explain(
      Dataset<Row> ranked, Dataset<Row> matrix, ALSModel model, ImplicitAls.Settings als) {
    Explainer explainer = new Explainer(gram(model), model.rank(), als.alpha(), als.regParam());
    // Packed as bytes: the rows carry them through a join and a grouping, and the explainer
    // copies them in bulk instead of unboxing a list of floats per track.
    Dataset<Row> factors =
        model
            .itemFactors()
            .map(
                (MapFunction<Row, Row>)
                    row -> RowFactory.create(row.getInt(0), pack(row.getList(1))),
                Encoders.row(PACKED));
    Dataset<Row> slots =
        ranked
            .select("user_index", "position", "track_index")
            .join(factors, "track_index")
            .groupBy("user_index")
            .agg(
                collect_list(struct(col("position"), col("track_index"), col("features")))
                    .as("slots"));
    // A pair the user only liked (likes counted as streams) weighs in the equations, but is no
    // track the user played.
    Column playedOnly =
        Arrays.asList(matrix.columns()).contains("likes")
            ? col("streams").plus(col("skips")).gt(coalesce(col("likes"), lit(0L)))
            : lit(true);
    Dataset<Row> played =
        matrix
            .join(slots.select("user_index"), "user_index", "left_semi")
            .select(
                col("user_index"), col("track_index"), col("confidence"), playedOnly.as("played"))
            .join(factors, "track_index")
            .groupBy("user_index")
            .agg(
                collect_list(
                        struct(
                            col("track_index"), col("confidence"), col("played"), col("features")))
                    .as("played"));
    return slots.join(played, "user_index", "left_outer").flatMap(explainer, Encoders.row(OUTPUT));
  }

  /** One user's slots explained from their played tracks. */
  private static final class Explainer implements FlatMapFunction<Row, Row> {
    private final double[] gram;
    private final int rank;
    private final double alpha;
    private final double regParam;

    Explainer(double[] gram, int rank, double alpha, double regParam) {
      this.gram = gram;
      this.rank = rank;
      this.alpha = alpha;
      this.regParam = regParam;
    }

    @Override
    public java.util.Iterator<Row> call(Row user) {
      int userIndex = user.getInt(0);
      List<Row> slots = user.getList(1);
      List<Row> played = new ArrayList<>(user.isNullAt(2) ? List.of() : user.<Row>getList(2));
      // By track index, so that a tie between two played tracks goes to the lower one.
      played.sort(Comparator.comparingInt(row -> row.getInt(0)));
      // The user's tracks by their place in `factors`: the played ones, then the slots.
      int p = played.size();
      float[] factors = new float[(p + slots.size()) * rank];
      int[] local = new int[p];
      double[] ratings = new double[p];
      boolean[] reasons = new boolean[p];
      for (int j = 0; j < p; j++) {
        Row track = played.get(j);
        local[j] = j;
        ratings[j] = ((Number) track.get(1)).doubleValue();
        reasons[j] = track.getBoolean(2);
        copy((byte[]) track.get(3), factors, j);
      }
      int[] slotsLocal = new int[slots.size()];
      for (int s = 0; s < slotsLocal.length; s++) {
        slotsLocal[s] = p + s;
        copy((byte[]) slots.get(s).get(2), factors, p + s);
      }
      Items items = new Items(factors, rank, gram, alpha, regParam);
      int[] because = because(items, local, ratings, reasons, slotsLocal);
      List<Row> out = new ArrayList<>(slotsLocal.length);
      for (int s = 0; s < slotsLocal.length; s++) {
        out.add(
            RowFactory.create(
                userIndex,
                slots.get(s).getInt(0),
                because[s] < 0 ? null : played.get(because[s]).getInt(0)));
      }
      return out.iterator();
    }

    private void copy(byte[] packed, float[] into, int at) {
      ByteBuffer.wrap(packed).asFloatBuffer().get(into, at * rank, rank);
    }
  }

  /** Item factors with each vector packed as bytes: {@code track_index, features}. */
  private static final StructType PACKED =
      new StructType()
          .add("track_index", IntegerType, false)
          .add("features", DataTypes.BinaryType, false);

  private static byte[] pack(List<Float> values) {
    ByteBuffer packed = ByteBuffer.allocate(4 * values.size());
    values.forEach(packed::putFloat);
    return packed.array();
  }

  private static float[] floats(List<Float> values) {
    float[] floats = new float[values.size()];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = values.get(i);
    }
    return floats;
  }

  /**
   * For each of {@code slots} (indices into {@code items}), the played track (of {@code played},
   * ascending, with the ratings the model saw) with the largest term, ties to the lower index; -1
   * when the user played nothing with a positive rating.
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
