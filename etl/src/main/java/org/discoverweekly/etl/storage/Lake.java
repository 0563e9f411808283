package org.discoverweekly.etl.storage;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The Delta lake below one root (a local folder or an {@code s3a://} URI): tables by name. */
public final class Lake {

  private static final Pattern COMMIT_FILE = Pattern.compile("\\d{20}\\.json");

  private final SparkSession spark;
  private final String root;
  private final Map<String, Long> pins;

  /** The tables this lake (and its pinned copies) has created or brought up to the catalog. */
  private final Set<Table> ensured;

  public Lake(SparkSession spark, String root) {
    this(spark, normalizeRoot(root), Map.of(), ConcurrentHashMap.newKeySet());
  }

  private Lake(SparkSession spark, String root, Map<String, Long> pins, Set<Table> ensured) {
    this.spark = spark;
    this.root = root;
    this.pins = Map.copyOf(pins);
    this.ensured = ensured;
  }

  /**
   * The same lake with reads of the given tables (by SQL name) pinned to a Delta version: {@link
   * #read(Table)} and {@link #version(Table)} answer as of that version, so a run that reads a
   * table several times reads one snapshot, and a past run can be rebuilt by time travel. Writes
   * are unaffected.
   */
  public Lake pinnedTo(Map<String, Long> versions) {
    Map<String, Long> merged = new TreeMap<>(pins);
    merged.putAll(versions);
    return new Lake(spark, root, merged, ensured);
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public String path(Table table) {
    return root + "/" + table.relativePath();
  }

  /** Where the ALS model of {@code week} with {@code modelVersion} is saved. */
  public String modelPath(java.time.LocalDate week, String modelVersion) {
    return root + "/" + modelFolder(week, modelVersion);
  }

  /** {@link #modelPath} relative to the lake root, as {@code ops.models} records it. */
  public static String modelFolder(java.time.LocalDate week, String modelVersion) {
    return "models/als/week=" + week + "/" + modelVersion;
  }

  /** The folder of every ALS model saved for {@code week}. */
  public String modelsPath(java.time.LocalDate week) {
    return root + "/models/als/week=" + week;
  }

  /** The default Spark checkpoint folder, for ALS's long lineages. */
  public String checkpointPath() {
    return root + "/ops/_checkpoints";
  }

  public boolean exists(Table table) {
    return DeltaTable.isDeltaTable(spark, path(table));
  }

  /**
   * Creates the table with its catalog schema, partitioning and comments if it is missing; adds the
   * catalog's newer columns (nullable, with their comments) to a table created before them. The
   * schema is compared once per table and lake: the next calls only check that the table exists.
   */
  public void ensure(Table table) {
    if (exists(table)) {
      if (!ensured.contains(table)) {
        addMissingColumns(table);
        ensured.add(table);
      }
      return;
    }
    DeltaTableBuilder builder =
        DeltaTable.createIfNotExists(spark)
            .location(path(table))
            .comment(table.comment())
            .addColumns(table.schema());
    for (Map.Entry<String, String> property : table.properties().entrySet()) {
      builder = builder.property(property.getKey(), property.getValue());
    }
    if (!table.partitionColumns().isEmpty()) {
      builder = builder.partitionedBy(table.partitionColumns().toArray(String[]::new));
    }
    builder.execute();
    ensured.add(table);
  }

  /** The catalog's columns the table lacks, added in one commit; a no-op when it has them all. */
  private void addMissingColumns(Table table) {
    Set<String> present =
        Set.of(spark.read().format("delta").load(path(table)).schema().fieldNames());
    List<String> missing = new ArrayList<>();
    for (StructField field : table.schema().fields()) {
      if (!present.contains(field.name())) {
        if (!field.nullable()) {
          throw new IllegalStateException(
              table.sqlName() + " lacks the required column " + field.name());
        }
        missing.add(
            field.name()
                + " "
                + field.dataType().sql()
                + (field.getComment().isDefined()
                    ? " COMMENT '" + field.getComment().get().replace("'", "\\'") + "'"
                    : ""));
      }
    }
    if (!missing.isEmpty()) {
      spark.sql(
          "ALTER TABLE delta.`"
              + path(table)
              + "` ADD COLUMNS ("
              + String.join(", ", missing)
              + ")");
    }
  }

  /**
   * Sets the catalog's {@link Table#properties} on a table created before they were in the catalog,
   * so that files written from then on (a compaction's among them) follow them; a no-op, with no
   * commit, when the table has them.
   */
  public void applyProperties(Table table) {
    Row detail = DeltaTable.forPath(spark, path(table)).detail().head();
    Map<String, String> current = detail.getJavaMap(detail.fieldIndex("properties"));
    Map<String, String> missing = new TreeMap<>();
    table
        .properties()
        .forEach(
            (key, value) -> {
              if (!value.equals(current.get(key))) {
                missing.put(key, value);
              }
            });
    if (missing.isEmpty()) {
      return;
    }
    String settings =
        missing.entrySet().stream()
            .map(entry -> "'" + entry.getKey() + "' = '" + entry.getValue() + "'")
            .collect(java.util.stream.Collectors.joining(", "));
    spark.sql("ALTER TABLE delta.`" + path(table) + "` SET TBLPROPERTIES (" + settings + ")");
  }

  /**
   * Reads the table (as of its pinned version, if any); an absent table reads as empty with its
   * catalog schema.
   */
  public Dataset<Row> read(Table table) {
    Long pinned = pins.get(table.sqlName());
    if (pinned != null && pinned >= 0) {
      return read(table, pinned);
    }
    if (!exists(table)) {
      return spark.createDataFrame(List.of(), table.schema());
    }
    return spark.read().format("delta").load(path(table));
  }

  /** Reads the table as of a Delta version (one {@link #version} returned). */
  public Dataset<Row> read(Table table, long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(path(table));
  }

  public DeltaTable delta(Table table) {
    ensure(table);
    return DeltaTable.forPath(spark, path(table));
  }

  /**
   * The Delta version this lake reads the table at: its pinned version if {@link #pinnedTo} pinned
   * it, else the {@link #latestVersion}.
   */
  public long version(Table table) {
    Long pinned = pins.get(table.sqlName());
    return pinned != null ? pinned : latestVersion(table);
  }

  /**
   * The newest committed version of the table whatever the pins, or -1 when it does not exist yet:
   * what a stage that writes the table compares before and after its own commit.
   */
  public long latestVersion(Table table) {
    // The names of the log's commit files, which Delta's protocol fixes, in one listing on the
    // driver: DeltaTable.history(1) would run a Spark job for each of the several calls a stage
    // makes.
    Path log = new Path(path(table), "_delta_log");
    try {
      FileStatus[] commits =
          log.getFileSystem(spark.sparkContext().hadoopConfiguration())
              .listStatus(log, file -> COMMIT_FILE.matcher(file.getName()).matches());
      return Arrays.stream(commits)
          .mapToLong(commit -> Long.parseLong(commit.getPath().getName().substring(0, 20)))
          .max()
          .orElse(-1L);
    } catch (FileNotFoundException absent) {
      return -1L;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + log, e);
    }
  }

  /**
   * A metric of the write this process just made, e.g. {@code numOutputRows}: 0 when the write
   * committed nothing new after {@code versionBefore} (a {@link #latestVersion}) or wrote no rows.
   */
  public long writtenSince(Table table, long versionBefore, String metric) {
    if (latestVersion(table) == versionBefore) {
      return 0L;
    }
    Row commit = DeltaTable.forPath(spark, path(table)).history(1).head();
    int metricsField = commit.fieldIndex("operationMetrics");
    Map<String, String> metrics =
        commit.isNullAt(metricsField) ? Map.of() : commit.getJavaMap(metricsField);
    if (metrics.isEmpty()) {
      return 0L;
    }
    String value = metrics.get(metric);
    if (value == null) {
      throw new IllegalStateException(
          "no metric "
              + metric
              + " on commit "
              + commit.getAs("version")
              + " of "
              + table.sqlName()
              + ": "
              + metrics);
    }
    return Long.parseLong(value);
  }

  /**
   * The rows of the data files that commit {@code version} of the table added, read from the files
   * themselves (data columns only: partition values live in the paths).
   */
  public Dataset<Row> rowsAddedIn(Table table, long version) {
    // Delta's public API lists no commit's files, so they come from the commit's log file, read
    // with the one column needed (one small Spark job).
    StructType addedPaths =
        new StructType().add("add", new StructType().add("path", DataTypes.StringType));
    String commitFile = String.format("%s/_delta_log/%020d.json", path(table), version);
    String[] files =
        spark
            .read()
            .schema(addedPaths)
            .json(commitFile)
            .where("add IS NOT NULL")
            .select("add.path")
            .as(Encoders.STRING())
            .collectAsList()
            .stream()
            .map(added -> dataFile(table, added))
            .toArray(String[]::new);
    StructType dataColumns =
        new StructType(
            Arrays.stream(table.schema().fields())
                .filter(field -> !table.partitionColumns().contains(field.name()))
                .toArray(StructField[]::new));
    if (files.length == 0) {
      return spark.createDataFrame(List.of(), dataColumns);
    }
    return spark.read().schema(dataColumns).parquet(files);
  }

  /** A data file's path as the log holds it (a URI, relative to the table unless a clone's). */
  private String dataFile(Table table, String added) {
    Path file = new Path(URI.create(added));
    return (file.isAbsolute() ? file : new Path(new Path(path(table)), file)).toString();
  }

  /** Versions of several tables, keyed by their SQL names, for the run ledger. */
  public Map<String, Long> versions(Table... tables) {
    Map<String, Long> versions = new TreeMap<>();
    Arrays.stream(tables).forEach(t -> versions.put(t.sqlName(), version(t)));
    return versions;
  }

  /**
   * Registers every existing table in the session catalog under its SQL name ({@code
   * silver.listens}), so analysts query by name; returns the names registered.
   */
  public List<String> registerTables() {
    List<String> registered = new ArrayList<>();
    for (Table table : Table.values()) {
      if (!exists(table)) {
        continue;
      }
      // An external table: dropping the name never touches the data, and a session that moves
      // between lakes (tests, demo) must point each name at this lake.
      spark.sql("DROP TABLE IF EXISTS " + table.sqlName());
      ddl(table).forEach(spark::sql);
      registered.add(table.sqlName());
    }
    return registered;
  }

  /**
   * The statements that register every existing table of this lake by name in a catalog (Spark's
   * session catalog, a Hive metastore, Glue): external Delta tables on the lake's folders.
   */
  public List<String> ddl() {
    java.util.Set<String> statements = new java.util.LinkedHashSet<>();
    for (Table table : Table.values()) {
      if (exists(table)) {
        statements.addAll(ddl(table));
      }
    }
    return List.copyOf(statements);
  }

  private List<String> ddl(Table table) {
    String layer = table.sqlName().substring(0, table.sqlName().indexOf('.'));
    return List.of(
        "CREATE DATABASE IF NOT EXISTS " + layer,
        "CREATE TABLE IF NOT EXISTS "
            + table.sqlName()
            + " USING DELTA LOCATION '"
            + path(table).replace("'", "\\'")
            + "'");
  }

  /**
   * Replaces the rows of {@code table} that match {@code replaceWhere} (its own partitions) with
   * {@code rows}, conformed to the catalog schema, in one Delta commit; creates the table first if
   * needed. Returns the rows written (0 when nothing was committed).
   */
  public long replace(Table table, Dataset<Row> rows, String replaceWhere) {
    ensure(table);
    long versionBefore = latestVersion(table);
    overwrite(table, rows, replaceWhere);
    return writtenSince(table, versionBefore, "numOutputRows");
  }

  /**
   * {@link #replace} without counting what was written: for small tables rewritten whole by key,
   * where the count would cost more than the write. No rows: the matching rows are deleted.
   */
  public void overwrite(Table table, Dataset<Row> rows, String replaceWhere) {
    ensure(table);
    conform(rows, table)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", replaceWhere)
        .save(path(table));
  }

  /** Selects and casts the catalog's columns in the catalog's order, so writes never drift. */
  public static Dataset<Row> conform(Dataset<Row> rows, Table table) {
    Column[] columns =
        Arrays.stream(table.schema().fields()).map(Lake::castTo).toArray(Column[]::new);
    return rows.select(columns);
  }

  private static Column castTo(StructField field) {
    return functions.col(field.name()).cast(field.dataType()).as(field.name());
  }

  /** A URI root as given, a local path made absolute; no trailing slash either way. */
  static String normalizeRoot(String root) {
    String trimmed = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    URI uri = URI.create(trimmed.replace(" ", "%20"));
    if (uri.getScheme() != null && uri.getScheme().length() > 1) {
      return trimmed;
    }
    return java.nio.file.Path.of(trimmed).toAbsolutePath().normalize().toString();
  }
}
