package org.discoverweekly.etl.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.discoverweekly.etl.ops.ModelRegistry;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.ops.Step;

/**
 * {@code rollback --week W}: W's served mark in Cassandra's published weeks cleared at once, so
 * readers fall back to the newest served week before it, and its model {@code rolled_back} in
 * {@code ops.models}. The rows stay until their TTL, so publishing W again serves it again. Open
 * while its Cassandra session is.
 */
public final class RollbackWeek implements AutoCloseable {

  private final CqlSession session;
  private final PublishedWeeks published;
  private final ModelRegistry registry;
  private final Clock clock;

  private RollbackWeek(
      CqlSession session, CassandraSettings settings, ModelRegistry registry, Clock clock) {
    this.session = session;
    this.published = new PublishedWeeks(session, settings);
    this.registry = registry;
    this.clock = clock;
  }

  public static RollbackWeek open(CassandraSettings settings, ModelRegistry registry, Clock clock) {
    return new RollbackWeek(
        CassandraConnection.open(CassandraConnection.connector(settings), settings),
        settings,
        registry,
        clock);
  }

  /** What the rollback did. */
  public record Result(boolean alreadyRolledBack, Optional<LocalDate> nowServed) {}

  /**
   * The step that stops serving W, or empty when W is already rolled back; fails when W was never
   * published.
   */
  public Optional<Step> step(LocalDate week) {
    PublishedWeeks.Week current =
        published
            .find(week)
            .orElseThrow(() -> new PipelineException("week " + week + " was never published"));
    if (!current.served()) {
      return Optional.empty();
    }
    return Optional.of(
        new Step(
            Stage.ROLLBACK,
            () -> {
              published.rollBack(week, clock.instant());
              registry.rolledBack(week, current.modelVersion());
              return new StageOutcome(
                  Map.of(),
                  Map.of("users", current.users()),
                  Map.of("model_version", current.modelVersion()),
                  StageOutcome.SUCCEEDED,
                  null);
            }));
  }

  /** The newest week readers are served now. */
  public Optional<LocalDate> nowServed() {
    return published.all().stream()
        .filter(PublishedWeeks.Week::served)
        .map(PublishedWeeks.Week::week)
        .findFirst();
  }

  @Override
  public void close() {
    session.close();
  }
}
