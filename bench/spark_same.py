"""Same answers from the Spark engine as from the local engine, and what each costs.

    .venv/bin/python bench/spark_same.py [--docs 2000] [--seed 7] [--master local[2]] [--keep DIR]
    .venv/bin/python bench/spark_same.py --seeds        # the seed corpus (../shared/corpora/seeds)
    .venv/bin/python bench/spark_same.py --docs 25000 --timing   # wall time and peak memory only
    .venv/bin/python bench/spark_same.py --keep DIR --spark-only --conf spark.eventLog.enabled=true ...

Writes a planted corpus (bench/synthetic.py, as bench/trace.py does), traces it with the local
engine (``sourcetrace trace`` into a fresh store) and with ``--engine spark --master local[2]``,
each in its own process (one after the other, or with ``--together`` at the same time, sharing
the cores and meeting the same load from the rest of the machine), and prints: wall time and
CPU seconds of both, the ratios, the peak memory of each process tree (sampled every 0.2 s: the
Spark run counts its JVM and Python workers), the Spark run's seconds by stage (each stage is a job group, ``sourcetrace:STAGE``), and whether the
contract files are the same once sorted (bench/same_outputs.py: documents, sentences, passages,
relations, families, facts, fact diffs, texts; floats within 1e-6), with the first differences.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from same_outputs import dir_differences, load_jsonl  # noqa: E402

TOLERANCE = 1e-6


class PeakTree:
    """Peak resident memory of a process and its descendants, and the CPU seconds they used,
    sampled every 0.2 s (/proc): each process's user + system time as last seen (the JVM that
    PySpark starts is never waited for, so its time never reaches the parent's rusage)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.cpu: dict[int, float] = {}  # seconds by process
        self.kind: dict[int, str] = {}  # what each process runs (kinds())
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        ticks: dict[int, float] = {}
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
                pid = int(stat.split("/")[2])
                children.setdefault(int(fields[1]), []).append(pid)
                ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
            except (OSError, ValueError, IndexError):
                continue
        out, todo = [], [self.pid]
        hz = os.sysconf("SC_CLK_TCK")
        while todo:
            p = todo.pop()
            out.append(p)
            if p in ticks:
                self.cpu[p] = ticks[p] / hz
                self.kind[p] = _kind(p, self.kind.get(p, "?"))  # read again: a launcher script execs java
            todo += children.get(p, [])
        return out

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            total = 0
            for p in self._tree():
                try:
                    total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
                except (OSError, ValueError, IndexError):
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def by_kind(self) -> dict[str, float]:
        """CPU seconds by kind of process: the JVM, PySpark's worker daemon and the workers it
        forks, the driver (or the local engine and its workers)."""
        out: dict[str, float] = {}
        for pid, seconds in self.cpu.items():
            out[self.kind.get(pid, "?")] = out.get(self.kind.get(pid, "?"), 0.0) + seconds
        return out

    def stop(self) -> tuple[int, float]:
        """Peak bytes and CPU seconds."""
        self._stop.set()
        self._thread.join()
        return self.peak, sum(self.cpu.values())


def _kind(pid: int, was: str) -> str:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return was
    if not cmd[0]:  # exiting: its command line is gone
        return was
    if cmd[0].endswith(b"java"):
        return "jvm"
    if b"python" in cmd[0]:
        return "python workers" if b"pyspark.worker" in cmd else "python"
    return "other"


class Run:
    """``sourcetrace`` with ``args`` in its own process, started at once; :meth:`finish` waits and
    gives wall seconds, peak bytes, exit code and CPU seconds of the process tree (PeakTree). Its
    output goes to ``log``, its messages to ``log`` with ``.err`` added."""

    def __init__(self, args: list[str], log: Path) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        self.t = time.perf_counter()
        with open(log, "w") as fh, open(f"{log}.err", "w") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "sourcetrace", *args], stdout=fh, stderr=err, env=env)
        self.tree = PeakTree(self.proc.pid)

    def finish(self) -> tuple[float, int, int, float]:
        code = self.proc.wait()
        peak, cpu = self.tree.stop()
        return time.perf_counter() - self.t, peak, code, cpu


