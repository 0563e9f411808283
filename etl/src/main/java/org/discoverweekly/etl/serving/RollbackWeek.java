package org.discoverweekly.etl.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.discoverweekly.etl.ops.RunLedger;
import org.discoverweekly.etl.ops.StageOutcome;

/**
 * {@code rollback --week W}: W stops being served at once and readers fall back to the newest
 * served week before it. The rows stay until their TTL, so publishing W again serves it again.
 */
public final class RollbackWeek {

  private final RunLedger ledger;
  private final CassandraSettings settings;
  private final Clock clock;

  public RollbackWeek(RunLedger ledger, CassandraSettings settings, Clock clock) {
    this.ledger = ledger;
    this.settings = settings;
    this.clock = clock;
  }

  /** What the rollback did. */
  public record Result(boolean alreadyRolledBack, Optional<LocalDate> nowServed) {}

  public Result run(LocalDate week) {
    try (CqlSession session =
        CassandraConnection.open(CassandraConnection.connector(settings), settings)) {
      PublishedWeeks published = new PublishedWeeks(session, settings);
      PublishedWeeks.Week current =
          published
              .find(week)
              .orElseThrow(() -> new PipelineException("week " + week + " was never published"));
      boolean already = !current.served();
      if (!already) {
        ledger.trackWeek(
            "rollback",
            week,
            () -> {
              published.rollBack(week, clock.instant());
              return new StageOutcome(
                  Map.of(),
                  Map.of("users", current.users()),
                  Map.of("model_version", current.modelVersion()),
                  StageOutcome.SUCCEEDED,
                  null);
            });
      }
      Optional<LocalDate> nowServed =
          published.all().stream()
              .filter(PublishedWeeks.Week::served)
              .map(PublishedWeeks.Week::week)
              .findFirst();
      return new Result(already, nowServed);
    }
  }
}
