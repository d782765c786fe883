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


# `sourcetrace` as its console script runs it, with a pair "long" from 1,000 characters and
# windows of 10 units: a test-sized pair shows what two books show (bench/huge.py).
LONG_PAIR_CLI = """
import sys
from sourcetrace.align import windows
from sourcetrace.engines import workers
from sourcetrace.cli import main
workers.LONG_PAIR = int(sys.argv.pop(1))
windows.MAX_CELLS, windows.WINDOW, windows.OVERLAP, windows.WIDTH = 100, 10, 2, 2
sys.argv[0] = "sourcetrace"
main()
"""


def _long_pair(tmp_path: Path) -> list[str]:
    """Two English texts of 80 sentences: the second keeps some sentences, rewords others."""
    subjects = ["The council", "The minister", "The river agency", "The city office", "The farmers' union"]
    verbs = ["agreed to spend", "said it would find", "asked for", "refused to release", "promised"]
    things = ["new flood barriers", "a bridge over the river", "two schools", "water for the farms", "a new port"]
    first = [f"{subjects[i % 5]} {verbs[i // 5 % 5]} {i + 2} million dollars for {things[i // 25 % 5]} in week {i}."
             for i in range(80)]
    second = [s if i % 3 else f"For {things[i // 25 % 5]}, {i + 2} million was the sum {subjects[i % 5].lower()} "
              f"named during the {i}th week." for i, s in enumerate(first)]
    paths = []
    for name, lines in (("plan", first), ("report", second)):
        (tmp_path / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(str(tmp_path / f"{name}.txt"))
    return paths


def test_a_long_pair_logs_its_phases_under_the_align_stage_and_writes_the_same_outputs(tmp_path):
    """`align 0/1` for the whole of two books looked like a stall: a long pair's phases are logged
    under the stage, one line as each begins (issue 17); the outputs are those of a run that logs none."""
    def trace(long_pair: int, out: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", LONG_PAIR_CLI, str(long_pair), "trace", *_long_pair(tmp_path),
                               "--encoder", "use", "--db", str(tmp_path / f"{out}.db"), "--out", str(tmp_path / out)],
                              capture_output=True, text=True, timeout=600, env={**os.environ, "SOURCETRACE_WORKERS": "1"})

    logged, quiet = trace(1000, "logged"), trace(10**9, "quiet")
    assert logged.returncode == 0 and quiet.returncode == 0, logged.stderr + quiet.stderr
    within = [line.split("; ", 1)[1] for line in logged.stderr.splitlines()
              if line.startswith("sourcetrace: align 0/1, ") and "; " in line]
    assert within and all(w.startswith("plan#1 ~ report#1: ") for w in within), logged.stderr
    phases = [w.split(": ", 1)[1].split()[0] for w in within]
    # each phase once, as it begins, in the order the pair runs them (reuse, the screen over the
    # window plan, the encoder on what it leaves, the windows aligned)
    assert phases == ["reuse", "static", "plan", "screen", "encode", "windows"], logged.stderr
    assert within[-1].endswith("windows 0/9"), logged.stderr  # its ~90 units in windows of 10
    assert not any("; " in line for line in quiet.stderr.splitlines()), quiet.stderr  # a short pair: no such line
    for name in ("documents", "sentences", "passages", "relations", "families"):
        assert (tmp_path / "logged" / f"{name}.jsonl").read_text() == (tmp_path / "quiet" / f"{name}.jsonl").read_text()
    assert (tmp_path / "logged" / "passages.jsonl").read_text()
