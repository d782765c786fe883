"""A +1% rerun's CPU by stage: this checkout's code against another's, alternating, each run on a
fresh copy of one traced store (issue 18: a rerun after adding 1% of documents costs <= 5% of a
fresh run, with a fresh run's answers).

    .venv/bin/python bench/rerun.py --keep DIR [--docs 10000] [--against CHECKOUT] [--rounds 3]

The first call writes a planted corpus of N documents (`synthetic.planted_corpus`, seed 7) under
DIR, traces it fresh with this checkout's code (`bench/trace.py`'s stages) into DIR/fresh.db, then
writes 1% more documents as `bench/trace.py --incremental` does; later calls reuse them. Each
round reruns the stages over the grown corpus once per code (this tree's src, then CHECKOUT's
src), each in a process of its own on a copy of DIR/fresh.db, the encoder loaded before timing.
Printed per run: each stage's CPU seconds (every thread of the process and the children it forked; a
rerun stays under every worker threshold, so it runs in that one process), the stages' sum, the
wall (the whole and each stage's), the run's CPU (the stages' and what is outside them: the store opened and closed, the
relations stored and the Trace assembled after the last stage, the collector), and a digest of the relations (document keys, type, source): the same digest, the same
answers. Then the medians per code and their ratio. On a machine other work shares, only runs
alternated like this compare (the same code moves 10-20% with the load); CPU, not wall.

The results kept per pair (a pair's relation, its fact diffs: engines/kept.py) are stale under any
other code than the one that traced the store; each run keeps them again as its own code keeps
them, under its digest, as if it had traced the store (:func:`relabelled`) (else both codes would type and diff every such pair again, which a
steady rerun does not). A code that stores a record of another layout (a version bumped)
recomputes it on the copy: its rerun then pays that once, and this measures that. `--store FILE`:
this tree's code reruns DIR/FILE instead (the same corpus's trace as this code leaves it, e.g. a copy
of fresh.db with the record of the new layout written by this code), the other code DIR/fresh.db;
with `--stage candidates`, DIR/FILE is a copy of DIR/before-candidates.db so made, the other code's
DIR/before-candidates.db.

`--stage candidates`: that stage alone, nothing else in the process. The first such call reruns
read and topics once with this checkout's code and keeps the store as the candidates stage found
it (DIR/before-candidates.db: voting vectors and features of the new documents stored); each run
then times `engines.local.candidate_sets` on a copy of it (CPU as above, and wall), and prints a digest
of the pairs (aligned, related, on trial, with runs). The other stages' CPU (and its noise, at a
loaded machine +-0.4 s a rerun) is out of the comparison; codes that change read or topics are
not compared this way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import marshal
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
PREPARED = "prepared.json"  # what prepare() did: documents added, the digest of the code that traced
STAGES = ("read", "topics", "candidates", "encode", "align", "relate", "facts")


def prepare(work: Path, docs: int, seed: int) -> None:
    """The planted corpus traced fresh into work/fresh.db, then 1% more documents written."""
    _imported(str(ROOT / "src"))
    import trace as bench

    import synthetic
    from sourcetrace.encode import get_encoder
    from sourcetrace.engines.kept import code_version
    from sourcetrace.store.sqlite import Store

    corpus, db = work / "corpus", work / "fresh.db"
    if (work / PREPARED).exists() and db.exists():
        return
    for p in (corpus, db):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    get_encoder("use").encode(["warm up the encoder", "تسخين"])
    truth = synthetic.planted_corpus(corpus, docs, seed)
    t, cpu = time.perf_counter(), bench._cpu()
    with Store(db) as store:
        bench.run_trace(corpus, store, "fresh")
    print(f"fresh trace of {docs} documents: {time.perf_counter() - t:.1f} s wall, {bench._cpu() - cpu:.1f} s CPU "
          "(workers included)", flush=True)
    new = bench.add_documents(corpus, truth, seed, max(1, round(docs * 0.01)))
    truth["docs"].update(new["docs"])
    (work / PREPARED).write_text(json.dumps({"added": len(new["docs"]), "code": code_version()}))


def _imported(src: str) -> ModuleType:
    """sourcetrace imported from ``src``, bench/ importable."""
    sys.path[:0] = [src, str(ROOT / "bench")]
    import sourcetrace

    assert sourcetrace.__file__.startswith(src), sourcetrace.__file__
    return sourcetrace


def child(src: str, work: Path, copy: Path, store: str = "fresh.db") -> None:
    """One rerun with ``src``'s code on a copy of the fresh store (``store`` in ``work``); prints one JSON line."""
    _imported(src)  # before bench/trace.py, which puts this tree's src first
    import trace as bench

    from sourcetrace.encode import get_encoder
    from sourcetrace.store.sqlite import Store

    _relabelled(work, copy, store)
    get_encoder("use").encode(["warm up the encoder", "تسخين"])
    real = bench._cpu
    bench._cpu = _cpu  # this process's threads and the children it forked (a split recast's)
    t, whole = time.perf_counter(), _cpu()
    try:
        with Store(copy) as store:
            run = bench.run_trace(work / "corpus", store, "rerun")
    finally:
        bench._cpu = real
    wall, whole = time.perf_counter() - t, _cpu() - whole
    cpu = {s: run.cpu.get(s, 0.0) for s in STAGES}
    keys = sorted(bench.rel_key(run, r) for r in run.relations)
    digest = hashlib.blake2b(repr(keys).encode("utf-8"), digest_size=8).hexdigest()
    walls = {s: run.times.get(s, 0.0) for s in STAGES}
    print("RESULT " + json.dumps({"cpu": cpu, "walls": walls, "wall": wall, "whole": whole, "relations": len(keys),
                                  "digest": digest}),
          flush=True)
    _unlink(copy)


