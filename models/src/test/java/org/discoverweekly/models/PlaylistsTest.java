package org.discoverweekly.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PlaylistsTest extends ModelsTestBase {

  private static final StructType PAIRS =
      new StructType()
          .add("user_id", StringType)
          .add("track_id", StringType)
          .add("streams", LongType)
          .add("confidence", DoubleType);
  private static final StructType HEARD =
      new StructType().add("user_id", StringType).add("track_id", StringType);
  private static final StructType CATALOG =
      new StructType()
          .add("track_id", StringType)
          .add("artist_id", StringType)
          .add("available", BooleanType);
  private static final ImplicitAls.Settings ALS = new ImplicitAls.Settings(4, 0.1, 10, 5, 1, -1, 2);

  /** 12 users; user u<i> played tracks t<i>..t<i+9> of 80 tracks by 40 artists; u11 only 2. */
  private static Dataset<Row> matrix;

  private static Dataset<Row> catalog;
  private static ALSModel model;

  /**
   * The week's playlists with the matrix's pairs as heard, by each cold-start policy, ranked once
   * and held as rows: most tests read the same answer, which a plan would rank again per query.
   */
  private static Dataset<Row> withPopular;

  private static Dataset<Row> withoutColdStart;

  @BeforeAll
  static void train() {
    List<Object[]> pairs = new ArrayList<>();
    for (int u = 0; u < 11; u++) {
      for (int t = u; t < u + 10; t++) {
        pairs.add(new Object[] {"u" + u, track(t), 1L, 1.0});
      }
    }
    pairs.add(new Object[] {"u11", track(0), 1L, 1.0});
    pairs.add(new Object[] {"u11", track(1), 1L, 1.0});
    for (int t = 20; t < 80; t++) {
      pairs.add(new Object[] {"u" + (t % 11), track(t), 0L, 0.1});
    }
    matrix = FeedbackMatrix.withIndices(rows(PAIRS, pairs.toArray(Object[][]::new))).cache();
    List<Object[]> tracks = new ArrayList<>();
    for (int t = 0; t < 80; t++) {
      tracks.add(new Object[] {track(t), "artist-" + (t / 2), !track(t).equals("t25")});
    }
    catalog = rows(CATALOG, tracks.toArray(Object[][]::new));
    model = ImplicitAls.fit(matrix, ALS);
    withPopular =
        asRows(playlists(heardInMatrix(), Playlists.ColdStart.POPULAR).recommend(model, ALS));
    withoutColdStart =
        asRows(playlists(heardInMatrix(), Playlists.ColdStart.NONE).recommend(model, ALS));
  }

  private static Dataset<Row> asRows(Dataset<Row> ranked) {
    return spark.createDataFrame(ranked.collectAsList(), ranked.schema());
  }

  private static String track(int t) {
    return String.format("t%02d", t);
  }

  private static Playlists playlists(Dataset<Row> heard, Playlists.ColdStart coldStart) {
    return new Playlists(matrix, heard, catalog, new Playlists.Settings(30, 2, 5, coldStart, 4));
  }

  private static Dataset<Row> heardInMatrix() {
    return matrix.select("user_id", "track_id");
  }

  /** Each user's rows by position, from one query. */
  private static Map<String, List<Row>> byUser(Dataset<Row> playlists) {
    Map<String, List<Row>> users = new TreeMap<>();
    for (Row row : playlists.orderBy("user_id", "position").collectAsList()) {
      users
          .computeIfAbsent(row.getString(row.fieldIndex("user_id")), u -> new ArrayList<>())
          .add(row);
    }
    return users;
  }

  private static List<String> tracksOf(Dataset<Row> playlists, String user) {
    return byUser(playlists.filter("user_id = '" + user + "'"))
        .getOrDefault(user, List.of())
        .stream()
        .map(row -> row.getString(row.fieldIndex("track_id")))
        .toList();
  }

  @Test
  void shouldGiveEveryWarmUserExactlyThirtyDistinctTracksAtPositionsOneToThirty() {
    Map<String, List<Row>> weekly = byUser(withoutColdStart);

    for (int u = 0; u < 11; u++) {
      List<Row> rows = weekly.getOrDefault("u" + u, List.of());
      assertEquals(30, rows.size(), "u" + u);
      assertEquals(
          30,
          rows.stream().map(row -> row.getString(row.fieldIndex("track_id"))).distinct().count(),
          "no repeats for u" + u);
      for (int p = 0; p < 30; p++) {
        assertEquals(p + 1, rows.get(p).getInt(rows.get(p).fieldIndex("position")));
        assertEquals("als", rows.get(p).getString(rows.get(p).fieldIndex("source")));
      }
    }
  }

  @Test
  void shouldExplainEveryAlsSlotByATrackTheUserPlayedAndNoPopularSlot() {
    Dataset<Row> weekly = withPopular;

    assertEquals(0, weekly.filter("source = 'als' AND because_track_id IS NULL").count());
    assertEquals(0, weekly.filter("source = 'popular' AND because_track_id IS NOT NULL").count());
    assertEquals(
        0,
        weekly
            .filter("source = 'als'")
            .select(col("user_id"), col("because_track_id").as("track_id"))
            .except(matrix.filter("confidence > 0").select("user_id", "track_id"))
            .count());
  }

  @Test
  void shouldExplainByTermsThatAddUpToTheModelsScore() {
    // u3's matrix rows, as the model saw them, and its five best tracks by the model's scores.
    List<Row> rows = matrix.filter("user_id = 'u3'").collectAsList();
    int[] played = rows.stream().mapToInt(row -> row.getAs("track_index")).toArray();
    double[] ratings = rows.stream().mapToDouble(row -> row.getAs("confidence")).toArray();
    int user = rows.get(0).getAs("user_index");
    Map<Integer, float[]> factors = new HashMap<>();
    for (Row row : model.itemFactors().collectAsList()) {
      factors.put(row.getInt(0), toFloats(row.getList(1)));
    }
    float[] userFactors = toFloats(model.userFactors().filter("id = " + user).head().getList(1));
    int[] slots = {0, 11, 30, 50, 79};

    int rank = model.rank();
    float[] byIndex = new float[(factors.keySet().stream().max(Integer::compare).get() + 1) * rank];
    factors.forEach(
        (index, features) -> System.arraycopy(features, 0, byIndex, index * rank, rank));
    BecauseTracks.Items items =
        new BecauseTracks.Items(
            byIndex, rank, BecauseTracks.gram(model), ALS.alpha(), ALS.regParam());

    double[][] terms = BecauseTracks.terms(items, played, ratings, slots);

    for (int s = 0; s < slots.length; s++) {
      double score = 0;
      for (int f = 0; f < userFactors.length; f++) {
        score += userFactors[f] * factors.get(slots[s])[f];
      }
      double sum = java.util.Arrays.stream(terms[s]).sum();
      assertEquals(score, sum, 1e-3 * Math.max(1, Math.abs(score)), "slot track " + slots[s]);
    }
  }

  private static float[] toFloats(List<Float> values) {
    float[] floats = new float[values.size()];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = values.get(i);
    }
    return floats;
  }

  @Test
  void shouldNeverRecommendATrackHeardOnceLongAgoAsASkip() {
    // u0's two best tracks, as if silver held one skip of each from before the history window.
    List<String> before = tracksOf(withoutColdStart, "u0");
    Dataset<Row> heard =
        heardInMatrix()
            .unionByName(
                rows(
                    HEARD, new Object[] {"u0", before.get(0)}, new Object[] {"u0", before.get(1)}));

    List<String> after =
        tracksOf(playlists(heard, Playlists.ColdStart.NONE).recommend(model, ALS), "u0");

    assertFalse(after.contains(before.get(0)));
    assertFalse(after.contains(before.get(1)));
    assertEquals(before.subList(2, 30), after.subList(0, 28));
    assertEquals(30, after.size());
  }

  @Test
  void shouldCountTheMatrixPairsAsHeardWithoutBeingGivenThem() {
    Dataset<Row> weekly =
        playlists(heardInMatrix().limit(0), Playlists.ColdStart.POPULAR).recommend(model, ALS);

    assertEquals(0, weekly.select("user_id", "track_id").intersect(heardInMatrix()).count());
    assertEquals(11 * 30 + 30, weekly.count(), "every user still gets a full list");
  }

  @Test
  void shouldNeverRecommendTracksTheUserPlayedOrUnavailableTracks() {
    Dataset<Row> weekly = withPopular;

    assertEquals(0, weekly.select("user_id", "track_id").intersect(heardInMatrix()).count());
    assertEquals(0, weekly.filter("track_id = 't25'").count());
  }

  @Test
  void shouldCapTracksPerArtist() {
    Dataset<Row> weekly = withPopular;

    assertEquals(0, weekly.groupBy("user_id", "artist_id").count().filter("count > 2").count());
  }

  @Test
  void shouldFillColdStartUsersWithPopularTracksMarkedPopular() {
    Dataset<Row> weekly = withPopular;

    List<Row> cold = weekly.filter("user_id = 'u11'").collectAsList();
    assertEquals(30, cold.size());
    assertTrue(cold.stream().allMatch(r -> r.getString(r.fieldIndex("source")).equals("popular")));
    // A popular track's score is how many users of the matrix streamed it.
    Map<String, Long> listeners = new HashMap<>();
    for (Row row : matrix.filter("streams > 0").groupBy("track_id").count().collectAsList()) {
      listeners.put(row.getString(0), row.getLong(1));
    }
    for (Row row : cold) {
      String track = row.getString(row.fieldIndex("track_id"));
      assertEquals(
          (double) listeners.getOrDefault(track, 0L),
          row.getDouble(row.fieldIndex("score")),
          track);
    }
    assertEquals(0, weekly.filter("user_id != 'u11' AND source != 'als'").count());
  }

  @Test
  void shouldSkipColdStartUsersWhenThePolicyIsNone() {
    Dataset<Row> weekly = withoutColdStart;

    assertEquals(0, weekly.filter("user_id = 'u11'").count());
    assertEquals(11, weekly.select("user_id").distinct().count());
  }

  @Test
  void shouldGiveIdenticalPlaylistsForIdenticalInputs() {
    List<Row> first = withPopular.orderBy("user_id", "position").collectAsList();
    ALSModel again = ImplicitAls.fit(matrix, ALS);

    List<Row> second =
        playlists(heardInMatrix(), Playlists.ColdStart.POPULAR)
            .recommend(again, ALS)
            .orderBy("user_id", "position")
            .collectAsList();

    assertEquals(first, second);
  }
}
