"""Pair alignment's CPU over the pairs a traced store aligned: this checkout's code against
another's, alternating, each in a process of its own (issue 18: alignment, the `align` stage and
the pairs aligned ahead in the candidates stage, is one of a trace's largest CPU items).

    .venv/bin/python bench/align_cpu.py --db STORE [--against CHECKOUT] [--rounds 3] [--profile]

Each run reads the documents and the pairs the store holds as aligned (same-language pairs first,
as the candidates stage aligns them ahead, then the others), and aligns them all in one process as
a pair worker does (engines/workers.py: one BLAS thread, its memo of vectors and sides), the
vectors read from the store and not stored (a same-language pair's screened units are encoded
on demand, as ahead of the encode stage), the encoder loaded before timing. Printed per run:
the CPU seconds (`time.process_time`) of aligning, of pickling the results as a worker returns
them, and of storing them (into an in-memory store of the same schema), and a digest of every
pair's passages: the same digest, the same answers. Then the medians per code and their ratio.
``--interleaved``: both codes in this one process instead, chunk by chunk of 48 pairs in turn
(which goes first alternating), so the load of a shared machine weighs on both alike; each copy of
the code has its own caches, as a worker of its own would. ``--profile``: cProfile of one run of this checkout, its time per function of align/ (own time)
and the cumulative time of the larger steps. The store is opened read only (a copy is safer).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(db: str, profile: bool, limit: int) -> dict:
    import pickle
    import time

    from sourcetrace import pipeline
    from sourcetrace.encode import get_encoder
    from sourcetrace.encode import vectors as vmod
    from sourcetrace.engines.sides import Sides
    from sourcetrace.engines.workers import WORKER_MEMO, one_thread
    from sourcetrace.store.sqlite import Store

    store = Store(db, create=False)
    docs = {d.id: d for d in store.documents()}
    enc = get_encoder(pipeline.FAST_ENCODER)
    keep = one_thread()  # noqa: F841 (held: the limit lasts while referenced)
    vmod.MEMO_SIZE = WORKER_MEMO
    settings = pipeline.alignment_settings(enc, 0.5)
    pairs = sorted(store.aligned(settings))
    same = [p for p in pairs if docs[p[0]].lang == docs[p[1]].lang]
    pairs = (same + [p for p in pairs if docs[p[0]].lang != docs[p[1]].lang])[:limit or None]
    enc.encode(["warm"])
    get_encoder("static").encode(["warm"])
    sides, vectors = Sides(store), vmod.StoreVectors(store, keep=False)
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile(time.process_time)  # CPU, not the wall of a shared machine
        prof.enable()
    from sourcetrace.align import pair

    t0 = time.process_time()
    out = []
    for lo in range(0, len(pairs), 48):  # a worker's chunks
        chunk = [(docs[a], docs[b]) for a, b in pairs[lo:lo + 48]]
        out += [(a.id, b.id, ps) for (a, b), ps in zip(chunk, _chunk(pair, [(sides(a), sides(b)) for a, b in chunk],
                                                                       enc, vectors), strict=True)]
    t_align = time.process_time() - t0
    if prof is not None:
        prof.disable()
    t0 = time.process_time()
    for i in range(0, len(out), 48):  # a worker's chunk, pickled there and unpickled here
        pickle.loads(pickle.dumps(out[i:i + 48]))
    t_pickle = time.process_time() - t0
    mem = Store(":memory:")
    mem.conn.execute("PRAGMA foreign_keys=OFF")  # its documents are not copied
    t0 = time.process_time()
    for a, b, found in out:
        mem.put_alignment(a, b, settings, found)
    t_store = time.process_time() - t0
    digest = hashlib.sha1(json.dumps([[a, b, [[p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end, p.kind, repr(p.score)]
                                               for p in ps]] for a, b, ps in out]).encode()).hexdigest()
    res = {"pairs": len(pairs), "same": min(len(same), len(pairs)), "align": t_align, "pickle": t_pickle,
           "store": t_store, "digest": digest[:12], "passages": sum(len(ps) for _, _, ps in out)}
    if prof is not None:
        res["profile"] = table(prof)
    return res


def _chunk(pair: object, sides: list, enc: object, vectors: object) -> list:
    """A worker's chunk of pairs as a checkout's code aligns it (engines/workers.py _align_chunk):
    its static rows prepared, then the pairs together (``align_many``) or one by one (older code)."""
    prepare, many = getattr(pair, "prepare", None), getattr(pair, "align_many", None)
    if prepare is not None:
        prepare(sides, enc)
    if many is not None:
        return many(sides, encoder=enc, vectors=vectors)
    return [pair.align(a, b, encoder=enc, vectors=vectors) for a, b in sides]  # type: ignore[attr-defined]


def _loaded(root: Path) -> dict:
    """A checkout's modules that alignment runs through, imported afresh from ``root``/src (the
    names of another checkout's copy are let go of first; its functions keep their own)."""
    import importlib

    for name in [k for k in sys.modules if k == "sourcetrace" or k.startswith("sourcetrace.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root / "src"))
    try:
        names = ("pipeline", "align.pair", "encode", "encode.vectors", "engines.sides", "engines.workers",
                 "store.sqlite")
        return {n: importlib.import_module(f"sourcetrace.{n}") for n in names}
    finally:
        sys.path.remove(str(root / "src"))


def interleaved(db: str, roots: dict[str, Path], limit: int, chunk: int = 48) -> dict:
    """Both checkouts' alignment in this one process, chunk by chunk of pairs in turn (which goes
    first alternating): the load of a shared machine weighs on both alike. Each copy has its own
    caches (sides, vectors, static rows, tokens), as a worker of its own would."""
    import time

    codes = {}
    for name, root in roots.items():
        m = _loaded(root)
        store = m["store.sqlite"].Store(db, create=False)
        enc = m["encode"].get_encoder(m["pipeline"].FAST_ENCODER)
        m["encode.vectors"].MEMO_SIZE = m["engines.workers"].WORKER_MEMO
        enc.encode(["warm"])
        m["encode"].get_encoder("static").encode(["warm"])
        codes[name] = (m, store, enc, m["engines.sides"].Sides(store), m["encode.vectors"].StoreVectors(store, keep=False))
    m, store = codes["this"][0], codes["this"][1]
    keep = m["engines.workers"].one_thread()  # noqa: F841 (held: the limit lasts while referenced)
    docs = {d.id: d for d in store.documents()}
    pairs = sorted(store.aligned(m["pipeline"].alignment_settings(codes["this"][2], 0.5)))
    same = [p for p in pairs if docs[p[0]].lang == docs[p[1]].lang]
    pairs = (same + [p for p in pairs if docs[p[0]].lang != docs[p[1]].lang])[:limit or None]
    cpu = dict.fromkeys(codes, 0.0)
    out: dict[str, list] = {k: [] for k in codes}
    for c, lo in enumerate(range(0, len(pairs), chunk)):
        order = list(codes) if c % 2 == 0 else list(codes)[::-1]
        for name in order:
            mods, st, enc, sides, vectors = codes[name]
            docs_of = {d: docs[d] for p in pairs[lo:lo + chunk] for d in p}
            t0 = time.process_time()
            found = _chunk(mods["align.pair"], [(sides(docs_of[a]), sides(docs_of[b])) for a, b in pairs[lo:lo + chunk]],
                           enc, vectors)
            got = [(a, b, ps) for (a, b), ps in zip(pairs[lo:lo + chunk], found, strict=True)]
            cpu[name] += time.process_time() - t0
            out[name] += got
    digests = {k: hashlib.sha1(json.dumps([[a, b, [[p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end, p.kind,
                                                     repr(p.score)] for p in ps]] for a, b, ps in v]).encode()
                                ).hexdigest()[:12] for k, v in out.items()}
    return {"pairs": len(pairs), "cpu": cpu, "digests": digests}


def table(prof: object) -> str:
    import io
    import pstats

    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    for (file, line, name), (_, calls, own, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((own, cum, calls, f"{'/'.join(Path(file).parts[-2:])}:{line}({name})"))
    lines = ["own s   cum s    calls  function (by own time)"]
    lines += [f"{o:6.2f} {c:7.2f} {n:8d}  {f}" for o, c, n, f in sorted(rows, reverse=True)[:45]]
    lines += ["", "cumulative, align/ and encode/ functions"]
    lines += [f"{o:6.2f} {c:7.2f} {n:8d}  {f}" for o, c, n, f in sorted(rows, key=lambda r: -r[1])
              if ("align/" in f or "encode/" in f) and c > 0.05][:45]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--against", help="another checkout (its src/) to compare with")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="the first N pairs only")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--interleaved", action="store_true",
                    help="with --against: both codes in one process, chunk by chunk in turn")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.interleaved and args.against:
        got = interleaved(args.db, {"this": ROOT, "other": Path(args.against).resolve()}, args.limit)
        cpu = got["cpu"]
        print(f"pairs {got['pairs']}: align CPU s this {cpu['this']:.2f} other {cpu['other']:.2f} "
              f"this/other {cpu['this'] / max(cpu['other'], 1e-9):.3f}; digests {got['digests']} "
              f"same: {len(set(got['digests'].values())) == 1}")
        return
    if args.child:
        sys.path.insert(0, str(Path(args.child) / "src"))
        print(json.dumps(run(args.db, args.profile, args.limit)))
        return
    codes = {"this": ROOT} | ({"other": Path(args.against).resolve()} if args.against else {})
    got: dict[str, list[dict]] = {k: [] for k in codes}
    for r in range(1 if args.profile else args.rounds):
        for name, root in codes.items():
            env = dict(os.environ, PYTHONPATH=str(root / "src"))
            cmd = [sys.executable, __file__, "--db", args.db, "--child", str(root), "--limit", str(args.limit)]
            if args.profile and name == "this":
                cmd.append("--profile")
            res = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
            if "profile" in res:
                print(res.pop("profile"))
            got[name].append(res)
            print(f"round {r} {name}: " + " ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                                   for k, v in res.items()), flush=True)
    med = {k: {s: statistics.median(x[s] for x in v) for s in ("align", "pickle", "store")} for k, v in got.items()}
    for k, m in med.items():
        print(f"median {k}: " + " ".join(f"{s} {v:.2f}" for s, v in m.items()))
    if args.against:
        for s in ("align", "pickle", "store"):
            print(f"{s}: this/other {med['this'][s] / max(med['other'][s], 1e-9):.3f}")
        print("same digests:", {x["digest"] for v in got.values() for x in v}.__len__() == 1)


if __name__ == "__main__":
    main()
