"""Progress when standard error is not a terminal (issue 19): plain log lines, never on stdout,
and the bound on a long unpunctuated text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sourcetrace.cli.common import StageLog


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # capture_output: standard error is a pipe, as when a run is logged or piped to a file
    return subprocess.run([sys.executable, "-m", "sourcetrace", *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})})


def _corpus(tmp_path: Path) -> list[str]:
    a = tmp_path / "statement.txt"
    a.write_text("The council met on Monday in Geneva. It agreed to send 40 trucks of aid to the coast.\n"
                 "The ministers will meet again in March.\n", encoding="utf-8")
    b = tmp_path / "report.txt"
    b.write_text("Officials said the council met on Monday in Geneva. It agreed to send 40 trucks of aid.\n",
                 encoding="utf-8")
    return [str(a), str(b)]


def _stage_lines(stderr: str) -> list[str]:
    return [line.split()[1].rstrip(",") for line in stderr.splitlines() if line.startswith("sourcetrace: ")]


def test_trace_piped_logs_every_stage_on_stderr_and_json_stays_pure(tmp_path):
    res = run("trace", *_corpus(tmp_path), "--db", str(tmp_path / "s.db"), "--out", str(tmp_path / "out"), "--json")
    assert res.returncode == 0, res.stderr
    json.loads(res.stdout)  # nothing but the JSON on standard output
    stages = _stage_lines(res.stderr)
    for stage in ("read", "encode", "candidates", "align", "relate", "facts", "done"):
        assert stage in stages, res.stderr
    # Nothing is encoded up front here: the full encoder runs ahead only for documents of
    # cross-language pairs (two English texts; align encodes what reuse leaves unexplained).
    assert "sourcetrace: read 0/2, " in res.stderr and "sourcetrace: encode 0/0, " in res.stderr
    assert "sourcetrace: done in " in res.stderr


def test_read_piped_logs_on_stderr(tmp_path):
    res = run("read", *_corpus(tmp_path), "--db", str(tmp_path / "s.db"))
    assert res.returncode == 0, res.stderr
    assert "sourcetrace: read 0/2, " in res.stderr and "sourcetrace:" not in res.stdout


def test_stage_log_keeps_speaking_during_one_long_step():
    lines: list[str] = []
    with StageLog(every=0.05, write=lines.append) as log:
        log.start("encode", 1)
        time.sleep(0.4)  # one long step: no advance
        log.advance()
        log.start("done")
    assert lines[0] == "sourcetrace: encode 0/1, 0.0 s"
    assert len([x for x in lines if x.startswith("sourcetrace: encode 0/1, ")]) >= 3  # alive, not hung
    assert lines[-1].startswith("sourcetrace: done in ")


def test_trace_of_a_long_unpunctuated_record_is_bounded(tmp_path):
    # One JSONL record with no sentence punctuation went whole to the encoders as one "sentence".
    # Measured on 2 shared, loaded cores: this ~300 KB record traces in about 30 s (~100 s/MB), a
    # 3.5 MB one in 500 s (~140 s/MB, machine busier), nearly all of it encoding 1,000-character
    # pieces with USE (linear in characters); before, one unbounded sentence (a 424 KB record took
    # 1.5 GB in the encoder). 10,000 repeated lines or one 1 MB token: 2-3 s. The bound is 10x.
    words = ["the", "ministry", "said", "it", "was", "following", "the", "situation", "in", "the", "region", "closely"]
    text = " ".join(words[i * 7 % len(words)] + str(i % 97) for i in range(40_000))  # ~300 KB
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    t0 = time.monotonic()
    res = run("trace", str(path), "--db", str(tmp_path / "s.db"), "--out", str(tmp_path / "out"), "--json")
    assert res.returncode == 0, res.stderr
    assert time.monotonic() - t0 < 300
    sentences = [json.loads(line) for line in (tmp_path / "out" / "sentences.jsonl").read_text().splitlines()]
    assert len(sentences) > 250 and max(s["end"] - s["start"] for s in sentences) <= 1000
