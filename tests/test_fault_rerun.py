"""Issue 19's fault test: `trace` killed (SIGKILL) at random points of every stage, then rerun
with the same store and --out, answers as a clean run; --out never holds a mix of two sets.

Two parts:

- ``test_trace_killed_in_every_stage_reruns_to_a_clean_run_s_outputs`` (slow): the CLI as a
  subprocess, killed after a stage's progress line (stderr is a pipe, so `trace` logs one line per
  stage) plus a random delay within that stage's duration in a run like it (on a fresh or on a
  complete store, both measured first). The stage actually hit is the last line the process
  printed before it died; the loop goes on until every stage the log names (and the start-up
  before the first line) was hit and at least ``MIN_KILLS`` kills landed. Kills land on a fresh
  store, on a complete one, and on one a kill just left (then killed again before the rerun); --out
  is absent or holds the previous whole set. The random generator's seed is printed;
  ``SOURCETRACE_FAULT_SEED`` replays it (kill timing still varies with the machine's load).
- ``test_output_write_killed_at_every_line_leaves_one_whole_set``: writing the output set is a few
  milliseconds, too quick to hit reliably by time, so a forked child writes it and kills itself
  before each line executed in the writing code, every one in turn.
"""

from __future__ import annotations

import json
import os
import queue
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import DEMO
from sourcetrace import outputs, pipeline
from sourcetrace.records import Document, Fact, FactDiff, Family, Passage, Relation, Sentence

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import synthetic  # noqa: E402
from same_outputs import dir_differences  # noqa: E402

MIN_KILLS = 20  # the bar
MAX_ATTEMPTS = 90  # kill attempts before the test gives up on covering every stage
FILLERS = 54  # short synthetic documents beside the demo corpus: above pipeline.ALL_PAIRS_UP_TO
# documents in all, so candidates come from MinHash LSH and nearest neighbours (their store caches too)
START = "start-up"  # the kill target before the first progress line (imports, opening the store)
OLD = {"_old_set": True}  # appended to every file of a previous set, to tell a mix of sets apart
LINE = re.compile(r"^sourcetrace: (?:(done) in |(.+?)(?: \d+(?:/\d+)?)?, [\d.]+ s$)")


# -- running `trace` and killing it ----------------------------------------------------------------
@dataclass
class Run:
    """One `trace` process: its stage lines with their arrival times, how it ended."""

    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since spawn, stage)
    seconds: float = 0.0
    returncode: int | None = None
    stderr: str = ""

    @property
    def last_stage(self) -> str:
        return self.lines[-1][1] if self.lines else START


def _stage(line: str) -> str | None:
    m = LINE.match(line.strip())
    return (m.group(1) or m.group(2)) if m else None


def run_trace(cmd: list[str], target: str | None = None, delay: float = 0.0) -> Run:
    """Run `cmd`; with a target, SIGKILL it `delay` seconds after its `target` stage line (or after
    spawning, for START). The stages it printed are read to the end, so ``last_stage`` is the
    stage it died in."""
    began = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    run, text = Run(), []

    def take(line: str) -> None:
        text.append(line)
        stage = _stage(line)
        if stage:
            run.lines.append((time.monotonic() - began, stage))

    if target == START:
        time.sleep(delay)
        proc.kill()
    ended = False  # the output ended (None read) before the target's line: nothing more to read
    if target is not None and target != START:
        while True:
            line = lines.get(timeout=300)
            if line is None:
                ended = True
                break
            take(line)
            if _stage(line) == target:
                time.sleep(delay)
                proc.kill()
                break
    while not ended and (line := lines.get(timeout=300)) is not None:
        take(line)
    run.returncode = proc.wait(timeout=300)
    run.seconds = time.monotonic() - began
    run.stderr = "".join(text)
    return run


def stage_durations(run: Run) -> dict[str, float]:
    """How long each stage of a run took (the last one: until the process ended, which includes
    writing the outputs), and the start-up before its first line."""
    times = [0.0] + [t for t, _ in run.lines] + [run.seconds]
    names = [START] + [s for _, s in run.lines]
    out: dict[str, float] = {}
    for i, name in enumerate(names):  # a long stage logs a line every few seconds: they add up
        out.setdefault(name, 0.0)
        out[name] += times[i + 1] - times[i]
    return out


# -- what --out and the store may hold -------------------------------------------------------------
def tag_as_old(out: Path) -> None:
    """Mark every file of the complete set in `out` as the previous set's."""
    for path in out.iterdir():
        if path.name not in outputs.OUTPUT_NAMES:
            continue
        if path.suffix == ".jsonl":
            with path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(OLD) + "\n")
        elif path.name == "settings.json":
            path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **OLD}), encoding="utf-8")


