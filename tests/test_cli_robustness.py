"""`sourcetrace trace` run as a user runs it on pathological and random inputs (issue 19): no
traceback, no hang, an exit code that `--help` and the README document, outputs that keep the
contract (DESIGN.md), and every unreadable file named with its reason.

No hang: each run gets a timeout linear in its input, ``BASE_SECONDS + SECONDS_PER_MB`` per
megabyte. It is a guard (a run that never ends fails instead of blocking the suite), not a timing
assertion: BASE_SECONDS covers the start (Python, the encoder models) on a 2-core machine shared
with other work, and SECONDS_PER_MB is above what a megabyte of unpunctuated text costs there
(read, split into bounded sentences, encode, facts): 12 s on a quiet machine, 18-51 s at a load
of 10-14. Before sentences were bounded such a megabyte never finished, and with two BLAS
threads on a busy machine it ran past 190 s. Work linear in the input is checked by counting, in
tests/test_fuzz_reading.py.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from sourcetrace.cli.console import EXIT_CODES
from sourcetrace.engines.ingest import ONLY_BOILERPLATE
from sourcetrace.text.sentences import MAX_SENTENCE, NEWLINES

ROOT = Path(__file__).resolve().parents[1]
BASE_SECONDS = 120
SECONDS_PER_MB = 60
CONTRACT = ("documents", "sentences", "passages", "relations", "families")


def trace(tmp_path: Path, *inputs: Path | str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`sourcetrace trace INPUTS --out tmp/out --db tmp/s.db`, stopped after its linear bound."""
    mb = sum(Path(p).stat().st_size for p in inputs if Path(p).is_file()) / 1e6
    res = subprocess.run([sys.executable, "-m", "sourcetrace", "trace", *map(str, inputs),
                          "--out", str(tmp_path / "out"), "--db", str(tmp_path / "s.db"), *extra],
                         capture_output=True, text=True, timeout=BASE_SECONDS + SECONDS_PER_MB * mb)
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    assert res.returncode in EXIT_CODES, (res.returncode, res.stderr[-3000:])
    return res


