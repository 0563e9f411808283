"""One real run of the DAG through Airflow: `dag.test()` submits the application jar with
pyspark's spark-submit in local mode against a temporary lake and the local Cassandra, then the
week's gold rows and what Cassandra serves are checked, and gold.discover_weekly is read with
delta-rs (the deltalake package), a Delta reader that shares no code with Spark: it must give
exactly the rows Spark reads, and the table and column comments."""

from __future__ import annotations

import json
import os
import subprocess
import sysconfig
from collections import Counter
from datetime import date
from pathlib import Path

import pendulum
import pytest
from deltalake import DeltaTable

from conftest import DAGS

HOME = DAGS.parent
JAR = HOME / "etl" / "target" / "discover-weekly.jar"
CLI = HOME / "bin" / "discover-weekly"
WEEK = "2026-11-16"
KEYSPACE = "discover_airflow_test"
GOLD_COLUMNS = [
    "week",
    "user_id",
    "position",
    "track_id",
    "artist_id",
    "track_name",
    "artist_name",
    "score",
    "source",
    "model_version",
]
NODE = {
    "DW_CASSANDRA_DIR": str(HOME / "var" / "cassandra-test"),
    "DW_CASSANDRA_PORT": "19042",
    "DW_CASSANDRA_STORAGE_PORT": "17000",
}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def cassandra_starting():
    """The local node, started in the background: it comes up while the lake is prepared."""
    script = str(HOME / "bin" / "cassandra-local")
    starting = subprocess.Popen([script, "start"], env={**os.environ, **NODE})
    yield starting
    starting.wait()
    subprocess.run([script, "stop"], env={**os.environ, **NODE}, check=True)


@pytest.fixture(scope="module")
def cassandra(cassandra_starting):
    """The local node, up."""
    if cassandra_starting.wait() != 0:
        pytest.fail("bin/cassandra-local start failed (its output is above)")


@pytest.fixture(scope="module")
def pipeline_conf(tmp_path_factory, cassandra_starting):
    """Landing data of three weeks; silver already holds the two weeks before the run's week."""
    if not JAR.exists():
        pytest.fail(f"{JAR} is missing: bin/test builds it (mvn verify) before the DAG tests")
    work = tmp_path_factory.mktemp("run")
    landing = work / "landing"
    conf = work / "pipeline.conf"
    conf.write_text(
        f"""
        lake = "{work / "lake"}"
        landing = "{landing}"
        spark.shuffle-partitions = 2
        weekly.als {{ rank = 8, max-iter = 3 }}
        cassandra {{ port = 19042, keyspace = "{KEYSPACE}" }}
        """
    )
    cli("generate", "--out", str(landing), "--users", "150", "--tracks", "1000", "--weeks", "3",
        "--end-week", WEEK, "--seed", "7", "--plays-per-day", "12")  # fmt: skip
    manifest = json.loads((landing / "manifest.json").read_text())
    history = sorted(d for d in manifest["lines_per_arrival_date"] if d < "2026-11-09")
    # One process ingests the dates and builds their silver (a JVM start each costs seconds).
    cli("--conf", str(conf), "silver", "--ingest", "--from", history[0], "--to", history[-1])
    return conf


def ledger(conf: Path) -> dict[str, tuple[int, int]]:
    """Per stage, the runs of the DAG's week that did their work (or reused it) and the most users
    a run counted, from ops.pipeline_runs read by delta-rs (no Spark start needed for a count)."""
    rows = DeltaTable(str(conf.parent / "lake" / "ops" / "pipeline_runs")).to_pyarrow_table()
    week, first_date = date.fromisoformat(WEEK), date(2026, 11, 9)
    runs: Counter[str] = Counter()
    users: dict[str, int] = {}
    for row in rows.to_pylist():
        if row["status"] not in ("succeeded", "accepted", "reused"):
            continue
        if row["week"] != week and (row["date"] is None or row["date"] < first_date):
            continue
        runs[row["stage"]] += 1
        counts = dict(row["row_counts"] or [])
        if "users" in counts:
            users[row["stage"]] = max(users.get(row["stage"], 0), counts["users"])
    return {stage: (n, users.get(stage, 0)) for stage, n in runs.items()}


