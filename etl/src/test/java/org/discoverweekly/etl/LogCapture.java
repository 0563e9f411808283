package org.discoverweekly.etl;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Every log line of this JVM at INFO and above, from every logger (Spark, Hadoop, Delta, the
 * Cassandra driver and the pipeline's own), kept in memory while started: what an operator running
 * at INFO would find in the logs. Stopping restores the test logging configuration.
 */
public final class LogCapture {

  private static final String NAME = "capture";

  private final StringWriter lines = new StringWriter();

  /** Sends every logger's INFO lines here, and only here, until {@link #stop}. */
  public void start() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration configuration = context.getConfiguration();
    WriterAppender appender =
        WriterAppender.newBuilder()
            .setName(NAME)
            .setTarget(lines)
            .setLayout(
                PatternLayout.newBuilder()
                    .withPattern("%d{HH:mm:ss} %-5p %c: %m%n%throwable")
                    .build())
            .build();
    appender.start();
    configuration.addAppender(appender);
    for (LoggerConfig logger : configuration.getLoggers().values()) {
      logger.setLevel(Level.INFO);
      // The console gets nothing meanwhile: INFO from every library would flood the test output.
      logger.getAppenders().keySet().forEach(logger::removeAppender);
    }
    LoggerConfig root = configuration.getRootLogger();
    root.setLevel(Level.INFO);
    root.getAppenders().keySet().forEach(root::removeAppender);
    root.addAppender(appender, Level.INFO, null);
    context.updateLoggers();
  }

  /** The test logging configuration again (from its file). */
  public void stop() {
    ((LoggerContext) LogManager.getContext(false)).reconfigure();
  }

  /** Everything captured so far. */
  public String text() {
    return lines.toString(); // a StringWriter's buffer is a StringBuffer: reads are safe
  }
}
