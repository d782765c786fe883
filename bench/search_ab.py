"""Quote search, this tree against another, in ONE process, query by query in turn.

    python bench/search_ab.py --against SRC [--docs 10000] [--queries 300] [--passes 3] [--work DIR]

On a loaded 2-core machine, timing two trees in two processes one after the other scattered by
0.1 and more for one tree (serve8); here both search the same store (bench/search.py's, built once
under --work) in one process: SRC's package (a worktree of main) is copied under another name,
``sourcetrace_base`` with its imports renamed, into a temporary folder beside this tree's. Each
query's vector is encoded once beforehand and handed to both sides (encoding is left out of
both), the side that goes first alternates, and a load spike costs both alike. Each side first
loads its copy of the quote index (``prepare``, as a web worker does) and answers every query once
unmeasured (the answers compared); then --passes passes are timed. Prints the CPU a search of each
side per pass, their ratios, how many answers are the same hit for hit (bench/search.py's
``answer_of``), and recall@10 per kind.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import answer_of, build_store, sample_queries  # noqa: E402
from sourcetrace.quotes import search as this_search  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402

BASE = "sourcetrace_base"


def import_renamed(src: Path, folder: Path):
    """SRC/src/sourcetrace copied to `folder` as BASE, imported: its quotes.search and Store."""
    shutil.copytree(src / "src" / "sourcetrace", folder / BASE)
    for path in (folder / BASE).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\bfrom sourcetrace([. ])", rf"from {BASE}\1", text)
        path.write_text(re.sub(r"\bimport sourcetrace\b", f"import {BASE}", text), encoding="utf-8")
    sys.path.insert(0, str(folder))
    return importlib.import_module(f"{BASE}.quotes.search"), importlib.import_module(f"{BASE}.store.sqlite").Store


class Ticket:
    """A query's vector encoded beforehand, as ``search(..., ticket=)`` takes it."""

    def __init__(self, text: str, vec: np.ndarray) -> None:
        self.text, self.vec = text, vec

    def vector(self) -> np.ndarray:
        return self.vec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--against", type=Path, required=True, help="a source tree (a worktree of main)")
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/sourcetrace-bench-search"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db, _ = build_store(args.docs, args.work)
    with Store(db) as store:
        queries = sample_queries(store, args.queries)
    vecs = [this_search.reserve_query(text).vector() for _, text, _ in queries]
    with tempfile.TemporaryDirectory() as tmp:
        base_search, BaseStore = import_renamed(args.against, Path(tmp))
        sides = {"base": (base_search, BaseStore(db)), "this": (this_search, Store(db))}
        for module, st in sides.values():
            module.prepare(st)
        cpu: dict[str, list[float]] = {k: [] for k in sides}
        answers: dict[str, list] = {k: [] for k in sides}
        found: dict[str, dict[str, list[bool]]] = {k: {} for k in sides}
        for p in range(args.passes + 1):
            spent = dict.fromkeys(sides, 0.0)
            for i, ((kind, text, doc), vec) in enumerate(zip(queries, vecs, strict=True)):
                for name in (list(sides) if (i + p) % 2 == 0 else list(sides)[::-1]):
                    module, st = sides[name]
                    ticket = Ticket(module.check_query(text), vec)
                    t = time.process_time()
                    hits = module.search(st, text, limit=10, ticket=ticket)
                    spent[name] += time.process_time() - t
                    if p == 0:
                        answers[name].append(answer_of(hits))
                        found[name].setdefault(kind, []).append(doc in {h.doc for h in hits})
            if p:
                for name in sides:
                    cpu[name].append(round(1000 * spent[name] / len(queries), 3))
    print(json.dumps({
        "queries": len(queries), "cpu_ms_a_search": cpu,
        "ratio": [round(a / b, 3) for a, b in zip(cpu["this"], cpu["base"], strict=True)],
        "same_answers": f"{sum(a == b for a, b in zip(answers['this'], answers['base'], strict=True))}/{len(queries)}",
        "recall@10": {name: {k: round(sum(v) / len(v), 3) for k, v in sorted(by.items())} for name, by in found.items()},
        "load_average": round(os.getloadavg()[0], 1)}, indent=1))


if __name__ == "__main__":
    main()
