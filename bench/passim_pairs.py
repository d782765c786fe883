"""How many document pairs passim would align on a planted corpus, and which shared text makes them.

    .venv/bin/python bench/passim_pairs.py [--docs 1000] [--seed 7] [-n 25] [-l 2] [-u 100] [-m 5 20]
        [--top 20]

passim picks the document pairs it aligns by n-grams (its README, "Controlling passim's n-gram
filtering"): n letters in a row, lower-cased, other characters skipped, starting at a word's
first letter, kept when they occur once in their document and in between -l and -u documents
(--minDF, --maxDF); two documents sharing at least -m of them are a pair. This script counts the
same on `synthetic.planted_corpus`, without Spark, in seconds: the pairs, how many join documents
of different planted families (work passim does for no planted reuse), how many planted
monolingual pairs are among them, and the n-grams behind most cross-family pairs with their
document frequency. It is how the generator's shared template text was found (issue 18): at
10,000 documents passim's defaults made 1,231,492 pairs, 99.9% across families.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402


def ngrams(text: str, n: int) -> set[str]:
    """passim's index features of one document: n-letter runs from word starts, unique in it."""
    letters = [(i, c.lower()) for i, c in enumerate(text) if c.isalpha()]
    seen: Counter[str] = Counter()
    for k in range(len(letters) - n + 1):
        # a word start: the letter before is not the previous character
        if k == 0 or letters[k][0] - letters[k - 1][0] > 1:
            seen["".join(c for _, c in letters[k:k + n])] += 1
    return {g for g, c in seen.items() if c == 1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-n", type=int, default=25, help="n-gram order (passim's default 25)")
    ap.add_argument("-l", "--min-df", type=int, default=2)
    ap.add_argument("-u", "--max-df", type=int, default=100)
    ap.add_argument("-m", "--min-match", type=int, nargs="+", default=[5])
    ap.add_argument("--top", type=int, default=20, help="n-grams behind most cross-family pairs")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="passim_pairs_") as tmp:
        truth = synthetic.planted_corpus(Path(tmp), args.docs, args.seed, one_per_file=True)
        keys = sorted(truth["docs"])
        texts = []
        for k in keys:
            d = truth["docs"][k]
            texts.append((Path(tmp) / d["file"]).read_text(encoding="utf-8")[d["start"]:d["end"]])
    index = {k: i for i, k in enumerate(keys)}
    family = np.array([index[truth["docs"][k].get("source", k)] for k in keys])
    planted = {(min(index[p["a"]], index[p["b"]]), max(index[p["a"]], index[p["b"]]))
               for p in truth["pairs"] if p["type"] != "translation"}
    feats = [ngrams(t, args.n) for t in texts]
    df = Counter(g for f in feats for g in f)
    docs_of: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(feats):
        for g in f:
            if args.min_df <= df[g] <= args.max_df:
                docs_of[g].append(i)
    n = len(keys)
    codes = []
    for ds in docs_of.values():
        a = np.array(ds, dtype=np.int64)
        i, j = np.triu_indices(len(a), 1)
        codes.append(a[i] * n + a[j])
    pair, shared = np.unique(np.concatenate(codes) if codes else np.zeros(0, np.int64), return_counts=True)
    print(f"{n:,} documents, -n {args.n} -l {args.min_df} -u {args.max_df}: {len(docs_of):,} n-grams indexed")
    for m in args.min_match:
        sel = pair[shared >= m]
        a, b = sel // n, sel % n
        cross = family[a] != family[b]
        found = len(planted & set(zip(a.tolist(), b.tolist(), strict=True)))
        print(f"  -m {m}: {len(sel):,} pairs, {int(cross.sum()):,} across planted families; "
              f"planted monolingual pairs among them {found}/{len(planted)}")
    m = args.min_match[0]
    sel = pair[shared >= m]
    cross_pairs = {(int(x), int(y)) for x, y in zip(sel // n, sel % n, strict=True) if family[x] != family[y]}
    blame: Counter[str] = Counter()
    for g, ds in docs_of.items():
        blame[g] = sum((x, y) in cross_pairs for k, x in enumerate(ds) for y in ds[k + 1:])
    print(f"n-grams behind most cross-family pairs at -m {m} (pairs, document frequency, n-gram):")
    for g, c in blame.most_common(args.top):
        print(f"  {c:>8,} {df[g]:>4} {g}")


if __name__ == "__main__":
    main()
