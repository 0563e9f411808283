package org.discoverweekly.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.struct;

import java.io.Serializable;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The candidate items in blocks of consecutive track indices, each block one {@link Candidates}
 * that the executors build and cache: no value that grows with the catalog passes through the
 * driver, which learns only the blocks' numbers. A ranking scores every partition of users against
 * every block, one task per pair, and with more than one block merges each user's lists ({@link
 * BlockMerge}): a block's own list, ranked under the same rules, holds every track of that block
 * the whole list takes.
 */
final class CandidateBlocks {

  /** The rankers' rows with each track's artist, which the merge of blocks caps by. */
  static final StructType RANKED = BlockedRanker.OUTPUT.add("artist_id", DataTypes.StringType);

  /** A ranking of one partition of users against one block's items: {@link #RANKED} rows. */
  interface Scorer extends Serializable {
    Iterator<Row> rank(Candidates items, Iterator<Row> users);
  }

  private final JavaRDD<Candidates> blocks;
  private final int count;

  private CandidateBlocks(JavaRDD<Candidates> blocks, int count) {
    this.blocks = blocks;
    this.count = count;
  }

  /**
   * {@code items} ({@code track_index int, features array<float>, artist_id string}) in blocks of
   * {@code blockTracks} track indices, cached by the executors until the ranking that reads them is
   * garbage (Spark's context cleaner unpersists it then).
   */
  static CandidateBlocks of(Dataset<Row> items, int blockTracks) {
    Column block = floor(col("track_index").divide(blockTracks)).cast("int").as("block");
    List<Integer> numbers =
        items.select(block).distinct().orderBy("block").as(Encoders.INT()).collectAsList();
    if (numbers.isEmpty()) {
      return new CandidateBlocks(null, 0);
    }
    JavaRDD<Candidates> blocks =
        items
            .groupBy(block)
            .agg(
                collect_list(struct(col("track_index"), col("features"), col("artist_id")))
                    .as("items"))
            .toJavaRDD()
            .mapToPair(row -> new Tuple2<>(row.getInt(0), Candidates.of(row.<Row>getList(1))))
            .partitionBy(new OnePerBlock(numbers))
            .values()
            .persist(StorageLevel.MEMORY_AND_DISK());
    return new CandidateBlocks(blocks, numbers.size());
  }

  /**
   * {@code users} ranked by {@code scorer} against every block, {@link BlockedRanker#OUTPUT} rows:
   * the top {@code k} under the artist cap of {@code settings}.
   */
  Dataset<Row> rank(
      SparkSession spark, JavaRDD<Row> users, Scorer scorer, BlockedRanker.Settings settings) {
    if (count == 0) {
      return spark.createDataFrame(List.of(), BlockedRanker.OUTPUT);
    }
    // A block's partition holds that block alone, so each task sees one Candidates and streams
    // its partition of users past it.
    JavaRDD<Row> ranked = blocks.cartesian(users).mapPartitions(pairs -> rankBlock(scorer, pairs));
    Dataset<Row> rows = spark.createDataFrame(ranked, RANKED);
    return count == 1 ? rows.drop("artist_id") : BlockMerge.merge(rows, settings);
  }

  private static Iterator<Row> rankBlock(Scorer scorer, Iterator<Tuple2<Candidates, Row>> pairs) {
    if (!pairs.hasNext()) {
      return Collections.emptyIterator();
    }
    Tuple2<Candidates, Row> first = pairs.next();
    Iterator<Row> users =
        new Iterator<>() {
          private Row pending = first._2();

          @Override
          public boolean hasNext() {
            return pending != null || pairs.hasNext();
          }

          @Override
          public Row next() {
            if (pending == null) {
              return pairs.next()._2();
            }
            Row user = pending;
            pending = null;
            return user;
          }
        };
    return scorer.rank(first._1(), users);
  }

  /** Each block number to a partition of its own. */
  private static final class OnePerBlock extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final Map<Integer, Integer> partitionOf = new HashMap<>();

    OnePerBlock(List<Integer> numbers) {
      for (int p = 0; p < numbers.size(); p++) {
        partitionOf.put(numbers.get(p), p);
      }
    }

    @Override
    public int numPartitions() {
      return partitionOf.size();
    }

    @Override
    public int getPartition(Object block) {
      return partitionOf.get((Integer) block);
    }
  }
}