def _is_old(path: Path) -> bool:
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        return bool(lines) and json.loads(lines[-1]) == OLD
    return json.loads(path.read_text(encoding="utf-8")).get("_old_set", False)


def _untagged_copy(out: Path, into: Path) -> Path:
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    for path in out.iterdir():
        if path.name not in outputs.OUTPUT_NAMES:
            continue
        if path.suffix == ".jsonl":
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            (into / path.name).write_text("".join(lines[:-1]), encoding="utf-8")
        elif path.name == "settings.json":
            settings = json.loads(path.read_text(encoding="utf-8"))
            settings.pop("_old_set")
            (into / path.name).write_text(json.dumps(settings), encoding="utf-8")
    return into


def set_state(out: Path, reference: Path, scratch: Path, previous: Path | None = None) -> tuple[str, list[str]]:
    """Which set `out` holds: "none", "previous" (tagged, equal to `previous`, by default the
    reference) or "new" (equal to the reference), and why it is not exactly one whole set: a mix,
    a missing file, a leftover. The user's own files in `out` are not looked at."""
    names = {p.name for p in out.iterdir()} if out.exists() else set()
    problems = [f"leftover {n}" for n in sorted(names) if n.endswith(".tmp")]
    ours = {n for n in names if n in outputs.OUTPUT_NAMES}
    if not ours:
        return "none", problems
    expected = {p.name for p in reference.iterdir()}
    if ours != expected:
        return "mixed", problems + [f"output files {sorted(ours)}, a set is {sorted(expected)}"]
    old = {n: _is_old(out / n) for n in expected}
    if len(set(old.values())) > 1:
        return "mixed", problems + [f"a mix of sets: previous {sorted(n for n, o in old.items() if o)}, "
                                    f"new {sorted(n for n, o in old.items() if not o)}"]
    holds, equal = (_untagged_copy(out, scratch), previous or reference) if any(old.values()) else (out, reference)
    problems += [f"{name}: {lines[:3]}" for name, lines in dir_differences(equal, holds).items()]
    if json.loads((holds / "settings.json").read_text(encoding="utf-8")) != \
            json.loads((equal / "settings.json").read_text(encoding="utf-8")):
        problems.append("settings.json differs")
    return "previous" if any(old.values()) else "new", problems


