"""The topics stage alone (engines/local.py :func:`topic_vectors`) of two source trees on copies of
one read store: wall and CPU seconds of each, and whether what they store is identical.

    .venv/bin/python bench/topics.py STORE.db --against /work/main/src [--rounds 3] [--docs N]

``STORE.db``: a store the corpus was read into and nothing computed (e.g. ``ingest`` alone). Each
round runs one process per tree, interleaved (this tree, the other, ...), each on a fresh copy
of the store (in the store's folder): it times :func:`topic_vectors` over the store's documents
(or its first ``--docs``) in wall and CPU seconds of the whole process (time.process_time: a
writer thread's seconds too), then digests every document's topic vector and the voting, stretch
and twin vectors the stage stored (the bytes, in document order). Printed: each tree's best and
median wall and CPU, the ratios, and whether the digests agree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("topic", "votes", "stretch votes", "twin votes")


def child(path: str, docs: int) -> None:
    from sourcetrace.engines import local
    from sourcetrace.store.sqlite import Store

    store = Store(Path(path), create=False)
    chosen = list(store.documents())
    chosen = chosen[:docs] if docs else chosen
    local.topic_vectors(store, chosen[:20])  # imports, the table and the model, outside the timing
    rest = chosen[20:]
    wall, cpu = time.perf_counter(), time.process_time()
    local.topic_vectors(store, rest)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    versions = {"topic": local.pipeline.topic_version(), "votes": local.votes_version(),
                "stretch votes": local.stretch_version(), "twin votes": local.twin_version()}
    digest = hashlib.sha256()
    rows = 0
    ids = [d.id for d in chosen]
    for kind in KINDS:
        got = store.cached(kind, versions[kind], ids)
        rows += len(got)
        for i in ids:
            digest.update(f"{kind}\0{i}\0".encode() + got.get(i, b"-"))
    print(json.dumps({"wall": wall, "cpu": cpu, "sha": digest.hexdigest(), "rows": rows, "docs": len(rest)}))


def run_tree(src: Path, store: Path, docs: int) -> dict:
    copy = store.with_name(f"{store.stem}-bench-copy.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(store, copy)
    try:
        env = dict(os.environ, PYTHONPATH=str(src))
        done = subprocess.run([sys.executable, __file__, "--child", str(copy), "--docs", str(docs)], env=env,
                              check=True, capture_output=True, text=True)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", type=Path, nargs="?")
    ap.add_argument("--child")
    ap.add_argument("--docs", type=int, default=0, help="only the store's first N documents (0: all)")
    ap.add_argument("--against", type=Path, help="the other tree's src directory (e.g. main's)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.docs)
        return
    trees = {"this": ROOT / "src", "against": args.against}
    runs: dict[str, list[dict]] = {k: [] for k in trees}
    for r in range(args.rounds):
        for name, src in trees.items():
            runs[name].append(run_tree(src, args.store, args.docs))
            got = runs[name][-1]
            print(f"round {r + 1} {name:8s}: wall {got['wall']:.2f} s, cpu {got['cpu']:.2f} s "
                  f"({got['docs']} documents, {got['rows']} rows, load {os.getloadavg()[0]:.1f})", flush=True)
    for name, rs in runs.items():
        for what in ("wall", "cpu"):
            xs = [r[what] for r in rs]
            print(f"{name:8s} ({trees[name]}): {what} best {min(xs):.2f} s, median {statistics.median(xs):.2f} s")
    for what in ("wall", "cpu"):
        best = {k: min(r[what] for r in rs) for k, rs in runs.items()}
        med = {k: statistics.median(r[what] for r in rs) for k, rs in runs.items()}
        print(f"this / against {what}: best {best['this'] / best['against']:.3f}, "
              f"median {med['this'] / med['against']:.3f}")
    shas = {r["sha"] for rs in runs.values() for r in rs}
    print(f"stored bytes identical: {'yes' if len(shas) == 1 else 'NO'} ({len(shas)} digest(s))")


if __name__ == "__main__":
    main()
