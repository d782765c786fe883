"""Upload jobs run the same pipeline as `sourcetrace trace`: same relations, same facts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sourcetrace.engines import local
from sourcetrace.store.sqlite import Store
from sourcetrace.web import create_app


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _relation_key(r: dict) -> tuple:
    return (r["a"], r["b"], r["type"], r.get("source"), round(r["coverage_a"], 6), round(r["coverage_b"], 6),
            round(r["score"], 6))


@pytest.mark.slow
def test_an_upload_of_the_seeds_gives_the_relations_and_facts_of_trace(seeds, seeds_db, tmp_path):
    traced = seeds_db.parent  # `sourcetrace trace` on the seeds wrote its outputs beside its store
    db = tmp_path / "web.db"
    with TestClient(create_app(db, upload_limit=5_000_000)) as client:
        files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(seeds.glob("*.txt"))]
        job = client.post("/api/uploads", files=files).json()
        deadline = time.monotonic() + 600
        while job["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
            job = client.get(f"/api/jobs/{job['id']}").json()
        assert job["state"] == "done", job
        assert job["facts"] == len(_rows(traced / "facts.jsonl"))
        with Store(db) as store:
            uploaded = sorted(_relation_key(r.to_json()) for r in store.relations())
            docs = list(store.documents())
            facts = local.facts_of(docs, local.DocumentTexts(store))
    assert uploaded == sorted(_relation_key(r) for r in _rows(traced / "relations.jsonl"))
    got = sorted((f.doc, f.start, f.end, f.type, json.dumps(f.value)) for v in facts.values() for f in v)
    want = sorted((f["doc"], f["start"], f["end"], f["type"], json.dumps(f["value"]))
                  for f in _rows(traced / "facts.jsonl"))
    assert got == want
