package org.discoverweekly.etl.ops;

import io.delta.tables.DeltaOptimizeBuilder;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RuntimeConfig;
import org.discoverweekly.etl.config.PipelineConfig.MaintainSettings;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Table maintenance for every table of the lake: compaction of the recent partitions (Z-ordered by
 * {@code user_id} where analysts and the API look users up), then VACUUM of files no version within
 * the retention refers to. Run while nothing else writes the lake (the caller holds the writer
 * lock).
 */
public final class MaintainLake {

  private static final Logger LOG = LoggerFactory.getLogger(MaintainLake.class);

  /** Tables looked up by user: their files are clustered by {@code user_id} for data skipping. */
  private static final Map<Table, String> Z_ORDER =
      Map.of(Table.SILVER_LISTENS, "user_id", Table.GOLD_DISCOVER_WEEKLY, "user_id");

  /** The report's partitions of a table left as it was: nothing written since its compaction. */
  public static final String UNCHANGED = "none: unchanged since compacted";

  /**
   * Commits looked at for the last compaction: a maintain's OPTIMIZE is followed by its VACUUM's
   * two (start and end), and by those of a few more maintains' that found nothing to compact.
   */
  private static final int HISTORY_LOOKED_AT = 10;

  private static final String RETENTION_CHECK =
      "spark.databricks.delta.retentionDurationCheck.enabled";

  private final Lake lake;
  private final MaintainSettings settings;

  public MaintainLake(Lake lake, MaintainSettings settings) {
    this.lake = lake;
    this.settings = settings;
  }

  /** What maintenance did to one table. */
  public record TableReport(
      Table table,
      String partitions,
      String zOrderBy,
      long liveFilesBefore,
      long liveFilesAfter,
      long filesDeleted,
      double seconds) {}

  /** Maintains every existing table; the ledger row counts what changed. */
  public List<TableReport> run() {
    List<TableReport> reports = new ArrayList<>();
    for (Table table : Table.values()) {
      if (lake.exists(table)) {
        reports.add(maintain(table));
      }
    }
    return reports;
  }

  /** The outcome for the run ledger: per table, live files before and after, files deleted. */
  public StageOutcome outcome(List<TableReport> reports) {
    Map<String, Long> counts = new TreeMap<>();
    Map<String, Long> versions = new TreeMap<>();
    for (TableReport report : reports) {
      String name = report.table().sqlName();
      counts.put(name + ".live_files_before", report.liveFilesBefore());
      counts.put(name + ".live_files_after", report.liveFilesAfter());
      counts.put(name + ".files_deleted", report.filesDeleted());
      versions.put(name, lake.version(report.table()));
    }
    Map<String, String> config =
        Hashes.withHash(
            Map.of(
                "maintain.recent-days", String.valueOf(settings.recentDays()),
                "maintain.vacuum-retention-hours",
                    String.valueOf(settings.vacuumRetentionHours())));
    return new StageOutcome(versions, counts, config, StageOutcome.SUCCEEDED, null);
  }

  private TableReport maintain(Table table) {
    long started = System.nanoTime();
    // A lake created by an older release gets today's table properties, so compacted files follow
    // them.
    lake.applyProperties(table);
    DeltaTable delta = DeltaTable.forPath(lake.spark(), lake.path(table));
    long liveBefore = liveFiles(table);
    String zOrderBy = Z_ORDER.get(table);
    String partitions = UNCHANGED;
    long liveAfter = liveBefore;
    if (!compactedSinceLastWrite(delta)) {
      Optional<String> recent = recentPartitions(table);
      partitions = recent.orElse("all");
      DeltaOptimizeBuilder optimize = delta.optimize();
      if (recent.isPresent()) {
        optimize = optimize.where(recent.get());
      }
      if (zOrderBy != null) {
        optimize.executeZOrderBy(zOrderBy);
      } else {
        optimize.executeCompaction();
      }
      liveAfter = liveFiles(table);
    }
    long storedBeforeVacuum = storedDataFiles(table);
    long deleted = 0;
    // Every data file stored is live: there is nothing for VACUUM to delete (it would still
    // list the table and commit its start and end).
    if (storedBeforeVacuum > liveAfter) {
      vacuum(delta);
      deleted = storedBeforeVacuum - storedDataFiles(table);
    }
    TableReport report =
        new TableReport(
            table,
            partitions,
            zOrderBy == null ? "" : zOrderBy,
            liveBefore,
            liveAfter,
            deleted,
            (System.nanoTime() - started) / 1e9);
    LOG.info("maintain {}: {}", table.sqlName(), report);
    return report;
  }

  /**
   * Whether nothing was written to the table since its last compaction: its newest commit other
   * than a VACUUM's is an OPTIMIZE. Compacting it again would write the same rows anew (a Z-order
   * rewrites every file of its partitions each time), so it is left as it is.
   */
  private static boolean compactedSinceLastWrite(DeltaTable delta) {
    for (Row commit : delta.history(HISTORY_LOOKED_AT).select("operation").collectAsList()) {
      String operation = commit.getString(0);
      if (!operation.startsWith("VACUUM")) {
        return operation.equals("OPTIMIZE");
      }
    }
    return false;
  }

  /**
   * The partitions within {@code recent-days} of the newest one, as a Delta predicate; empty for an
   * unpartitioned table (compacted whole: such tables are small).
   */
  private Optional<String> recentPartitions(Table table) {
    if (table.partitionColumns().isEmpty()) {
      return Optional.empty();
    }
    String column = table.partitionColumns().get(0);
    Row newest = lake.read(table).agg(org.apache.spark.sql.functions.max(column)).head();
    if (newest.isNullAt(0)) {
      return Optional.empty();
    }
    Date from = Date.valueOf(newest.getDate(0).toLocalDate().minusDays(settings.recentDays()));
    return Optional.of(column + " >= '" + from + "'");
  }

  private void vacuum(DeltaTable delta) {
    RuntimeConfig conf = lake.spark().conf();
    boolean belowSafety =
        settings.vacuumRetentionHours() < MaintainSettings.DELTA_SAFE_RETENTION_HOURS;
    String check = conf.get(RETENTION_CHECK, "true");
    if (belowSafety) {
      // Configured on purpose (maintain.vacuum-retention-hours); Delta would refuse otherwise.
      conf.set(RETENTION_CHECK, "false");
    }
    try {
      delta.vacuum(settings.vacuumRetentionHours());
    } finally {
      conf.set(RETENTION_CHECK, check);
    }
  }

  private long liveFiles(Table table) {
    return lake.spark()
        .sql("DESCRIBE DETAIL delta.`" + lake.path(table).replace("`", "``") + "`")
        .select("numFiles")
        .head()
        .getLong(0);
  }

  /** Parquet files in the table's folder, live or not (what VACUUM can delete). */
  private long storedDataFiles(Table table) {
    Path root = new Path(lake.path(table));
    try {
      FileSystem fs = root.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      long files = 0;
      RemoteIterator<LocatedFileStatus> all = fs.listFiles(root, true);
      while (all.hasNext()) {
        Path file = all.next().getPath();
        if (file.getName().endsWith(".parquet") && !file.toString().contains("/_delta_log/")) {
          files++;
        }
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