def leftovers_beside(out: Path) -> list[str]:
    """Staging or old-set directories of earlier writes left beside `out`."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def store_problems(db: Path) -> list[str]:
    """A store a finished run left must be whole: SQLite's integrity check, and a quote index in
    which every indexed document has its vectors, each sentence number once."""
    import faiss

    conn = sqlite3.connect(db)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        quote = list(conn.execute("SELECT first, n, vectors FROM quote_docs"))
    finally:
        conn.close()
    if len(quote) != docs or any(v != 1 for _, _, v in quote):
        problems.append(f"quote index: {len(quote)} of {docs} documents indexed, "
                        f"{sum(v != 1 for _, _, v in quote)} without vectors")
    index = faiss.read_index(str(db.with_name(db.name + ".quotes.faiss")))
    ids = faiss.vector_to_array(index.id_map)
    if len(set(ids.tolist())) != len(ids):
        problems.append(f"vector index: {len(ids) - len(set(ids.tolist()))} sentence numbers held twice")
    wanted = {first + i for first, n, _ in quote for i in range(n)}
    if not wanted <= set(ids.tolist()):
        problems.append(f"vector index: {len(wanted - set(ids.tolist()))} indexed sentences missing")
    return problems


def fresh_store(db: Path) -> None:
    for path in db.parent.glob(db.name + "*"):  # the store, its WAL, its vector index
        path.unlink()


# -- the test ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    """The demo corpus (translations, a derived report, a revision, an unrelated text, an HTML page
    in windows-1256, a file of two documents) and short synthetic fillers."""
    fillers = tmp_path_factory.mktemp("fillers")
    rng = random.Random(5)
    for i in range(FILLERS):
        text = synthetic.document(rng, "en" if i % 2 else "ar", 150)
        (fillers / f"f{i:02d}.txt").write_text(text, encoding="utf-8")
    return [str(DEMO), str(fillers)]


@pytest.mark.slow
def test_trace_killed_in_every_stage_reruns_to_a_clean_run_s_outputs(tmp_path, corpus):
    seed = int(os.environ.get("SOURCETRACE_FAULT_SEED") or random.randrange(2**32))
    print(f"fault test seed {seed} (SOURCETRACE_FAULT_SEED={seed} replays it)")
    rng = random.Random(seed)
    work = tmp_path / "work"
    work.mkdir()
    db, out, scratch = work / "s.db", work / "out", tmp_path / "scratch"
    # The fast encoder for alignment too: the default one costs seconds to load in every process,
    # and what a kill leaves behind does not depend on the encoder.
    def trace_cmd(db: Path, out: Path) -> list[str]:
        return [sys.executable, "-m", "sourcetrace", "trace", *corpus, "--db", str(db), "--out", str(out),
                "--encoder", "use"]

    cmd, reference = trace_cmd(db, out), tmp_path / "reference"
    clean = run_trace(trace_cmd(tmp_path / "clean.db", reference))
    assert clean.returncode == 0, clean.stderr
    # Kill delays are drawn within the target stage's duration in a run like the one killed: a
    # fresh store's (a killed store's is at most that), or a complete store's, whose stages only
    # read the store back (measured on the clean run's store).
    again = run_trace(trace_cmd(tmp_path / "clean.db", tmp_path / "again"))
    assert again.returncode == 0 and not dir_differences(reference, tmp_path / "again"), again.stderr
    durations = {"fresh": stage_durations(clean), "complete": stage_durations(again)}
    stages = list(durations["fresh"])
    for kind, run in (("clean run", clean), ("rerun on its store", again)):
        print(f"{kind} {run.seconds:.1f} s;", ", ".join(f"{s} {d * 1000:.0f} ms" for s, d in stage_durations(run).items()))
    assert {"read", "encode", "candidates", "align", "relate", "facts", "done"} <= set(stages)
    # The quote index is built by `index` (or the first search), not by trace: killed there too.
    index_cmd = [sys.executable, "-m", "sourcetrace", "index", "--db", str(db)]
    indexed = run_trace([sys.executable, "-m", "sourcetrace", "index", "--db", str(tmp_path / "clean.db")])
    assert indexed.returncode == 0, indexed.stderr
    index_seconds = stage_durations(indexed).get("quote index", indexed.seconds)
    # (not a target of trace's kills: trace never prints it)

    hits: dict[str, int] = dict.fromkeys([*stages, "quote index"], 0)
    kills = attempts = 0
    store_killed = False  # the store holds what a killed run left (no rerun since)
    failures: list[str] = []
    started = time.monotonic()
    while kills < MIN_KILLS or not all(hits.values()):
        attempts += 1
        assert attempts <= MAX_ATTEMPTS, f"seed {seed}: stages never hit: {[s for s, n in hits.items() if not n]}"
        missing = [s for s, n in hits.items() if not n and s in stages]
        covering = kills >= MIN_KILLS // 2 and bool(missing)  # late: aim at stages not hit yet
        target = rng.choice(missing if covering else stages)
        if not store_killed and (covering or rng.random() < 0.5):
            fresh_store(db)
            store = "fresh store"
        else:
            store = "killed store" if store_killed else "complete store"
        delay = rng.uniform(0, durations["complete" if store == "complete store" else "fresh"].get(target, 0.0))
        if out.exists() and rng.random() < 0.15:
            shutil.rmtree(out)
        if set_state(out, reference, scratch)[0] == "new":
            tag_as_old(out)
        run = run_trace(cmd, target, delay)
        if run.returncode == 0:  # finished before the kill: a complete run, as good as a rerun
            note = "finished first"
        else:
            assert run.returncode == -signal.SIGKILL, f"seed {seed}: trace failed:\n{run.stderr}"
            kills += 1
            hits[run.last_stage] += 1
            note = f"killed in {run.last_stage}"
        state, problems = set_state(out, reference, scratch)
        print(f"{attempts:2d} {store:14s} target {target} +{delay * 1000:.0f} ms: {note} at {run.seconds:.2f} s, "
              f"--out holds {state}" + (f": {problems}" if problems else ""))
        failures += [f"after a kill in {run.last_stage}: {p}" for p in problems]
        store_killed = run.returncode != 0 and rng.random() < 0.3  # sometimes kill again before a rerun
        if store_killed:
            continue
        rerun = run_trace(cmd)
        assert rerun.returncode == 0, f"seed {seed}: the rerun after a kill in {run.last_stage} failed:\n{rerun.stderr}"
        if not hits["quote index"] or rng.random() < 0.3:  # building the index, killed
            cut = run_trace(index_cmd, "quote index", rng.uniform(0, index_seconds))
            if cut.returncode == -signal.SIGKILL:
                kills += 1
                hits["quote index"] += 1
        built = run_trace(index_cmd)
        assert built.returncode == 0, f"seed {seed}: index after a kill failed:\n{built.stderr}"
        state, after = set_state(out, reference, scratch)
        after += [f"--out holds the {state} set"] if state != "new" else []
        after += [f"left beside --out: {n}" for n in leftovers_beside(out)]
        after += store_problems(db)
        if after:
            print(f"   rerun: {after}")
        failures += [f"rerun after a kill in {run.last_stage}: {p}" for p in after]
    print(f"{kills} kills in {attempts} attempts, {time.monotonic() - started:.0f} s; hits by stage: {hits}")
    assert not failures, f"seed {seed}:\n" + "\n".join(failures)


# -- the output set, killed at every line of writing it ---------------------------------------------
def _small_trace(n: int) -> pipeline.Trace:
    """A trace with a record of every kind; `n` changes every file's contents."""
    docs = [Document("a#1", "a.txt", 0, 40 + n, "en", title="A"), Document("b#1", "b.txt", 0, 30, "ar")]
    return pipeline.Trace(
        docs, [Sentence("a#1", 0, 20 + n), Sentence("b#1", 0, 30)],
        [Passage("a#1", 0, 20 + n, "b#1", 0, 30, "translation", 0.9)],
        [Relation("a#1", "b#1", "translation", 0.5, 1.0, 0.9, source="a#1", passages=1)],
        [Family("f1", ["a#1", "b#1"], origin="a#1")],
        {"a#1": [Fact("a#1", 3, 5, "number", 12 + n)]},
        [FactDiff("a#1", 3, 5, "b#1", 4, 6, "number", "same", 12 + n, 12 + n)],
        {"command": "trace", "n": n})


