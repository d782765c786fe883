"""Quote search benchmark: latency and recall of `sourcetrace.quotes.search.search` on a synthetic store.

    python bench/search.py [--docs 2000] [--queries 200] [--work DIR] [--no-vectors]

Builds (once; reused from --work on later runs) a store of about --docs synthetic Arabic and
English documents (bench/synthetic.py), indexes it (FTS5 words + USE vectors), then searches
sentences drawn from the store three ways: as they are (verbatim), with two words dropped
(near-verbatim), and an English sentence rendered in Arabic (translation: the document must be
found across languages). Prints the build times, the first (cold) query, and p50/p95 latency and
recall@10 per kind over the warm queries. Not run by `make test`: a 10,000-document store takes
minutes to build on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sourcetrace.engines.ingest import ingest  # noqa: E402
from sourcetrace.quotes.index import VectorIndex, update_index  # noqa: E402
from sourcetrace.quotes.search import search  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402
from synthetic import translate, write_corpus  # noqa: E402


def build_store(docs: int, work: Path, vectors: bool = True) -> tuple[Path, dict[str, float]]:
    """A store of about `docs` synthetic documents under `work`, indexed; built once per size."""
    root, db = work / f"corpus-{docs}", work / f"search-{docs}.db"
    times: dict[str, float] = {}
    if not root.exists():
        t = time.perf_counter()
        write_corpus(root, docs)
        times["write_corpus_s"] = time.perf_counter() - t
    with Store(db) as store:
        t = time.perf_counter()
        ingest([str(root)], store)
        times["read_s"] = time.perf_counter() - t
        t = time.perf_counter()
        update_index(store, vectors=False)
        times["index_words_s"] = time.perf_counter() - t
        if vectors:
            t = time.perf_counter()
            VectorIndex.of(store).update(store)
            times["index_vectors_s"] = time.perf_counter() - t
    return db, times


def sample_queries(store: Store, n: int, seed: int = 3) -> list[tuple[str, str, str]]:
    """(kind, query, document that must be found): verbatim, near-verbatim and translation."""
    rng = random.Random(seed)
    total = store.counts()["documents"]
    out: list[tuple[str, str, str]] = []
    while len(out) < n:
        doc = store.documents_page(rng.randrange(total), 1)[0]
        sents = [s for s in store.sentences(doc.id) if len(store.span_text(doc.id, s.start, s.end).split()) >= 8]
        if not sents:
            continue
        s = rng.choice(sents)
        text = store.span_text(doc.id, s.start, s.end)
        kind = ("verbatim", "near-verbatim", "translation")[len(out) % 3]
        if kind == "near-verbatim":
            words = text.split()
            for _ in range(2):
                del words[rng.randrange(1, len(words) - 1)]
            text = " ".join(words)
        elif kind == "translation":
            if doc.lang != "en":
                continue
            text = translate(text)
        out.append((kind, text, doc.id))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--work", type=Path, default=Path("/tmp/sourcetrace-bench-search"))
    ap.add_argument("--no-vectors", action="store_true", help="words only: no encoder, no translations")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    vectors = not args.no_vectors
    db, times = build_store(args.docs, args.work, vectors)
    with Store(db) as store:
        counts = store.counts()
        queries = sample_queries(store, args.queries + 1)
        if not vectors:
            queries = [q for q in queries if q[0] != "translation"]
        t = time.perf_counter()
        search(store, queries[0][1], vectors=vectors)
        cold = time.perf_counter() - t
        lat: dict[str, list[float]] = {}
        found: dict[str, list[bool]] = {}
        for kind, text, doc in queries[1:]:
            t = time.perf_counter()
            hits = search(store, text, limit=10, vectors=vectors)
            lat.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
            found.setdefault(kind, []).append(doc in {h.doc for h in hits})
    every = [x for v in lat.values() for x in v]
    result = {"documents": counts["documents"], "sentences": counts["sentences"], "vectors": vectors,
              **{k: round(v, 1) for k, v in times.items()}, "first_query_ms": round(cold * 1000, 1),
              "queries": len(every), "p50_ms": round(percentile(every, 0.5), 1),
              "p95_ms": round(percentile(every, 0.95), 1),
              "by_kind": {k: {"n": len(v), "p50_ms": round(percentile(v, 0.5), 1),
                              "p95_ms": round(percentile(v, 0.95), 1),
                              "recall@10": round(sum(found[k]) / len(found[k]), 3)} for k, v in lat.items()}}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
