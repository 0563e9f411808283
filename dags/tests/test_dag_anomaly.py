"""Anomalous data as the DAG's silver task meets it: a real spark-submit of the jar's `silver`
over a week whose last date a client release garbled (`generate --format-change`), run by the
DAG's operator. The CLI exits with code 4; the task fails at once (no retries: a retry reaches the
same verdict) with the CLI's line, and the failure callback names the date and the metric."""

from __future__ import annotations

import json
import logging
import subprocess
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowFailException

from conftest import HOME
from discover_weekly_callbacks import task_failed
from discover_weekly_submit import DataAnomaly, PipelineSubmitOperator

WEEK = date(2026, 11, 16)
GARBLED = WEEK - timedelta(days=1)


def test_anomalous_data_fails_silver_at_once_and_the_callback_names_the_date_and_metric(
    tmp_path, monkeypatch, caplog, jar, submit_env
):
    landing = tmp_path / "landing"
    subprocess.run(
        [str(HOME / "bin" / "discover-weekly"), "generate", "--out", str(landing),
         "--users", "150", "--tracks", "300", "--weeks", "1", "--end-week", str(WEEK),
         "--seed", "11", "--plays-per-day", "8", "--format-change", str(GARBLED)],
        check=True, capture_output=True,
    )  # fmt: skip
    conf = tmp_path / "pipeline.conf"
    # A lake this small is judged only with min-listens lowered (its default leaves it unjudged);
    # its days' volumes vary by more than max-drop allows, so only the quarantine rules judge.
    conf.write_text(
        f"""
        lake = "{tmp_path / "lake"}"
        landing = "{landing}"
        spark {{ master = "local[2]", shuffle-partitions = 2 }}
        quality {{ min-listens = 0, max-drop = 0.9 }}
        """
    )
    for name, value in submit_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(
        "AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "local[2]"})
    )

    silver = PipelineSubmitOperator(
        task_id="silver",
        conn_id="spark_default",
        application=str(jar),
        java_class="org.discoverweekly.etl.cli.DiscoverWeekly",
        name="discover-weekly-silver",
        application_args=["--conf", str(conf), "silver", "--ingest",
                          "--from", str(WEEK - timedelta(days=7)), "--to", str(GARBLED)],
    )  # fmt: skip
    with pytest.raises(DataAnomaly) as failed:
        silver.execute(context={})
    # AirflowFailException: Airflow fails the task without its retries.
    assert isinstance(failed.value, AirflowFailException)
    said = str(failed.value)
    # Only the garbled date, its quarantine rate and the reason behind most of it.
    assert said.startswith(f"anomalous data on {GARBLED} (quarantine rate "), said
    assert "unknown_track" in said, said

    with caplog.at_level(logging.ERROR, logger="discover_weekly"):
        task_failed(
            {
                "ti": SimpleNamespace(task_id="silver", try_number=1),
                "exception": failed.value,
                "data_interval_end": WEEK,
            }
        )
    alert = caplog.records[-1].getMessage()
    assert alert.startswith(
        f"discover_weekly: silver found anomalous data for the interval ending {WEEK}: "
        f"anomalous data on {GARBLED} (quarantine rate "
    ), alert
