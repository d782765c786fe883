"""A fresh trace's candidates stage alone: this checkout's code against another's, alternating.

    .venv/bin/python bench/cands_stage.py --keep DIR --corpus CORPUS          # prepare once
    .venv/bin/python bench/cands_stage.py --keep DIR [--against CHECKOUT] [--rounds N] [--functions]

The first call traces CORPUS fresh with this checkout's code up to the candidates stage and keeps
the store as that stage finds it (DIR/before-candidates.db: documents, topic vectors, and the
candidate features and voting vectors the document workers computed, all stored; its documents
in DIR/before-candidates.pkl). Each round then runs `engines.local.candidate_sets` on a copy of
it, once with this tree's src and once with CHECKOUT's (the order swapped each round), each in a
child process of its own, without workers and without pairs aligned ahead (in a trace those are
align's work), and prints its CPU seconds (`time.process_time`: the main thread and the topic
search's thread) and a digest of the pairs (aligned, related, on trial, with runs): the same
digest, the same pairs. ``--functions``: the main thread's CPU (`time.thread_time`) in the
stage's larger steps, as a table (the search thread apart). bench/rerun.py ``--stage`` does the
same for a +1% rerun; this is a fresh run's stage, the largest of a fresh trace.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "before-candidates"


def _imported(src: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, src)


def _unlink(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def prepare(work: Path, corpus: Path) -> None:
    """DIR/before-candidates.db: CORPUS traced fresh up to the candidates stage."""
    _imported(str(ROOT / "src"))
    import rerun

    work.mkdir(parents=True, exist_ok=True)
    db = work / "prepare.db"
    _unlink(db)
    rerun.kept_before_candidates(corpus, db, work, "fresh")
    _unlink(db)


# The main thread's steps timed by --functions: (module, attribute) wrapped where the stage calls them.
STEPS = [
    ("sourcetrace.engines.local", "candidate_features"),
    ("sourcetrace.pipeline", "minhash"),
    ("sourcetrace.engines.local", "keep_neighbours"),
    ("sourcetrace.engines.local", "chosen_by_votes"),
    ("sourcetrace.engines.local", "cast_ballots"),
    ("sourcetrace.pipeline", "tallies"),
    ("sourcetrace.candidates.votes", "verdicts"),
    ("sourcetrace.candidates.votes", "tallies_to_bytes"),
    ("sourcetrace.engines.local", "put_in_batches"),
    ("sourcetrace.candidates.votes", "choices"),
    ("sourcetrace.candidates.votes", "cross_lists"),
    ("sourcetrace.pipeline", "candidates"),
]


def _timed(spent: dict[str, float]) -> None:
    """Wrap each of STEPS (where it is looked up) to add its main-thread CPU to ``spent``."""
    import importlib
    import threading

    main = threading.main_thread()
    for module, name in STEPS:
        mod = importlib.import_module(module)
        if not hasattr(mod, name):
            continue
        inner = getattr(mod, name)

        def wrapped(*a, _inner=inner, _name=name, **k):
            if threading.current_thread() is not main:
                return _inner(*a, **k)
            t = time.thread_time()
            try:
                return _inner(*a, **k)
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.thread_time() - t

        setattr(mod, name, wrapped)


def child(src: str, work: Path, copy: Path, functions: bool) -> None:
    """The candidates stage with ``src``'s code on a copy of DIR/before-candidates.db; one JSON line."""
    _imported(src)
    from sourcetrace.engines import local
    from sourcetrace.store.sqlite import Store

    _unlink(copy)
    shutil.copyfile(work / f"{BEFORE}.db", copy)
    docs = pickle.loads((work / f"{BEFORE}.pkl").read_bytes())
    spent: dict[str, float] = {}
    if functions:
        _timed(spent)
    with Store(copy) as store:
        topics = local.topic_vectors(store, docs)  # stored: read only
        cpu, main = time.process_time(), time.thread_time()
        pairs = local.candidate_sets(store, docs, topics)
        cpu, main = time.process_time() - cpu, time.thread_time() - main
    got = repr((sorted(pairs.aligned), pairs.related, sorted(pairs.trial), pairs.ran))
    digest = hashlib.blake2b(got.encode("utf-8"), digest_size=8).hexdigest()
    print("RESULT " + json.dumps({"cpu": cpu, "main": main, "steps": spent, "digest": digest,
                                  "aligned": len(pairs.aligned), "related": len(pairs.related)}), flush=True)
    _unlink(copy)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=Path, required=True, help="the prepared store lives here")
    ap.add_argument("--corpus", type=Path, help="prepare DIR from this corpus (once)")
    ap.add_argument("--against", type=Path, help="another checkout (its src) to alternate with")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--functions", action="store_true", help="the main thread's CPU by step")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.keep, Path(args.child[1]), args.functions)
        return
    if not (args.keep / f"{BEFORE}.db").exists():
        if args.corpus is None:
            ap.error("DIR is not prepared: give --corpus")
        prepare(args.keep, args.corpus)
    codes = [("this", str(ROOT / "src"))] + ([("against", str(args.against.resolve() / "src"))] if args.against else [])
    runs: dict[str, list[dict]] = {name: [] for name, _ in codes}
    for i in range(args.rounds):
        for name, src in (codes if i % 2 == 0 else codes[::-1]):
            out = subprocess.run([sys.executable, __file__, "--keep", str(args.keep), *(["--functions"] if args.functions else []),
                                  "--child", src, str(args.keep / f"stage-{name}.db")],
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
            runs[name].append(r)
            steps = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["steps"].items(), key=lambda kv: -kv[1]))
            print(f"round {i + 1} {name:7} CPU {r['cpu']:6.2f} s (main thread {r['main']:.2f}) "
                  f"aligned {r['aligned']} related {r['related']} digest {r['digest']}" + (f"\n    {steps}" if steps else ""),
                  flush=True)
    for name, rs in runs.items():
        print(f"median {name:7} CPU {statistics.median(r['cpu'] for r in rs):.2f} s, main thread "
              f"{statistics.median(r['main'] for r in rs):.2f}; digests {sorted({r['digest'] for r in rs})}")


if __name__ == "__main__":
    main()
