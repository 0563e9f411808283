package org.discoverweekly.etl.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.delta.tables.DeltaTable;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.SparkTestBase;
import org.junit.jupiter.api.Test;

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
  void shouldGiveAnOlderTableTheCatalogsPropertiesOnceAndThenCommitNothing() {
    Lake lake = newLake();
    // As a release before the catalog had properties created it.
    DeltaTable.createIfNotExists(spark)
        .location(lake.path(Table.BRONZE_LISTENS))
        .addColumns(Table.BRONZE_LISTENS.schema())
        .partitionedBy("ingest_date")
        .execute();

    lake.applyProperties(Table.BRONZE_LISTENS);
    long version = lake.version(Table.BRONZE_LISTENS);
    lake.applyProperties(Table.BRONZE_LISTENS);

    assertEquals(Table.BRONZE_LISTENS.properties(), properties(lake, Table.BRONZE_LISTENS));
    assertEquals(version, lake.version(Table.BRONZE_LISTENS));
  }
}
