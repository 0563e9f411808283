"""How the DAG's tasks run the pipeline: a spark-submit of one CLI verb of the application jar.

Exit code 4 is the CLI's verdict on the data, not a fault: silver measured an arrival date as
anomalous, or weekly refused a window holding one (docs/operations.md, "Data quality"). A retry
would reach the same verdict hours later, so the task fails at once, with the CLI's own line
(naming the dates and the metrics) as its error, for `task_failed` to pass on.
"""

from __future__ import annotations

import re

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException

ANOMALY_EXIT_CODE = 4
# SparkSubmitHook's failure: "Cannot execute: <cmd>. Error code is: N." and then the last lines
# of spark-submit's output, among them the driver's one-line error.
_EXIT_CODE = re.compile(r"Error code is: (\d+)\.")
_CLI_ERROR = re.compile(r"^discover-weekly \w+: (.+)$", re.MULTILINE)


class DataAnomaly(AirflowFailException):
    """The CLI exited with code 4: anomalous data. Fails the task without retries."""


def data_anomaly(error: BaseException) -> str | None:
    """The CLI's line when `error` is a spark-submit that exited with code 4, else None."""
    text = str(error)
    code = _EXIT_CODE.search(text)
    if code is None or int(code.group(1)) != ANOMALY_EXIT_CODE:
        return None
    said = _CLI_ERROR.findall(text)
    return said[-1] if said else "anomalous data (exit code 4); the task's log has the details"


class PipelineSubmitOperator(SparkSubmitOperator):
    """SparkSubmitOperator whose exit code 4 raises DataAnomaly instead of a retryable failure."""

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowException as error:
            anomaly = data_anomaly(error)
            if anomaly is None:
                raise
            raise DataAnomaly(anomaly) from error
