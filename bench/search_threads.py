"""The candidates stage's topic search in a fresh process: faiss's own threads held to one or not.

    python bench/search_threads.py [--docs 25000] [--rounds 2]

Why it exists: faiss brings an OpenMP and an OpenBLAS of its own, loaded by the first search; a
thread limit (threadpoolctl) taken before they were loaded leaves them at one thread a core, the
second spinning at every barrier (a 25k trace on main: 5.2 of the candidates stage's CPU seconds
in such threads, bench/stage_threads.py). Each round runs, each in a fresh process, the search of
``--docs`` random unit vectors (512 dimensions, two languages) in a thread under
``threadpool_limits(1)`` as engines/local.py's search_neighbours does, faiss loaded before the
limit (``loaded``: neighbours.load_search, as the stage does now) and after it (``unloaded``: as
it did). Prints the process's CPU seconds, the search thread's, and the rest (its other threads):
the same lists either way, only the threads differ.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ONE = """
import sys, threading, time
import numpy as np
from threadpoolctl import threadpool_limits
from sourcetrace.candidates import neighbours

mode, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
m = rng.standard_normal((n, 512)).astype(np.float32)
m /= np.linalg.norm(m, axis=1, keepdims=True)
vecs = {f"d{i}": m[i] for i in range(n)}
langs = {f"d{i}": ("en" if i % 3 else "ar") for i in range(n)}
if mode == "loaded":
    neighbours.load_search()
t0, w0 = time.process_time(), time.monotonic()
out = {}

def search():
    with threadpool_limits(1):
        t = time.thread_time()
        out["nb"] = neighbours.nearest(vecs, langs)
        out["thread"] = time.thread_time() - t

th = threading.Thread(target=search)
th.start()
th.join()
cpu = time.process_time() - t0
print(f"{mode:8s}: process CPU {cpu:6.2f} s, search thread {out['thread']:6.2f} s, "
      f"other threads {cpu - out['thread']:5.2f} s, wall {time.monotonic() - w0:6.2f} s", flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=25000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    for _ in range(args.rounds):
        for mode in ("unloaded", "loaded"):  # interleaved: the machine's drift costs both alike
            subprocess.run([sys.executable, "-c", ONE, mode, str(args.docs)], check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
