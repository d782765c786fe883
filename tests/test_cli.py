"""End-to-end tests through the command line, as a user runs it."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sourcetrace", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


COMMANDS = ("read", "compare", "trace", "show", "origin", "facts", "diff", "timeline", "search", "index", "export",
            "serve")


def test_help_everywhere():
    root = run("--help")
    assert root.returncode == 0
    listed = [line.split()[1] for line in root.stdout.splitlines() if line.startswith("│ ") and len(line.split()) > 2]
    assert [c for c in listed if c in COMMANDS] == list(COMMANDS)  # every command, in this order
    for cmd in COMMANDS:
        res = run(cmd, "--help")
        assert res.returncode == 0 and "--db" in res.stdout and "Traceback" not in res.stderr, cmd
    assert "--out" in run("read", "--help").stdout


def test_read_demo_corpus_json_and_out(tmp_path):
    res = run("read", str(DEMO), "--db", str(tmp_path / "s.db"), "--out", str(tmp_path / "out"), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    docs = {Path(d["path"]).name + "#" + d["id"].split("#")[1]: d for d in data["documents"]}
    assert docs["bulletin_two_docs.txt#1"]["lang"] == "en"
    assert docs["bulletin_two_docs.txt#2"]["lang"] == "ar"
    assert docs["news_page_cp1256.html#1"]["encoding"] == "cp1256"
    assert docs["report_ar.txt#1"]["boilerplate_chars"] > 0
    lines = (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(data["documents"])
    first = json.loads(lines[0])
    assert set(first) >= {"id", "path", "start", "end", "lang"}
    sentences = [json.loads(x) for x in (tmp_path / "out" / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sentences and set(sentences[0]) == {"doc", "start", "end"}
    # Reading again is idempotent.
    again = json.loads(run("read", str(DEMO), "--db", str(tmp_path / "s.db"), "--json").stdout)
    assert again["read"] == 0 and again["unchanged"] == data["read"]


def test_bad_inputs_get_one_clear_line_each_and_the_rest_is_read(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("The council met today. It agreed on a plan.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "bad.jsonl").write_text('{"text": "A fine line of text."}\n{not json\n', encoding="utf-8")
    res = run("read", str(tmp_path / "good.txt"), str(tmp_path / "empty.txt"), str(tmp_path / "image.txt"),
              str(tmp_path / "bad.jsonl"), str(tmp_path / "missing.txt"), "--db", str(tmp_path / "s.db"), "--json")
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    data = json.loads(res.stdout)
    assert {Path(d["path"]).name for d in data["documents"]} == {"good.txt", "bad.jsonl"}
    reasons = {Path(f["path"].split(":")[0]).name: f["reason"] for f in data["failures"]}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["image.txt"]
    assert "missing.txt" in reasons
    assert "bad.jsonl" in reasons
    for name in ("empty.txt", "image.txt", "missing.txt"):
        assert name in res.stderr


def test_strict_stops_on_first_failure(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    res = run("read", str(tmp_path / "empty.txt"), "--db", str(tmp_path / "s.db"), "--strict")
    assert res.returncode == 1
    assert "empty file" in res.stderr and "Traceback" not in res.stderr


def test_corrupt_store_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    res = run("read", str(DEMO), "--db", str(bad))
    assert res.returncode == 2
    assert "not a sourcetrace store" in res.stderr and "Traceback" not in res.stderr


def test_relative_paths_stay_relative(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("One sentence here. Another one.\n", encoding="utf-8")
    res = run("read", "in", "--db", "s.db", "--out", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    doc = json.loads((tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert doc["path"] == "in/a.txt"


def test_trace_show_origin_and_html_on_the_demo(tmp_path):
    db, out, html = str(tmp_path / "s.db"), tmp_path / "out", tmp_path / "corpus.html"
    res = run("trace", str(DEMO), "--db", db, "--out", str(out), "--html", str(html), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    types = {(r["a"], r["b"]): r for r in data["relations"]}
    translation = types[("statement_ar#1", "statement_en#1")]
    # Both dated the same day, neither marked a translation: which came first is not known (issue 19).
    assert translation["type"] == "translation" and "source" not in translation
    assert translation["direction"] == "unknown"
    for name in ("documents", "sentences", "passages", "relations", "families"):
        assert (out / f"{name}.jsonl").exists()
    page = html.read_text(encoding="utf-8")
    assert "statement_en#1" in page and "<svg" in page
    shown = json.loads(run("show", "report_ar#1", "--db", db, "--json").stdout)
    assert any(r["type"] == "derived" and r["source"] == "statement_ar#1" for r in shown["relations"])
    chain = json.loads(run("origin", "report_ar#1", "--db", db, "--json").stdout)
    # The chain goes on by dates (the Arabic text revises last year's English statement), never
    # through the English text of unknown direction, whose relations say so.
    assert [c["document"] for c in chain][:2] == ["report_ar#1", "statement_ar#1"]
    assert "statement_en#1" not in [c["document"] for c in chain] and chain[-1]["relation"] is None
    english = json.loads(run("show", "statement_en#1", "--db", db, "--json").stdout)
    assert any(r["b"] == "statement_ar#1" and r["direction"] == "unknown" for r in english["relations"]
               if r["type"] == "translation")
    missing = run("show", "nope#1", "--db", db)
    assert missing.returncode == 2 and "no such document" in missing.stderr
    again = json.loads(run("trace", str(DEMO), "--db", db, "--out", str(out), "--json", "--facts", "all").stdout)
    assert again["relations"] == data["relations"]  # a rerun aligns nothing new and answers the same
    # every document's facts, not only those of documents in a fact diff; the same diffs
    assert again["fact_diffs"] == data["fact_diffs"] and again["facts"] >= data["facts"]
    written = {json.loads(line)["doc"] for line in (out / "facts.jsonl").read_text(encoding="utf-8").splitlines()}
    assert written == {d["id"] for d in map(json.loads, (out / "documents.jsonl").read_text().splitlines())}
    wrong = run("trace", str(DEMO), "--db", db, "--out", str(out), "--facts", "some")
    assert wrong.returncode == 2 and "--facts" in wrong.stderr


def test_search_finds_a_quote_with_its_origin(seeds_db, tmp_path):
    from conftest import copy_store

    db = copy_store(seeds_db, tmp_path / "s.db")
    quote = "The Ministers emphasized the protection of civilians and affirmed that international law"
    res = run("search", quote, "--db", str(db), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["hits"][0]["doc"] == "002_5d78def7b98681ae#1" and data["hits"][0]["kind"] == "verbatim"
    assert data["origin"] == "002_5d78def7b98681ae#1"
    shown = run("search", quote, "--db", str(db), "--lang", "ar", "--limit", "2")
    assert shown.returncode == 0 and "origin: 002_5d78def7b98681ae#1" in shown.stdout
    # Arabic hits only (reached through 002a's passages since issue 19: their lines name it after "via").
    listed = re.findall(r"^ *\d+\. (\S+)", shown.stdout, flags=re.M)
    assert listed and "002_5d78def7b98681ae#1" not in listed, shown.stdout
    bad = run("search", "  ", "--db", str(db))
    assert bad.returncode == 2 and "no words" in bad.stderr


def test_index_builds_what_trace_left_to_the_first_search(seeds_db, tmp_path):
    from conftest import copy_store

    db = copy_store(seeds_db, tmp_path / "s.db")  # the vector file beside the store is not copied
    first = run("index", "--db", str(db), "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["sentences"] > 100
    again = json.loads(run("index", "--db", str(db), "--json").stdout)
    assert again == {"indexed": 0, "sentences": data["sentences"]}
    assert (tmp_path / "s.db.quotes.faiss").exists()
    missing = run("index", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and not (tmp_path / "none.db").exists()


def test_serve_off_loopback_makes_up_a_token_and_requires_it(tmp_path):
    import os
    import signal
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from sourcetrace.store.sqlite import Store

    Store(tmp_path / "s.db").close()  # serve opens a store, never makes one (issue 19)
    proc = subprocess.Popen([sys.executable, "-m", "sourcetrace", "serve", "--db", str(tmp_path / "s.db"),
                             "--host", "0.0.0.0", "--port", str(port)], stderr=subprocess.PIPE, text=True,
                            env={k: v for k, v in os.environ.items() if k != "SOURCETRACE_TOKEN"})
    try:
        line = proc.stderr.readline()
        assert "?token=" in line, line
        # 0.0.0.0 is no address a browser opens: the machine's name and loopback instead (issue 20)
        assert "http://0.0.0.0" not in line and f"http://127.0.0.1:{port}/?token=" in line, line
        token = line.strip().rsplit("?token=", 1)[1]
        url = f"http://127.0.0.1:{port}/api/documents"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                raise AssertionError("answered without a token")
            except urllib.error.HTTPError as exc:
                assert exc.code == 401
                break
            except (urllib.error.URLError, TimeoutError):  # not listening yet, or its workers still starting
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        assert json.loads(urllib.request.urlopen(req, timeout=5).read())["total"] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.slow
def test_serve_with_workers_takes_uploads_any_worker_reports_and_searches(tmp_path):
    # Issue 20: several worker processes answer; an upload taken by one is traced once, its
    # progress read through any of them, and every worker's search finds it afterwards.
    import os
    import signal
    import socket
    import time

    import httpx

    from sourcetrace.store.sqlite import Store

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    Store(tmp_path / "s.db").close()
    proc = subprocess.Popen([sys.executable, "-m", "sourcetrace", "serve", "--db", str(tmp_path / "s.db"),
                             "--port", str(port), "--workers", "3"], stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert "with 3 workers at" in proc.stderr.readline()
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/api/documents", timeout=5)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None, "the server did not start"
                time.sleep(0.2)
        files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in
                 (DEMO / "statement_en.txt", DEMO / "statement_ar.txt")]
        with httpx.Client(base_url=base, timeout=60) as c:  # one connection a request: any worker answers
            jobs = [c.post("/api/uploads", files=[f], headers={"Connection": "close"}).json() for f in files]
            done = []
            for job in jobs:
                while job["state"] not in ("done", "failed"):
                    assert time.monotonic() < deadline + 600, job
                    time.sleep(0.3)
                    job = c.get(f"/api/jobs/{job['id']}", headers={"Connection": "close"}).json()
                done.append(job)
            assert [j["state"] for j in done] == ["done", "done"], done
            quote = "The ministers of the Regional Water Cooperation Council met in Qadira"
            for _ in range(6):  # the workers' own connections see the traced documents
                hits = c.get("/api/search", params={"q": quote}, headers={"Connection": "close"}).json()["hits"]
                assert hits and hits[0]["doc"] == done[0]["documents"][0]
        with Store(tmp_path / "s.db") as st:
            assert st.counts()["documents"] == 2  # each upload read once
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def test_compare_with_the_default_encoder_lets_the_pair_pick_as_a_trace_does(monkeypatch, tmp_path):
    """`compare A B` names no encoder: the pair picks (USE for two books, bench/huge.py), as in a
    trace; one named is passed on."""
    from sourcetrace.cli import compare as cli_compare
    from sourcetrace.engines import lookup

    seen = []
    monkeypatch.setattr(lookup, "compare", lambda a, b, store, encoder, threshold, realign: seen.append(encoder))
    monkeypatch.setattr(cli_compare, "store_for", lambda db, refs: contextlib.nullcontext(None))
    cli_compare._compare_or_exit("a", "b", tmp_path / "x.db", "default", 0.5)
    cli_compare._compare_or_exit("a", "b", tmp_path / "x.db", "use", 0.5)
    assert seen[0] is None and seen[1].name.startswith("use")


def test_compare_after_a_trace_takes_the_pairs_stored_passages_and_aligns_a_changed_file_again(tmp_path):
    """`compare A B --db X` after `trace DIR --db X`: the trace's passages of the pair, said so: the
    same as aligning it now gives the same way round, turned round the other way (aligning that
    way may differ: --realign); once a file changes, or with another encoder, aligned again (issue 18)."""
    folder = tmp_path / "in"
    folder.mkdir()
    paths = {"statement#1": folder / "statement.txt", "report#1": folder / "report.txt"}
    paths["statement#1"].write_text((DEMO / "statement_en.txt").read_text(encoding="utf-8"), encoding="utf-8")
    paths["report#1"].write_text((DEMO / "statement_2024_en.txt").read_text(encoding="utf-8"), encoding="utf-8")
    db = str(tmp_path / "x.db")
    traced = run("trace", str(folder), "--db", db, "--out", str(tmp_path / "out"))
    assert traced.returncode == 0, traced.stderr
    traced_passages = [json.loads(line) for line in (tmp_path / "out" / "passages.jsonl").read_text().splitlines()]
    first = traced_passages[0]["a"]  # the document the trace aligned first
    a, b = str(paths[first]), str(next(p for d, p in paths.items() if d != first))

    def compare(x: str, y: str, *args: str, store: str = db) -> dict:
        res = run("compare", x, y, "--db", store, "--json", *args)
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)

    kept, fresh = compare(a, b), compare(a, b, store=str(tmp_path / "fresh.db"))  # a store with no trace
    assert (kept["passages_from"], fresh["passages_from"]) == ("store", "aligned")
    assert kept["passages"] == sorted(traced_passages, key=lambda p: (p["a_start"], p["b_start"])) != []
    assert {k: v for k, v in kept.items() if k != "passages_from"} == {
        k: v for k, v in fresh.items() if k != "passages_from"}  # exact: the same output
    back = compare(b, a)  # the trace's alignment turned round, b's spans first
    assert back["passages_from"] == "store-reversed" and back["a"]["id"] == kept["b"]["id"]
    assert sorted((p["b_start"], p["b_end"], p["a_start"], p["a_end"], p["kind"], p["score"]) for p in back["passages"]) \
        == sorted((p["a_start"], p["a_end"], p["b_start"], p["b_end"], p["kind"], p["score"]) for p in kept["passages"])
    realigned = compare(b, a, "--realign")
    assert realigned["passages_from"] == "aligned"
    assert realigned["passages"] == compare(b, a, store=str(tmp_path / "fresh.db"))["passages"]
    terminal = run("compare", a, b, "--db", db, "--html", str(tmp_path / "c.html"))
    assert terminal.returncode == 0 and "passages: the store's" in terminal.stdout, terminal.stderr
    assert (tmp_path / "c.html").read_text(encoding="utf-8")
    assert compare(a, b, "--encoder", "use")["passages_from"] == "aligned"  # another encoder, another alignment
    Path(b).write_text(Path(b).read_text(encoding="utf-8").replace("2024", "2025"), encoding="utf-8")  # changed
    changed = run("compare", a, b, "--db", db)
    assert changed.returncode == 0 and "passages: aligned now" in changed.stdout, changed.stderr


def test_help_and_a_commands_start_import_only_what_they_run():
    """`sourcetrace --help` imported every command's modules (numpy, the pipeline, jinja2, the
    report: ~0.8 CPU s); each command now imports its own when it runs, and help stays whole."""
    def imported(*args: str) -> set[str]:
        res = subprocess.run([sys.executable, "-X", "importtime", "-m", "sourcetrace", *args], capture_output=True,
                             text=True, timeout=300)
        return {line.split("|")[-1].strip() for line in res.stderr.splitlines() if line.startswith("import time:")}

    heavy = {"numpy", "jinja2", "sourcetrace.pipeline", "sourcetrace.report", "sourcetrace.store.sqlite",
             "sourcetrace.engines.local", "sourcetrace.align.pair", "rich.progress"}
    assert not heavy & imported("--help")
    assert not heavy & imported("trace", "--help")
    traced = imported("trace", "nothing-here", "--out", "/nonexistent/never")  # stops at its checks
    assert "jinja2" not in traced and "sourcetrace.report" not in traced
