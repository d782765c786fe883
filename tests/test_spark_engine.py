"""The Spark engine (engines/spark.py) gives the local engine's answers: the same documents,
passages, relations and families (and facts, fact diffs), once sorted, floats within 1e-6, on the
seed corpus and on a planted corpus above the every-pair size (so candidate search runs), through
the CLI. One local[2] Spark session serves the module (starting one costs 10-40 s)."""

from __future__ import annotations

import glob
import json
import shutil
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("no Java: `make` installs openjdk-17-jre-headless", allow_module_level=True)

from conftest import ROOT  # noqa: E402
from sourcetrace.engines import local  # noqa: E402
from sourcetrace.engines.spark import session, trace_spark  # noqa: E402
from sourcetrace.pipeline import outputs  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402

pytestmark = pytest.mark.slow


def _load(name: str):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


same_outputs = _load("same_outputs")


@pytest.fixture(scope="module")
def spark():
    s = session("local[2]", {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                             "spark.sql.shuffle.partitions": "4", "spark.default.parallelism": "4"})
    yield s
    s.stop()


def _local(inputs: list[str], out: Path, tmp: Path) -> None:
    with Store(tmp / "local.db") as store:
        _, result = local.trace(inputs, store)
    outputs(result, out)


def _assert_same(local_out: Path, spark_out: Path) -> None:
    """Every contract file the same once sorted, floats within 1e-6 (bench/same_outputs.py)."""
    diffs = same_outputs.dir_differences(local_out, spark_out, tol=1e-6)
    assert not diffs, {name: lines[:3] for name, lines in diffs.items()}


def test_seeds_same_answers(spark, tmp_path, seeds):
    inputs = sorted(glob.glob(str(seeds / "*.txt")))
    _local(inputs, tmp_path / "local", tmp_path)
    summary = trace_spark(inputs, tmp_path / "spark", spark=spark)
    assert summary.counts["documents"] == len(same_outputs.load_jsonl(tmp_path / "local" / "documents.jsonl"))
    _assert_same(tmp_path / "local", tmp_path / "spark")


def test_planted_corpus_same_answers(spark, tmp_path):
    """Above ALL_PAIRS_UP_TO documents: MinHash bands, neighbours and rare terms on Spark."""
    synthetic = _load("synthetic")
    synthetic.planted_corpus(tmp_path / "corpus", 120, seed=3)
    inputs = [str(tmp_path / "corpus")]
    _local(inputs, tmp_path / "local", tmp_path)
    summary = trace_spark(inputs, tmp_path / "spark", spark=spark)
    assert summary.counts["documents"] > 60
    assert summary.relation_types, "a planted corpus has relations"
    _assert_same(tmp_path / "local", tmp_path / "spark")


def test_parquet_and_failures(spark, tmp_path):
    """--format parquet writes a Parquet directory per table; a file that cannot be read is a
    failure row, the rest is traced."""
    import pyarrow.parquet as pq

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("The minister said on Monday that 42 schools would open.\n", encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_text("   \n", encoding="utf-8")
    summary = trace_spark([str(tmp_path / "in")], tmp_path / "out", spark=spark, fmt="parquet")
    assert summary.n_failures == 1 and summary.failures[0].path.endswith("empty.txt")
    docs = pq.read_table(tmp_path / "out" / "documents").to_pylist()
    assert [d["id"] for d in docs] == ["a#1"]
    facts = pq.read_table(tmp_path / "out" / "facts").to_pylist()
    assert any(json.loads(f["value"]) == 42 for f in facts)
    assert json.loads((tmp_path / "out" / "settings.json").read_text())["engine"] == "spark"
