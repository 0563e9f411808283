"""gold.discover_weekly read by delta-rs (the deltalake package), a Delta reader that shares no
code with Spark, gives exactly the rows Spark reads, and the table and column comments."""

import json
import pathlib
import subprocess

import pytest
from deltalake import DeltaTable

HOME = pathlib.Path(__file__).resolve().parents[2]
WEEK = "2026-11-16"
COLUMNS = [
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


def cli(lake, landing, *args):
    """Runs bin/discover-weekly on a small local lake; returns its stdout."""
    result = subprocess.run(
        [
            str(HOME / "bin" / "discover-weekly"),
            "-Dspark.shuffle-partitions=2",
            "-Dweekly.als.rank=16",
            "--lake",
            str(lake),
            "--landing",
            str(landing),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(args)} failed: {result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    """A lake with one week in gold, built by the pipeline's own CLI."""
    root = tmp_path_factory.mktemp("reader")
    lake, landing = root / "lake", root / "landing"
    generate = ["--users", "80", "--tracks", "500", "--weeks", "2", "--end-week", WEEK]
    cli(lake, landing, "generate", "--out", str(landing), *generate, "--seed", "3")
    dates = json.loads((landing / "manifest.json").read_text())["arrival_dates"]
    for verb in ("ingest", "silver"):
        cli(lake, landing, verb, "--from", dates[0], "--to", dates[-1])
    cli(lake, landing, "weekly", "--week", WEEK)
    return lake, landing


def test_deltalake_reads_the_rows_spark_reads(lake):
    lake_root, landing = lake
    table = DeltaTable(str(lake_root / "gold" / "discover_weekly"))
    by_rust = sorted(
        tuple(str(row[c]) if c == "week" else row[c] for c in COLUMNS)
        for row in table.to_pyarrow_table().to_pylist()
    )
    query = "SELECT * FROM gold.discover_weekly"
    spark_json = cli(lake_root, landing, "sql", "--format", "json", query)
    by_spark = sorted(
        tuple(row[c] for c in COLUMNS) for row in map(json.loads, spark_json.splitlines())
    )

    assert len(by_rust) > 30 * 50
    assert by_rust == by_spark


def test_deltalake_sees_the_table_and_column_comments(lake):
    lake_root, _ = lake
    table = DeltaTable(str(lake_root / "gold" / "discover_weekly"))

    assert table.metadata().description.startswith("One row per playlist slot")
    assert table.metadata().partition_columns == ["week"]
    for field in table.schema().fields:
        assert field.metadata.get("comment"), f"column {field.name} has no comment"
