package org.discoverweekly.etl.gold;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.recommendation.ALSModel;
import org.discoverweekly.etl.storage.Lake;

/**
 * The ALS model of each week and model version in the lake's model folder, saved with {@code
 * discover-weekly-model.json}: the week, the config and the input versions that built it.
 */
public final class ModelStore {

  private final Lake lake;

  public ModelStore(Lake lake) {
    this.lake = lake;
  }

  public String path(LocalDate week, String modelVersion) {
    return lake.modelPath(week, modelVersion);
  }

  /** Whether the model of W and {@code modelVersion} was saved whole (its metadata is written). */
  public boolean exists(LocalDate week, String modelVersion) {
    String path = path(week, modelVersion);
    try {
      Path metadata = new Path(path, "metadata");
      return metadata
          .getFileSystem(lake.spark().sparkContext().hadoopConfiguration())
          .exists(metadata);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look for the model at " + path, e);
    }
  }

  public ALSModel load(LocalDate week, String modelVersion) {
    return ALSModel.load(path(week, modelVersion));
  }

  /** Saves the model over any earlier one of the same version, then what built it. */
  public void save(
      ALSModel model,
      LocalDate week,
      String modelVersion,
      Map<String, String> config,
      Map<String, Long> inputs) {
    String path = path(week, modelVersion);
    try {
      model.write().overwrite().save(path);
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("week", week.toString());
      info.put("config", config);
      info.put("input_versions", inputs);
      Path file = new Path(path, "discover-weekly-model.json");
      FileSystem fs = file.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(file, true)) {
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out, info);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the model to " + path, e);
    }
  }
}
