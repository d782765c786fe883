"""export/parquet.py: the contract tables as Parquet; read back with pyarrow and DuckDB, the rows
are the JSON lines `trace --out` wrote (the export read from the store, the lines from the outputs)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from export_samples import sample_tables
from sourcetrace import export
from sourcetrace.export.parquet import SCHEMAS, schema_of, write
from sourcetrace.export.rows import TABLES


def _canonical(rows: list[dict]) -> list[str]:
    """Rows as sorted JSON, a null column left out (a JSON line omits a field it has no value for)."""
    return sorted(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False, sort_keys=True)
                  for r in rows)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def seed_parquet(seed_trace, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("parquet") / "tables"
    passages = export.write("parquet", export.from_store(seed_trace / "s.db"), out)
    assert passages == len(_jsonl(seed_trace / "passages.jsonl"))
    return out


@pytest.mark.parametrize("name", TABLES)
def test_seed_tables_read_back_with_pyarrow_as_the_jsonl(seed_trace, seed_parquet, name):
    table = pq.read_table(seed_parquet / f"{name}.parquet")
    assert table.schema == SCHEMAS[name]
    assert _canonical(table.to_pylist()) == _canonical(_jsonl(seed_trace / f"{name}.jsonl"))


@pytest.mark.parametrize("name", TABLES)
def test_seed_tables_read_back_with_duckdb_as_the_jsonl(seed_trace, seed_parquet, name):
    con = duckdb.connect()
    cursor = con.execute(f"SELECT * FROM read_parquet('{seed_parquet / name}.parquet')")
    columns = [c[0] for c in cursor.description]
    rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    assert _canonical(rows) == _canonical(_jsonl(seed_trace / f"{name}.jsonl"))


def test_with_text_adds_the_spans_texts(tmp_path):
    tables = sample_tables()
    counts = write(tables, tmp_path, with_text=True)
    assert counts == {"documents": 3, "sentences": 5, "passages": 3, "relations": 2, "families": 1, "texts": 3}
    passages = pq.read_table(tmp_path / "passages.parquet")
    assert passages.schema == schema_of("passages", with_text=True)
    first = passages.to_pylist()[0]
    assert (first["text_a"], first["text_b"]) == ("اجتمع الوزراء اليوم.", "The ministers met today.")
    sentences = pq.read_table(tmp_path / "sentences.parquet").to_pylist()
    assert [s["text"] for s in sentences][:2] == ["The ministers met today.", "They agreed on aid."]


def test_an_empty_selection_still_writes_typed_tables(tmp_path):
    tables = export.Selection(min_score=2.0).apply(sample_tables())
    write(tables, tmp_path)
    passages = pq.read_table(tmp_path / "passages.parquet")
    assert passages.num_rows == 0 and passages.schema == SCHEMAS["passages"]
    documents = pq.read_table(tmp_path / "documents.parquet").to_pylist()
    assert [d["title"] for d in documents] == [None, None, "Report"]
