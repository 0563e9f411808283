package org.discoverweekly.models;

import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.discoverweekly.models.RankingQuality.Metrics;
import org.junit.jupiter.api.Test;

class RankingQualityTest extends ModelsTestBase {

  private static final StructType PLAYLISTS =
      new StructType()
          .add("predicted", createArrayType(IntegerType))
          .add("relevant", createArrayType(IntegerType));

  private static Dataset<Row> playlists(Row... rows) {
    return spark.createDataFrame(List.of(rows), PLAYLISTS);
  }

  private static Row user(List<Integer> predicted, List<Integer> relevant) {
    return RowFactory.create(predicted.toArray(), relevant.toArray());
  }

  @Test
  void shouldAverageRecallPrecisionNdcgAndMapOverUsersWithBinaryRelevance() {
    // User a hits one of two relevant tracks at position 2; user b its only one at position 1.
    Dataset<Row> playlists =
        playlists(user(List.of(1, 2, 3), List.of(2, 4)), user(List.of(5, 6, 7), List.of(5)));

    Metrics metrics = RankingQuality.evaluate(playlists, 3, 12);

    assertEquals(2, metrics.users());
    assertEquals((1 / 2.0 + 1) / 2, metrics.recall(), 1e-12);
    assertEquals((1 / 3.0 + 1 / 3.0) / 2, metrics.precision(), 1e-12);
    // a: DCG 1/log(3) over the ideal 1/log(2) + 1/log(3); b: 1.
    double ndcgA = (1 / Math.log(3)) / (1 / Math.log(2) + 1 / Math.log(3));
    assertEquals((ndcgA + 1) / 2, metrics.ndcg(), 1e-12);
    // a: precision 1/2 at its hit over min(2 relevant, k); b: 1 over 1.
    assertEquals((0.5 / 2 + 1) / 2, metrics.map(), 1e-12);
    assertEquals(6 / 12.0, metrics.coverage(), 1e-12);
  }

  @Test
  void shouldScoreTrackIdsAsWellAsIntegerKeys() {
    // The backtest scores track ids: a relevant track may have no index in its matrix.
    StructType byId =
        new StructType()
            .add("predicted", createArrayType(StringType))
            .add("relevant", createArrayType(StringType));
    Dataset<Row> playlists =
        spark.createDataFrame(
            List.of(
                RowFactory.create(new String[] {"t1", "t2", "t3"}, new String[] {"t2", "t9"}),
                RowFactory.create(new String[] {"t5", "t6", "t7"}, new String[] {"t5"})),
            byId);

    Metrics metrics = RankingQuality.evaluate(playlists, 3, 12);

    assertEquals(2, metrics.users());
    assertEquals((1 / 2.0 + 1) / 2, metrics.recall(), 1e-12);
    assertEquals((0.5 / 2 + 1) / 2, metrics.map(), 1e-12);
    assertEquals(6 / 12.0, metrics.coverage(), 1e-12);
  }

  @Test
  void shouldScoreNoUsersAsZeros() {
    assertEquals(new Metrics(30, 0, 0, 0, 0, 0, 0), RankingQuality.evaluate(playlists(), 30, 12));
  }
}
