"""export/passim.py: passim's align.json records; read back with passim's field names, offsets
point into the texts, s1/s2 are the texts aligned; the peer's own reader of passim's output
(../shared/peers/passim/from_passim.py) reads the export."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SEEDS, SHARED, need_shared
from export_samples import TEXTS, sample_tables
from sourcetrace import export
from sourcetrace.export.passim import align, count_matches, text_of, unaligned, write

FIELDS = {"id", "begin", "end", "id2", "begin2", "end2", "s1", "s2", "matches", "score"}


def _check(record: dict, text1: str, text2: str) -> None:
    """One record against the two files' texts, as a reader of passim's output would use it."""
    assert record.keys() >= FIELDS
    assert len(record["s1"]) == len(record["s2"])
    assert text_of(record["s1"]) == text1[record["begin"]:record["end"]]
    assert text_of(record["s2"]) == text2[record["begin2"]:record["end2"]]
    assert record["matches"] == count_matches(record["s1"], record["s2"])


def test_records_of_the_sample():
    out = io.StringIO()
    tables = sample_tables()
    assert write(tables, out) == 3
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    paths = {d.id: d.path for d in tables.documents}
    for r in records:
        _check(r, TEXTS[paths[r["id"]]], TEXTS[paths[r["id2"]]])
    translation, _, copy = records
    assert translation["matches"] == 0 and translation["s1"].endswith("-" * 24)  # nothing aligned across languages
    assert (copy["kind"], copy["lang"], copy["lang2"], copy["score"]) == ("near-verbatim", "en", "en", 0.9)
    assert copy["matches"] >= 40  # "The [Mm]inisters met today. They agreed on aid." less the inserted "more "


def test_a_hyphen_of_the_text_is_never_a_gap():
    s1, s2 = align("a - b", "a -- b")
    assert (s1.count("\u2010"), s2.count("\u2010"), s1.count("-") + s2.count("-")) == (1, 2, 1)  # one gap
    assert (text_of(s1), text_of(s2)) == ("a - b", "a -- b")


@given(st.text(alphabet="ab -\n", max_size=30), st.text(alphabet="ab -\n", max_size=30))
def test_alignment_keeps_both_texts(t1, t2):
    for s1, s2 in (align(t1, t2), unaligned(t1, t2)):
        assert len(s1) == len(s2)
        assert (text_of(s1), text_of(s2)) == (t1, t2)
        assert not any(x == y == "-" for x, y in zip(s1, s2, strict=True))  # no column is a gap on both sides
    assert count_matches(*unaligned(t1, t2)) == 0


@pytest.fixture(scope="module")
def seed_records(seed_trace, tmp_path_factory):
    """Every seed passage exported as passim's align.json (a directory of part files, as Spark writes it)."""
    out = tmp_path_factory.mktemp("passim")  # align.json/ is made by the export
    n = export.write("passim", export.read_outputs(seed_trace), out / "align.json" / "part-00000.json")
    records = [json.loads(x) for x in (out / "align.json" / "part-00000.json").read_text(encoding="utf-8").splitlines()]
    assert n == len(records) > 0
    return out, records


def test_seed_offsets_point_into_the_texts(seed_trace, seed_records):
    texts = {json.loads(x)["path"]: json.loads(x)["text"]
             for x in (seed_trace / "texts.jsonl").read_text(encoding="utf-8").splitlines()}
    paths = {json.loads(x)["id"]: json.loads(x)["path"]
             for x in (seed_trace / "documents.jsonl").read_text(encoding="utf-8").splitlines()}
    _, records = seed_records
    for r in records:
        _check(r, texts[paths[r["id"]]], texts[paths[r["id2"]]])
    verbatim = [r for r in records if r["kind"] == "verbatim"]
    # verbatim as the matcher folds text: a character or two (a comma, a hamza) may still differ
    assert verbatim and all(r["matches"] >= 0.95 * max(r["end"] - r["begin"], r["end2"] - r["begin2"]) for r in verbatim)


def test_the_peer_reads_the_export_as_passim_output(seed_trace, seed_records, tmp_path):
    """from_passim.py, the scorers' converter of passim's align.json, reads the export into the
    same spans as passages.jsonl's."""
    reader = need_shared(SHARED / "peers" / "passim" / "from_passim.py", "the passim-format interop test")
    out, records = seed_records
    res = subprocess.run([sys.executable, str(reader), str(out), str(tmp_path), f"--corpus={SEEDS}"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    read = [json.loads(x) for x in (tmp_path / "passages.jsonl").read_text(encoding="utf-8").splitlines()]
    spans = sorted((p["a"], p["a_start"], p["a_end"], p["b"], p["b_start"], p["b_end"]) for p in read)
    ours = [json.loads(x) for x in (seed_trace / "passages.jsonl").read_text(encoding="utf-8").splitlines()]
    assert spans == sorted((p["a"], p["a_start"], p["a_end"], p["b"], p["b_start"], p["b_end"]) for p in ours)