@pytest.fixture(scope="module")
def run(dag, airflow_db, pipeline_conf, cassandra):
    """The DAG run of the week, in an environment like a worker's."""
    with pytest.MonkeyPatch.context() as env:
        venv_bin = Path(sysconfig.get_paths()["scripts"])
        env.setenv("PATH", f"{venv_bin}{os.pathsep}{os.environ['PATH']}")
        # pyspark's own Spark home: its bin/spark-submit and the jars of Spark 3.5.7.
        env.setenv("SPARK_HOME", str(Path(sysconfig.get_paths()["purelib"]) / "pyspark"))
        # Spark's driver logs at WARN (conf/log4j2.properties) instead of INFO.
        env.setenv("SPARK_CONF_DIR", str(HOME / "conf"))
        env.setenv(
            "AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "local[2]"})
        )
        # dag.test() in Airflow 3.3.2 fails when the run ends if the DAG has a deadline alert: the
        # in-process run looks the alert up by an id it never stored ('dict' object has no
        # attribute 'hex'). The scheduler path stores it; test_dag_structure checks the deadline.
        env.setattr(dag, "deadline", None)

        # A manual run at W gets the last whole interval before it, [W - 7 days, W), like the
        # scheduled run that starts when that interval closes.
        return dag.test(
            logical_date=pendulum.datetime(2026, 11, 16, tz="UTC"),
            run_conf={"jar": str(JAR), "conf": str(pipeline_conf)},
        )


@pytest.fixture(scope="module")
def gold(run, pipeline_conf):
    """gold.discover_weekly as Spark reads it, a dict per row."""
    out = cli("--conf", str(pipeline_conf), "sql", "--format", "json",
              "SELECT * FROM gold.discover_weekly").stdout  # fmt: skip
    return [json.loads(line) for line in out.splitlines()]


def test_a_scheduled_week_runs_end_to_end_through_airflow(run, pipeline_conf, gold):
    assert run.state == "success", [(ti.task_id, ti.state) for ti in run.get_task_instances()]
    stages = ledger(pipeline_conf)
    runs = {stage: n for stage, (n, _) in stages.items()}
    assert runs["ingest"] == 7 and runs["silver"] == 7, runs
    assert runs["gate"] == 1 and runs["publish"] == 1, runs
    # weekly's backtest, and the evaluate task reading it back (reused).
    assert runs["evaluate"] == 2, runs

    slots = Counter(row["user_id"] for row in gold if row["week"] == WEEK)
    published = stages["publish"][1]
    assert len(slots) > 100
    assert published == len(slots)

    user = min(slots)
    served = cli("--conf", str(pipeline_conf), "playlist", "--user", user)
    assert f" for {WEEK} " in served.stderr, served.stderr
    assert len(served.stdout.strip().splitlines()) == 2 + slots[user]


@pytest.fixture(scope="module")
def rust_gold(run, pipeline_conf):
    """gold.discover_weekly opened by delta-rs."""
    return DeltaTable(str(pipeline_conf.parent / "lake" / "gold" / "discover_weekly"))


def test_delta_rs_reads_the_rows_spark_reads(rust_gold, gold):
    by_rust = sorted(
        tuple(str(row[c]) if c == "week" else row[c] for c in GOLD_COLUMNS)
        for row in rust_gold.to_pyarrow_table().to_pylist()
    )
    by_spark = sorted(tuple(row[c] for c in GOLD_COLUMNS) for row in gold)

    assert len(by_rust) > 30 * 100
    assert by_rust == by_spark


def test_delta_rs_sees_the_table_and_column_comments(rust_gold):
    assert rust_gold.metadata().description.startswith("One row per playlist slot")
    assert rust_gold.metadata().partition_columns == ["week"]
    for field in rust_gold.schema().fields:
        assert field.metadata.get("comment"), f"column {field.name} has no comment"
