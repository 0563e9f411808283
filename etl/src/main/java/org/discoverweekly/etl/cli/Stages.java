package org.discoverweekly.etl.cli;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.discoverweekly.etl.bronze.IngestListens;
import org.discoverweekly.etl.bronze.LoadTracks;
import org.discoverweekly.etl.ops.RunLedger;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.silver.BuildSilver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daily stages as steps that verbs chain, each recorded in the run ledger. */
final class Stages {

  private static final Logger LOG = LoggerFactory.getLogger(Stages.class);

  private Stages() {}

  /** The catalog, then each date's landing files; every folder is checked before anything runs. */
  static TextTable ingest(Pipeline pipeline, List<LocalDate> dates) {
    dates.forEach(pipeline.landing()::listenFiles);
    RunLedger ledger = pipeline.ledger();
    StageOutcome catalog =
        ledger.trackDate(
            "catalog",
            dates.get(0),
            () ->
                new StageOutcome(
                    Map.of(), new LoadTracks(pipeline.lake(), pipeline.landing()).run()));
    LOG.info("catalog: {} tracks -> silver.tracks", catalog.rowCounts().get("tracks"));
    TextTable table = new TextTable(List.of("date", "files", "bronze_rows", "seconds"));
    IngestListens ingest = new IngestListens(pipeline.lake(), pipeline.landing());
    for (LocalDate date : dates) {
      long started = System.nanoTime();
      StageOutcome outcome = ledger.trackDate("ingest", date, () -> ingest.run(date));
      Map<String, Long> counts = outcome.rowCounts();
      LOG.info("ingest {}: {} lines -> bronze.listens", date, counts.get("bronze"));
      table.add(date, counts.get("files"), counts.get("bronze"), seconds(started));
    }
    return table;
  }

  /** Each date's bronze rows to silver, in the order given. */
  static TextTable silver(Pipeline pipeline, List<LocalDate> dates) {
    RunLedger ledger = pipeline.ledger();
    BuildSilver silver = new BuildSilver(pipeline.lake(), pipeline.config().listens());
    TextTable table =
        new TextTable(
            List.of("date", "bronze_rows", "new", "duplicates", "quarantined", "seconds"));
    for (LocalDate date : dates) {
      long started = System.nanoTime();
      StageOutcome outcome = ledger.trackDate("silver", date, () -> silver.run(date));
      Map<String, Long> counts = outcome.rowCounts();
      LOG.info(
          "silver {}: {} new, {} duplicates, {} quarantined",
          date,
          counts.get("new"),
          counts.get("duplicates"),
          counts.get("quarantined"));
      table.add(
          date,
          counts.get("bronze"),
          counts.get("new"),
          counts.get("duplicates"),
          counts.get("quarantined"),
          seconds(started));
    }
    return table;
  }

  static String seconds(long startedNanos) {
    return String.format("%.1f", (System.nanoTime() - startedNanos) / 1e9);
  }
}
