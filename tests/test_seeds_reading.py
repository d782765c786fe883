"""The reading bar of issue 3 on the seed corpus, through the CLI and eval/score.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REQUIRE_SHARED, ROOT, SEEDS, run_on_seeds, score_seeds


def _load(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    run_on_seeds("read", out)
    return out


def _iou(a, b) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def test_documents_found_and_languages(seed_out):
    scores = score_seeds(seed_out)
    assert scores["documents_found"] == "7/7"
    assert scores["language_correct"] == "7/7"


def _doc_for(docs, gold_doc):
    for d in docs:
        if Path(d["path"]).name == gold_doc["file"] and _iou((d["start"], d["end"]), gold_doc["span"]) >= 0.9:
            return d
    raise AssertionError(f"no document for {gold_doc['id']}")


def test_gold_sentences_of_000_and_002a(seed_out):
    gold = json.loads((SEEDS / "gold.json").read_text(encoding="utf-8"))
    gdocs = {g["id"]: g for g in gold["documents"]}
    docs = _load(seed_out / "documents.jsonl")
    sentences = _load(seed_out / "sentences.jsonl")
    pairs = gold["sentence_pairs"]["000~002a"]
    for side, gid in ((0, "000"), (1, "002a")):
        doc = _doc_for(docs, gdocs[gid])
        predicted = [(s["start"], s["end"]) for s in sentences if s["doc"] == doc["id"]]
        matched = sum(1 for p in pairs if any(_iou(p[side], s) >= 0.9 for s in predicted))
        assert matched >= 22, f"{gid}: {matched}/23"


def test_boilerplate_recorded_and_in_no_sentence(seed_out):
    gold = json.loads((SEEDS / "gold.json").read_text(encoding="utf-8"))
    docs = _load(seed_out / "documents.jsonl")
    sentences = _load(seed_out / "sentences.jsonl")
    for g in gold["documents"]:
        if "boilerplate" not in g:
            continue
        doc = _doc_for(docs, g)
        recorded = doc.get("boilerplate", [])
        for gs, ge in g["boilerplate"]:
            covered = sum(max(0, min(e, ge) - max(s, gs)) for s, e in recorded)
            assert covered >= 0.9 * (ge - gs), (g["id"], recorded)
        for s in sentences:
            if s["doc"] != doc["id"]:
                continue
            for gs, ge in g["boilerplate"]:
                assert min(s["end"], ge) - max(s["start"], gs) <= 0, (g["id"], s)


def test_without_shared_seed_tests_say_why_they_skip_and_fail_when_required(tmp_path):
    """A project with no ../shared beside it: each seed test is skipped with the reason in the
    run's summary (-ra); with $SOURCETRACE_REQUIRE_SHARED=1 (make test, CI) each one fails instead."""
    tests = tmp_path / "project" / "tests"
    tests.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "conftest.py", tests)
    (tests / "test_needs_seeds.py").write_text(
        "from conftest import run_on_seeds\n\n"
        "def test_fixture(seeds):\n    pass\n\n"
        "def test_run(tmp_path):\n    run_on_seeds('read', tmp_path)\n", encoding="utf-8")

    def pytest_run(**env: str) -> subprocess.CompletedProcess:
        environ = {k: v for k, v in os.environ.items() if k != REQUIRE_SHARED} | env
        return subprocess.run([sys.executable, "-m", "pytest", "-ra", "-p", "no:cacheprovider", str(tests)],
                              cwd=tests.parent, env=environ, capture_output=True, text=True, timeout=120)

    skipped = pytest_run()
    assert skipped.returncode == 0 and "2 skipped" in skipped.stdout, skipped.stdout
    reason = "../shared/corpora/seeds not found beside the project"
    assert skipped.stdout.count("SKIPPED [1] ") == 2 and skipped.stdout.count(reason) == 2, skipped.stdout
    assert "seed end-to-end tests not run" in skipped.stdout
    required = pytest_run(**{REQUIRE_SHARED: "1"})
    assert required.returncode == 1 and "skipped" not in required.stdout, required.stdout
    assert required.stdout.count(f"{REQUIRE_SHARED}=1 requires it") >= 2, required.stdout
