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
With ``--stages``, also the CPU seconds of each stage, by kind of process: the process tree's
CPU sampled every 0.2 s, each interval given to the stage running then (the local engine's
stage lines on standard error; Spark's jobs by job group, read from its REST API while it runs).
The local engine's voting vectors and facts run in its workers beside its first stages, and
are counted under them.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime
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
        # Seconds by process, and what each runs (kinds()), by (pid, start time): pids are
        # recycled (pid_max 32768 on a busy machine), and a worker that got a dead one's pid
        # wrote over its seconds (16 s of 272 in one 5,000-document Spark run).
        self.cpu: dict[tuple[int, int], float] = {}
        self.kind: dict[tuple[int, int], str] = {}
        self.series: list[tuple[float, dict[str, float]]] = []  # (time, CPU seconds by kind so far)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        ticks: dict[int, float] = {}
        started: dict[int, int] = {}
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
                pid = int(stat.split("/")[2])
                children.setdefault(int(fields[1]), []).append(pid)
                ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
                started[pid] = int(fields[19])
            except (OSError, ValueError, IndexError):
                continue
        out, todo = [], [self.pid]
        hz = os.sysconf("SC_CLK_TCK")
        while todo:
            p = todo.pop()
            out.append(p)
            if p in ticks:
                key = (p, started[p])
                self.cpu[key] = ticks[p] / hz
                self.kind[key] = _kind(p, self.kind.get(key, "?"))  # read again: a launcher script execs java
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
            self.series.append((time.time(), self.by_kind()))
            self._stop.wait(0.2)

    def by_kind(self) -> dict[str, float]:
        """CPU seconds by kind of process: the JVM, PySpark's worker daemon and the workers it
        forks, the driver (or the local engine and its workers)."""
        out: dict[str, float] = {}
        for key, seconds in self.cpu.items():
            out[self.kind.get(key, "?")] = out.get(self.kind.get(key, "?"), 0.0) + seconds
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


STAGE_LINE = re.compile(r"^sourcetrace: (.+?)(?: \d+(?:/\d+)?)?, [\d.]+ s$")


class StageLines:
    """When the local engine's stages start: its stage lines on standard error (``sourcetrace:
    NAME[ n/total], X s``; a line whose name differs from the last starts a stage), read as
    they come."""

    def __init__(self, log: Path) -> None:
        self.log, self.marks, self._stop = log, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        offset, rest, last = 0, "", None
        while True:
            stopping = self._stop.is_set()
            try:
                with open(self.log, encoding="utf-8", errors="replace") as fh:
                    fh.seek(offset)
                    chunk = fh.read()
                    offset = fh.tell()
            except OSError:
                chunk = ""
            now = time.time()
            lines = (rest + chunk).split("\n")
            rest = lines.pop()
            for line in lines:
                m = STAGE_LINE.match(line.strip())
                name = "done" if line.startswith("sourcetrace: done in") else m.group(1) if m else None
                if name and name != last:
                    self.marks.append((now, name))
                    last = name
            if stopping:
                return
            self._stop.wait(0.2)

    def stop(self) -> list[tuple[float, str]]:
        self._stop.set()
        self._thread.join()
        return self.marks


class SparkJobs:
    """Spark's jobs (job group, submitted, completed), read from the REST API of the UI on
    ``port`` every 2 s while the application runs."""

    def __init__(self, port: int) -> None:
        self.base, self.jobs, self._stop = f"http://127.0.0.1:{port}/api/v1/applications", {}, threading.Event()
        self.spilled: dict[int, int] = {}  # bytes spilled to disk by stage (the Python workers' spills too)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _get(self, url: str):
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.loads(r.read())

    def _run(self) -> None:
        n = 0
        while not self._stop.wait(2.0):
            n += 1
            try:
                for app in self._get(self.base):
                    for job in self._get(f"{self.base}/{app['id']}/jobs"):
                        self.jobs[job["jobId"]] = job
                    if n % 5 == 0:
                        for stage in self._get(f"{self.base}/{app['id']}/stages?status=complete"):
                            self.spilled[stage["stageId"]] = stage.get("diskBytesSpilled", 0)
            except (OSError, ValueError):
                continue

    def spills(self) -> dict[str, int]:
        """Bytes spilled to disk by job group (of the stages seen complete)."""
        out: dict[str, int] = {}
        for job in self.jobs.values():
            group = (job.get("jobGroup") or "?").removeprefix("sourcetrace:")
            for stage in job.get("stageIds", []):
                out[group] = out.get(group, 0) + self.spilled.pop(stage, 0)
        return out

    def stop(self) -> list[tuple[float, float, str]]:
        """(start, end, job group) of each job seen, in seconds since the epoch."""
        self._stop.set()
        self._thread.join()

        def seconds(stamp: str) -> float:
            return datetime.strptime(stamp.replace("GMT", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()

        out = []
        for job in self.jobs.values():
            if "submissionTime" in job:
                end = seconds(job["completionTime"]) if "completionTime" in job else time.time()
                out.append((seconds(job["submissionTime"]), end, job.get("jobGroup") or "?"))
        return sorted(out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_by_stage(series: list[tuple[float, dict[str, float]]], stage_at: Callable[[float], str]
                 ) -> dict[str, tuple[float, dict[str, float]]]:
    """Each stage's wall seconds and CPU seconds by kind of process: every interval between two
    samples given to ``stage_at`` its middle."""
    out: dict[str, tuple[float, dict[str, float]]] = {}
    for (t0, c0), (t1, c1) in zip(series, series[1:], strict=False):
        name = stage_at((t0 + t1) / 2)
        wall, cpu = out.get(name, (0.0, {}))
        for k, v in c1.items():
            cpu[k] = cpu.get(k, 0.0) + max(0.0, v - c0.get(k, 0.0))
        out[name] = (wall + t1 - t0, cpu)
    return out


def print_stages(label: str, stages: dict[str, tuple[float, dict[str, float]]]) -> None:
    print(f"  {label} by stage (CPU s: all, then by kind of process; wall s):", flush=True)
    for name, (wall, cpu) in sorted(stages.items(), key=lambda kv: -sum(kv[1][1].values())):
        kinds = ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1]) if v >= 0.05)
        print(f"    {name:<32} CPU {sum(cpu.values()):7.1f} ({kinds}); wall {wall:6.1f}", flush=True)


def local_stages(tree: PeakTree, marks: list[tuple[float, str]]) -> dict:
    def stage_at(t: float) -> str:
        found = "start"
        for when, name in marks:
            if when > t:
                break
            found = name
        return found

    return cpu_by_stage(tree.series, stage_at)


def spark_stages(tree: PeakTree, jobs: list[tuple[float, float, str]]) -> dict:
    def stage_at(t: float) -> str:
        running = [g for start, end, g in jobs if start <= t <= end]
        if running:
            return running[-1].removeprefix("sourcetrace:")
        return "(no job: driver, JVM start and stop)"

    return cpu_by_stage(tree.series, stage_at)


class Run:
    """``sourcetrace`` with ``args`` in its own process, started at once; :meth:`finish` waits and
    gives wall seconds, peak bytes, exit code and CPU seconds of the process tree (PeakTree). Its
    output goes to ``log``, its messages to ``log`` with ``.err`` added."""

    def __init__(self, args: list[str], log: Path, src: Path = ROOT / "src") -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])}
        self.t = time.perf_counter()
        with open(log, "w") as fh, open(f"{log}.err", "w") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "sourcetrace", *args], stdout=fh, stderr=err, env=env)
        self.tree = PeakTree(self.proc.pid)
        self.err = Path(f"{log}.err")

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
    ap.add_argument("--stages", action="store_true", help="CPU seconds by stage and kind of process, both engines")
    ap.add_argument("--src", type=Path, default=ROOT / "src",
                    help="the source tree both engines run (default: this checkout's)")
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
        ui = [f"spark.ui.port={free_port()}", "spark.ui.retainedJobs=100000"] if args.stages else []
        confs = [x for kv in ["spark.ui.showConsoleProgress=false", *ui, *args.conf] for x in ("--conf", kv)]
        spark_args = ["trace", *inputs, "--out", str(spark_out), "--engine", "spark", "--master", args.master,
                      "--json", *confs]
        spark_run = Run(spark_args, work / "spark.json", args.src) if args.together else None
        jobs = SparkJobs(int(ui[0].split("=")[1])) if args.stages and spark_run else None
        if not args.spark_only:
            local_run = Run(["trace", *inputs, "--out", str(local_out), "--db", str(db)], work / "local.log", args.src)
            lines = StageLines(local_run.err) if args.stages else None
            lt, lm, lc, lcpu = local_run.finish()
            print(f"local engine: {lt:.1f} s, peak {lm / 2**20:.0f} MiB, CPU {lcpu:.1f} s (exit {lc}); "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            if lines:
                print_stages("local engine", local_stages(local_run.tree, lines.stop()))
        if spark_run is None:
            spark_run = Run(spark_args, work / "spark.json", args.src)
            jobs = SparkJobs(int(ui[0].split("=")[1])) if args.stages else None
        spark_tree = spark_run.tree
        st, sm, sc, scpu = spark_run.finish()
        if jobs:
            print_stages("spark engine", spark_stages(spark_tree, jobs.stop()))
            spilled = {k: v for k, v in jobs.spills().items() if v}
            print("  spark bytes spilled to disk by stage: " + (", ".join(
                f"{k} {v / 2**20:.1f} MiB" for k, v in sorted(spilled.items(), key=lambda kv: -kv[1])) or "none"))
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