def stage_seconds(report: Path) -> str:
    """The stages of a ``trace --engine spark --json`` report by wall seconds, longest first."""
    seconds = json.loads(report.read_text(encoding="utf-8"))["seconds"]
    total = sum(seconds.values())
    return f"{total:.1f} s in all; " + ", ".join(
        f"{name} {s:.1f}" for name, s in sorted(seconds.items(), key=lambda kv: -kv[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--seeds", action="store_true", help="the seed corpus instead of a planted one")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--timing", action="store_true", help="wall time and memory only, no comparison")
    ap.add_argument("--keep", type=Path, help="keep the corpus and outputs in this directory")
    ap.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                    help="a Spark setting for the Spark run (repeatable), e.g. spark.eventLog.enabled=true")
    ap.add_argument("--together", action="store_true",
                    help="start both engines at once (each then meets the same load from the rest of the machine)")
    ap.add_argument("--spark-only", action="store_true",
                    help="only the Spark run (its outputs compared with a kept local run's, if any)")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="spark-same-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.seeds:
            inputs = sorted(glob.glob(str(ROOT.parent / "shared" / "corpora" / "seeds" / "*.txt")))
            label = f"seeds ({len(inputs)} files)"
        else:
            import synthetic

            corpus = work / "corpus"
            if not corpus.exists():
                synthetic.planted_corpus(corpus, args.docs, seed=args.seed)
            inputs = [str(corpus)]
            label = f"planted corpus of {args.docs} documents (seed {args.seed})"
        print(f"{label}; Spark master {args.master}", flush=True)
        local_out, spark_out = work / "local", work / "spark"
        db = work / "local.db"
        for p in (spark_out,) if args.spark_only else (local_out, spark_out, db):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        lt, lc, lcpu = 0.0, 0, 0.0
        confs = [x for kv in ["spark.ui.showConsoleProgress=false", *args.conf] for x in ("--conf", kv)]
        spark_args = ["trace", *inputs, "--out", str(spark_out), "--engine", "spark", "--master", args.master,
                      "--json", *confs]
        spark_run = Run(spark_args, work / "spark.json") if args.together else None
        if not args.spark_only:
            lt, lm, lc, lcpu = Run(["trace", *inputs, "--out", str(local_out), "--db", str(db)],
                                   work / "local.log").finish()
            print(f"local engine: {lt:.1f} s, peak {lm / 2**20:.0f} MiB, CPU {lcpu:.1f} s (exit {lc}); "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
        spark_run = spark_run or Run(spark_args, work / "spark.json")
        spark_tree = spark_run.tree
        st, sm, sc, scpu = spark_run.finish()
        ratio = f"; ratio spark/local {st / lt:.2f} (CPU {scpu / lcpu:.2f})" if lt else ""
        print(f"spark engine ({args.master}): {st:.1f} s, peak {sm / 2**20:.0f} MiB, CPU {scpu:.1f} s "
              f"(exit {sc}){ratio}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        print("  spark CPU by process: " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(
            spark_tree.by_kind().items(), key=lambda kv: -kv[1])), flush=True)
        if not sc:
            print("  spark seconds by stage (its job group sourcetrace:STAGE; the rest is the JVM's start and stop): "
                  + stage_seconds(work / "spark.json"), flush=True)
        if args.timing or lc or sc:
            if lc or sc:
                print(f"a run failed: see {work}/local.log.err and {work}/spark.json.err")
            return
        if not local_out.is_dir():
            return
        diffs = dir_differences(local_out, spark_out, tol=TOLERANCE)
        for path in sorted(local_out.glob("*.jsonl")):
            lines = diffs.get(path.name, [])
            print(f"  {path.stem:<11} {len(load_jsonl(path)):>8} records: {'same' if not lines else 'DIFFERENT'}")
            for line in lines[:4]:
                print(f"      {line[:300]}")
        print("same answers" if not diffs else "answers differ")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
