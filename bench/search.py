"""Quote search benchmark: latency and recall of `sourcetrace.quotes.search.search` on a synthetic store.

    python bench/search.py [--docs 2000] [--queries 200] [--work DIR] [--no-vectors] [--tatoeba DIR | --no-tatoeba]

Builds (once; reused from --work on later runs) a store of about --docs synthetic Arabic and
English documents (bench/synthetic.py), indexes it (FTS5 words + USE vectors), then searches
sentences drawn from the store three ways:

- verbatim: the sentence as it is;
- near-verbatim: the sentence as a report quotes it with two words changed, each edit either a
  word dropped or a word replaced by a word of another stored sentence in the same language
  (never the first or last word);
- translation: an English sentence rendered in Arabic by the generator's own hand-written
  Arabic template with the same slot values (the corpus holds no translation of its documents,
  so the Arabic is found nowhere in the store: the English document must be found across
  languages, among Arabic documents written from the same templates with other names and figures).

Prints the build times, the first (cold) query, and p50/p95 latency and recall@10 per kind over
the warm queries. Then, on real text, Tatoeba ara-eng (../shared/corpora/tatoeba: 1,000 human
translation pairs): each of its 2,000 sentences a document of one store, each sentence searched
as a query; recall@10 is the share of queries whose translation's document is among the 10 hits
(both directions). Not run by `make test`: a 10,000-document store takes minutes to build on 2
cores.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
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
            text = reworded(text, rng, lambda lang=doc.lang: other_words(store, rng, total, lang))
        elif kind == "translation":
            if doc.lang != "en":
                continue
            text = translate(text)
        out.append((kind, text, doc.id))
    return out


def reworded(text: str, rng: random.Random, other: Callable[[], list[str]], edits: int = 2) -> str:
    """`text` with `edits` of its inner words changed: each dropped, or replaced by a word of
    another sentence (`other()` gives its words)."""
    words = text.split()
    for _ in range(edits):
        i = rng.randrange(1, len(words) - 1)
        if rng.random() < 0.5:
            del words[i]
        else:
            words[i] = rng.choice([w for w in other() if w.isalpha() and w.lower() != words[i].lower()] or [words[i]])
    return " ".join(words)


def other_words(store: Store, rng: random.Random, total: int, lang: str | None) -> list[str]:
    """The words of a random stored sentence in `lang` (a reporter's other word)."""
    while True:
        doc = store.documents_page(rng.randrange(total), 1)[0]
        sents = store.sentences(doc.id)
        if doc.lang == lang and sents:
            s = rng.choice(sents)
            return store.span_text(doc.id, s.start, s.end).split()


def tatoeba_recall(corpus: Path, work: Path, vectors: bool = True) -> dict[str, float | int]:
    """Recall@10 of each Tatoeba sentence's translation, every sentence a document of one store."""
    ara = (corpus / "ara-eng.ara").read_text(encoding="utf-8").splitlines()
    eng = (corpus / "ara-eng.eng").read_text(encoding="utf-8").splitlines()
    src = work / "tatoeba" / "tatoeba.jsonl"
    src.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"id": f"{lang}{i:04d}", "lang": lang, "text": t}
            for lang, side in (("ar", ara), ("en", eng)) for i, t in enumerate(side)]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with Store(work / "tatoeba.db") as store:
        ingest([str(src)], store)
        update_index(store, vectors=vectors)
        # the store names a JSONL document by its line: the documents in store order are the rows
        doc_of = {r["id"]: d.id for r, d in zip(rows, store.documents_page(0, len(rows)), strict=True)}
        found: dict[str, list[bool]] = {}
        for q, partner in (("ar", "en"), ("en", "ar")):
            for i, text in enumerate(ara if q == "ar" else eng):
                hits = search(store, text, limit=10, vectors=vectors)
                found.setdefault(f"{q}->{partner}", []).append(doc_of[f"{partner}{i:04d}"] in {h.doc for h in hits})
    return {"pairs": len(ara), **{k: round(sum(v) / len(v), 3) for k, v in found.items()}}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--work", type=Path, default=Path("/tmp/sourcetrace-bench-search"))
    ap.add_argument("--no-vectors", action="store_true", help="words only: no encoder, no translations")
    ap.add_argument("--tatoeba", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/tatoeba")
    ap.add_argument("--no-tatoeba", action="store_true", help="the synthetic store only")
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
    if not args.no_tatoeba and args.tatoeba.exists():
        result["tatoeba_recall@10"] = tatoeba_recall(args.tatoeba, args.work, vectors)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
