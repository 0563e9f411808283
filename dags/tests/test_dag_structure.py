"""The DAG as Airflow parses it: no import errors, the expected tasks and edges, the schedule and
data interval, retries and timeouts on every task, and the CLI arguments its templates render."""

from __future__ import annotations

import ast
from datetime import timedelta

import pendulum
import pytest
from airflow.sdk import macros
from airflow.serialization.encoders import coerce_to_core_timetable

from conftest import DAGS

EXPECTED_EDGES = {
    "ingest": {"silver"},
    "silver": {"weekly"},
    "weekly": {"publish"},
    "publish": {"evaluate"},
    "evaluate": set(),
}


def test_the_dag_folder_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert list(dagbag.dags) == ["discover_weekly"]


def test_tasks_and_edges_are_the_pipeline_in_order(dag):
    edges = {task.task_id: set(task.downstream_task_ids) for task in dag.tasks}
    assert edges == EXPECTED_EDGES


def test_one_run_at_a_time_with_the_docstring_as_docs(dag):
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    assert dag.doc_md.strip().startswith("### discover_weekly")


def test_the_data_interval_is_the_week_that_just_closed(dag):
    timetable = coerce_to_core_timetable(dag.timetable)
    interval = timetable.infer_manual_data_interval(
        run_after=pendulum.datetime(2026, 11, 16, 0, 5, tz="UTC")
    )
    assert interval.start == pendulum.datetime(2026, 11, 9, tz="UTC")
    assert interval.end == pendulum.datetime(2026, 11, 16, tz="UTC")


def test_the_deadline_is_monday_six_utc(dag):
    deadlines = dag.deadline if isinstance(dag.deadline, list) else [dag.deadline]
    assert [d.interval for d in deadlines] == [timedelta(days=7, hours=6)]


@pytest.mark.parametrize("task_id", sorted(EXPECTED_EDGES))
def test_every_task_retries_with_backoff_and_has_a_timeout(dag, task_id):
    task = dag.get_task(task_id)
    assert task.retries >= 2
    assert task.retry_exponential_backoff > 1
    assert task.max_retry_delay is not None
    assert task.execution_timeout is not None and task.execution_timeout <= timedelta(hours=4)
    assert task.on_failure_callback


def render(dag, task_id, start, end):
    task = dag.get_task(task_id)
    context = {
        "data_interval_start": start,
        "data_interval_end": end,
        "macros": macros,
        "params": {name: dag.params[name] for name in dag.params},
    }
    env = dag.get_template_env()
    return task.render_template(task.application, context, env), task.render_template(
        task.application_args, context, env
    )


def test_templates_render_the_weeks_dates_for_the_cli(dag):
    start = pendulum.datetime(2026, 11, 9, tz="UTC")
    end = pendulum.datetime(2026, 11, 16, tz="UTC")
    conf = ["--conf", "/opt/discover-weekly/cluster.conf"]
    dates = ["--from", "2026-11-09", "--to", "2026-11-15"]
    week = ["--week", "2026-11-16"]
    expected = {
        "ingest": conf + ["ingest"] + dates,
        "silver": conf + ["silver"] + dates,
        "weekly": conf + ["weekly"] + week + ["--challenger="],
        "publish": conf + ["publish"] + week,
        "evaluate": conf + ["evaluate"] + week,
    }
    for task_id, args in expected.items():
        application, rendered = render(dag, task_id, start, end)
        assert application == "/opt/discover-weekly/discover-weekly.jar"
        assert rendered == args, task_id


def test_a_challenger_param_reaches_weekly(dag):
    start = pendulum.datetime(2026, 11, 9, tz="UTC")
    end = pendulum.datetime(2026, 11, 16, tz="UTC")
    dag.params["challenger"] = "/opt/discover-weekly/rank32.conf"
    try:
        _, rendered = render(dag, "weekly", start, end)
    finally:
        dag.params["challenger"] = ""
    assert rendered[-1] == "--challenger=/opt/discover-weekly/rank32.conf"


def test_the_dag_file_is_wiring_only():
    tree = ast.parse((DAGS / "discover_weekly.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= {
        "__future__",
        "datetime",
        "airflow.sdk",
        "discover_weekly_callbacks",
        "discover_weekly_submit",
    }
    source = (DAGS / "discover_weekly.py").read_text()
    for call in ("Variable.get", "open(", "now()", "utcnow"):
        assert call not in source
