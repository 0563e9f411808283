package org.discoverweekly.etl;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;

/**
 * Where the test JVM's Spark work goes, when asked ({@value #PROPERTY} names the report file): per
 * test class its SQL queries, jobs, the jobs' seconds and the executors' task seconds, and every
 * query by the call site Spark names, most frequent first; written when the JVM exits. A class's
 * wall time far above its jobs' seconds is planning: see docs/contributing.md, "Time".
 */
public final class SparkQueryStats extends SparkListener {

  /** The system property that turns the listener on and names its report file. */
  public static final String PROPERTY = "discover-weekly.spark-stats";

  private static volatile String testClass = "(before any class)";

  private static final Map<String, LongAdder[]> BY_CLASS = new ConcurrentHashMap<>();
  private static final Map<String, LongAdder> BY_SITE = new ConcurrentHashMap<>();
  private static final Map<Integer, Long> JOB_STARTS = new ConcurrentHashMap<>();

  private static final AtomicBoolean REPORTING = new AtomicBoolean();

  /**
   * A listener of one session; the counts are the JVM's, whose sessions (a class may stop one) all
   * add to them, and the report is written once, when the JVM exits.
   */
  SparkQueryStats() {
    String file = System.getProperty(PROPERTY);
    if (file != null && REPORTING.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> write(Path.of(file))));
    }
  }

  /** Whether the run asked for the report. */
  static boolean enabled() {
    return System.getProperty(PROPERTY) != null;
  }

  /** The test class whose queries the next events count. */
  static void countFor(String className) {
    testClass = className;
  }

  private static LongAdder[] ofClass() {
    return BY_CLASS.computeIfAbsent(
        testClass,
        name ->
            new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()});
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (event instanceof SparkListenerSQLExecutionStart query) {
      ofClass()[0].increment();
      BY_SITE.computeIfAbsent(query.description(), site -> new LongAdder()).increment();
    }
  }

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    JOB_STARTS.put(job.jobId(), job.time());
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd job) {
    LongAdder[] counts = ofClass();
    counts[1].increment();
    Long started = JOB_STARTS.remove(job.jobId());
    if (started != null) {
      counts[2].add(job.time() - started);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd task) {
    if (task.taskMetrics() != null) {
      ofClass()[3].add(task.taskMetrics().executorRunTime());
    }
  }

  private static void write(Path file) {
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      out.printf("%-32s %8s %8s %8s %8s%n", "class", "queries", "jobs", "job s", "task s");
      new TreeMap<>(BY_CLASS)
          .forEach(
              (name, counts) ->
                  out.printf(
                      "%-32s %8d %8d %8.1f %8.1f%n",
                      name,
                      counts[0].sum(),
                      counts[1].sum(),
                      counts[2].sum() / 1000.0,
                      counts[3].sum() / 1000.0));
      out.println();
      out.printf("%8s  %s%n", "queries", "call site");
      BY_SITE.entrySet().stream()
          .sorted(Comparator.comparingLong(entry -> -entry.getValue().sum()))
          .forEach(entry -> out.printf("%8d  %s%n", entry.getValue().sum(), entry.getKey()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
