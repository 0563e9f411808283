package org.discoverweekly.models;

import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Spark MLlib ALS with implicit preferences, fitted on the feedback matrix's confidences. */
public final class ImplicitAls {

  private ImplicitAls() {}

  /**
   * ALS hyper-parameters; {@code blocks} of 0 means one user and one item block per core (Spark's
   * default parallelism). The SparkContext needs a checkpoint directory when {@code
   * checkpointInterval} is positive.
   */
  public record Settings(
      int rank,
      double regParam,
      double alpha,
      int maxIter,
      long seed,
      int checkpointInterval,
      int blocks) {}

  /** Fits on {@code user_index, track_index, confidence}. */
  public static ALSModel fit(Dataset<Row> matrix, Settings settings) {
    ALS als =
        new ALS()
            .setImplicitPrefs(true)
            .setUserCol("user_index")
            .setItemCol("track_index")
            .setRatingCol("confidence")
            .setRank(settings.rank())
            .setRegParam(settings.regParam())
            .setAlpha(settings.alpha())
            .setMaxIter(settings.maxIter())
            .setSeed(settings.seed())
            .setCheckpointInterval(settings.checkpointInterval())
            // Every user and track of the matrix is in the model, so no NaN scores can appear.
            .setColdStartStrategy("nan");
    // One block per core by default: Spark's default of 10 blocks on a 2-core machine spends
    // more on shuffles between blocks than it gains in parallelism.
    int blocks =
        settings.blocks() > 0
            ? settings.blocks()
            : matrix.sparkSession().sparkContext().defaultParallelism();
    als = als.setNumUserBlocks(blocks).setNumItemBlocks(blocks);
    return als.fit(matrix.select("user_index", "track_index", "confidence"));
  }
}
