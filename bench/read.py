"""Reading benchmark: read, segment and sentence-split a synthetic corpus into the store.

    python bench/read.py [--docs 20000]

Prints throughput (MB/s of input, store included, on one core), the scaling ratio
time(N)/time(N/2) (linear means about 2.0; the bar is <= 2.5), and the ratio against a baseline
measured in the same run: reading and UTF-8-decoding the same files and nothing else.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sourcetrace.engines.ingest import ingest  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402
from synthetic import write_corpus  # noqa: E402


def _baseline(root: Path) -> float:
    t = time.perf_counter()
    for p in sorted(root.rglob("*.txt")):
        p.read_bytes().decode("utf-8")
    return time.perf_counter() - t


def _run(root: Path, db: Path) -> tuple[float, int, dict[str, int]]:
    t = time.perf_counter()
    with Store(db) as store:
        report = ingest([str(root)], store)
        counts = store.counts()
    elapsed = time.perf_counter() - t
    assert not report.failures, report.failures[:3]
    return elapsed, report.read, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        rows = []
        for n in (args.docs // 2, args.docs):
            root = tmpdir / f"corpus{n}"
            nbytes = write_corpus(root, n)
            base = _baseline(root)
            elapsed, files, counts = _run(root, tmpdir / f"store{n}.db")
            rows.append((n, nbytes, elapsed, base, files, counts))
            print(f"{n:>6} docs  {nbytes / 1e6:6.1f} MB  {files} files  {counts['documents']} documents  "
                  f"{counts['sentences']} sentences  {elapsed:6.2f} s  {nbytes / 1e6 / elapsed:5.2f} MB/s  "
                  f"(read+decode baseline {base:.2f} s, ratio {elapsed / base:.1f}x)")
        (n1, _, t1, *_), (n2, _, t2, *_) = rows
        print(f"scaling: time({n2})/time({n1}) = {t2 / t1:.2f}  (bar <= 2.5)")
        print(f"throughput at {n2} docs: {rows[1][1] / 1e6 / t2:.2f} MB/s  (bar >= 5)")


if __name__ == "__main__":
    main()
