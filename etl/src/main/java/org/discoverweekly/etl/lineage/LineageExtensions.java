package org.discoverweekly.etl.lineage;

import io.openlineage.client.OpenLineage.InputDataset;
import io.openlineage.spark.api.OpenLineageContext;
import io.openlineage.spark.api.OpenLineageEventHandlerFactory;
import java.util.Collection;
import java.util.List;
import scala.PartialFunction;

/**
 * The pipeline's additions to OpenLineage's Spark listener, found by its service loader (named in
 * {@code META-INF/services}) when {@code lineage.enabled} turns the listener on.
 */
public final class LineageExtensions implements OpenLineageEventHandlerFactory {

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Collection<PartialFunction<Object, List<InputDataset>>> createInputDatasetBuilder(
      OpenLineageContext context) {
    // A builder is a partial function over the listener's events; the factory's type says Object.
    return List.of((PartialFunction) new MergeSourceInputs(context));
  }
}
