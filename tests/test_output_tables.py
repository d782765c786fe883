"""output_tables.py: an output set reads back as the same records whichever layout wrote it
(trace's JSON lines, Spark's part files as JSON lines, gzip or Parquet, export's Parquet), and
anything malformed is one error naming the part and line."""

from __future__ import annotations

import json

import pytest

from export_samples import TEXTS, sample_tables
from sourcetrace.export import parquet
from sourcetrace.output_tables import TablesError, parts, record, records
from sourcetrace.outputs import write_jsonl, write_texts
from spark_layout import spark_layout

NAMES = ("documents", "sentences", "passages", "relations", "families")


def _jsonl_set(out):
    tables = sample_tables()
    out.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        write_jsonl(out / f"{name}.jsonl", (r.to_json() for r in getattr(tables, name)))
    write_texts(out, TEXTS)
    return out


def _as_json(out, name):
    return sorted(json.dumps(r.to_json() if hasattr(r, "to_json") else r, sort_keys=True)
                  for r in records(out, name))


@pytest.mark.parametrize("layout", ["json", "gz", "parquet", "export-parquet"])
def test_every_layout_reads_back_the_same_records(tmp_path, layout):
    src = _jsonl_set(tmp_path / "jsonl")
    if layout == "export-parquet":
        other = tmp_path / "pq"
        other.mkdir()
        parquet.write(sample_tables(), other)
    else:
        other = spark_layout(src, tmp_path / "spark", layout, parts=3)
    for name in (*NAMES, "texts"):
        assert _as_json(other, name) == _as_json(src, name), name
        assert _as_json(src, name)  # not two empty tables


def test_markers_and_checksums_are_not_rows(tmp_path):
    spark = spark_layout(_jsonl_set(tmp_path / "jsonl"), tmp_path / "spark", parts=2)
    names = [p.path.name for p in parts(spark, "documents")]
    assert names and all(n.startswith("part-") and n.endswith(".json") for n in names)
    assert (spark / "documents" / "_SUCCESS").exists()
    assert parts(spark, "facts") is None


def test_a_job_that_did_not_finish_is_refused(tmp_path):
    spark = spark_layout(_jsonl_set(tmp_path / "jsonl"), tmp_path / "spark")
    (spark / "relations" / "_temporary" / "0").mkdir(parents=True)
    with pytest.raises(TablesError, match="relations: holds _temporary"):
        parts(spark, "relations")


def test_parquet_nulls_are_fields_left_out(tmp_path):
    spark = spark_layout(_jsonl_set(tmp_path / "jsonl"), tmp_path / "spark", "parquet")
    docs = {d.id: d for d in records(spark, "documents")}
    assert docs["en#1"].title is None and docs["report#1"].title == "Report"
    assert {r.source for r in records(spark, "relations")} == {"en#1"}


def test_a_derived_direction_field_is_left_aside():
    row = {"a": "x#1", "b": "y#1", "type": "copy", "direction": "unknown", "coverage_a": 0.9,
           "coverage_b": 0.8, "score": 0.9, "passages": 3, "evidence": ["word for word"]}
    r = record("relations", "relations.jsonl:1", row)
    assert (r.source, r.direction_unknown, r.passages) == (None, True, 3)


@pytest.mark.parametrize(("name", "row", "message"), [
    ("documents", {"id": "x#1", "path": "x.txt", "start": 0, "lang": "en"}, r"no 'end'"),
    ("documents", {"id": "x#1", "path": "x.txt", "start": "0", "end": 4, "lang": "en"}, r"'start' is '0', not int"),
    ("documents", {"id": "x#1", "path": "x.txt", "start": 5, "end": 4, "lang": "en"}, r"span \[5, 4\) is not one"),
    ("documents", {"id": "x#1", "path": "x.txt", "start": 0, "end": 4, "lang": "en", "boilerplate": [[1]]},
     "boilerplate is not a list"),
    ("sentences", {"doc": "x#1", "start": True, "end": 4}, r"'start' is True"),
    ("passages", {"a": "x#1", "a_start": 0, "a_end": 3, "b": "y#1", "b_start": 0, "b_end": 3, "kind": "verbatim",
                  "score": float("nan")}, r"'score' is nan"),
    ("relations", {"a": "x#1", "b": "y#1", "type": "copy", "coverage_a": 1, "coverage_b": 1}, r"no 'score'"),
])
def test_a_malformed_row_names_where_it_is(name, row, message):
    with pytest.raises(TablesError, match=rf"^part-00003\.json:7: not a record of this table \(.*{message}"):
        record(name, "part-00003.json:7", row)


def test_malformed_lines_name_the_part_and_line(tmp_path):
    spark = spark_layout(_jsonl_set(tmp_path / "jsonl"), tmp_path / "spark", parts=1)
    part = next((spark / "passages").glob("part-*.json"))
    part.write_text(part.read_text(encoding="utf-8") + "\n{oops\n", encoding="utf-8")
    n = len(part.read_text(encoding="utf-8").splitlines())
    with pytest.raises(TablesError, match=rf"{part.name}:{n}: not JSON"):
        list(records(spark, "passages"))
    part.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(TablesError, match=rf"{part.name}:1: not a record of this table \(a JSON list"):
        list(records(spark, "passages"))
    bad = spark / "sentences" / "part-00009.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(TablesError, match="part-00009.parquet: not a Parquet file"):
        list(records(spark, "sentences"))


def test_progress_hears_every_byte(tmp_path):
    src = _jsonl_set(tmp_path / "jsonl")
    for layout in ("json", "parquet"):
        spark = spark_layout(src, tmp_path / layout, layout, parts=2)
        heard = []
        list(records(spark, "sentences", heard.append))
        assert sum(heard) == pytest.approx(sum(p.size for p in parts(spark, "sentences")), abs=2)