def _relabelled(work: Path, copy: Path, store: str = "fresh.db") -> Path:
    """A copy of the fresh store whose results kept per pair are stale under any other code
    (engines/kept.code_version): kept again by the imported code (:func:`relabelled`), as if it had
    traced the store, so a run measures a steady rerun."""
    _unlink(copy)
    shutil.copyfile(work / store, copy)
    relabelled(copy, json.loads((work / PREPARED).read_text())["code"])
    return copy


def _cpu() -> float:
    """CPU seconds of this process (every thread) and of its children that have ended (a rerun runs
    no worker; its candidates stage may fork one to split the recast: engines/local._tallied_in_two)."""
    own, done = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + done.ru_utime + done.ru_stime


def _unlink(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


BEFORE = "before-candidates"  # the store as a rerun's candidates stage finds it, and its documents


class _Stop(Exception):
    """Raised where a rerun reaches its candidates stage, once the store is kept."""


def prepare_stage(work: Path) -> None:
    """DIR/before-candidates.db: a copy of the fresh store rerun up to the candidates stage."""
    if (work / f"{BEFORE}.pkl").exists():
        return
    _imported(str(ROOT / "src"))
    copy = _relabelled(work, work / "stage-prepare.db")
    kept_before_candidates(work / "corpus", copy, work, "rerun")
    _unlink(copy)


def kept_before_candidates(corpus: Path, db: Path, into: Path, label: str) -> None:
    """Trace ``corpus`` into the store ``db`` (this checkout's code, on sys.path) until its
    candidates stage, and keep the store as that stage finds it (INTO/before-candidates.db, with
    its documents): what `--stage candidates` (and bench/cands_stage.py) time the stage on."""
    import trace as bench

    from sourcetrace.encode import get_encoder
    from sourcetrace.engines import local
    from sourcetrace.store.sqlite import Store

    get_encoder("use").encode(["warm up the encoder", "تسخين"])

    def keep(store, docs, vectors=None, work=None, ahead=None):  # candidate_sets' arguments
        if work is not None:  # the voting vectors and features its workers compute, stored
            work.wait("features")
            work.wait("votes")
        store.conn.commit()
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(db, into / f"{BEFORE}.db")
        (into / f"{BEFORE}.pkl").write_bytes(pickle.dumps(list(docs)))
        raise _Stop

    local.candidate_sets = keep
    try:
        with Store(db) as store:
            bench.run_trace(corpus, store, label)
    except _Stop:
        pass


def stage_child(src: str, work: Path, copy: Path, store: str = "fresh.db") -> None:
    """The candidates stage with ``src``'s code on a copy of DIR/before-candidates.db (``store``
    other than fresh.db: of DIR/``store``, that store as this code leaves it); one JSON line."""
    _imported(src)
    from sourcetrace.encode import get_encoder
    from sourcetrace.engines import local
    from sourcetrace.store.sqlite import Store

    _unlink(copy)
    shutil.copyfile(work / (f"{BEFORE}.db" if store == "fresh.db" else store), copy)
    docs = pickle.loads((work / f"{BEFORE}.pkl").read_bytes())
    get_encoder("use").encode(["warm up the encoder", "تسخين"])
    with Store(copy) as store:
        topics = local.topic_vectors(store, docs)  # stored: read only
        cpu, wall = _cpu(), time.perf_counter()
        pairs = local.candidate_sets(store, docs, topics)
        cpu, wall = _cpu() - cpu, time.perf_counter() - wall
    got = repr((sorted(pairs.aligned), pairs.related, sorted(pairs.trial), pairs.ran))
    digest = hashlib.blake2b(got.encode("utf-8"), digest_size=8).hexdigest()
    print("RESULT " + json.dumps({"cpu": {"candidates": cpu}, "wall": wall, "relations": len(pairs.related),
                                  "digest": digest}), flush=True)
    _unlink(copy)


def relabelled(db: Path, traced_by: str) -> None:
    """The results kept per pair in ``db`` (traced by the code whose digest is ``traced_by``, or
    kept by any other code: a store `--store` names, kept by an earlier state of this code) kept
    again as this code keeps them, under its digest: as if it had traced the store. Read in any
    layout they were kept in (a JSON object by pair, a line a pair: relate29, marshal: rerelate34)."""
    from sourcetrace.engines import kept
    from sourcetrace.engines.kept import KeptPairs, code_version
    from sourcetrace.store.sqlite import Store

    with Store(db) as store:
        for kind in ("relation of pair", "fact diffs of pair"):
            row = store.conn.execute("SELECT version, data FROM corpus_cache WHERE kind=?", (kind,)).fetchone()
            if row is None or row[0] == code_version():
                continue
            blob = row[1]
            if getattr(kept, "LAYOUT", None) and blob.startswith(kept.LAYOUT):
                entries = {name: (key, marshal.loads(data)) for name, (key, data) in kept.read_kept(blob).items()}
            else:
                try:
                    entries = json.loads(blob)
                except ValueError:  # a line a pair: its name and key as JSON, a tab, its result
                    entries = {}
                    for line in blob.decode("utf-8").split("\n"):
                        head, _, result = line.partition("\t")
                        name, key = json.loads(head)
                        entries[name] = [key, json.loads(result)]
            now = KeptPairs(store, kind)
            for name, (key, result) in entries.items():
                now.put(name.split("\t"), key, result, checked=True)
            now.save(store)
        store.conn.execute("DELETE FROM corpus_cache WHERE version=? AND version!=?", (traced_by, code_version()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=Path, required=True, help="the corpus and fresh store live here")
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--against", type=Path, help="another checkout (its src) to alternate with")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--stage", choices=["candidates"], help="that stage alone (see above)")
    ap.add_argument("--store", default="fresh.db",
                    help="the store in DIR this tree's code reruns (the others fresh.db): the same trace with a "
                         "stored layout this code changed, as its own trace would leave it")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    if args.child:
        if args.stage:
            stage_child(args.child[0], args.keep, Path(args.child[1]), args.store)
        else:
            child(args.child[0], args.keep, Path(args.child[1]), args.store)
        return
    prepare(args.keep, args.docs, args.seed)
    if args.stage:
        prepare_stage(args.keep)
    stages = (args.stage,) if args.stage else STAGES
    codes = [("this", str(ROOT / "src"))] + ([("against", str(args.against.resolve() / "src"))] if args.against else [])
    got: dict[str, list[dict]] = {name: [] for name, _ in codes}
    for i in range(args.rounds):
        for name, src in codes:
            out = subprocess.run([sys.executable, __file__, "--keep", str(args.keep), *(["--stage", args.stage] if args.stage else []),
                                  "--store", args.store if name == "this" else "fresh.db", "--child", src,
                                  str(args.keep / f"rerun-{name}.db")], capture_output=True, text=True, check=True)
            line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
            r = json.loads(line[len("RESULT "):])
            got[name].append(r)
            load = os.getloadavg()[0]
            print(f"round {i + 1} {name:7} stages {sum(r['cpu'].values()):6.2f} s CPU (" +
                  ", ".join(f"{s} {r['cpu'][s]:.2f}" for s in stages) +
                  f"), wall {r['wall']:.1f} s" + (" (" + ", ".join(f"{s} {r['walls'][s]:.2f}" for s in stages) + ")"
                                                   if "walls" in r else "") +
                  f", the run's CPU {r.get('whole', 0.0):.2f} s, load {load:.1f}, "
                  f"relations {r['relations']} {r['digest']}", flush=True)
    for name, runs in got.items():
        print(f"median {name:7} stages {statistics.median(sum(r['cpu'].values()) for r in runs):.2f} s CPU: " +
              ", ".join(f"{s} {statistics.median(r['cpu'][s] for r in runs):.2f}" for s in stages) +
              f"; the run's CPU {statistics.median(r.get('whole', 0.0) for r in runs):.2f} s, wall "
              f"{statistics.median(r['wall'] for r in runs):.2f} s" +
              ("; stages' wall " + ", ".join(f"{s} {statistics.median(r['walls'][s] for r in runs):.2f}" for s in stages)
               if all("walls" in r for r in runs) else ""))
    if args.against:
        mine, theirs = (statistics.median(sum(r["cpu"].values()) for r in got[n]) for n in ("this", "against"))
        same = len({r["digest"] for runs in got.values() for r in runs}) == 1
        walls = [statistics.median(r["wall"] for r in got[n]) for n in ("this", "against")]
        wall = f"{walls[0] / walls[1]:.3f}" if walls[1] else "-"  # --stage: no wall measured
        print(f"this / against: {mine / theirs:.3f} (CPU), {wall} (wall); "
              f"the same relations in every run: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
