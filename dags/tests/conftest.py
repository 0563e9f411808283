"""Shared fixtures of the DAG tests: the DAG as Airflow parses it, the application jar, and the
environment a spark-submit of it needs."""

from __future__ import annotations

import json
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1]
HOME = DAGS.parent
JAR = HOME / "etl" / "target" / "discover-weekly.jar"
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


@pytest.fixture(scope="session")
def jar() -> Path:
    """The application jar the DAG submits."""
    if not JAR.exists():
        pytest.fail(f"{JAR} is missing: bin/test builds it (mvn verify) before the DAG tests")
    return JAR


@pytest.fixture(scope="session")
def submit_env(tmp_path_factory) -> dict[str, str]:
    """What a spark-submit needs, as on an Airflow worker: this environment's scripts on PATH,
    pyspark's Spark home, a driver that executors reach on loopback, and a Spark config dir with
    the project's logging (the driver at WARN). A cluster's executors compile with C1 alone: an
    executor of these tests lives for seconds on a few thousand rows, and C2's compiling cost more
    than it saved (a week's `weekly` on the test's cluster: 112 s and 215 CPU seconds with both
    compilers, 83 s and 152 with C1, two runs each)."""
    conf_dir = tmp_path_factory.mktemp("spark-conf")
    shutil.copy(HOME / "conf" / "log4j2.properties", conf_dir)
    (conf_dir / "spark-defaults.conf").write_text(
        "spark.executor.extraJavaOptions -XX:TieredStopAtLevel=1\n"
    )
    venv_bin = Path(sysconfig.get_paths()["scripts"])
    return {
        "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}",
        "SPARK_HOME": str(Path(sysconfig.get_paths()["purelib"]) / "pyspark"),
        "SPARK_CONF_DIR": str(conf_dir),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
