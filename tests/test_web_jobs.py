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
def test_an_upload_of_the_seeds_gives_the_relations_and_facts_of_trace(seeds, seed_trace, tmp_path):
    traced = seed_trace  # the outputs of `sourcetrace trace` on the seeds
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


def test_an_uploaded_annotation_json_is_named_with_why_it_was_not_traced(tmp_path):
    """Skipped by reading (valid JSON, no "text" anywhere): the job says so, not a bare failure."""
    gold = json.dumps({"documents": [{"id": "000", "span": [0, 90]}]}).encode()
    with TestClient(create_app(tmp_path / "web.db", upload_limit=5_000_000)) as client:
        job = client.post("/api/uploads", files=[("files", ("gold.json", gold, "application/json"))]).json()
        deadline = time.monotonic() + 120
        while job["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
            job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["state"] == "failed" and job["documents"] == []
    assert job["failures"] == ['gold.json: JSON holding no document (no "text" field anywhere)']


class _Recorded:
    """Stands in for a job's trace: records which Jobs ran which job, traces nothing."""

    def __init__(self, monkeypatch) -> None:
        self.runs: list[tuple[int, str]] = []
        jobs_module = __import__("sourcetrace.web.jobs", fromlist=["Jobs"])
        recorded = self

        def run(jobs, store, job):
            recorded.runs.append((id(jobs), job.id))
            time.sleep(0.05)
            job.state, job.stage, job.documents = "done", "done", [f"doc-{job.id}"]

        monkeypatch.setattr(jobs_module.Jobs, "_run", run)


def _wait(jobs, job_id: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while (job := jobs.get(job_id)) is None or job.state not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.02)
    return job


def test_jobs_are_seen_by_every_worker_and_run_once(tmp_path, monkeypatch):
    # Issue 20: with several worker processes, the poll of a job reaches any of them, and a job
    # is run by exactly one. Two apps over one store stand for two workers (flock locks of two
    # open files exclude each other within a process too).
    recorded = _Recorded(monkeypatch)
    db = tmp_path / "s.db"
    Store(db).close()
    workers = [create_app(db).state.ctx.jobs for _ in range(2)]
    files = tmp_path / "f.txt"
    files.write_text("x", encoding="utf-8")
    submitted = [workers[k % 2].submit([files]) for k in range(6)]
    for k, job in enumerate(submitted):
        seen = _wait(workers[(k + 1) % 2], job.id)  # polled through the other worker
        assert seen.state == "done" and seen.documents == [f"doc-{job.id}"] and seen.runs == 1
    assert sorted(j for _, j in recorded.runs) == sorted(j.id for j in submitted)  # each once
    assert [j.id for j in workers[0].all()] == [j.id for j in submitted]  # oldest first, none lost
    assert workers[0].get("../s") is None and workers[1].get("0" * 12) is None


def test_a_job_whose_worker_stopped_is_run_again_once(tmp_path, monkeypatch):
    recorded = _Recorded(monkeypatch)
    db = tmp_path / "s.db"
    Store(db).close()
    from sourcetrace.web.jobs import Job, Jobs

    first = create_app(db).state.ctx
    left = Job("a" * 12, ["f.txt"], state="running", runs=1, created=1.0)
    twice = Job("b" * 12, ["g.txt"], state="running", runs=2, created=2.0)
    queued = Job("c" * 12, ["h.txt"], created=3.0)
    for job in (left, twice, queued):
        first.jobs._save(job)
    restarted = Jobs(first)  # a worker starting over the same store picks up what was left
    assert _wait(restarted, left.id).state == "done" and restarted.get(left.id).runs == 2
    failed = _wait(restarted, twice.id)
    assert failed.state == "failed" and "stopped" in failed.error
    assert _wait(restarted, queued.id).state == "done"
    assert [j for _, j in recorded.runs] == [left.id, queued.id]
