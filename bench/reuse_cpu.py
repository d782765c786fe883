"""find_reuse's CPU over the same-language pairs a traced store aligned: this checkout's
align/reuse.py against another's, interleaved in one process (issue 18: same-language alignment,
in the candidates stage's AlignAhead and in the align stage, spends a large share in find_reuse).

    .venv/bin/python bench/reuse_cpu.py --db STORE --capture pairs.pkl      # once
    .venv/bin/python bench/reuse_cpu.py --pairs pairs.pkl --against CHECKOUT [--rounds 3]
    .venv/bin/python bench/reuse_cpu.py --pairs pairs.pkl --profile

``--capture``: the arguments align/pair.py's ``align`` gives find_reuse (texts and sentence
regions of both documents) for every same-language pair the store holds as aligned, pickled (the
store is opened read only; a copy is safer). Then both checkouts' reuse modules are loaded side by
side (each with its own caches, as a worker of its own would have) and run over the pairs pair by
pair, each code first in turn, so the load of a shared machine weighs on all alike (in chunks of
48 pairs in turn, under a load of 10-18, every code came out within a few % of another whatever it
did). The garbage collector is off while timing and run between pairs (a full collection walks
every code's caches and is charged to whichever code set it off); ``--gc`` leaves it on, as in a
worker, where a code that allocates fewer tracked containers also pays for fewer collections.
Printed per round: CPU seconds (`time.process_time`) of each code, its ratio to the last one given,
and whether every pair's matches (offsets, token counts, matched, score) are identical. ``--profile``:
cProfile of this checkout's module over the pairs, own time per function.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def capture(db: str, out: str, limit: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from sourcetrace.align.pair import _regions
    from sourcetrace.engines.sides import Sides
    from sourcetrace.store.sqlite import Store

    store = Store(db, create=False)
    docs = {d.id: d for d in store.documents()}
    rows = store.conn.execute("SELECT a, b FROM aligned_pairs").fetchall()
    pairs = sorted((a, b) for a, b in rows if a in docs and b in docs and docs[a].lang == docs[b].lang)
    pairs = pairs[:limit or None]
    sides = Sides(store)
    got = []
    for a, b in pairs:
        sa, sb = sides(docs[a]), sides(docs[b])
        got.append((sa.text, tuple(_regions(sa)), sb.text, tuple(_regions(sb))))
    with open(out, "wb") as f:
        pickle.dump(got, f)
    print(f"{len(got)} same-language pairs captured to {out}")


def _module(root: Path, name: str):
    """``root``'s align/reuse.py as a module of its own (its imports resolve to this checkout's
    sourcetrace, the same text code on both sides)."""
    spec = importlib.util.spec_from_file_location(name, root / "src/sourcetrace/align/reuse.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def _key(matches) -> list:
    return [(m.a_start, m.a_end, m.b_start, m.b_end, m.a_tokens, m.b_tokens, m.matched, m.score) for m in matches]


def interleaved(pairs: list, roots: dict[str, Path], rounds: int, collector: bool, chunk: int = 1) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    mods = {name: _module(root, f"_reuse_{name}") for name, root in roots.items()}
    # Without --gc the collector is off while timing and run between pairs instead: a full
    # collection walks every code's caches and is charged to whichever code's allocation set it
    # off (a worker pays for it too, in proportion to what its code allocates: --gc shows that).
    if not collector:
        gc.disable()
    for r in range(rounds):
        for m in mods.values():
            m._tokenize_cached.cache_clear()  # every round tokenises afresh, as a new worker would
        cpu = dict.fromkeys(mods, 0.0)
        res: dict[str, list] = {k: [] for k in mods}
        for c, lo in enumerate(range(0, len(pairs), chunk)):
            if c % 64 == 0 and not collector:
                gc.collect()
            names = list(mods)
            for name in names[c % len(names):] + names[:c % len(names)]:  # each code first in turn
                fr = mods[name].find_reuse
                part = pairs[lo:lo + chunk]
                t0 = time.process_time()
                got = [fr(*x) for x in part]
                cpu[name] += time.process_time() - t0
                res[name] += [_key(g) for g in got]
        same = len({repr(v) for v in res.values()}) == 1
        base = list(mods)[-1]
        print(f"round {r}: pairs {len(pairs)} passages {sum(map(len, res[base]))}; find_reuse CPU s "
              + " ".join(f"{k} {v:.2f} ({v / max(cpu[base], 1e-9):.3f})" for k, v in cpu.items())
              + f"; same matches: {same}", flush=True)


def profile(pairs: list) -> None:
    import cProfile
    import io
    import pstats

    sys.path.insert(0, str(ROOT / "src"))
    mod = _module(ROOT, "_reuse_this")
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for x in pairs:
        mod.find_reuse(*x)
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = [(own, cum, calls, f"{Path(file).name}:{line}({name})")
            for (file, line, name), (_, calls, own, cum, _) in stats.stats.items()]  # type: ignore[attr-defined]
    print("own s   cum s    calls  function (by own time)")
    for o, c, n, f in sorted(rows, reverse=True)[:30]:
        print(f"{o:6.2f} {c:7.2f} {n:8d}  {f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db")
    ap.add_argument("--capture", help="write the same-language pairs' find_reuse arguments here")
    ap.add_argument("--pairs", help="pairs captured earlier")
    ap.add_argument("--against", action="append", default=[],
                    help="another checkout to compare with (repeatable; ratios are to the last one)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--gc", action="store_true", help="the garbage collector on while timing")
    args = ap.parse_args()
    if args.capture:
        capture(args.db, args.capture, args.limit)
        return
    with open(args.pairs, "rb") as f:
        pairs = pickle.load(f)[:args.limit or None]
    if args.profile:
        profile(pairs)
    else:
        roots = {"this": ROOT} | {Path(a).resolve().name: Path(a).resolve() for a in args.against}
        interleaved(pairs, roots, args.rounds, args.gc)


if __name__ == "__main__":
    main()
