"""
### discover_weekly

Every Monday 00:00 UTC this DAG builds and serves the Discover Weekly playlists of the week that
just closed. Its data interval is that week, `[W - 7 days, W)`, and `W` (the interval end, a
Monday) is the week the playlists are for.

| task | CLI verb | what it does |
|---|---|---|
| `ingest` | `ingest --from W-7 --to W-1` | the week's seven arrival dates: landing -> bronze |
| `silver` | `silver --from W-7 --to W-1` | bronze -> silver.listens + silver.quarantine |
| `weekly` | `weekly --week W` | snapshot, ALS, playlists, backtest, gate (fails if rejected) |
|  | `--challenger=F` | with `params.challenger`: a challenger, served if it wins |
| `publish` | `publish --week W` | gold.discover_weekly -> Cassandra, then W served |
| `evaluate` | `evaluate --week W` | the backtest report in gold.model_metrics (reuses weekly's) |

Each task submits the application jar (`params.jar`) with `spark-submit` through the Spark
connection `spark_default` (its host is the master: `yarn`, `k8s://...`, `local[*]`), with the
pipeline config `params.conf`. Every verb is idempotent, so retries and reruns are safe. Exit
code 4 (anomalous data: silver's data-quality check, or weekly refusing a window that holds an
unacknowledged anomalous date) fails the task at once, without retries, and `task_failed` names
the dates and metrics; rerun it after `ack --date D --reason TEXT` or a fix. With Airflow's
OpenLineage provider, each Spark job's lineage events name their task's run as parent.
`max_active_runs=1`: a week builds on the silver of the weeks before it, and Delta on S3 allows
one writer per table at a time. Replay a range, one week at a time and in order, with
`airflow backfill create --dag-id discover_weekly --from-date D1 --to-date D2
--max-active-runs 1` (add `--reprocess-behavior completed` to redo weeks that succeeded).
A deadline alert fires when the playlists are not published by Monday 06:00 UTC.

This file holds wiring only; the logic is in the jar (see the repository README).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import (
    DAG,
    AsyncCallback,
    CronDataIntervalTimetable,
    DeadlineAlert,
    DeadlineReference,
    Param,
)

from discover_weekly_callbacks import playlists_late, task_failed
from discover_weekly_submit import PipelineSubmitOperator

MAIN_CLASS = "org.discoverweekly.etl.cli.DiscoverWeekly"
WEEK = "{{ data_interval_end | ds }}"
FIRST_DATE = "{{ data_interval_start | ds }}"
LAST_DATE = "{{ macros.ds_add(data_interval_end | ds, -1) }}"

with DAG(
    dag_id="discover_weekly",
    doc_md=__doc__,
    description="Listening events to 30 unheard tracks per user, every Monday",
    schedule=CronDataIntervalTimetable("0 0 * * 1", timezone="UTC"),
    start_date=datetime(2026, 1, 5, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        # The logical date is the interval start; playlists are due Monday 06:00 UTC.
        interval=timedelta(days=7, hours=6),
        callback=AsyncCallback(playlists_late),
    ),
    params={
        "jar": Param(
            "/opt/discover-weekly/discover-weekly.jar",
            type="string",
            description="The application jar (etl/target/discover-weekly.jar).",
        ),
        "conf": Param(
            "/opt/discover-weekly/cluster.conf",
            type="string",
            description="The pipeline's HOCON config (see conf/cluster.conf).",
        ),
        "challenger": Param(
            "",
            type="string",
            description=(
                "A challenger config (weekly.als.* and ranking keys) that weekly trains beside"
                " the week's model and serves if it beats it; empty: none."
            ),
        ),
    },
    default_args={
        "owner": "discover-weekly",
        "retries": 3,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(hours=1),
        "on_failure_callback": task_failed,
    },
    tags=["discover-weekly", "spark"],
) as dag:

    def submit(task_id: str, timeout: timedelta, *args: str) -> PipelineSubmitOperator:
        return PipelineSubmitOperator(
            task_id=task_id,
            conn_id="spark_default",
            application="{{ params.jar }}",
            java_class=MAIN_CLASS,
            name=f"discover-weekly-{task_id}",
            application_args=["--conf", "{{ params.conf }}", *args],
            execution_timeout=timeout,
            # With Airflow's OpenLineage provider installed, the job's lineage events (lineage.*
            # in the pipeline config) name this task's run as their parent.
            openlineage_inject_parent_job_info=True,
        )

    ingest = submit("ingest", timedelta(hours=1), "ingest", "--from", FIRST_DATE, "--to", LAST_DATE)
    silver = submit("silver", timedelta(hours=2), "silver", "--from", FIRST_DATE, "--to", LAST_DATE)
    weekly = submit(
        "weekly",
        timedelta(hours=4),
        "weekly",
        "--week",
        WEEK,
        # One argument, so an empty param renders as --challenger= (none).
        "--challenger={{ params.challenger }}",
    )
    publish = submit("publish", timedelta(hours=1), "publish", "--week", WEEK)
    evaluate = submit("evaluate", timedelta(hours=2), "evaluate", "--week", WEEK)

    ingest >> silver >> weekly >> publish >> evaluate
