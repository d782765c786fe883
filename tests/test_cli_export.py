"""`sourcetrace export` end to end: from the seeds' store and output directory to each format,
and every usage error one line with exit code 2 (no traceback, no store created)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import seed_doc_id
from export_samples import sample_tables
from sourcetrace.export.jsonl import write as write_tables


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sourcetrace", "export", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_each_format_from_the_seeds(seed_trace, tmp_path):
    db = str(seed_trace / "s.db")
    ar, en = seed_doc_id(seed_trace, "000"), seed_doc_id(seed_trace, "002a")
    tmx = run("tmx", "--db", db, "--pair", ar, en, "--out", str(tmp_path / "p.tmx"))
    assert tmx.returncode == 0, tmx.stderr
    assert tmx.stderr.strip().startswith("23 translation units written to") and tmx.stdout == ""
    assert (tmp_path / "p.tmx").read_text(encoding="utf-8").count("<tu ") == 23
    tsv = run("tsv", "--from", str(seed_trace), "--pair", ar, en)
    assert tsv.returncode == 0, tsv.stderr
    assert len(tsv.stdout.splitlines()) == 23 and all(len(x.split("\t")) == 5 for x in tsv.stdout.splitlines())
    passim = run("passim", "--from", str(seed_trace), "--kind", "verbatim", "--min-score", "0.5")
    records = [json.loads(x) for x in passim.stdout.splitlines()]
    assert records and {r["kind"] for r in records} == {"verbatim"} and min(r["score"] for r in records) >= 0.5
    tables = run("parquet", "--db", db, "--out", str(tmp_path / "pq"), "--with-text", "--family",
                 json.loads((seed_trace / "families.jsonl").read_text(encoding="utf-8").splitlines()[0])["id"])
    assert tables.returncode == 0, tables.stderr
    passages = pq.read_table(tmp_path / "pq" / "passages.parquet").to_pylist()
    assert passages and all(p["text_a"] and p["text_b"] for p in passages)


@pytest.fixture
def sample_out(tmp_path) -> Path:
    """A small `trace --out`-like directory (export_samples' tables as JSON lines)."""
    out = tmp_path / "out"
    out.mkdir()
    write_tables(sample_tables(), out)
    return out


@pytest.mark.parametrize(("args", "message"), [
    (("xml",), "unknown format 'xml'"),
    (("tmx", "--db", "{tmp}/s.db", "--from", "{out}"), "--db and --from name two sources"),
    (("tmx", "--db", "{tmp}/none.db"), "no store at"),
    (("parquet", "--from", "{out}"), "parquet writes a directory of tables: name it with --out"),
    (("jsonl", "--from", "{out}", "--out", "{out}"), "is the --from directory"),
    (("tmx", "--from", "{out}", "--out", "{tmp}"), "is a directory; name the tmx file to write"),
    (("tsv", "--from", "{out}", "--pair", "en#1", "nope#1"), "--pair: no document 'nope#1'"),
    (("tsv", "--from", "{tmp}/nothing"), "no documents.jsonl there"),
])
def test_usage_errors_are_one_line(tmp_path, sample_out, args, message):
    res = run(*(a.format(tmp=tmp_path, out=sample_out) for a in args), cwd=tmp_path)
    assert res.returncode == 2 and message in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "sourcetrace.db").exists()


def test_tsv_from_a_small_output_directory(sample_out, tmp_path):
    res = run("tsv", "--from", str(sample_out), "--out", str(tmp_path / "b.tsv"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "b.tsv").read_text(encoding="utf-8").splitlines()[1] == \
        "They agreed on aid.\tواتفقوا على المساعدات.\t0.8100\ten#1\tar#1"
