package org.discoverweekly.etl.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.discoverweekly.etl.serving.CassandraConnection;
import org.discoverweekly.etl.serving.PlaylistReader;
import org.discoverweekly.etl.serving.PublishedWeeks;
import org.discoverweekly.etl.serving.ServingSchema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code playlist}: a user's playlist read back from Cassandra, as the serving API sees it. */
@Command(
    name = "playlist",
    mixinStandardHelpOptions = true,
    description = {
      "Print a user's playlist from Cassandra: the newest served week, or the week before when",
      "the newest is missing for the user or was rolled back. Needs no Spark.",
      "Exit code 3 when the user has no playlist."
    })
final class PlaylistCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "U", description = "The user id.")
  String user;

  @Option(
      names = "--week",
      converter = Dates.Monday.class,
      paramLabel = "W",
      description = "Exactly this published week instead of the newest.")
  LocalDate week;

  @Override
  public Integer call() {
    CassandraSettings settings = root.config().cassandra();
    PrintWriter err = spec.commandLine().getErr();
    try (CqlSession session =
        CassandraConnection.open(CassandraConnection.connector(settings), settings)) {
      if (!ServingSchema.exists(session, settings)) {
        err.println(
            "discover-weekly playlist: nothing is published yet (no schema in keyspace "
                + settings.keyspace()
                + "): publish --week W first");
        return DiscoverWeekly.NOT_FOUND;
      }
      PlaylistReader reader = new PlaylistReader(session, settings);
      Optional<PlaylistReader.Playlist> playlist =
          week == null ? reader.newest(user) : reader.forWeek(user, week);
      if (playlist.isEmpty()) {
        err.println("discover-weekly playlist: " + none(reader.weeks()));
        return DiscoverWeekly.NOT_FOUND;
      }
      PlaylistReader.Playlist found = playlist.get();
      err.println(
          "playlist of "
              + user
              + " for "
              + found.week()
              + " (source "
              + found.source()
              + ", model "
              + found.modelVersion()
              + ")");
      Stages.printPlaylist(found, spec.commandLine().getOut());
      return 0;
    } catch (com.datastax.oss.driver.api.core.DriverException e) {
      throw new PipelineException(
          "reading from Cassandra at "
              + String.join(",", settings.hosts())
              + ":"
              + settings.port()
              + " failed ("
              + DiscoverWeekly.firstLine(String.valueOf(e.getMessage()))
              + ")",
          e);
    }
  }

  /** Why there is nothing to show. */
  private String none(List<PublishedWeeks.Week> weeks) {
    if (week == null) {
      return weeks.stream().noneMatch(PublishedWeeks.Week::served)
          ? "no week is served yet: publish --week W first"
          : "no published playlist for user " + user;
    }
    Optional<PublishedWeeks.Week> published =
        weeks.stream().filter(w -> w.week().equals(week)).findFirst();
    if (published.isEmpty()) {
      return "week " + week + " was never published";
    }
    if (!published.get().served()) {
      return "week " + week + " was rolled back";
    }
    return "no playlist for user " + user + " in week " + week;
  }
}
