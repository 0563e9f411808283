package org.discoverweekly.etl;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.QueryTest$;
import org.apache.spark.sql.Row;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * Whole answers compared by Spark's own {@code QueryTest} (from Spark's test jar): the rows in any
 * order, each as often, unless the query's plan sorts, and then in that order. A failure shows the
 * query's plans and both answers side by side, each row that differs marked with {@code !}.
 */
public final class RowSets {

  /** Failure messages longer than this show only the rows around the first differences. */
  private static final int MAX_LINES = 200;

  /** Rows of context kept around each shown difference, and how many differences are shown. */
  private static final int CONTEXT = 3;

  private static final int DIFFERENCES = 20;

  private RowSets() {}

  /** The rows {@code actual} returns are those {@code expected} returns. */
  public static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual) {
    assertSameRows(expected.collectAsList(), actual);
  }

  /** The rows {@code actual} returns are {@code expected}. */
  public static void assertSameRows(List<Row> expected, Dataset<Row> actual) {
    // checkToRDD false: the query runs once, collected, and not again as an RDD.
    Option<String> error =
        QueryTest$.MODULE$.getErrorMessageInCheckAnswer(
            actual, JavaConverters.asScalaBuffer(expected).toSeq(), false);
    if (error.isDefined()) {
      fail(shorten(error.get()));
    }
  }

  /**
   * Spark's message whole if short; else its plans and the side-by-side answers cut to the rows
   * around the first differences (a table's answers are thousands of rows).
   */
  static String shorten(String message) {
    List<String> lines = message.lines().toList();
    int results = lines.lastIndexOf("== Results ==");
    if (lines.size() <= MAX_LINES || results < 0) {
      return message;
    }
    // The results' two headers (answer sizes, row type), then one line per row.
    int firstRow = Math.min(results + 3, lines.size());
    boolean[] keep = new boolean[lines.size()];
    int shown = 0;
    for (int i = firstRow; i < lines.size() && shown < DIFFERENCES; i++) {
      if (lines.get(i).startsWith("!")) {
        shown++;
        for (int j = Math.max(firstRow, i - CONTEXT);
            j <= Math.min(lines.size() - 1, i + CONTEXT);
            j++) {
          keep[j] = true;
        }
      }
    }
    List<String> out = new ArrayList<>(lines.subList(0, firstRow));
    int skipped = 0;
    for (int i = firstRow; i < lines.size(); i++) {
      if (keep[i]) {
        if (skipped > 0) {
          out.add("... " + skipped + " lines");
          skipped = 0;
        }
        out.add(lines.get(i));
      } else {
        skipped++;
      }
    }
    if (skipped > 0) {
      out.add("... " + skipped + " lines");
    }
    return String.join("\n", out);
  }
}
