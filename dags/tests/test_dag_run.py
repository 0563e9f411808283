"""One real week on a real Spark standalone cluster, run through Airflow.

`bin/spark-cluster` starts a master and two workers on loopback (each a JVM of its own, and every
application's executors in JVMs of their own). Against a temporary lake and the local Cassandra,
with the first of four weeks of landing data in silver as history: `backfill` builds and
publishes the next two weeks as one spark-submit to the cluster, then `dag.test()` runs the DAG's
week, each task a spark-submit through the `spark_default` connection. Then:

- the ledger is complete for every week, and Cassandra serves exactly the week's gold rows;
- `run` of the same week from the same landing files in `local[2]`, on a copy of the lake as the
  backfill left it, writes the same gold rows: the cluster changes nothing;
- gold.discover_weekly read with delta-rs (the deltalake package), a Delta reader that shares no
  code with Spark, gives exactly the rows Spark reads, and the table and column comments;
- the Spark jobs' OpenLineage events (lineage.enabled, file transport) link the landing files to
  bronze, silver and gold, and each DAG task's jobs name that task's Airflow run as parent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
import urllib.request
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pendulum
import pytest
from cassandra.cluster import Cluster
from deltalake import DeltaTable

from conftest import HOME, JAR

CLI = HOME / "bin" / "discover-weekly"
MAIN_CLASS = "org.discoverweekly.etl.cli.DiscoverWeekly"
# The run's week; the two weeks before it come from one backfill.
WEEK = "2026-11-16"
BACKFILL = ("2026-11-02", "2026-11-09")
KEYSPACE = "discover_airflow_test"
EXPECTED_TASKS = ("ingest", "silver", "weekly", "publish", "evaluate")
NO_LINEAGE = "-Dlineage.enabled=false"
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
# The test's own cluster: its own directory and ports, so it never meets an operator's.
CLUSTER = {
    "DW_SPARK_CLUSTER_DIR": str(HOME / "var" / "spark-cluster-test"),
    "DW_SPARK_MASTER_PORT": "17077",
    "DW_SPARK_MASTER_UI_PORT": "18080",
    "SPARK_HOME": str(Path(sysconfig.get_paths()["purelib"]) / "pyspark"),
}
MASTER = f"spark://127.0.0.1:{CLUSTER['DW_SPARK_MASTER_PORT']}"
# Every JVM of a cluster: master, workers and the executors they start.
SPARK_DAEMONS = (
    "org.apache.spark.deploy.master.Master|org.apache.spark.deploy.worker.Worker"
    "|org.apache.spark.executor.CoarseGrainedExecutorBackend"
)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, check=True)


def spark_cluster(verb: str) -> subprocess.Popen:
    script = str(HOME / "bin" / "spark-cluster")
    return subprocess.Popen([script, verb], env={**os.environ, **CLUSTER})


@pytest.fixture(scope="module")
def cassandra_starting():
    """The local node, started in the background: it comes up while the lake is prepared."""
    script = str(HOME / "bin" / "cassandra-local")
    starting = subprocess.Popen([script, "start"], env={**os.environ, **NODE})
    yield starting
    starting.wait()
    subprocess.run([script, "stop"], env={**os.environ, **NODE}, check=True)


@pytest.fixture(scope="module")
def cluster_starting():
    """The Spark cluster, started in the background; stopped at the end, leaving no JVM behind."""
    starting = spark_cluster("start")
    yield starting
    starting.wait()
    assert spark_cluster("stop").wait() == 0
    left = subprocess.run(["pgrep", "-f", SPARK_DAEMONS], capture_output=True, text=True).stdout
    assert not left, f"bin/spark-cluster stop left Spark JVMs running: {left.split()}"


def wait_for(starting: subprocess.Popen, script: str) -> None:
    if starting.wait() != 0:
        pytest.fail(f"bin/{script} start failed (its output is above)")


@pytest.fixture(scope="module")
def cassandra(cassandra_starting):
    wait_for(cassandra_starting, "cassandra-local")


@pytest.fixture(scope="module")
def cluster(cluster_starting):
    wait_for(cluster_starting, "spark-cluster")


def applications() -> Counter[str]:
    """The applications the cluster's master has run to the end, by name."""
    port = CLUSTER["DW_SPARK_MASTER_UI_PORT"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/", timeout=5) as answer:
        apps = json.load(answer)["completedapps"]
    return Counter(app["name"] for app in apps if app["state"] == "FINISHED")


def write_conf(path: Path, landing: Path, keyspace: str, lineage: bool = False) -> Path:
    """A pipeline config for a lake beside it; a master only where spark-submit names none. With
    `lineage`, OpenLineage's events go to <lake>/ops/lineage/events.jsonl."""
    path.parent.mkdir(parents=True)
    path.write_text(
        f"""
        lake = "{path.parent / "lake"}"
        landing = "{landing}"
        spark {{ master = "local[2]", shuffle-partitions = 2 }}
        weekly.als {{ rank = 8, max-iter = 3 }}
        cassandra {{ port = 19042, keyspace = "{keyspace}" }}
        lineage.enabled = {str(lineage).lower()}
        """
    )
    return path


@pytest.fixture(scope="module")
def landing(tmp_path_factory, jar, cassandra_starting, cluster_starting):
    """Landing data of four weeks."""
    landing = tmp_path_factory.mktemp("landing")
    cli("generate", "--out", str(landing), "--users", "150", "--tracks", "1000", "--weeks", "4",
        "--end-week", WEEK, "--seed", "7", "--plays-per-day", "12")  # fmt: skip
    return landing


@pytest.fixture(scope="module")
def pipeline_conf(tmp_path_factory, landing, cassandra, cluster, submit_env):
    """The cluster's lake: the first week's dates in silver (the history the next week's backtest
    trains on), then the two weeks after it built and published by one backfill submitted to the
    cluster. The backfill ingests its first week's own dates (the seven before it) itself. The
    config turns lineage on for the DAG's run; these two leave it off (`-Dlineage.enabled=false`):
    the lineage tests read the DAG run's events, and the listener costs driver time."""
    conf = write_conf(
        tmp_path_factory.mktemp("lakes") / "cluster" / "pipeline.conf",
        landing,
        KEYSPACE,
        lineage=True,
    )
    manifest = json.loads((landing / "manifest.json").read_text())
    own_dates = str(date.fromisoformat(BACKFILL[0]) - timedelta(days=7))
    first_week = sorted(d for d in manifest["lines_per_arrival_date"] if d < own_dates)
    cli("--conf", str(conf), NO_LINEAGE, "silver", "--ingest",
        "--from", first_week[0], "--to", first_week[-1])  # fmt: skip
    subprocess.run(
        [str(Path(CLUSTER["SPARK_HOME"]) / "bin" / "spark-submit"), "--master", MASTER,
         "--name", "discover-weekly-backfill", "--class", MAIN_CLASS, str(JAR),
         "--conf", str(conf), NO_LINEAGE, "backfill", "--from", BACKFILL[0], "--to", BACKFILL[1]],
        env={**os.environ, **submit_env}, check=True,
    )  # fmt: skip
    return conf


@pytest.fixture(scope="module")
def local_run(pipeline_conf, landing):
    """The DAG's week from the same landing files in local[2], on a copy of the lake as the
    backfill left it: `run` (ingest, silver, weekly, publish in one process), in the background
    while the DAG runs."""
    local = write_conf(
        pipeline_conf.parent.parent / "local" / "local.conf", landing, "discover_local_test"
    )
    shutil.copytree(pipeline_conf.parent / "lake", local.parent / "lake")
    # Its output goes to a file: a pipe nobody reads until the end would stall it once full.
    log = local.parent / "run.log"
    with log.open("w") as out:
        running = subprocess.Popen(
            [str(CLI), "--conf", str(local), "run", "--week", WEEK],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    yield local, running, log
    running.kill()
    running.wait()


@pytest.fixture(scope="module")
def local_conf(local_run, run):
    conf, running, log = local_run
    if running.wait() != 0:
        pytest.fail(f"run --week {WEEK} in local[2] failed:\n{log.read_text()}")
    return conf


def ledger(conf: Path) -> dict[str, tuple[int, int]]:
    """Per stage, the runs of the DAG's week that did their work (or reused it) and the most users
    a run counted, from ops.pipeline_runs read by delta-rs (no Spark start needed for a count)."""
    week = date.fromisoformat(WEEK)
    first_date = week - timedelta(days=7)
    runs: Counter[str] = Counter()
    users: dict[str, int] = {}
    for row in ledger_rows(conf):
        if row["status"] not in ("succeeded", "accepted", "reused"):
            continue
        if row["week"] != week and (row["date"] is None or row["date"] < first_date):
            continue
        runs[row["stage"]] += 1
        counts = dict(row["row_counts"] or [])
        if "users" in counts:
            users[row["stage"]] = max(users.get(row["stage"], 0), counts["users"])
    return {stage: (n, users.get(stage, 0)) for stage, n in runs.items()}


def ledger_rows(conf: Path) -> list[dict]:
    return (
        DeltaTable(str(conf.parent / "lake" / "ops" / "pipeline_runs"))
        .to_pyarrow_table()
        .to_pylist()
    )


@pytest.fixture(scope="module")
def run(dag, airflow_db, pipeline_conf, local_run, submit_env):
    """The DAG run of the week on the cluster, in an environment like a worker's."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in submit_env.items():
            env.setenv(name, value)
        env.setenv("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": MASTER}))
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


def gold_table(conf: Path) -> DeltaTable:
    """gold.discover_weekly opened by delta-rs."""
    return DeltaTable(str(conf.parent / "lake" / "gold" / "discover_weekly"))


def gold_rows(conf: Path) -> list[dict]:
    """gold.discover_weekly read by delta-rs, a dict per row (weeks as ISO dates)."""
    rows = gold_table(conf).to_pyarrow_table().to_pylist()
    return [{**row, "week": str(row["week"])} for row in rows]


@pytest.fixture(scope="module")
def gold(run, pipeline_conf):
    """gold.discover_weekly as Spark reads it, a dict per row."""
    out = cli("--conf", str(pipeline_conf), "sql", "--format", "json",
              "SELECT * FROM gold.discover_weekly").stdout  # fmt: skip
    return [json.loads(line) for line in out.splitlines()]


def test_a_scheduled_week_runs_end_to_end_through_airflow_on_the_cluster(run, pipeline_conf, gold):
    assert run.state == "success", [(ti.task_id, ti.state) for ti in run.get_task_instances()]
    stages = ledger(pipeline_conf)
    runs = {stage: n for stage, (n, _) in stages.items()}
    assert runs["ingest"] == 7 and runs["silver"] == 7, runs
    assert runs["gate"] == 1 and runs["publish"] == 1, runs
    # weekly's backtest, and the evaluate task reading it back (reused).
    assert runs["evaluate"] == 2, runs

    slots = Counter(row["user_id"] for row in gold if row["week"] == WEEK)
    assert len(slots) > 100
    assert stages["publish"][1] == len(slots)

    # Every task was an application of the cluster (executors in JVMs of their own) and finished.
    ran = applications()
    for task in ("ingest", "silver", "weekly", "publish", "evaluate"):
        assert ran[f"discover-weekly-{task}"] == 1, ran


def test_one_backfill_on_the_cluster_builds_and_publishes_two_weeks(pipeline_conf, run):
    assert applications()["discover-weekly-backfill"] == 1
    verdicts, published = {}, set()
    for row in ledger_rows(pipeline_conf):
        if row["stage"] == "gate":
            verdicts[str(row["week"])] = row["status"]
        if row["stage"] == "publish" and row["status"] == "succeeded":
            published.add(str(row["week"]))
    assert verdicts == {BACKFILL[0]: "accepted", BACKFILL[1]: "accepted", WEEK: "accepted"}
    assert published == {*BACKFILL, WEEK}
    # The model registry says the same: one model per week, each served.
    models = (
        DeltaTable(str(pipeline_conf.parent / "lake" / "ops" / "models"))
        .to_pyarrow_table(columns=["week", "status", "verdict"])
        .to_pylist()
    )
    assert sorted((str(m["week"]), m["status"], m["verdict"]) for m in models) == [
        (week, "served", "accepted") for week in sorted({*BACKFILL, WEEK})
    ], models


def test_the_cluster_writes_the_gold_a_local_run_writes(pipeline_conf, local_conf):
    def week(conf: Path) -> dict[tuple, dict]:
        """The week's slots by user and position."""
        rows = gold_rows(conf)
        return {(r["user_id"], r["position"]): r for r in rows if r["week"] == WEEK}

    on_cluster, in_local_mode = week(pipeline_conf), week(local_conf)
    assert len(on_cluster) > 30 * 100
    assert on_cluster.keys() == in_local_mode.keys()
    for slot, row in on_cluster.items():
        local = in_local_mode[slot]
        assert {**row, "score": None} == {**local, "score": None}, slot
        # ALS sums its normal equations in another order across two executors than in one JVM:
        # the same tracks in the same order, scores equal to float precision.
        assert row["score"] == pytest.approx(local["score"], abs=1e-5), slot


def test_cassandra_serves_exactly_the_weeks_gold(run, gold):
    session = Cluster(["127.0.0.1"], port=int(NODE["DW_CASSANDRA_PORT"])).connect(KEYSPACE)
    try:
        served = sorted(
            (str(row.week), row.user_id, slot.position, slot.track_id, slot.artist_id,
             slot.track_name, slot.artist_name, slot.score, row.source, row.model_version)
            for row in session.execute("SELECT * FROM playlists")
            for slot in row.tracks
            if str(row.week) == WEEK
        )  # fmt: skip
        weeks = {str(row.week): row for row in session.execute("SELECT * FROM published_weeks")}
    finally:
        session.cluster.shutdown()
    in_gold = sorted(tuple(row[c] for c in GOLD_COLUMNS) for row in gold if row["week"] == WEEK)
    assert len(served) > 30 * 100
    assert served == in_gold
    assert {week: row.status for week, row in weeks.items()} == dict.fromkeys(
        {*BACKFILL, WEEK}, "served"
    )
    assert weeks[WEEK].model_version == in_gold[0][-1]


@pytest.fixture(scope="module")
def rust_gold(run, pipeline_conf):
    return gold_table(pipeline_conf)


def test_delta_rs_reads_the_rows_spark_reads(pipeline_conf, gold):
    by_rust = sorted(tuple(row[c] for c in GOLD_COLUMNS) for row in gold_rows(pipeline_conf))
    by_spark = sorted(tuple(row[c] for c in GOLD_COLUMNS) for row in gold)

    assert len(by_rust) > 30 * 100
    assert by_rust == by_spark


def test_delta_rs_sees_the_table_and_column_comments(rust_gold):
    assert rust_gold.metadata().description.startswith("One row per playlist slot")
    assert rust_gold.metadata().partition_columns == ["week"]
    for field in rust_gold.schema().fields:
        assert field.metadata.get("comment"), f"column {field.name} has no comment"


def lineage_events(conf: Path) -> list[dict]:
    """The OpenLineage events the Spark jobs of the cluster's lake wrote (the file transport)."""
    path = conf.parent / "lake" / "ops" / "lineage" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_lineage_links_landing_to_bronze_to_silver_to_gold(pipeline_conf, run):
    lake = str(pipeline_conf.parent / "lake")
    edges = {
        (source["name"], target["name"])
        for event in lineage_events(pipeline_conf)
        if event["eventType"] == "COMPLETE"
        for source in event.get("inputs", [])
        for target in event.get("outputs", [])
    }

    def table(name: str) -> str:
        return f"{lake}/{name}"

    landed = {source for source, target in edges if target == table("bronze/listens")}
    assert any("/listens/date=" in source for source in landed), sorted(landed)
    for source, target in [
        ("bronze/listens", "silver/listens"),
        ("bronze/listens", "silver/quarantine"),
        ("silver/listens", "gold/user_track_matrix"),
        ("gold/user_track_matrix", "gold/discover_weekly"),
        ("silver/tracks", "gold/discover_weekly"),
    ]:
        assert (table(source), table(target)) in edges, (source, target)


def test_each_spark_job_of_the_dag_names_its_airflow_task_and_run(pipeline_conf, run):
    # Airflow's own events (its OpenLineage provider, file transport set in conftest.py): the run
    # id of each task and of the DAG run.
    airflow_file = json.loads(os.environ["AIRFLOW__OPENLINEAGE__TRANSPORT"])["log_file_path"]
    airflow_runs = {}
    for line in Path(airflow_file).read_text().splitlines():
        event = json.loads(line)
        airflow_runs[event["job"]["name"]] = event["run"]["runId"]
    dag_run = airflow_runs["discover_weekly"]

    # Each task's Spark application names the task's Airflow run as its parent and the DAG run as
    # its root; every job of the application names the application's run as its parent.
    applications: dict[str, str] = {}
    parents: Counter[str] = Counter()
    for event in lineage_events(pipeline_conf):
        parent = event["run"].get("facets", {}).get("parent")
        if parent is None:
            continue
        task = parent["job"]["name"]
        if parent["job"]["namespace"] == "default" and task.startswith("discover_weekly."):
            assert parent["run"]["runId"] == airflow_runs[task], task
            assert parent["root"]["run"]["runId"] == dag_run, task
            applications[event["run"]["runId"]] = task
        else:
            parents[parent["run"]["runId"]] += 1
    assert sorted(set(applications.values())) == sorted(
        f"discover_weekly.{task}" for task in EXPECTED_TASKS
    )
    assert len(applications) == len(EXPECTED_TASKS), "one Spark application per task"
    for application, task in applications.items():
        assert parents[application] > 0, f"no Spark job of {task} names its application run"
