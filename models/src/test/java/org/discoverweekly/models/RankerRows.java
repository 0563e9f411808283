package org.discoverweekly.models;

import static org.apache.spark.sql.types.DataTypes.FloatType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Inline rows in the rankers' shapes: users and items in, one user's ranked tracks out. */
final class RankerRows {

  static final StructType USERS =
      new StructType()
          .add("user_index", IntegerType)
          .add("features", DataTypes.createArrayType(FloatType))
          .add("heard", DataTypes.createArrayType(IntegerType));
  static final StructType USERS_WITH_WEIGHTS =
      USERS.add("artist_weights", DataTypes.createMapType(StringType, DataTypes.DoubleType));
  static final StructType ITEMS =
      new StructType()
          .add("track_index", IntegerType)
          .add("features", DataTypes.createArrayType(FloatType))
          .add("artist_id", StringType);

  /** Items with an item score in place of factors, for {@link PopularityRanking#rank}. */
  static final StructType SCORED_ITEMS =
      new StructType()
          .add("track_index", IntegerType)
          .add("score", FloatType)
          .add("artist_id", StringType);

  private RankerRows() {}

  static Object[] user(int index, List<Float> features, List<Integer> heard) {
    return new Object[] {index, features, heard};
  }

  static Object[] item(int index, float score, String artist) {
    return new Object[] {index, List.of(score), artist};
  }

  /** Track indices of one user's list, in position order. */
  static List<Integer> tracksOf(Dataset<Row> ranked, int user) {
    return ranked.filter("user_index = " + user).orderBy("position").collectAsList().stream()
        .map(row -> row.getInt(2))
        .toList();
  }

  /**
   * Every user's ranked rows ({@code user_index, position, track_index, ...}) in position order,
   * from one collect: a loop over users asks this once instead of running a query per user.
   */
  static Map<Integer, List<Row>> listsByUser(Dataset<Row> ranked) {
    Map<Integer, List<Row>> lists = new HashMap<>();
    for (Row row : ranked.orderBy("user_index", "position").collectAsList()) {
      lists.computeIfAbsent(row.getInt(0), user -> new ArrayList<>()).add(row);
    }
    return lists;
  }

  /** Track indices of one user's list from {@link #listsByUser}, in position order. */
  static List<Integer> tracksOf(Map<Integer, List<Row>> lists, int user) {
    return lists.getOrDefault(user, List.of()).stream().map(row -> row.getInt(2)).toList();
  }
}
