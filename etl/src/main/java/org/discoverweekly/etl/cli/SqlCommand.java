package org.discoverweekly.etl.cli;

import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.storage.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sql}: analyst SQL over the lake's tables by their names. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run one SQL query over the lake's tables by name (bronze.listens, silver.listens,",
      "silver.quarantine, silver.tracks, ops.pipeline_runs, ...). Results on stdout."
    })
final class SqlCommand implements Callable<Integer> {

  enum Format {
    table,
    csv,
    json
  }

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = "--limit",
      defaultValue = "1000",
      description = "At most this many rows in table format (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--ddl",
      description = {
        "Print the statements that register every table of the lake by name in a catalog",
        "(spark-sql, a Hive metastore) instead of running a query."
      })
  boolean ddl;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SQL", description = "The query.")
  String query;

  @Override
  public Integer call() {
    if (ddl) {
      if (query != null) {
        throw new ParameterException(spec.commandLine(), "give either --ddl or a query, not both");
      }
      Pipeline pipeline = new Pipeline(root.config());
      pipeline
          .lake()
          .ddl()
          .forEach(statement -> spec.commandLine().getOut().println(statement + ";"));
      return 0;
    }
    requireQuery(query);
    Pipeline pipeline = new Pipeline(root.config());
    pipeline.lake().registerTables();
    Dataset<Row> result = pipeline.spark().sql(query);
    PrintWriter out = spec.commandLine().getOut();
    switch (format) {
      case table -> TextTable.of(asText(result).limit(limit)).print(out);
      case csv -> printCsv(asText(result), out);
      case json -> result.toJSON().toLocalIterator().forEachRemaining(out::println);
    }
    out.flush();
    return 0;
  }

  /** One line for a query that does not analyse, naming the known tables when one is missing. */
  static String describe(AnalysisException e) {
    if ("TABLE_OR_VIEW_NOT_FOUND".equals(e.getErrorClass())) {
      String name = e.getMessageParameters().getOrDefault("relationName", "?");
      return "unknown table "
          + name.replace("`", "")
          + "; tables: "
          + String.join(", ", Arrays.stream(Table.values()).map(Table::sqlName).toList())
          + " (a table appears once a stage has written it)";
    }
    return DiscoverWeekly.firstLine(String.valueOf(e.getMessage()));
  }

  /** Every column as Spark renders it in UTC, so the formats agree with each other. */
  private static Dataset<Row> asText(Dataset<Row> result) {
    Column[] columns =
        Arrays.stream(result.columns())
            .map(name -> functions.col("`" + name + "`").cast("string").as(name))
            .toArray(Column[]::new);
    return result.select(columns);
  }

  private static void printCsv(Dataset<Row> rows, PrintWriter out) {
    CsvWriter csv = new CsvWriter(out, new CsvWriterSettings());
    csv.writeHeaders(rows.columns());
    Iterator<Row> iterator = rows.toLocalIterator();
    while (iterator.hasNext()) {
      Row row = iterator.next();
      Object[] cells = new Object[row.size()];
      for (int i = 0; i < row.size(); i++) {
        cells[i] = row.get(i);
      }
      csv.writeRow(cells);
    }
    csv.flush();
  }

  static void requireQuery(String query) {
    if (query == null || query.isBlank()) {
      throw new PipelineException("the SQL query is empty");
    }
  }
}
