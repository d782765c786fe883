"""Alignment benchmark: two 5,000-sentence documents, one a translation of the other.

    python bench/align.py [--sentences 5000] [--keep 0.7 --block 5]

Reports the time of a cold run (encoding included) and of a warm run (vectors cached in the
store), the accuracy against the known sentence pairs, and the ratio of the warm run to the cold
one. The bar: cold under 60 s on 2 cores, warm under 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sourcetrace import pipeline  # noqa: E402
from sourcetrace.align.pair import Side  # noqa: E402
from sourcetrace.encode import get_encoder  # noqa: E402
from sourcetrace.encode.vectors import StoreVectors  # noqa: E402
from sourcetrace.records import Document, Sentence  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402
from synthetic import parallel_documents  # noqa: E402


def _side(doc_id: str, lang: str, sentences: list[str]) -> Side:
    text = "\n".join(sentences) + "\n"
    spans, pos = [], 0
    for s in sentences:
        spans.append(Sentence(doc_id, pos, pos + len(s), lang))
        pos += len(s) + 1
    return Side(Document(doc_id, f"{doc_id}.txt", 0, len(text) - 1, lang), text, spans)


def _accuracy(passages, en: Side, ar: Side, truth: list[int | None]) -> tuple[float, float]:
    start_en = {s.start: i for i, s in enumerate(en.sentences)}
    start_ar = {s.start: i for i, s in enumerate(ar.sentences)}
    found = set()
    for p in passages:
        i, j = start_en.get(p.a_start), start_ar.get(p.b_start)
        if i is not None and j is not None:
            found.add((i, j))
    gold = {(src, j) for j, src in enumerate(truth)}
    hits = len(found & gold)
    return hits / max(len(found), 1), hits / max(len(gold), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=5000)
    ap.add_argument("--keep", type=float, default=1.0, help="share of sentences the translation keeps")
    ap.add_argument("--block", type=int, default=1, help="shuffle the translation in blocks of this size")
    ap.add_argument("--encoder", default=None,
                    help="force an encoder spec (default: what align picks for the pair's size)")
    args = ap.parse_args()
    en_s, ar_s, truth = parallel_documents(args.sentences, keep=args.keep, block=args.block)
    en, ar = _side("en", "en", en_s), _side("ar", "ar", ar_s)
    encoder = get_encoder(args.encoder) if args.encoder else None
    t = time.perf_counter()
    for spec in [args.encoder] if args.encoder else ["use", "default"]:
        get_encoder(spec).encode(["warm up the model"])  # model load is not alignment
    load = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.db") as store:
        t = time.perf_counter()
        cold = pipeline.align_pair(en, ar, encoder=encoder, vectors=StoreVectors(store))
        t_cold = time.perf_counter() - t
        t = time.perf_counter()
        warm = pipeline.align_pair(en, ar, encoder=encoder, vectors=StoreVectors(store))
        t_warm = time.perf_counter() - t
    p, r = _accuracy(cold, en, ar, truth)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"documents: {len(en_s)} English sentences, {len(ar_s)} Arabic (keep {args.keep}, blocks of {args.block})")
    print(f"encoder: {args.encoder or 'chosen by align for the size'}; model load {load:.1f} s (not counted)")
    print(f"cold run (encoding included): {t_cold:6.1f} s   (bar < 60 s)")
    print(f"warm run (vectors cached):    {t_warm:6.1f} s   (bar < 5 s)   warm/cold = {t_warm / t_cold:.3f}")
    print(f"sentence pairs: precision {p:.3f} recall {r:.3f} F1 {f1:.3f}  ({len(cold)} passages)")
    assert len(warm) == len(cold)


if __name__ == "__main__":
    main()
