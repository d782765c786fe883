"""The Spark engine's tables (engines/spark_outputs.py): a table's rows are counted from the
files written, one JSON line or Parquet row each, whatever the text holds."""

from __future__ import annotations

import json
import shutil

import pytest

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("no Java: `make` installs openjdk-17-jre-headless", allow_module_level=True)

from sourcetrace.engines.spark import session  # noqa: E402
from sourcetrace.engines.spark_outputs import clear_tables, write_table  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    s = session("local[2]", {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"})
    yield s
    s.stop()


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_write_table_counts_the_rows_written(spark, tmp_path, fmt):
    """Values with line breaks of every kind stay one row each; an empty table counts 0; a
    known count is taken as given; an earlier run's table is cleared first."""
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / "part-00000").write_text("stale\n", encoding="utf-8")
    out = clear_tables(str(tmp_path))
    sc = spark.sparkContext
    rows = [{"doc": f"d{i}", "start": i, "end": i + 1, "type": "date", "value": f"a\nb\r\u2028c{i}"} for i in range(50)]
    assert write_table(spark, "facts", sc.parallelize(rows, 3), out, fmt) == 50
    assert write_table(spark, "fact_diffs", sc.parallelize([], 2), out, fmt) == 0
    assert write_table(spark, "failures", sc.parallelize([], 1), out, fmt, known=0) == 0
    if fmt == "jsonl":
        lines = [json.loads(line) for p in sorted((tmp_path / "facts").glob("part-*"))
                 for line in p.read_text(encoding="utf-8").split("\n") if line]
        assert sorted(lines, key=lambda r: r["start"]) == rows
