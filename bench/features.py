"""Candidate features (`pairs.document_features`) of two source trees on the same documents:
CPU seconds of each and whether their stored bytes are identical.

    .venv/bin/python bench/features.py --corpus /tmp/speed18-k25/n25000/corpus --docs 3000 \
        --against /work/main/src [--rounds 3] [--parts] [--inputs FILE]

The corpus's first ``--docs`` files are read into a temporary store once (this tree's reader),
and their candidate inputs (`engines.local.doc_inputs`) written to a file. Each round then runs
one process per tree, interleaved (this tree, the other, ...), each computing the features of
every input and printing its CPU seconds (time.process_time) and the SHA-256 of every
document's `features_to_bytes` in order. Printed: each tree's best and median CPU, the ratio,
and whether the digests agree. ``--parts`` profiles this tree's features by function (cProfile).
``--inputs FILE`` keeps the inputs in FILE and reuses them when it exists (no reading again).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(inputs_path: str) -> None:
    from sourcetrace.candidates.pairs import document_features, features_to_bytes

    with open(inputs_path, "rb") as f:
        inputs = pickle.load(f)
    document_features(inputs[:50])  # imports and lazy tables, outside the timing
    t = time.process_time()
    feats = document_features(inputs)
    cpu = time.process_time() - t
    digest = hashlib.sha256()
    for x in feats:
        digest.update(x.id.encode() + b"\0" + features_to_bytes(x))
    print(json.dumps({"cpu": cpu, "sha": digest.hexdigest(), "docs": len(feats)}))


def write_inputs(corpus: Path, n: int, out: Path) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from sourcetrace.engines.ingest import ingest
    from sourcetrace.engines.local import doc_inputs
    from sourcetrace.store.sqlite import Store

    files = sorted(p for p in corpus.iterdir() if p.is_file())[:n]
    store = Store(out.with_suffix(".db"))
    report = ingest([str(f) for f in files], store)
    inputs = doc_inputs(store, list(store.documents(report.files)))
    with open(out, "wb") as f:
        pickle.dump(inputs, f)
    return len(inputs)


def run_tree(src: Path, inputs: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    done = subprocess.run([sys.executable, __file__, "--child", str(inputs)], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def parts(inputs: Path) -> None:
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT / "src"))
    from sourcetrace.candidates.pairs import document_features

    with open(inputs, "rb") as f:
        docs = pickle.load(f)
    prof = cProfile.Profile()
    prof.runcall(document_features, docs)
    pstats.Stats(prof).sort_stats("tottime").print_stats(15)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child")
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--against", type=Path, help="the other tree's src directory (e.g. main's)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--parts", action="store_true")
    ap.add_argument("--inputs", type=Path, help="keep the candidate inputs in this file (reused when it exists)")
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as d:
        inputs = args.inputs or Path(d) / "inputs.pkl"
        if not inputs.exists():
            n = write_inputs(args.corpus, args.docs, inputs)
            print(f"{n} documents from the first {args.docs} files of {args.corpus}")
        if args.parts:
            parts(inputs)
        trees = {"this": ROOT / "src", "against": args.against}
        runs: dict[str, list[dict]] = {k: [] for k in trees}
        for _ in range(args.rounds):
            for name, src in trees.items():
                runs[name].append(run_tree(src, inputs))
    for name, rs in runs.items():
        cpus = [r["cpu"] for r in rs]
        print(f"{name:8s} ({trees[name]}): cpu best {min(cpus):.3f} s, median {statistics.median(cpus):.3f} s,"
              f" runs {' '.join(f'{c:.3f}' for c in cpus)}")
    best = {k: min(r["cpu"] for r in rs) for k, rs in runs.items()}
    shas = {r["sha"] for rs in runs.values() for r in rs}
    print(f"this / against: best {best['this'] / best['against']:.3f}, median "
          f"{statistics.median(r['cpu'] for r in runs['this']) / statistics.median(r['cpu'] for r in runs['against']):.3f}")
    print(f"feature bytes identical: {'yes' if len(shas) == 1 else 'NO'} ({len(shas)} digest(s))")


if __name__ == "__main__":
    main()
