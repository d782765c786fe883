"""Who spends a trace's CPU, stage by stage: each thread of the tracing process and each worker
process (the document workers, the facts workers after candidates, the pair workers).

    python bench/stage_threads.py CORPUS --db STORE --out OUT [--stage candidates] [--interval 0.2]

Why it exists: bench/cores.py gives a stage's CPU for the whole process tree, and py-spy
overcounts niced workers; this says which of the tracing process's threads (main, the topic
search beside the MinHash candidates, the pairs aligned ahead, the pools' queue threads) and
which worker processes the stage's CPU went to, and how many BLAS/OpenMP threads each has. It
runs the trace in this process (as ``sourcetrace trace``: read, then every stage), samples
/proc/self/task and the workers' /proc/PID/stat every interval (a thread or worker that ends
keeps its last sample) and at every stage's start. Linux only.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import defaultdict
from contextlib import suppress
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _ticks(stat: Path) -> tuple[float, int] | None:
    """(CPU seconds, threads) of a /proc stat file; None once it is gone."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK, int(fields[17])


class Sampler:
    """The last CPU seen of every thread here and every registered worker, by label."""

    def __init__(self) -> None:
        self.labels: dict[int, str] = {}  # native thread id -> label
        self.pools: list[tuple[str, object]] = []  # (label, DocumentWork or PairWork)
        self.seen: dict[str, float] = {}  # "thread:<label>:<tid>" or "proc:<label>:<pid>" -> CPU s
        self.threads: dict[str, int] = {}  # worker key -> OS threads it had
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def label(self, tid: int) -> str:
        if tid in self.labels:
            return self.labels[tid]
        names = {t.native_id: t.name for t in threading.enumerate()}
        return names.get(tid, "native")  # a thread Python did not start (BLAS, OpenMP, SQLite)

    def sample(self) -> dict[str, float]:
        with self.lock:
            for task in Path("/proc/self/task").iterdir():
                got = _ticks(task / "stat")
                if got is not None:
                    tid = int(task.name)
                    self.seen[f"thread:{self.label(tid)}:{tid}"] = got[0]
            for name, owner in self.pools:
                pool = getattr(owner, "pool", None)
                for pid in list(getattr(pool, "_processes", None) or {}):
                    got = _ticks(Path(f"/proc/{pid}/stat"))
                    if got is not None:
                        self.seen[f"proc:{name}:{pid}"] = got[0]
                        self.threads[f"proc:{name}:{pid}"] = got[1]
                        # its threads besides the main one: BLAS/OpenMP (a worker starts no Python thread that works)
                        with suppress(OSError):
                            for task in Path(f"/proc/{pid}/task").iterdir():
                                if task.name != str(pid) and (t := _ticks(task / "stat")) is not None:
                                    self.seen[f"proc:{name} (not main thread):{task.name}"] = t[0]
            return dict(self.seen)

    def run(self, every: float) -> None:
        while not self.stop.wait(every):
            self.sample()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stage", action="append", help="stages to print (default: every one)")
    ap.add_argument("--interval", type=float, default=0.2)
    ap.add_argument("--profile", type=int, metavar="N", default=0,
                    help="cProfile the candidates stage's main thread in its CPU time (time.thread_time; "
                         "the other threads are not profiled) and print its N costliest functions")
    args = ap.parse_args(argv)

    from sourcetrace.engines import local, workers
    from sourcetrace.engines.ingest import ingest
    from sourcetrace.store.sqlite import Store

    sampler = Sampler()
    for cls, names in [(workers.DocumentWork, None), (workers.PairWork, "pair")]:
        original = cls.__init__

        def registered(self, *a, _original=original, _name=names, **k) -> None:
            _original(self, *a, **k)
            label = _name or ("documents" if getattr(self, "nice", 0) else "after")
            sampler.pools.append((label, self))

        cls.__init__ = registered
    search = local.search_neighbours

    def labelled_search(*a, **k):
        sampler.labels[threading.get_native_id()] = "search"
        return search(*a, **k)

    local.search_neighbours = labelled_search
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.thread_time)
        sets = local.candidate_sets

        def profiled(*a, **k):
            return profiler.runcall(sets, *a, **k)

        local.candidate_sets = profiled
    sampler.labels[threading.get_native_id()] = "main"

    marks: list[tuple[str, float, float, dict[str, float]]] = []  # (stage, wall, process CPU, samples)

    def stage(name: str) -> None:
        marks.append((name, time.monotonic(), time.process_time(), sampler.sample()))
        print(f"stage_threads: {name}", file=sys.stderr, flush=True)

    threading.Thread(target=sampler.run, args=(args.interval,), daemon=True, name="sampler").start()
    with Store(Path(args.db)) as store:
        stage("read")
        report = ingest([args.corpus], store, workers=workers.default_workers())
        docs = list(store.documents(report.files))
        local.trace_documents(store, docs, progress=local.Progress(stage=stage), out=Path(args.out))
        stage("end")
    sampler.stop.set()
    wanted = set(args.stage or [m[0] for m in marks[:-1]])
    for (name, wall0, _, s0), (_, wall1, _, s1) in zip(marks, marks[1:], strict=False):
        if name not in wanted:
            continue
        # a thread or worker gone before the stage's end keeps its last sample (in s1: sampled cumulatively)
        spent: dict[str, float] = defaultdict(float)
        for key, cpu in s1.items():
            d = cpu - s0.get(key, 0.0)
            if d > 0.005:
                kind, label, _ = key.split(":")
                spent[f"{kind}:{label}"] += d
        total = sum(spent.values())
        print(f"\n{name}: wall {wall1 - wall0:.1f} s, CPU {total:.1f} s ({total / max(wall1 - wall0, 1e-9):.2f} cores)")
        for key, cpu in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {key:40s} {cpu:7.1f} s  {100 * cpu / max(total, 1e-9):5.1f}%")
    if args.profile:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumtime").print_stats(args.profile)
    print("\nworker OS threads (last seen):", dict(sorted(sampler.threads.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
