"""The align stage alone on a traced store's same-language pairs, as a trace runs it.

    PYTHONPATH=OLD/src python bench/align_same.py STORE.db --out old.json
    PYTHONPATH=NEW/src python bench/align_same.py STORE.db --out new.json --compare old.json

Why it exists: a whole trace's CPU moves with candidate search and the load, and the same-language
screen (align/screen.py) is most of the align stage. This copies STORE.db (a store `trace` filled,
e.g. bench/vs_passim.py --keep) to a temporary file, deletes its USE vectors (so every unit the
screen keeps is encoded, as in a fresh trace), and aligns the pairs the store aligned whose two
documents share a language with `workers.align_pairs` (the trace's worker processes, encoder
"use", threshold 0.5). Printed: pairs, the workers' CPU (their model loads included), this
process's CPU, wall, USE vectors stored; `--out` writes each pair's passages (spans, kind, score)
as JSON, and `--compare` counts what differs from an earlier `--out` (spans kept, scores moved,
passages lost and gained by kind). Run old and new code at the same time for a fair comparison.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sourcetrace.encode import get_encoder
from sourcetrace.engines.workers import align_pairs, default_workers
from sourcetrace.store.sqlite import Store


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def differences(old: dict[str, list], new: dict[str, list]) -> dict[str, object]:
    """Passages (a_start, a_end, b_start, b_end, kind) of both runs: kept, scores moved by over
    0.001, lost and gained by kind."""
    kept = moved = 0
    lost: Counter[str] = Counter()
    gained: Counter[str] = Counter()
    for pair in old.keys() | new.keys():
        x = {tuple(p[:5]): p[5] for p in old.get(pair, [])}
        y = {tuple(p[:5]): p[5] for p in new.get(pair, [])}
        kept += len(x.keys() & y.keys())
        moved += sum(abs(x[k] - y[k]) > 1e-3 for k in x.keys() & y.keys())
        lost.update(k[4] for k in x.keys() - y.keys())
        gained.update(k[4] for k in y.keys() - x.keys())
    return {"kept": kept, "scores_moved": moved, "lost": dict(lost), "gained": dict(gained)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", type=Path)
    ap.add_argument("--out", type=Path, help="write each pair's passages here (JSON)")
    ap.add_argument("--compare", type=Path, help="an earlier --out to count the differences from")
    ap.add_argument("--workers", type=int, default=default_workers())
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.store.parent) as tmp:
        db = Path(tmp) / "align_same.db"
        shutil.copy(args.store, db)
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM vectors WHERE encoder LIKE 'use%'")
        store = Store(db)
        docs = {d.id: d for d in store.documents()}
        rows = store.conn.execute("SELECT a, b FROM aligned_pairs ORDER BY a, b").fetchall()
        pairs = [(docs[a], docs[b]) for a, b in rows if docs[a].lang == docs[b].lang]
        cpu0, own0, wall0 = _children_cpu(), time.process_time(), time.time()
        found = {f"{a}|{b}": [[p.a_start, p.a_end, p.b_start, p.b_end, p.kind, round(p.score, 4)] for p in ps]
                 for a, b, ps in align_pairs(store, pairs, encoder=get_encoder("use"), threshold=0.5,
                                             workers=args.workers)}
        figures = {"pairs": len(pairs), "workers_cpu_s": round(_children_cpu() - cpu0, 1),
                   "own_cpu_s": round(time.process_time() - own0, 1), "wall_s": round(time.time() - wall0, 1),
                   "use_vectors": store.conn.execute("SELECT count(*) FROM vectors WHERE encoder LIKE 'use%'").fetchone()[0]}
        store.close()
    print(json.dumps(figures))
    if args.out:
        args.out.write_text(json.dumps(found))
    if args.compare:
        print(json.dumps(differences(json.loads(args.compare.read_text()), found)))


if __name__ == "__main__":
    sys.exit(main())
