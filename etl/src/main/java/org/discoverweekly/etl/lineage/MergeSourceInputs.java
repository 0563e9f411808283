package org.discoverweekly.etl.lineage;

import io.openlineage.client.OpenLineage.InputDataset;
import io.openlineage.spark.agent.util.PlanUtils;
import io.openlineage.spark.api.AbstractQueryPlanInputDatasetBuilder;
import io.openlineage.spark.api.OpenLineageContext;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.delta.commands.MergeIntoCommand;
import scala.PartialFunction;
import scala.collection.JavaConverters;

/**
 * The inputs of a Delta MERGE's source, read from the leaves of its plan. OpenLineage's own MERGE
 * builder (1.53) names only what the source's top node is, which for silver's merges is a join over
 * a cached relation: without this, silver.listens would name no bronze table as its input.
 */
final class MergeSourceInputs extends AbstractQueryPlanInputDatasetBuilder<MergeIntoCommand> {

  MergeSourceInputs(OpenLineageContext context) {
    super(context, false);
  }

  @Override
  public boolean isDefinedAtLogicalPlan(LogicalPlan plan) {
    return plan instanceof MergeIntoCommand;
  }

  @Override
  public List<InputDataset> apply(MergeIntoCommand merge) {
    return List.of();
  }

  @Override
  protected List<InputDataset> apply(SparkListenerEvent event, MergeIntoCommand merge) {
    List<PartialFunction<LogicalPlan, List<InputDataset>>> visitors =
        new ArrayList<>(context.getInputDatasetQueryPlanVisitors());
    for (Object builder : context.getInputDatasetBuilders()) {
      if (builder instanceof AbstractQueryPlanInputDatasetBuilder<?> planBuilder
          && builder != this
          && planBuilder.isDefinedAt(event)) {
        visitors.add(planBuilder.asQueryPlanVisitor(event));
      }
    }
    // Each visitor on its own and guarded: one that needs a class this class path lacks (Spark's
    // Hive commands) must not cost the others' datasets, as it does in OpenLineage's delegate.
    List<InputDataset> inputs = new ArrayList<>();
    for (LogicalPlan leaf : JavaConverters.seqAsJavaList(merge.source().collectLeaves())) {
      for (PartialFunction<LogicalPlan, List<InputDataset>> visitor : visitors) {
        if (PlanUtils.safeIsDefinedAt(visitor, leaf)) {
          inputs.addAll(PlanUtils.safeApply(visitor, leaf));
        }
      }
    }
    return inputs;
  }
}
