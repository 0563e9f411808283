package org.discoverweekly.etl.cli;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.ops.StageOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ack}: accept an anomalous arrival date as it is, with a reason, in the ledger. */
@Command(
    name = "ack",
    mixinStandardHelpOptions = true,
    description = {
      "Acknowledge the anomalies silver recorded for arrival date D (ops.data_quality): the",
      "ledger records the reason in a row of stage ack, weekly then builds windows holding D,",
      "and D counts as a trailing date for the dates after it. A later rerun of silver for D",
      "measures it afresh."
    })
final class AckCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Option(
      names = "--date",
      required = true,
      paramLabel = "D",
      converter = Dates.IsoDate.class,
      description = "The anomalous arrival date (YYYY-MM-DD).")
  LocalDate date;

  @Option(
      names = "--reason",
      required = true,
      paramLabel = "TEXT",
      description = "Why the data is accepted as it is (recorded in ops.pipeline_runs.message).")
  String reason;

  @Override
  public Integer call() {
    if (reason.isBlank()) {
      throw new PipelineException("--reason must say why the anomaly is accepted");
    }
    Pipeline pipeline = new Pipeline(root.config());
    String anomalies;
    try (var lock = pipeline.lockLake("ack --date " + date)) {
      anomalies = pipeline.dataQuality().anomaliesOf(date);
      pipeline
          .ledger()
          .trackDates(
              Stage.ACK,
              List.of(date),
              () ->
                  new TreeMap<>(
                      Map.of(
                          date,
                          new StageOutcome(
                              Map.of(),
                              Map.of(),
                              Map.of("anomalies", anomalies),
                              StageOutcome.ACKNOWLEDGED,
                              reason))));
    }
    spec.commandLine()
        .getOut()
        .println(
            "ack " + date + ": acknowledged (" + anomalies + "); weekly builds windows holding it");
    return 0;
  }
}
