"""Fact extraction's CPU against a baseline tree, and whether both find the same facts.

    .venv/bin/python bench/facts_cpu.py --base /work/wt-base [--docs 5000] [--seed 7] [--keep DIR]
                                        [--corpus DIR] [--repeat 3]
    .venv/bin/python bench/facts_cpu.py --base /work/wt-base --store TRACE.db --of TRACE_OUT [--repeat 3]

`synthetic.planted_corpus` writes N documents (or --corpus: the first N files of a corpus already
written, e.g. a planted 25k corpus, the seeds or realtext's), read into a fresh store by this tree; then each
tree (this one, and --base, a checkout of main whose src/ goes first on PYTHONPATH) extracts the
facts of every stored document in a child process of its own (`pipeline.facts`, what a trace's
workers run), one after the other (--repeat: alternately, the least of each), so both are measured under the same load. Printed: each
tree's CPU seconds (the child's own, extraction only), the ratio this / base, the facts found,
and whether the two trees' facts are equal document by document (they must be: a speed-up may
not change an answer).

--store: a trace's store instead (read only), and with --of its output directory: the documents
of its facts.jsonl, those whose facts a trace extracts (the 8,191 of a planted 25k trace that are in
a fact diff; the first --docs of them).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(db: str, out: str, ids: str) -> None:
    """Extract the facts of the stored documents ``ids`` names (a JSON list; "": every one) with the
    sourcetrace on PYTHONPATH; CPU to stdout."""
    from sourcetrace import pipeline
    from sourcetrace.engines.local import DocumentTexts
    from sourcetrace.store.sqlite import Store

    store = Store(db)
    docs = list(store.documents())
    if ids:
        with open(ids) as fh:
            wanted = set(json.load(fh))
        docs = [d for d in docs if d.id in wanted]
    texts = DocumentTexts(store)
    by_doc = {d.id: texts(d) for d in docs}
    pipeline.facts(docs[0], by_doc[docs[0].id])  # tables and patterns built before the clock
    cpu = time.process_time()
    found = {d.id: pipeline.facts(d, by_doc[d.id]) for d in docs}
    print(time.process_time() - cpu)
    with open(out, "wb") as fh:
        pickle.dump({k: [(f.start, f.end, f.type, f.value) for f in v] for k, v in found.items()}, fh)


def run_tree(src: Path, db: Path, out: Path, ids: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(src))
    done = subprocess.run([sys.executable, __file__, "--child", str(db), str(out), ids], env=env, check=True,
                          capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, help="a checkout of the baseline (its src/ is used)")
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="keep the corpus, store and facts here")
    ap.add_argument("--corpus", type=Path, help="read the first --docs files of this corpus instead of planting one")
    ap.add_argument("--repeat", type=int, default=1, help="run each tree this many times, alternately; "
                    "the least CPU of each is printed")
    ap.add_argument("--store", type=Path, help="a trace's store: its documents, instead of a corpus")
    ap.add_argument("--of", type=Path, help="with --store: only the documents of this trace output's facts.jsonl")
    ap.add_argument("--child", nargs=3, metavar=("DB", "OUT", "IDS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.base is None:
        ap.error("--base is required")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]
    import synthetic
    from sourcetrace.engines.ingest import ingest
    from sourcetrace.store.sqlite import Store

    work = args.keep or Path(tempfile.mkdtemp(prefix="facts_cpu_"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, db = work / f"corpus{args.docs}", args.store or work / "facts_cpu.db"
    ids = ""
    if args.of:
        with open(args.of / "facts.jsonl", encoding="utf-8") as fh:
            of = list(dict.fromkeys(json.loads(line)["doc"] for line in fh))[:args.docs]
        ids = str(work / "ids.json")
        with open(ids, "w") as fh:
            json.dump(of, fh)
    if not db.exists():
        if args.corpus:
            inputs = [str(p) for p in sorted(args.corpus.iterdir()) if p.suffix == ".txt"][:args.docs]
        else:
            if not corpus.exists():
                synthetic.planted_corpus(corpus, args.docs, seed=args.seed)
            inputs = [str(corpus)]
        ingest(inputs, Store(db))
    ours = base = float("inf")
    for _ in range(args.repeat):  # alternately, the least of each: a shared machine's noise only adds
        ours = min(ours, run_tree(ROOT / "src", db, work / "facts_this.pkl", ids))
        base = min(base, run_tree(args.base / "src", db, work / "facts_base.pkl", ids))
    with open(work / "facts_this.pkl", "rb") as a, open(work / "facts_base.pkl", "rb") as b:
        this_facts, base_facts = pickle.load(a), pickle.load(b)
    n = sum(map(len, this_facts.values()))
    print(f"documents {len(this_facts)}, facts {n} (base {sum(map(len, base_facts.values()))})")
    print(f"extraction CPU s: this {ours:.2f}, base {base:.2f}, ratio {ours / base:.3f}")
    differ = [k for k in base_facts if this_facts.get(k) != base_facts[k]]
    print(f"same facts: {'yes' if not differ and this_facts.keys() == base_facts.keys() else 'NO'}"
          + (f" ({len(differ)} documents differ, e.g. {differ[:3]})" if differ else ""))


if __name__ == "__main__":
    main()
