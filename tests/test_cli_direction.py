"""Direction claims end to end (issue 19): `sourcetrace trace` on a story, its translation, a report
that changed four figures and a wire excerpt that keeps them (tests/quake.py), then every view.

No document is dated, marked as a translation or attributed, so which of the story and its
translation came first is unknown; the report cannot be the wire's source (the wire keeps the
figures the report changed), and the English wire took the English story's wording, not the
Arabic translation's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

import quake
from sourcetrace.web import create_app

DIRECTED = ("translation", "copy", "derived", "revision")


def run(*args: str) -> subprocess.CompletedProcess:
    # Wide enough that no table cell wraps: the test reads the words, not the layout.
    return subprocess.run([sys.executable, "-m", "sourcetrace", *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "COLUMNS": "240"})


@pytest.fixture(scope="module")
def traced(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("quake")
    quake.write(root / "in")
    db, out, html = root / "s.db", root / "out", root / "report.html"
    res = run("trace", str(root / "in"), "--db", str(db), "--out", str(out), "--html", str(html))
    assert res.returncode == 0, res.stderr
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    ids = {Path(d["path"]).name: d["id"] for d in docs}
    rels = [json.loads(x) for x in (out / "relations.jsonl").read_text(encoding="utf-8").splitlines()]
    by_pair = {frozenset((r["a"], r["b"])): r for r in rels}
    return {"db": db, "out": out, "html": html, "ids": ids, "rels": rels, "terminal": res.stdout,
            "pair": lambda x, y: by_pair.get(frozenset((ids[x], ids[y])))}


def test_the_report_is_not_the_wires_source(traced):
    r = traced["pair"]("report_ar.txt", "wire_en.txt")
    assert r is not None and r.get("source") != traced["ids"]["report_ar.txt"]
    # The report changed the figures the wire keeps: the report is further from the origin.
    if r["type"] in DIRECTED and r.get("source") is None:
        assert r["direction"] == "unknown"


def test_the_english_wire_does_not_take_from_the_arabic_translation(traced):
    r = traced["pair"]("quake_ar.txt", "wire_en.txt")
    assert r.get("source") != traced["ids"]["quake_ar.txt"]
    assert traced["pair"]("quake_en.txt", "wire_en.txt")["source"] == traced["ids"]["quake_en.txt"]


def test_the_translation_has_no_direction_and_the_report_keeps_its_own(traced):
    t = traced["pair"]("quake_en.txt", "quake_ar.txt")
    assert t["type"] == "translation" and "source" not in t and t["direction"] == "unknown"
    report = traced["pair"]("quake_ar.txt", "report_ar.txt")
    assert (report["type"], report["source"]) == ("derived", traced["ids"]["quake_ar.txt"])
    assert any("keeps 384" in e and "420" in e for e in report["evidence"])
    # The unrelated story joins nothing.
    assert not any(traced["ids"]["bank_en.txt"] in (r["a"], r["b"]) and r["type"] in DIRECTED
                   for r in traced["rels"])


def test_no_directed_relation_without_a_source_fails_to_say_so(traced):
    for r in traced["rels"]:
        assert ("source" in r) != (r.get("direction") == "unknown") or r["type"] not in DIRECTED, r
    fams = [json.loads(x) for x in (traced["out"] / "families.jsonl").read_text(encoding="utf-8").splitlines()]
    (fam,) = fams
    assert "origin" not in fam  # the story or its translation: no evidence says which


def test_every_view_says_direction_unknown(traced):
    ids, db = traced["ids"], str(traced["db"])
    assert "translation, direction unknown" in traced["terminal"]
    shown = run("show", ids["wire_en.txt"], "--db", db)
    assert shown.returncode == 0 and "direction unknown" in shown.stdout
    origin = run("origin", ids["report_ar.txt"], "--db", db, "--json")
    chain = json.loads(origin.stdout)
    assert [c["document"] for c in chain] == [ids["report_ar.txt"], ids["quake_ar.txt"]]
    assert ids["quake_en.txt"] in chain[-1]["direction_unknown_with"]
    assert "direction unknown" in run("origin", ids["report_ar.txt"], "--db", db).stdout
    assert "direction unknown" in traced["html"].read_text(encoding="utf-8")
    story = quote(ids["quake_en.txt"], safe="")  # ids hold '#'
    with TestClient(create_app(traced["db"])) as c:
        page = c.get(f"/doc/{story}")
        api = c.get(f"/api/documents/{story}").json()
        family = c.get(f"/family/{story}").text
    assert page.status_code == 200 and "direction unknown" in page.text
    assert api["origin_chain"][-1]["direction_unknown_with"]
    assert any(r.get("direction") == "unknown" for r in api["relations"])
    assert "origin not determined" in family
