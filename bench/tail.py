"""The tail of a trace alone (relate, facts and fact diffs, families, outputs, the summary), timed on
a store a whole trace has filled: the stages before it answer from what they stored.

    .venv/bin/python bench/tail.py CORPUS --db STORE --prep       # once: the earlier stages' results
    .venv/bin/python bench/tail.py CORPUS --db STORE --out DIR    # the tail, as `sourcetrace trace` runs it

A trace's tail runs after alignment, mostly in one process (a 25k planted trace: ~13 s of one core
while the other idled). Rerunning a whole trace to time it costs minutes and its kept per-pair
results (engines/kept.py) make a rerun's tail no fresh one's; here `sourcetrace trace` runs with
topics, candidates, the encode stage and alignment answering from a pickle of their results
(``STORE.stages.pkl``, made by --prep), the pair workers started and warm as alignment leaves them,
and the kept relations and fact diffs dropped first, so the tail computes what a fresh trace's
does (its outputs equal a fresh trace's: bench/same_outputs.py). Printed: the tail's wall, this
process's CPU and its children's (the pair workers', their start and warm-up included). To compare
two versions: this file run from each one's tree (it puts its tree's src first), alternately, on
one store.
"""

from __future__ import annotations

import argparse
import atexit
import pickle
import resource
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def prep(corpus: str, db: Path, pkl: Path) -> None:
    from sourcetrace import pipeline
    from sourcetrace.engines import local
    from sourcetrace.engines.ingest import ingest
    from sourcetrace.engines.workers import default_workers
    from sourcetrace.store.sqlite import Store

    with Store(db) as store:
        docs = list(store.documents(ingest([corpus], store, workers=default_workers()).files))
        topics = local.topic_vectors(store, docs)
        pairs = local.candidate_sets(store, docs, topics)
        passages = local.align_all(store, docs, encoder=pipeline.alignment_encoder(None, len(docs)),
                                   pairs=pairs.aligned, trial=pairs.trial)
    pkl.write_bytes(pickle.dumps((topics, pairs, passages)))


def tail(corpus: str, db: Path, out: Path, pkl: Path) -> None:
    from sourcetrace.engines import local, workers

    topics, pairs, passages = pickle.loads(pkl.read_bytes())
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM corpus_cache WHERE kind IN ('relation of pair', 'fact diffs of pair')")
    began: dict[str, float] = {}

    def align_all(*args: object, progress: local.Progress = local.QUIET, pool: workers.PairWork | None = None,
                  **kwargs: object) -> list:
        progress.start("align", 0)
        if pool is not None and pool.usable():  # up and warm, as alignment leaves them
            pool.warm()
            for f in [pool.submit(workers._nothing) for _ in range(4 * pool.workers)]:
                f.result()
        began.update(wall=time.monotonic(), cpu=time.process_time())
        return passages

    local.topic_vectors = lambda *args, **kwargs: topics
    local.candidate_sets = lambda *args, **kwargs: pairs
    local.sentence_vectors = lambda *args, **kwargs: None
    local.align_all = align_all

    def report() -> None:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"tail: wall {time.monotonic() - began['wall']:.2f} s, CPU here {time.process_time() - began['cpu']:.2f} s,"
              f" workers {children.ru_utime + children.ru_stime:.2f} s", file=sys.stderr)

    atexit.register(report)
    from sourcetrace.cli.app import main

    sys.argv = ["sourcetrace", "trace", corpus, "--db", str(db), "--out", str(out)]
    main()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--prep", action="store_true", help="store the earlier stages' results (run once)")
    args = ap.parse_args()
    pickled = args.db.with_name(args.db.name + ".stages.pkl")
    if args.prep:
        prep(args.corpus, args.db, pickled)
    elif args.out is None:
        ap.error("--out is needed to run the tail")
    else:
        tail(args.corpus, args.db, args.out, pickled)
