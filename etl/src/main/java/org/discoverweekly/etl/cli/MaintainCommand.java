package org.discoverweekly.etl.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.discoverweekly.etl.config.PipelineConfig.MaintainSettings;
import org.discoverweekly.etl.ops.MaintainLake;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code maintain}: compaction, Z-order and VACUUM of every table, by the configured policy. */
@Command(
    name = "maintain",
    mixinStandardHelpOptions = true,
    description = {
      "Compact the recent partitions of every table (maintain.recent-days), Z-ordering",
      "silver.listens and gold.discover_weekly by user_id, then VACUUM files older than",
      "maintain.vacuum-retention-hours (Delta's 168 by default). Holds the lake's writer lock:",
      "refuses while another command (a weekly run, an ingest) writes the lake."
    })
final class MaintainCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Pipeline pipeline = new Pipeline(root.config());
    MaintainSettings settings = pipeline.config().maintain();
    PrintWriter out = spec.commandLine().getOut();
    if (settings.vacuumRetentionHours() < MaintainSettings.DELTA_SAFE_RETENTION_HOURS) {
      spec.commandLine()
          .getErr()
          .println(
              "discover-weekly maintain: vacuum retention "
                  + settings.vacuumRetentionHours()
                  + " h is below Delta's safe "
                  + MaintainSettings.DELTA_SAFE_RETENTION_HOURS
                  + " h (maintain.vacuum-retention-hours); older versions lose their files");
    }
    MaintainLake maintain = new MaintainLake(pipeline.lake(), settings);
    long started = System.nanoTime();
    try (var lock = pipeline.lockLake("maintain")) {
      List<MaintainLake.TableReport> reports = Stages.maintain(pipeline, maintain);
      TextTable table =
          new TextTable(
              List.of(
                  "table", "partitions", "z_order", "live_files", "after", "deleted", "seconds"));
      for (MaintainLake.TableReport report : reports) {
        table.add(
            report.table().sqlName(),
            report.partitions(),
            report.zOrderBy(),
            report.liveFilesBefore(),
            report.liveFilesAfter(),
            report.filesDeleted(),
            String.format(Locale.ROOT, "%.1f", report.seconds()));
      }
      table.print(out);
    }
    out.printf(Locale.ROOT, "maintain: done in %.1f s%n", (System.nanoTime() - started) / 1e9);
    return 0;
  }
}
