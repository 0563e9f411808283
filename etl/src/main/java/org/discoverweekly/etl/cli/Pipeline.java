package org.discoverweekly.etl.cli;

import java.time.Clock;
import org.apache.spark.sql.SparkSession;
import org.discoverweekly.etl.config.PipelineConfig;
import org.discoverweekly.etl.ops.LakeLock;
import org.discoverweekly.etl.ops.ModelRegistry;
import org.discoverweekly.etl.ops.RunLedger;
import org.discoverweekly.etl.quality.DataQuality;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Landing;
import org.discoverweekly.etl.storage.SparkSessions;

/**
 * What a verb works with: the config, one SparkSession, the lake, the landing zone, the ledger, the
 * model registry, and the clock they all stamp their rows with.
 */
final class Pipeline {

  private final PipelineConfig config;
  private final SparkSession spark;
  private final Lake lake;
  private final Landing landing;
  private final RunLedger ledger;
  private final ModelRegistry registry;
  private final Clock clock = Clock.systemUTC();

  Pipeline(PipelineConfig config) {
    this.config = config;
    this.spark = SparkSessions.create(config.spark());
    this.lake = new Lake(spark, config.lake());
    this.landing = new Landing(spark, config.landing());
    this.ledger = new RunLedger(lake, clock);
    this.registry = new ModelRegistry(lake, clock);
  }

  PipelineConfig config() {
    return config;
  }

  SparkSession spark() {
    return spark;
  }

  Lake lake() {
    return lake;
  }

  Landing landing() {
    return landing;
  }

  RunLedger ledger() {
    return ledger;
  }

  ModelRegistry registry() {
    return registry;
  }

  Clock clock() {
    return clock;
  }

  /** Silver's data-quality check of this lake, with the config's rules. */
  DataQuality dataQuality() {
    return new DataQuality(lake, config.quality(), config.listens(), clock);
  }

  /**
   * Takes the lake's writer lock for {@code command}, the command line as an operator would
   * recognise it; fails at once, naming the holder, when another command writes the lake.
   */
  LakeLock.Held lockLake(String command) {
    return new LakeLock(lake.root(), spark.sparkContext().hadoopConfiguration(), clock)
        .acquire(command);
  }
}