# The code that writes a set: a kill before any of its lines is a kill between two of its steps.
WRITING_CODE = {outputs.__file__, pipeline.__file__, shutil.__file__}
CodeLine = tuple[str, int]  # (file, line number)


def _in_writing_code(frame) -> bool:
    return frame.f_code.co_filename in WRITING_CODE


def lines_run(trace: pipeline.Trace, out: Path) -> list[CodeLine]:
    """Write the set here, and return each line of the writing code it ran, in first-run order."""
    seen: dict[CodeLine, None] = {}

    def line(frame, event, arg):
        if event == "line":
            seen.setdefault((frame.f_code.co_filename, frame.f_lineno))
        return line

    sys.settrace(lambda frame, event, arg: line if _in_writing_code(frame) else None)
    try:
        pipeline.outputs(trace, out)
    finally:
        sys.settrace(None)
    return list(seen)


def write_killed_at(trace: pipeline.Trace, out: Path, at: CodeLine) -> bool:
    """Write the set in a forked child that SIGKILLs itself when it first comes to line `at`;
    True if it died there."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            def line(frame, event, arg):
                if event == "line" and (frame.f_code.co_filename, frame.f_lineno) == at:
                    os.kill(os.getpid(), signal.SIGKILL)
                return line

            sys.settrace(lambda frame, event, arg: line if _in_writing_code(frame) else None)
            pipeline.outputs(trace, out)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)


def killed_write_left(out: Path, old: pipeline.Trace) -> None:
    """--out as a write killed just after its swap leaves it: the set before (tagged), a file and
    a folder of the user's, and beside it the killed write's staging directory, which holds the
    set before that and a folder of the user's not moved back yet."""
    shutil.rmtree(out.parent, ignore_errors=True)
    pipeline.outputs(old, out)
    tag_as_old(out)
    (out / "notes.txt").write_text("mine")
    (out / "figures").mkdir()
    (out / "figures" / "f.png").write_text("png")
    left = out.parent / f".{out.name}.tmp-killed"
    (left / "drafts").mkdir(parents=True)
    (left / "drafts" / "d.txt").write_text("draft")
    (left / "documents.jsonl").write_text("{}\n")
    os.link(out / "notes.txt", left / "notes.txt")


def test_output_write_killed_at_every_line_leaves_one_whole_set(tmp_path):
    out, reference, scratch = tmp_path / "work" / "out", tmp_path / "reference", tmp_path / "scratch"
    new, old = _small_trace(2), _small_trace(1)
    pipeline.outputs(new, reference)
    pipeline.outputs(old, tmp_path / "previous")
    killed_write_left(out, old)
    points = lines_run(new, out)  # the write as it runs on that state: finishing the leftover included
    assert len(points) > 50
    for at in points:
        where = f"killed before {Path(at[0]).name}:{at[1]}"
        killed_write_left(out, old)
        assert write_killed_at(new, out, at), f"{where}: never ran"
        state, problems = set_state(out, reference, scratch, tmp_path / "previous")
        assert state in ("previous", "new") and not problems, f"{where}: --out holds {state} {problems}"
        assert (out / "notes.txt").read_text() == "mine", where
        # the rerun: the new set, the user's files and folders, nothing left beside --out
        pipeline.outputs(new, out)
        assert set_state(out, reference, scratch) == ("new", []), where
        assert (out / "notes.txt").read_text() == "mine", where
        assert (out / "figures" / "f.png").read_text() == "png", f"{where}: the user's folder"
        assert (out / "drafts" / "d.txt").read_text() == "draft", f"{where}: the user's folder a kill left aside"
        assert leftovers_beside(out) == [], f"{where}: left {leftovers_beside(out)}"