def outputs(out: Path) -> dict[str, list[dict]]:
    """The contract files, each line a JSON object, every id they name a document's."""
    found = {name: [json.loads(line) for line in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
             for name in CONTRACT}
    ids = {d["id"] for d in found["documents"]}
    for d in found["documents"]:
        assert 0 <= d["start"] < d["end"] and d["lang"] and d["path"]
    ends = {d["id"]: (d["start"], d["end"]) for d in found["documents"]}
    for s in found["sentences"]:
        lo, hi = ends[s["doc"]]
        assert lo <= s["start"] < s["end"] <= hi and s["end"] - s["start"] <= MAX_SENTENCE
    for p in found["passages"]:
        assert {p["a"], p["b"]} <= ids and p["a_start"] < p["a_end"] and p["b_start"] < p["b_end"]
    for r in found["relations"]:
        assert {r["a"], r["b"]} <= ids
    for f in found["families"]:
        assert set(f["documents"]) <= ids
    return found


def check_sentences(text: str, sentences: list[dict]) -> None:
    """Sentences of a one-document file: in order, trimmed, never across a line, on its text."""
    pos = 0
    for s in sentences:
        piece = text[s["start"]:s["end"]]
        assert pos <= s["start"] and piece == piece.strip() and not set(piece) & set(NEWLINES)
        pos = s["end"]


def test_exit_codes_are_documented_in_help_and_readme() -> None:
    res = subprocess.run([sys.executable, "-m", "sourcetrace", "--help"], capture_output=True, text=True,
                         timeout=BASE_SECONDS, env={**os.environ, "COLUMNS": "400"})
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Exit codes" in res.stdout and "Exit codes" in readme
    for code in EXIT_CODES:
        assert f" {code} " in res.stdout and f"**{code}**" in readme


_VOCABULARY = ("the council said that sovereignty and security in the region would be discussed at length "
               "قال المجلس إن السيادة والأمن في المنطقة ستناقش مطولا خلال الاجتماع")


def _words(rng: random.Random, n: int) -> str:
    """``n`` words of both languages, no punctuation."""
    vocabulary = _VOCABULARY.split()
    return " ".join(rng.choice(vocabulary) for _ in range(n))


@pytest.mark.slow
def test_a_megabyte_record_without_punctuation(tmp_path: Path) -> None:
    # Issue 19's hang: one JSONL record of megabytes with no sentence punctuation.
    text = _words(random.Random(19), 150_000)[:1_000_000].rstrip()
    path = tmp_path / "record.jsonl"
    path.write_text(json.dumps({"text": text, "title": "no punctuation"}, ensure_ascii=False) + "\n", encoding="utf-8")
    res = trace(tmp_path, path)
    assert res.returncode == 0, res.stderr[-3000:]
    found = outputs(tmp_path / "out")
    assert len(found["documents"]) == 1
    assert len(text) / MAX_SENTENCE <= len(found["sentences"]) <= 2 * len(text) / MAX_SENTENCE + 1
    check_sentences(text, found["sentences"])


@pytest.mark.slow
@pytest.mark.parametrize(("name", "text", "sentences"), [
    ("token.txt", "x" * 1_000_000, 1_000),  # one enormous token: cut hard at the bound
    ("repeated.txt", "The council met today in Baghdad.\n" * 10_000, 10_000),
], ids=["one enormous token", "10,000 repeated lines"])
def test_pathological_text_file(tmp_path: Path, name: str, text: str, sentences: int) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    res = trace(tmp_path, path)
    assert res.returncode == 0, res.stderr[-3000:]
    found = outputs(tmp_path / "out")
    assert len(found["documents"]) == 1 and len(found["sentences"]) == sentences
    check_sentences(text, found["sentences"])


def _random_text(rng: random.Random, n: int) -> str:
    """Random characters of both scripts, marks, controls and line breaks, with a shared passage."""
    alphabet = "abcdefghij klmnop .,!? بتثجحخد رزسش ،؛؟ \u200f\u202b\u00a0\t\x0c\r\n"
    return "".join(rng.choice(alphabet) for _ in range(n))


@pytest.mark.slow
def test_unreadable_files_are_named_and_the_rest_is_traced(tmp_path: Path) -> None:
    rng = random.Random(1919)
    shared = _words(rng, 60) + ".\n"  # so that the two random texts share a passage to align
    good = {"random_a.txt": _random_text(rng, 600) + "\n" + shared, "random_b.md": shared + _random_text(rng, 600)}
    bad = {
        "empty.txt": b"",
        "spaces.txt": b" \n\t\n",
        "image.png": b"\x89PNG\r\n\x1a\n" + rng.randbytes(3000),
        "noise.txt": rng.randbytes(3000),
        "noise.html": rng.randbytes(3000),
        "noise.jsonl": rng.randbytes(3000),
        "lines.jsonl": b'{"text": 3}\nnot json\n[1, 2]\n{"title": "no text"}\n',
        "captions.txt": b"Photo: the council in session\n" * 2_000,  # only boilerplate lines
    }
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in good.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, raw in bad.items():
        (folder / name).write_bytes(raw)
    res = trace(tmp_path, folder)
    assert res.returncode == 1, res.stderr[-3000:]
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    assert sorted(Path(line.split()[1].rstrip(":")).name for line in errors) == sorted(bad)
    assert any(ONLY_BOILERPLATE in line for line in errors)
    found = outputs(tmp_path / "out")
    assert {Path(d["path"]).name for d in found["documents"]} == set(good)
    assert found["passages"]  # the shared passage, found between random texts


@pytest.mark.slow
def test_only_unreadable_inputs_write_an_empty_set(tmp_path: Path) -> None:
    path = tmp_path / "noise.bin"
    path.write_bytes(random.Random(7).randbytes(5000))
    res = trace(tmp_path, path, tmp_path / "missing.txt")
    assert res.returncode == 1 and res.stderr.count("error: ") == 2, res.stderr[-3000:]
    assert not any(outputs(tmp_path / "out").values())


def test_a_usage_error_is_exit_code_2(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "sourcetrace", "trace", str(tmp_path)], capture_output=True,
                         text=True, timeout=BASE_SECONDS)  # no --out
    assert res.returncode == 2 and "Traceback" not in res.stderr and "--out" in res.stderr
