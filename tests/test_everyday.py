"""Issue 17's everyday corpus as bench/everyday.py rebuilds it: what its truth says is in its files."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from everyday import SHARED, counts, generate, page, vocabulary  # noqa: E402

TATOEBA = SHARED / "corpora" / "tatoeba"
needs_tatoeba = pytest.mark.skipif(not (TATOEBA / "ara-eng.ara").exists(), reason="no ../shared/corpora/tatoeba")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!\u061f])\s+", text.strip()) if s]


def test_counts_are_the_issues_at_10000_and_scale():
    assert counts(10_000) == {"translation": 50, "derived": 500, "copy": 475, "near-copy": 475}
    assert counts(2_000) == {"translation": 10, "derived": 100, "copy": 95, "near-copy": 95}


def test_a_page_gives_each_sentence_its_span_and_a_heading_a_paragraph_of_its_own():
    import random

    units = ["A heading", "One.", "Two.", "Three.", "Four.", "Five.", "Six.", "Seven."]
    text, spans = page(units, random.Random(1))
    assert [text[s:e] for s, e in spans] == units
    assert text.startswith("A heading\n\nOne.")


@needs_tatoeba
def test_vocabularies_hold_one_script_each():
    vocab = vocabulary(TATOEBA)
    assert len(vocab["en"]) > 1000 and len(vocab["ar"]) > 1000
    assert all(w.isascii() for w in vocab["en"])
    assert not any(ch.isascii() for w in vocab["ar"] for ch in w)


@needs_tatoeba
def test_the_truth_matches_the_files(tmp_path: Path):
    truth = generate(tmp_path, 400, seed=3)
    assert len(truth["docs"]) == 400 == len(list(tmp_path.glob("*.txt")))
    text = {k: (tmp_path / d["file"]).read_text(encoding="utf-8") for k, d in truth["docs"].items()}
    assert all(d["end"] == len(text[k]) for k, d in truth["docs"].items())
    ar = (TATOEBA / "ara-eng.ara").read_text(encoding="utf-8").splitlines()
    en = (TATOEBA / "ara-eng.eng").read_text(encoding="utf-8").splitlines()
    pairs = dict(zip(en, ar, strict=True))
    kinds = {k: [p for p in truth["pairs"] if p["type"] == k] for k in counts(400)}
    assert {k: len(v) for k, v in kinds.items()} == counts(400)
    for p in kinds["translation"]:
        assert truth["docs"][p["a"]]["lang"] == "en" and truth["docs"][p["b"]]["lang"] == "ar"
        assert 10 <= len(p["gold"]) <= 20
        for (es, ee), (as_, ae) in p["gold"]:  # each English sentence beside its own Arabic
            assert pairs[text[p["a"]][es:ee]] == text[p["b"]][as_:ae]
    in_order = 0
    for p in kinds["derived"]:
        source, report = _sentences(text[p["a"]]), _sentences(text[p["b"]])
        taken = [s for s in report if s in set(source)]
        assert 0.35 <= len(taken) / len(source) <= 0.65  # about half of the source's sentences
        assert 0.3 <= len(taken) / len(report) <= 0.75  # among about as many of its own
        in_order += [s for s in source if s in set(taken)] == taken
    assert in_order < len(kinds["derived"]) / 4  # shuffled, not kept in the source's order
    for p in kinds["copy"]:
        body = text[p["b"]].split("\n\n", 1)[1]  # under a heading of its own
        assert _sentences(body) == _sentences(text[p["a"]])
    for p in kinds["near-copy"]:
        a, b = _sentences(text[p["a"]]), _sentences(text[p["b"]])
        assert len(a) == len(b) and a != b
        assert len(set(a) & set(b)) >= len(a) // 3  # most sentences kept whole
