"""The alignment bar of issue 4 on the seed corpus: `sourcetrace trace`, scored by eval/score.py."""

from __future__ import annotations

import json
import re

import pytest

from conftest import score_seeds, seed_doc_id


@pytest.fixture(scope="module")
def scores(seed_trace):
    return score_seeds(seed_trace), seed_trace


def _f1(line: str) -> float:
    return float(re.search(r"F1=([\d.]+)", line).group(1))


def _found(line: str) -> tuple[int, int]:
    n, total = re.search(r"(?:pairs|passages)_found=(\d+)/(\d+)", line).groups()
    return int(n), int(total)


def test_translation_000_002a(scores):
    s, _ = scores
    assert _f1(s["align 000~002a"]) >= 0.98
    assert _found(s["align 000~002a"]) == (23, 23)


def test_report_004_from_arabic_statement(scores):
    s, _ = scores
    assert _f1(s["reuse 004<-000"]) >= 0.90
    assert _found(s["reuse 004<-000"]) == (13, 13)


def test_report_004_from_english_original(scores):
    s, _ = scores
    assert _f1(s["reuse 004<-002a"]) >= 0.80


def test_no_false_passages_between_remarks_and_statement(scores):
    """002b (the Secretary's remarks) and 002c (a report on NATO's remarks) share no text with 000."""
    s, out = scores
    passages = [json.loads(x) for x in (out / "passages.jsonl").read_text(encoding="utf-8").splitlines()]
    statement = seed_doc_id(out, "000")
    for other in (seed_doc_id(out, "002b"), seed_doc_id(out, "002c")):
        claimed = [p for p in passages if {p["a"], p["b"]} == {statement, other}
                   and min(p["a_end"] - p["a_start"], p["b_end"] - p["b_start"]) > 20]
        assert claimed == []


def test_relations_and_the_family(scores):
    s, out = scores
    assert s["relations_correct"].startswith("10/10"), s["relations_correct"]
    fams = [json.loads(x) for x in (out / "families.jsonl").read_text(encoding="utf-8").splitlines()]
    english = next(f for f in fams if any(d.startswith("002_") for d in f["documents"]))
    assert english["origin"].startswith("002_") and english["origin"].endswith("#1")
    assert {d.split("_")[0] for d in english["documents"]} >= {"000", "002", "004"}


def test_trace_keeps_the_seed_figures(scores):
    """`sourcetrace trace` on the seeds, scored by ../shared/eval/score.py: the figures the README
    states stay as they are (documents and languages 7/7, align F1 1.000 with 23/23 pairs, both
    reuse F1 >= 0.92 with 13/13 passages, relations 10/10)."""
    s, _ = scores
    assert (s["documents_found"], s["language_correct"]) == ("7/7", "7/7"), s
    assert _f1(s["align 000~002a"]) == 1.0 and _found(s["align 000~002a"]) == (23, 23), s
    for reuse in ("reuse 004<-000", "reuse 004<-002a"):
        assert _f1(s[reuse]) >= 0.92 and _found(s[reuse]) == (13, 13), s
    assert s["relations_correct"].startswith("10/10"), s
