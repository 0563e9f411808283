"""Shared fixtures of the DAG tests: the DAG as Airflow parses it."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(DAGS))

# A private Airflow home (its SQLite metadata DB) for this test session, set before Airflow loads.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="airflow-home-")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
# Airflow's OpenLineage provider on, its events in a file: the DAG run's tasks are the parents of
# their Spark jobs' events (test_dag_run reads the file this variable names).
os.environ["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(
    {
        "type": "file",
        "log_file_path": str(Path(os.environ["AIRFLOW_HOME"]) / "openlineage.jsonl"),
        "append": True,
    }
)


@pytest.fixture(scope="session")
def airflow_db():
    """The metadata DB that dag.test() records its run in."""
    from airflow.utils.db import initdb

    initdb()


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="session")
def dag(dagbag):
    return dagbag.dags["discover_weekly"]
