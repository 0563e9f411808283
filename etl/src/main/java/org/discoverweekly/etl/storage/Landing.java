package org.discoverweekly.etl.storage;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.ops.Hashes;

/** The landing zone below one root: listen files per arrival date and the track catalog. */
public final class Landing {

  private static final String DATE_FOLDER = "date=";

  private final SparkSession spark;
  private final String root;

  public Landing(SparkSession spark, String root) {
    this.spark = spark;
    this.root = Lake.normalizeRoot(root);
  }

  public String root() {
    return root;
  }

  public String listensFolder(LocalDate date) {
    return root + "/listens/" + DATE_FOLDER + date;
  }

  public String feedbackFolder(LocalDate date) {
    return root + "/feedback/" + DATE_FOLDER + date;
  }

  public String catalogFile() {
    return root + "/catalog/tracks.jsonl";
  }

  /** The arrival dates that have a listen folder ({@code listens/date=D}), oldest first. */
  public List<LocalDate> arrivalDates() {
    Path listens = new Path(root + "/listens");
    try {
      FileSystem fs = listens.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(listens)) {
        throw new PipelineException("no landing folder: " + listens + " does not exist");
      }
      List<LocalDate> dates =
          Arrays.stream(fs.listStatus(listens))
              .filter(FileStatus::isDirectory)
              .map(status -> status.getPath().getName())
              .filter(name -> name.startsWith(DATE_FOLDER))
              .map(name -> LocalDate.parse(name.substring(DATE_FOLDER.length())))
              .sorted()
              .toList();
      if (dates.isEmpty()) {
        throw new PipelineException("no arrival date folders (date=YYYY-MM-DD) in " + listens);
      }
      return dates;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + listens, e);
    }
  }

  /** The listen files that arrived on a date; fails clearly when there are none. */
  public List<String> listenFiles(LocalDate date) {
    return listenFileStatuses(date).stream().map(status -> status.getPath().toString()).toList();
  }

  /**
   * The feedback files that arrived on a date ({@code feedback/date=D/*.json[.gz]}); none when the
   * date has no feedback folder: the feed is optional, and a date without feedback has none.
   */
  public List<String> feedbackFiles(LocalDate date) {
    return feedbackFileStatuses(date).stream().map(status -> status.getPath().toString()).toList();
  }

  private List<FileStatus> feedbackFileStatuses(LocalDate date) {
    return lineFiles(new Path(feedbackFolder(date)), date, false);
  }

  /** The lines of landing files as received ({@code value}), each with its {@code source_file}. */
  public Dataset<Row> lines(List<String> files) {
    return spark
        .read()
        .text(files.toArray(String[]::new))
        .select(col("value"), col("_metadata.file_path").as("source_file"));
  }

  /**
   * A digest of what landed on {@code dates} (listens and feedback) and of the catalog (each file's
   * path, size and modification time): equal digests mean the same files, unchanged.
   */
  public String fingerprint(List<LocalDate> dates) {
    StringBuilder listing = new StringBuilder();
    for (LocalDate date : dates) {
      for (FileStatus file : listenFileStatuses(date)) {
        listing.append(describe(file));
      }
      for (FileStatus file : feedbackFileStatuses(date)) {
        listing.append(describe(file));
      }
    }
    Path catalog = new Path(requireCatalog());
    try {
      listing.append(
          describe(
              catalog
                  .getFileSystem(spark.sparkContext().hadoopConfiguration())
                  .getFileStatus(catalog)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + catalog, e);
    }
    return Hashes.sha256(listing.toString());
  }

  private static String describe(FileStatus file) {
    return file.getPath() + "|" + file.getLen() + "|" + file.getModificationTime() + "\n";
  }

  private List<FileStatus> listenFileStatuses(LocalDate date) {
    return lineFiles(new Path(listensFolder(date)), date, true);
  }

  /**
   * The line files ({@code *.json}, {@code *.json.gz}) in a date's folder of one feed, by path; a
   * {@code required} feed fails clearly without them, an optional one has none.
   */
  private List<FileStatus> lineFiles(Path folder, LocalDate date, boolean required) {
    try {
      FileSystem fs = folder.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(folder)) {
        if (!required) {
          return List.of();
        }
        throw new PipelineException(
            "no landing folder for " + date + ": " + folder + " does not exist");
      }
      List<FileStatus> files =
          Arrays.stream(fs.listStatus(folder))
              .filter(FileStatus::isFile)
              .filter(status -> isLineFile(status.getPath().toString()))
              .sorted(Comparator.comparing(status -> status.getPath().toString()))
              .toList();
      if (files.isEmpty() && required) {
        throw new PipelineException(
            "no listen files (*.json, *.json.gz) for " + date + " in " + folder);
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }

  /** The catalog file; fails clearly when it is missing. */
  public String requireCatalog() {
    Path file = new Path(catalogFile());
    try {
      if (!file.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(file)) {
        throw new PipelineException("no track catalog: " + file + " does not exist");
      }
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static boolean isLineFile(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    return !name.startsWith(".")
        && !name.startsWith("_")
        && (name.endsWith(".json") || name.endsWith(".json.gz"));
  }
}
