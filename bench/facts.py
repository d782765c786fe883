"""What the fact layer adds to `sourcetrace trace`: extraction and diff time against the trace stages.

    .venv/bin/python bench/facts.py [--docs 40] [--seed 7] [--keep DIR]

`synthetic.planted_corpus` writes N documents (Arabic and English statements and reports with
numbers, money, percentages, dates, people and places; copies, translations, derived reports and
revisions planted among them). The stages of `sourcetrace trace` run on it in this process
(bench/trace.py's `run_trace`: read, topic vectors, candidates, align with the fast encoder,
relations), then the two fact stages `sourcetrace trace` adds: extraction over every document
(`engines.local.facts_of`) and the fact diff of every related pair (`engines.local.fact_diffs_of`). Printed:
each time, facts per document, diffs by status, and the ratio (extraction + diff) / trace time
(bar: <= 0.20). The default size runs in about a minute on 2 cores (up to 60 documents every
pair is aligned; above, candidate search picks the pairs).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402
import synthetic  # noqa: E402
from sourcetrace.engines.local import DocumentTexts, fact_diffs_of, facts_of  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="keep the corpus and store here (a rerun reuses the store)")
    args = ap.parse_args()
    bench_trace = load.bench_trace()
    with tempfile.TemporaryDirectory(prefix="bench_facts_") as tmp:
        work = args.keep or Path(tmp)
        root = work / "corpus"
        if not root.exists():
            synthetic.planted_corpus(root, args.docs, seed=args.seed)
        with Store(work / "s.db") as store:
            run = bench_trace.run_trace(root, store, "trace")
            docs = list(store.documents())
            t = time.perf_counter()
            facts = facts_of(docs, DocumentTexts(store))
            t_extract = time.perf_counter() - t
            t = time.perf_counter()
            passages = store.passages([d.id for d in docs])
            diffs = fact_diffs_of(store, docs, passages, [(r.a, r.b) for r in run.relations], facts)
            t_diff = time.perf_counter() - t
    n_facts = sum(len(v) for v in facts.values())
    types = Counter(f.type for v in facts.values() for f in v)
    trace = run.total
    print(f"\n== fact layer on a planted corpus of {len(docs)} documents ({args.docs} asked, seed {args.seed}) ==")
    print(f"trace stages           {trace:8.2f} s  ({', '.join(f'{k} {v:.1f}' for k, v in run.times.items())})")
    print(f"fact extraction        {t_extract:8.2f} s  {n_facts} facts, {n_facts / max(len(docs), 1):.1f}/doc "
          f"({', '.join(f'{k} {v}' for k, v in types.most_common())})")
    print(f"fact diffs             {t_diff:8.2f} s  {len(diffs)} over {len(run.relations)} related pairs "
          f"({', '.join(f'{k} {v}' for k, v in Counter(d.status for d in diffs).most_common())})")
    print(f"extraction / trace     {t_extract / trace:8.3f}")
    print(f"(extraction+diff) / trace {(t_extract + t_diff) / trace:5.3f}   (bar <= 0.20)")


if __name__ == "__main__":
    main()
