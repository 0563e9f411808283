"""Shared fixtures of the DAG tests: the DAG as Airflow parses it, the application jar, and the
environment a spark-submit of it needs; and, at the end of the run, the seconds each slow fixture's
setup took."""

from __future__ import annotations

import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
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


class FixtureSeconds:
    """Seconds of each fixture's own setup (the fixtures it asks for are set up before it, and
    count apart), by name: the cluster's start, the history, the backfill, the DAG's run. pytest's
    --durations lumps them into the setup of the first test that needs them. A plugin, not hooks
    of this conftest, whose hooks would miss the session fixtures' setups."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        started = time.monotonic()
        try:
            return (yield)
        finally:
            name = fixturedef.argname
            self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - started

    def pytest_terminal_summary(self, terminalreporter):
        slow = sorted(((s, name) for name, s in self.seconds.items() if s >= 1), reverse=True)
        if slow:
            terminalreporter.section("seconds per fixture setup (1 s or more)")
            for seconds, name in slow:
                terminalreporter.write_line(f"{seconds:8.1f}  {name}")


def pytest_configure(config):
    config.pluginmanager.register(FixtureSeconds(), "fixture-seconds")


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
