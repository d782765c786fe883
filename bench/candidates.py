"""Candidate search on a planted corpus: recall, pairs per document, time, memory.

    .venv/bin/python bench/candidates.py [--sizes 10000 20000] [--max-sentences 8] [--no-vectors]
    .venv/bin/python bench/candidates.py --calibrate [TATOEBA_DIR]   # min_cos for USE vectors
    .venv/bin/python bench/candidates.py --libs                      # rensa vs datasketch, faiss vs usearch

For each size N, `synthetic.planted_corpus` writes N documents with planted copies, near-copies,
translations, derived reports and revisions; documents are cut out of the files and split into
sentences as the pipeline does; then `candidate_pairs` runs (USE document vectors encoded first,
timed apart). Printed: recall per planted type (target >= 0.99), candidate pairs per document,
seconds per generator, peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402
from sourcetrace.candidates.pairs import (  # noqa: E402
    DocInput,
    document_vectors,
    minhash_candidates,
    term_candidates,
    vector_candidates,
)
from sourcetrace.text.sentences import split_sentences  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def planted_docs(n: int, seed: int, tmp: Path) -> tuple[list[DocInput], list[dict]]:
    truth = synthetic.planted_corpus(tmp / f"c{n}", n, seed)
    texts: dict[str, str] = {}
    docs = []
    for key, info in truth["docs"].items():
        if info["file"] not in texts:
            texts[info["file"]] = (tmp / f"c{n}" / info["file"]).read_text(encoding="utf-8")
        text = texts[info["file"]]
        sents = [text[s:e] for s, e in split_sentences(text, info["start"], info["end"], info["lang"])]
        docs.append(DocInput(key, info["lang"], text[info["start"]:info["end"]], sents))
    return docs, truth["pairs"]


def run(n: int, seed: int, max_sentences: int, use_vectors: bool) -> None:
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        docs, pairs = planted_docs(n, seed, Path(d))
        print(f"\n== N={len(docs)} documents ({Counter(x.lang for x in docs)}), corpus+split "
              f"{time.perf_counter() - t:.1f}s, planted {Counter(p['type'] for p in pairs)}")
    vectors = None
    if use_vectors:
        from sourcetrace.encode import get_encoder

        t = time.perf_counter()
        vectors = document_vectors(docs, get_encoder("use"), max_sentences=max_sentences)
        print(f"encode (USE, first {max_sentences} sentences): {time.perf_counter() - t:.1f}s")
    found: dict[str, set[tuple[str, str]]] = {}
    total = 0.0
    for name, fn in [("minhash", lambda: minhash_candidates(docs)),
                     ("vectors", lambda: vector_candidates(docs, vectors) if vectors else []),
                     ("terms", lambda: term_candidates(docs))]:
        t = time.perf_counter()
        cands = fn()
        dt = time.perf_counter() - t
        total += dt
        found[name] = {(c.a, c.b) for c in cands}
        print(f"  {name:8s} {dt:7.1f}s  {len(cands):8d} pairs  {len(cands) / len(docs):6.2f}/doc")
    union = set().union(*found.values())
    print(f"  union    {total:7.1f}s  {len(union):8d} pairs  {len(union) / len(docs):6.2f}/doc   "
          f"peak RSS {peak_mb():.0f} MB")
    by_type: dict[str, list[int]] = {}
    for p in pairs:
        key = (min(p["a"], p["b"]), max(p["a"], p["b"]))
        hit = by_type.setdefault(p["type"], [0, 0, 0, 0, 0])
        hit[0] += 1
        hit[1] += key in union
        for k, name in enumerate(("minhash", "vectors", "terms"), 2):
            hit[k] += key in found[name]
    print(f"  {'recall':12s} {'union':>7s} {'minhash':>8s} {'vectors':>8s} {'anchors':>8s}")
    for typ, (m, u, a, b, c) in sorted(by_type.items()):
        print(f"  {typ:12s} {u / m:7.4f} {a / m:8.3f} {b / m:8.3f} {c / m:8.3f}   (n={m})")
    allm = sum(v[0] for v in by_type.values())
    print(f"  {'ALL':12s} {sum(v[1] for v in by_type.values()) / allm:7.4f}")


def calibrate(corpus: Path, n_docs: int = 300, per_doc: int = 10, specs: tuple[str, ...] = ("use", "static")) -> None:
    """Cosine of document vectors (USE, and the static vectors distilled from it that candidate
    search uses): translations vs unrelated documents."""
    for spec in specs:
        print(f"-- {spec}")
        _calibrate(corpus, spec, n_docs, per_doc)


def _calibrate(corpus: Path, spec: str, n_docs: int, per_doc: int) -> None:
    from sourcetrace.encode import get_encoder
    from sourcetrace.pipeline import TOPIC_SENTENCES

    enc = get_encoder(spec)
    ara = (corpus / "ara-eng.ara").read_text(encoding="utf-8").splitlines()
    eng = (corpus / "ara-eng.eng").read_text(encoding="utf-8").splitlines()
    n = min(n_docs, len(ara) // per_doc)
    en_docs = [DocInput(f"e{i}", "en", "", eng[i * per_doc:(i + 1) * per_doc]) for i in range(n)]
    ar_docs = [DocInput(f"a{i}", "ar", "", ara[i * per_doc:(i + 1) * per_doc]) for i in range(n)]
    _report(f"tatoeba docs of {per_doc} sentences", enc, en_docs, ar_docs)
    _report("tatoeba single sentences", enc, [DocInput(f"e{i}", "en", "", [eng[i]]) for i in range(1000)],
            [DocInput(f"a{i}", "ar", "", [ara[i]]) for i in range(1000)])
    with tempfile.TemporaryDirectory() as d:
        docs, pairs = planted_docs(600, 3, Path(d))
    by_id = {x.id: x for x in docs}
    tr = [(by_id[p["a"]], by_id[p["b"]]) for p in pairs if p["type"] == "translation"]
    _report("synthetic planted translations", enc, [a for a, _ in tr], [b for _, b in tr], TOPIC_SENTENCES)


def _report(title: str, enc, left: list[DocInput], right: list[DocInput], max_sentences: int = 8) -> None:
    va = document_vectors(left, enc, max_sentences=max_sentences)
    vb = document_vectors(right, enc, max_sentences=max_sentences)
    a = np.stack([va[x.id] for x in left])
    b = np.stack([vb[x.id] for x in right])
    sims = a @ b.T
    pos = np.diag(sims)
    neg = sims[~np.eye(len(left), dtype=bool)]
    print(f"{title}: translations min {pos.min():.3f} p1 {np.percentile(pos, 1):.3f} median "
          f"{np.median(pos):.3f} | unrelated p50 {np.median(neg):.3f} p99 {np.percentile(neg, 99):.3f} "
          f"max {neg.max():.3f} | translation is the top-1 of its row: {np.mean(sims.argmax(1) == np.arange(len(left))):.3f}")


def libs(n: int = 20000) -> None:
    """MinHash: rensa vs datasketch; ANN: faiss vs usearch (each if installed)."""
    with tempfile.TemporaryDirectory() as d:
        docs, _ = planted_docs(n, 7, Path(d))
    from sourcetrace.candidates.pairs import _shingles, _words

    sets = [_shingles(_words(x.text), 5) for x in docs]
    t = time.perf_counter()
    import rensa

    m = rensa.RMinHash.digest_matrix_from_token_sets(sets, 128, 1)
    np.asarray(m.to_rows(), dtype=np.uint32)
    print(f"rensa: {n} signatures {time.perf_counter() - t:.2f}s")
    try:
        from datasketch import MinHash
    except ImportError:
        print("datasketch not installed")
    else:
        k = n // 10
        t = time.perf_counter()
        MinHash.bulk([[s.encode() for s in x] for x in sets[:k]], num_perm=128, seed=1)
        print(f"datasketch: {k} signatures {time.perf_counter() - t:.2f}s (x10 for {n})")
    rng = np.random.default_rng(0)
    c = rng.normal(size=(200, 512)).astype(np.float32)
    x = (c[rng.integers(0, 200, n)] + 0.7 * rng.normal(size=(n, 512))).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    a, b = x[: n * 3 // 5], x[n * 3 // 5:]
    import faiss

    t = time.perf_counter()
    ix = faiss.IndexFlatIP(512)
    ix.add(b)
    _, exact = ix.search(a, 10)
    print(f"faiss exact {len(a)} x {len(b)}: {time.perf_counter() - t:.2f}s")
    t = time.perf_counter()
    ix = faiss.IndexHNSWFlat(512, 32, faiss.METRIC_INNER_PRODUCT)
    ix.add(b)
    ix.hnsw.efSearch = 64
    _, got = ix.search(a, 10)
    rec = np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact, strict=True)])
    print(f"faiss HNSW: {time.perf_counter() - t:.2f}s recall@10 {rec:.4f}")
    try:
        from usearch.index import Index
    except ImportError:
        print("usearch not installed")
        return
    t = time.perf_counter()
    ui = Index(ndim=512, metric="ip", dtype="f32")
    ui.add(np.arange(len(b)), b, threads=2)
    got = ui.search(a, 10, threads=2).keys
    rec = np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact, strict=True)])
    print(f"usearch HNSW f32: {time.perf_counter() - t:.2f}s recall@10 {rec:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 20000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-sentences", type=int, default=8)
    ap.add_argument("--no-vectors", action="store_true")
    ap.add_argument("--calibrate", nargs="?", const=str(ROOT.parent / "shared/corpora/tatoeba"))
    ap.add_argument("--libs", action="store_true")
    args = ap.parse_args()
    if args.calibrate:
        calibrate(Path(args.calibrate))
        return
    if args.libs:
        libs(max(args.sizes))
        return
    for n in args.sizes:
        run(n, args.seed, args.max_sentences, not args.no_vectors)


if __name__ == "__main__":
    main()
