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
``--profile``: cProfile of one run of this checkout, its time per function of align/ (own time)
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
    from sourcetrace.align.pair import align
    from sourcetrace.encode import get_encoder
    from sourcetrace.encode import vectors as vmod
    from sourcetrace.engines.sides import Sides
    from sourcetrace.engines.workers import WORKER_MEMO, one_thread
    from sourcetrace.store.sqlite import Store

    store = Store(db, create=False)
    docs = {d.id: d for d in store.documents()}
    enc = get_encoder(pipeline.FAST_ENCODER)
    keep = one_thread(enc)  # noqa: F841 (held: the limit lasts while referenced)
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
    t0 = time.process_time()
    out = [(a, b, align(sides(docs[a]), sides(docs[b]), encoder=enc, vectors=vectors)) for a, b in pairs]
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
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
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
