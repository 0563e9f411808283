package org.discoverweekly.etl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.AnalysisException;
import org.discoverweekly.etl.BuildInfo;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.ConfigError;
import org.discoverweekly.etl.config.ConfigLoader;
import org.discoverweekly.etl.config.PipelineConfig;
import org.discoverweekly.etl.quality.DataAnomalyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code discover-weekly} command line: global options and the verbs. */
@Command(
    name = "discover-weekly",
    mixinStandardHelpOptions = true,
    versionProvider = DiscoverWeekly.Version.class,
    sortOptions = false,
    description = "Listening events to a weekly playlist of 30 unheard tracks per user.",
    subcommands = {
      GenerateCommand.class,
      IngestCommand.class,
      SilverCommand.class,
      WeeklyCommand.class,
      EvaluateCommand.class,
      TuneCommand.class,
      PublishCommand.class,
      RunCommand.class,
      BackfillCommand.class,
      SqlCommand.class,
      PlaylistCommand.class,
      RollbackCommand.class,
      AckCommand.class,
      ReportCommand.class,
      ForgetCommand.class,
      MaintainCommand.class,
      DemoCommand.class,
    })
public final class DiscoverWeekly {

  /** Exit code of a bad argument or a failed stage. */
  static final int FAILED = 1;

  /** Exit code of a command line that does not parse. */
  static final int USAGE = 2;

  /** Exit code of a lookup that found nothing (a user without a playlist). */
  static final int NOT_FOUND = 3;

  /**
   * Exit code of anomalous data with {@code quality.on-anomaly = fail}: silver found an anomalous
   * arrival date, or weekly refused a window holding one not acknowledged. The DAG's operator
   * (dags/discover_weekly_submit.py) reads this code and the error line below from spark-submit's
   * output; dags/tests/test_dag_anomaly.py fails when either changes.
   */
  static final int ANOMALY = 4;

  @Option(
      names = "--conf",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "HOCON config layered over the embedded defaults.")
  Path conf;

  @Option(
      names = "--lake",
      scope = ScopeType.INHERIT,
      paramLabel = "URI",
      description = "Lake root (a local path or s3a://...), overriding the config.")
  String lake;

  @Option(
      names = "--landing",
      scope = ScopeType.INHERIT,
      paramLabel = "URI",
      description = "Landing root (a local path or s3a://...), overriding the config.")
  String landing;

  @Option(
      names = "-D",
      scope = ScopeType.INHERIT,
      paramLabel = "KEY=VALUE",
      mapFallbackValue = "",
      description = "Override one config key, e.g. -Dlistens.lateness-horizon-days=14.")
  Map<String, String> overrides = new LinkedHashMap<>();

  private PipelineConfig config;

  /** The configuration, parsed once per invocation. */
  PipelineConfig config() {
    if (config == null) {
      config =
          ConfigLoader.load(
              Optional.ofNullable(conf),
              overrides,
              Optional.ofNullable(lake),
              Optional.ofNullable(landing));
    }
    return config;
  }

  /** The configuration with a challenger file's keys over it ({@code weekly --challenger}). */
  PipelineConfig challengerConfig(Path challenger) {
    return ConfigLoader.challenger(
        challenger,
        Optional.ofNullable(conf),
        overrides,
        Optional.ofNullable(lake),
        Optional.ofNullable(landing));
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; results go to {@code out}, errors to {@code err}. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new DiscoverWeekly());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (e, ignored) -> {
          err.println("discover-weekly: " + e.getMessage() + " (see --help)");
          return USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, command, parseResult) -> {
          // One line, "discover-weekly <verb>: <what failed>": the DAG's operator finds it so.
          err.println("discover-weekly " + command.getCommandName() + ": " + describe(e));
          return e instanceof DataAnomalyException ? ANOMALY : FAILED;
        });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** One line for a failure: its message, or for a bug its first line and a stack trace file. */
  static String describe(Exception e) {
    if (e instanceof PipelineException || e instanceof ConfigError) {
      return e.getMessage();
    }
    if (e instanceof AnalysisException analysis) {
      return SqlCommand.describe(analysis);
    }
    return firstLine(String.valueOf(e.getMessage()))
        + " ("
        + e.getClass().getSimpleName()
        + "; stack trace in "
        + saveStackTrace(e)
        + ")";
  }

  /** The first non-blank line of a message; Spark's parse errors start with a newline. */
  static String firstLine(String message) {
    return message
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .findFirst()
        .orElse("");
  }

  private static Path saveStackTrace(Exception e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    try {
      Path file = Files.createTempFile("discover-weekly-error-", ".log");
      Files.writeString(file, trace.toString());
      return file;
    } catch (IOException io) {
      throw new UncheckedIOException(io);
    }
  }

  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"discover-weekly " + BuildInfo.version()};
    }
  }
}
