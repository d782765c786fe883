"""Quote search benchmark: latency and recall of `sourcetrace.quotes.search.search` on a synthetic store.

    python bench/search.py [--docs 2000] [--queries 200] [--work DIR] [--no-vectors] [--tatoeba DIR | --no-tatoeba]
                           [--against SRC]

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

This tree searches as a web worker does, on the quote index's copy in memory (``prepare``, loaded
before the first query, whose time includes it). Prints the build times, the first (cold) query, and p50/p95 latency, CPU time (this process's,
which other work on a shared machine does not inflate as it does the wall time) and recall@10 per
kind over the warm queries. With ``--against SRC`` (a source tree: a worktree of main), the same
queries also run in a second process importing sourcetrace from ``SRC/src``, one query there and
the same one here in turn, so both see the same load: its CPU p50, recall, the ratio of the
two CPU times, and how many answers are the same hit for hit (span, kind, score, origin,
highlights) are printed beside these (the baseline of the same run). Then, on real text, Tatoeba ara-eng (../shared/corpora/tatoeba: 1,000 human
translation pairs): each of its 2,000 sentences a document of one store, each sentence searched
as a query; recall@10 is the share of queries whose translation's document is among the 10 hits
(both directions). Not run by `make test`: a 10,000-document store takes minutes to build on 2
cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sourcetrace.engines.ingest import ingest  # noqa: E402
from sourcetrace.quotes.index import VectorIndex, update_index  # noqa: E402
from sourcetrace.quotes.search import prepare, search  # noqa: E402
from sourcetrace.records import Document  # noqa: E402
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
    # Every document in file order, sorted once: a page of one at a random offset sorted the whole
    # table for each draw (3,000 quotes from 10,000 documents took 4-5 minutes). Same draws.
    docs = store.documents_page(0, store.counts()["documents"])
    out: list[tuple[str, str, str]] = []
    while len(out) < n:
        doc = docs[rng.randrange(len(docs))]
        text_of = store.document_text(doc.id) or ""
        sents = [s for s in store.sentences(doc.id) if len(text_of[s.start:s.end].split()) >= 8]
        if not sents:
            continue
        s = rng.choice(sents)
        text = text_of[s.start:s.end]
        kind = ("verbatim", "near-verbatim", "translation")[len(out) % 3]
        if kind == "near-verbatim":
            text = reworded(text, rng, lambda lang=doc.lang: other_words(store, rng, docs, lang))
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


def other_words(store: Store, rng: random.Random, docs: list[Document], lang: str | None) -> list[str]:
    """The words of a random stored sentence in `lang` (a reporter's other word); `docs`: the
    stored documents in file order."""
    while True:
        doc = docs[rng.randrange(len(docs))]
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


def answer_queries(db: Path, vectors: bool) -> None:
    """The baseline side of ``--against``: search each JSON query read from stdin, write back the
    documents found and the CPU time taken, one line each."""
    with Store(db) as store:
        for line in sys.stdin:
            text = json.loads(line)
            t = time.process_time()
            hits = search(store, text, limit=10, vectors=vectors)
            cpu = (time.process_time() - t) * 1000
            print(json.dumps({"docs": [h.doc for h in hits], "hits": answer_of(hits), "cpu_ms": cpu}), flush=True)


def answer_of(hits: list) -> list:
    """What a search answered, to compare two trees' answers: each hit's span, kind, score,
    origin and highlighted words."""
    return [[h.doc, h.start, h.end, h.kind, round(h.score, 9), h.origin, h.via, [list(x) for x in h.highlights]]
            for h in hits]


def baseline_process(src: Path, db: Path, vectors: bool) -> subprocess.Popen:
    """This script in `--answer` mode, importing sourcetrace from another source tree."""
    env = {**os.environ, "PYTHONPATH": str(src.resolve() / "src")}
    cmd = [sys.executable, __file__, "--answer", str(db)] + ([] if vectors else ["--no-vectors"])
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)


def ask(proc: subprocess.Popen, text: str) -> dict:
    proc.stdin.write(json.dumps(text) + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


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
    ap.add_argument("--against", type=Path, help="a source tree (a worktree of main) whose search runs the "
                    "same queries in turn with this one: the baseline of the same run")
    ap.add_argument("--answer", type=Path, help=argparse.SUPPRESS)  # the --against side: a store to search
    args = ap.parse_args()
    if args.answer:
        answer_queries(args.answer, not args.no_vectors)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    vectors = not args.no_vectors
    db, times = build_store(args.docs, args.work, vectors)
    with Store(db) as store:
        counts = store.counts()
        queries = sample_queries(store, args.queries + 1)
        if not vectors:
            queries = [q for q in queries if q[0] != "translation"]
        base = baseline_process(args.against, db, vectors) if args.against else None
        t = time.perf_counter()
        prepare(store, vectors)  # as a web worker does: its searches read the quote index's copy in memory
        search(store, queries[0][1], vectors=vectors)
        cold = time.perf_counter() - t
        if base:
            ask(base, queries[0][1])  # its cold query too
        lat: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        found: dict[str, list[bool]] = {}
        base_cpu: dict[str, list[float]] = {}
        base_found: dict[str, list[bool]] = {}
        same: list[bool] = []  # this tree's answer is the baseline's, hit for hit
        for i, (kind, text, doc) in enumerate(queries[1:]):
            # the two sides take turns going first: neither always finds the pages the other read
            if base and i % 2 == 0:
                answer = ask(base, text)
            t, c = time.perf_counter(), time.process_time()
            hits = search(store, text, limit=10, vectors=vectors)
            cpu.setdefault(kind, []).append((time.process_time() - c) * 1000)
            lat.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
            found.setdefault(kind, []).append(doc in {h.doc for h in hits})
            mine = answer_of(hits)
            if base and i % 2 == 1:
                answer = ask(base, text)
            if base:
                base_cpu.setdefault(kind, []).append(answer["cpu_ms"])
                base_found.setdefault(kind, []).append(doc in answer["docs"])
                same.append(answer["hits"] == json.loads(json.dumps(mine)))
        if base:
            base.stdin.close()
            base.wait()
    every = [x for v in lat.values() for x in v]
    every_cpu = [x for v in cpu.values() for x in v]
    result = {"documents": counts["documents"], "sentences": counts["sentences"], "vectors": vectors,
              **{k: round(v, 1) for k, v in times.items()}, "first_query_ms": round(cold * 1000, 1),
              "queries": len(every), "p50_ms": round(percentile(every, 0.5), 1),
              "p95_ms": round(percentile(every, 0.95), 1), "cpu_p50_ms": round(percentile(every_cpu, 0.5), 1),
              "cpu_mean_ms": round(sum(every_cpu) / len(every_cpu), 1), "load_average": round(os.getloadavg()[0], 1),
              "by_kind": {k: {"n": len(v), "p50_ms": round(percentile(v, 0.5), 1),
                              "p95_ms": round(percentile(v, 0.95), 1), "cpu_p50_ms": round(percentile(cpu[k], 0.5), 1),
                              "recall@10": round(sum(found[k]) / len(found[k]), 3)} for k, v in lat.items()}}
    if base_cpu:
        every_base = [x for v in base_cpu.values() for x in v]
        result["baseline"] = {
            "src": str(args.against), "cpu_p50_ms": round(percentile(every_base, 0.5), 1),
            "cpu_mean_ms": round(sum(every_base) / len(every_base), 1),
            "cpu_ratio": round(sum(every_cpu) / max(sum(every_base), 1e-9), 3),  # this tree's CPU / the baseline's
            "recall@10": {k: round(sum(v) / len(v), 3) for k, v in base_found.items()},
            "same_answers": f"{sum(same)}/{len(same)}"}
    if not args.no_tatoeba and args.tatoeba.exists():
        result["tatoeba_recall@10"] = tatoeba_recall(args.tatoeba, args.work, vectors)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
