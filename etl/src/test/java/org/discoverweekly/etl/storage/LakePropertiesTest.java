package org.discoverweekly.etl.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.discoverweekly.etl.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LakePropertiesTest extends SparkTestBase {

  private static Map<String, String> properties(Lake lake, Table table) {
    Row detail = DeltaTable.forPath(spark, lake.path(table)).detail().head();
    return detail.getJavaMap(detail.fieldIndex("properties"));
  }

  @Test
  void shouldCreateTablesWithTheCatalogsProperties() {
    Lake lake = newLake();
    lake.ensure(Table.SILVER_LISTENS);
    assertEquals(Table.SILVER_LISTENS.properties(), properties(lake, Table.SILVER_LISTENS));
  }

  @Test
  void shouldWriteSilverListensWithoutADictionaryForEventAndUserIdsOnly() throws IOException {
    Lake lake = newLake();
    // Few distinct values in every column: Parquet would give each a dictionary page if allowed.
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(
          RowFactory.create(
              "e" + i % 2,
              "u" + i % 2,
              "t" + i % 2,
              Timestamp.valueOf("2026-11-16 10:00:00"),
              Date.valueOf("2026-11-16"),
              40_000L,
              true,
              "ios",
              "SE",
              "album",
              Date.valueOf("2026-11-16"),
              "f1"));
    }
    append(lake, Table.SILVER_LISTENS, spark.createDataFrame(rows, Table.SILVER_LISTENS.schema()));
    Set<String> dictionaryColumns = new TreeSet<>();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    for (String file :
        spark.read().format("delta").load(lake.path(Table.SILVER_LISTENS)).inputFiles()) {
      try (ParquetFileReader reader =
          ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file), conf))) {
        for (BlockMetaData block : reader.getFooter().getBlocks()) {
          for (ColumnChunkMetaData column : block.getColumns()) {
            if (column.hasDictionaryPage()) {
              dictionaryColumns.add(column.getPath().toDotString());
            }
          }
        }
      }
    }
    assertTrue(dictionaryColumns.contains("track_id"), dictionaryColumns::toString);
    assertFalse(dictionaryColumns.contains("event_id"), dictionaryColumns::toString);
    assertFalse(dictionaryColumns.contains("user_id"), dictionaryColumns::toString);
  }

  @ParameterizedTest
  @EnumSource(
      value = Table.class,
      names = {"BRONZE_LISTENS", "SILVER_LISTENS", "GOLD_DISCOVER_WEEKLY"})
  void shouldGiveAnOlderTableTheCatalogsPropertiesOnceAndThenCommitNothing(Table table) {
    Lake lake = newLake();
    // As a release before the catalog had properties created it.
    DeltaTable.createIfNotExists(spark)
        .location(lake.path(table))
        .addColumns(table.schema())
        .partitionedBy(table.partitionColumns().toArray(String[]::new))
        .execute();

    lake.applyProperties(table);
    long version = lake.version(table);
    lake.applyProperties(table);

    assertEquals(table.properties(), properties(lake, table));
    assertEquals(version, lake.version(table));
  }
}
