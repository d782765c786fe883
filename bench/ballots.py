"""The candidate stage's ballots alone, on a traced store: every tally read whole, timed.

    .venv/bin/python bench/ballots.py STORE.db [--kinds sentence stretch twin] [--limit N] [--held float32]
                                     [--base CHECKOUT --rounds 2]

Reads a store a trace wrote (its documents, topic vectors, neighbour lists and voting vectors,
nothing computed again but the tallies): each kind of ballot's pools (engines/local.py
:func:`chosen_by_votes`), then :func:`sourcetrace.pipeline.tallies` of all of them read whole (a
fresh trace's ballots), timed in CPU seconds of this process; prints the seconds per kind and a
digest of the tallies' bytes and of the ballots they make, so that two versions of the code run
on one store can be compared (same digests: same tallies, same ballots). The store is only read.
``--held``: the voting vectors held in memory as float16 (as stored) or float64 (the same values)
instead of float32 as the local engine holds them, to weigh memory against the products' time.
``--base``: a checkout (its src/) timed against this tree's, on the same pools, each in a child
process of its own, alternately (``--rounds`` each, the order swapped each round, so that a
shared machine's load weighs on both alike); prints each tree's CPU seconds (least and mean),
the ratio this / base of the least, and whether both make the same tallies and ballots.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# A child run for --base reads the tree its parent names (--src), before anything is imported.
SRC = Path(sys.argv[sys.argv.index("--src") + 1]) if "--src" in sys.argv[:-1] else ROOT / "src"
sys.path.insert(0, str(SRC))

from sourcetrace import pipeline  # noqa: E402
from sourcetrace.candidates import neighbours as neighbour_lists  # noqa: E402
from sourcetrace.candidates import votes  # noqa: E402
from sourcetrace.encode import get_encoder  # noqa: E402
from sourcetrace.engines import local  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402

KINDS = {"sentence": local.SENTENCE_BALLOTS, "stretch": local.STRETCH_BALLOTS, "twin": local.TWIN_BALLOTS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", type=Path)
    ap.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    ap.add_argument("--limit", type=int, default=0, help="only the first N pools of each kind (0: all)")
    ap.add_argument("--held", choices=["float16", "float32", "float64"], default="float32",
                    help="the voting vectors held as (engines/local.py :func:`cast_ballots`: float32)")
    ap.add_argument("--base", type=Path, help="a checkout to time against, alternately (its src/)")
    ap.add_argument("--rounds", type=int, default=2, help="runs of each tree with --base")
    ap.add_argument("--src", type=Path, help=argparse.SUPPRESS)  # the tree a child run reads
    args = ap.parse_args()
    if args.base is not None:
        compare(args)
        return
    store = Store(args.store, create=False)
    docs = list(store.documents())
    blob = store.corpus_cached("neighbours", pipeline.topic_version())
    if blob is None:
        sys.exit("no stored neighbour lists: trace the store first")
    nb = neighbour_lists.from_bytes(blob)
    key_of = dict(zip(nb.ids, nb.keys.tolist(), strict=True))
    pools = votes.cross_lists(nb)
    ids = [d.id for d in docs]
    long = {d for d, n in store.cached_sizes("stretch votes", local.stretch_version()).items() if n}
    have = {d for d, n in store.cached_sizes("twin votes", local.twin_version()).items() if n}
    of_kind = {"sentence": (pools, {}), "stretch": (votes.stretched(pools, long), {"stretch votes": long}),
               "twin": (votes.twinned(pools, have), {"twin votes": have, "stretch votes": long - have})}
    dim = get_encoder(pipeline.TOPIC_ENCODER).dim
    total = 0.0
    for kind in args.kinds:
        todo, apart = of_kind[kind]
        todo = todo[:args.limit] if args.limit else todo
        listed = {d for doc, _, pool in todo for d in (doc, *pool)}
        blobs = store.cached("votes", local.votes_version(), [i for i in ids if i in listed])
        for what, which in apart.items():
            blobs.update(store.cached(what, local._OWN_BYTES[what][0](), [i for i in ids if i in which and i in listed]))
        vectors = {k: np.frombuffer(v, dtype=np.float16).reshape(-1, dim).astype(args.held, copy=False)
                   for k, v in blobs.items()}
        plans = [(doc, lang, [(d, key_of[d]) for d in pool], None, None) for doc, lang, pool in todo]
        wall, cpu = time.perf_counter(), time.process_time()
        tallied = pipeline.tallies(plans, vectors, key_of)
        cast = {k: votes.verdict(t) for k, t in tallied.items()}
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        total += cpu
        tally_digest = hashlib.blake2b(digest_size=8)
        for k in sorted(tallied):
            tally_digest.update(repr(k).encode() + votes.tally_to_bytes(tallied[k]))
        ballot_digest = hashlib.blake2b(repr(sorted(cast.items())).encode(), digest_size=8).hexdigest()
        print(f"{kind}: {len(todo)} pools, tallies {cpu:.2f} CPU s ({wall:.2f} s wall); "
              f"tallies {tally_digest.hexdigest()}, ballots {ballot_digest}", flush=True)
    print(f"all: {total:.2f} CPU s")


def compare(args: argparse.Namespace) -> None:
    """This tree's ballots against --base's, each run in a child process, alternately."""
    common = [str(args.store), "--kinds", *args.kinds, "--limit", str(args.limit), "--held", args.held]
    trees = {"this": ROOT / "src", "base": args.base / "src"}
    cpu: dict[str, list[float]] = {name: [] for name in trees}
    digests: dict[str, set[str]] = {name: set() for name in trees}
    for r in range(args.rounds):
        for name in (("base", "this") if r % 2 == 0 else ("this", "base")):
            got = subprocess.run([sys.executable, __file__, *common, "--src", str(trees[name])],
                                 capture_output=True, text=True, check=True).stdout
            print(f"{name} ({trees[name]}), round {r + 1}:\n{got.rstrip()}", flush=True)
            cpu[name].append(float(re.search(r"^all: ([0-9.]+) CPU s", got, re.M).group(1)))
            digests[name].add(repr(re.findall(r"tallies ([0-9a-f]{16}), ballots ([0-9a-f]{16})", got)))
    least = {name: min(v) for name, v in cpu.items()}
    for name, v in cpu.items():
        print(f"{name}: least {least[name]:.2f} CPU s, mean {sum(v) / len(v):.2f} ({', '.join(f'{x:.2f}' for x in v)})")
    print(f"ratio this / base (least): {least['this'] / least['base']:.3f}; "
          f"same tallies and ballots: {'yes' if digests['this'] == digests['base'] and len(digests['this']) == 1 else 'NO'}")


if __name__ == "__main__":
    main()
