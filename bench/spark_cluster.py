"""A real Spark standalone cluster on this machine: a master and two workers, each its own JVM
process started with pyspark's own ``spark-class`` (the Master and Worker of the pyspark wheel;
no Spark download), a job submitted to ``spark://127.0.0.1:PORT``, the answers compared with the
local engine's, and every process stopped, also when something fails.

    .venv/bin/python bench/spark_cluster.py [--workers 2] [--cores 1] [--memory 1g] [--keep DIR]

What runs on the cluster: the seeds (``../shared/corpora/seeds``) are read, segmented and split
into sentences by sourcetrace's own stages (``pipeline.read``, ``pipeline.segment``) inside the
executors, one file per task, and their documents and sentences must equal what the local engine
stores for the same files. Printed: seconds to start the master, to have every worker registered
(ALIVE in the master's ``/json``), the job's wall time and the executors that ran it (one per
worker), and the stop time. With the Spark engine in the tree (``trace --engine spark``), the
whole trace of the seeds is also run on the cluster and its documents, passages, relations and
families compared with a local trace's (sorted; scores within 1e-6), and its wall time printed
beside the same trace on ``--master local[2]`` (one JVM, the same 2 cores) and the local engine's.

:func:`standalone_cluster` is the harness, for tests (tests/test_spark_cluster.py) and benches.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "corpora" / "seeds"
sys.path.insert(0, str(ROOT / "src"))

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"


@dataclass
class Cluster:
    """A running standalone cluster: its master URL, web UI, and the processes started for it."""

    master_url: str
    webui: str
    workdir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def state(self) -> dict:
        """The master's view (its ``/json`` page): workers, their state, cores, applications."""
        with urllib.request.urlopen(f"{self.webui}/json/", timeout=5) as page:
            return json.load(page)

    def alive_workers(self) -> int:
        return sum(w.get("state") == "ALIVE" for w in self.state().get("workers", []))

    def logs(self, lines: int = 15) -> str:
        """The last lines of every process's log, for an error that says what went wrong."""
        out = []
        for log in sorted(self.workdir.glob("*.log")):
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(out)


def spark_home() -> Path:
    """The Spark distribution inside the pyspark wheel (bin/spark-class, jars/)."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def java_home() -> str | None:
    """$JAVA_HOME, else the JDK 17 Debian installs (what Spark 4 needs), else None (java on PATH)."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    for candidate in ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64"):
        if Path(candidate, "bin", "java").exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cls: str, args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """One JVM through spark-class (which execs java: the process is the JVM), in its own
    process group so that stopping it reaches anything it started."""
    with open(log, "wb") as fh:
        return subprocess.Popen([str(spark_home() / "bin" / "spark-class"), cls, *args], stdout=fh,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _stop(processes: list[subprocess.Popen], grace: float = 20.0) -> None:
    """SIGTERM to each process group, then SIGKILL to what is left after `grace` seconds."""
    for p in reversed(processes):  # workers first, then the master
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in processes:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)


@contextlib.contextmanager
def standalone_cluster(workers: int = 2, cores: int = 1, memory: str = "1g", workdir: Path | None = None,
                       timeout: float = 180.0) -> Iterator[Cluster]:
    """A master and `workers` workers on 127.0.0.1, each worker offering `cores` cores and
    `memory`; yields once every worker is registered. Every process is stopped when the block
    ends, raises or is interrupted (and at exit, should the block never end)."""
    own = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="spark_cluster_")) if own else workdir
    workdir.mkdir(parents=True, exist_ok=True)
    port, ui = free_port(), free_port()
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_LOG_DIR": str(workdir), "SPARK_WORKER_DIR": str(workdir / "work"),
           "SPARK_NO_DAEMONIZE": "1", "PYSPARK_PYTHON": sys.executable}
    if java_home():
        env["JAVA_HOME"] = java_home()
    cluster = Cluster(f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui}", workdir)
    stop = lambda: _stop(cluster.processes)  # noqa: E731
    atexit.register(stop)
    # A SIGTERM (a timeout, a CI runner stopping the job) ends Python without running `finally`
    # or atexit, and the JVMs, in their own process groups, would outlive it: make it an exit.
    previous = signal.signal(signal.SIGTERM, _exit_on_term) if _main_thread() else None
    try:
        t = time.perf_counter()
        cluster.processes.append(_start(MASTER, ["--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui)],
                                        workdir / "master.log", env))
        _wait(cluster, lambda: cluster.state() is not None, timeout, "the master to answer on its web UI")
        cluster.seconds["master up"] = time.perf_counter() - t
        for i in range(workers):
            cluster.processes.append(_start(
                WORKER, ["--host", "127.0.0.1", "--cores", str(cores), "--memory", memory,
                         "--webui-port", str(free_port()), "--work-dir", str(workdir / f"work{i}"),
                         cluster.master_url], workdir / f"worker{i}.log", env))
        _wait(cluster, lambda: cluster.alive_workers() >= workers, timeout, f"{workers} workers to register")
        cluster.seconds["workers registered"] = time.perf_counter() - t
        yield cluster
    finally:
        t = time.perf_counter()
        stop()
        atexit.unregister(stop)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        cluster.seconds["stop"] = time.perf_counter() - t
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _wait(cluster: Cluster, ready, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = [p for p in cluster.processes if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a cluster process ended (exit {dead[0].returncode}) while waiting for {what}:\n"
                               + cluster.logs())
        try:
            if ready():
                return
        except OSError:  # not listening yet
            pass
        time.sleep(0.5)
    raise TimeoutError(f"no {what} within {timeout:.0f} s:\n" + cluster.logs())


# -- the job: sourcetrace's reading stages in the executors ------------------------------------------
def _segment_file(path: str) -> list[tuple]:
    """Runs in an executor: one file read, segmented and split by the pipeline's own stages."""
    from pathlib import Path as P

    from sourcetrace import pipeline

    source = pipeline.read(path)
    docs, sentences = pipeline.segment(source, P(path).stem)
    host = os.getcwd()  # the executor's folder, under its worker's --work-dir: which worker ran it
    return ([("doc", d.to_json(), host) for d in docs]
            + [("sentence", (s.doc, s.start, s.end, s.lang), host) for s in sentences])


def read_on_cluster(master_url: str, files: list[str]) -> tuple[list[dict], list[tuple], set[str], float]:
    """The documents and sentences of `files` as the cluster's executors make them, the
    executors that did it (their folders), and the job's wall time."""
    from pyspark.sql import SparkSession

    # Executors run this interpreter, a virtual environment's with its packages (the setting
    # alone started the interpreter it links to, without them).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # the driver too: the cluster listens there only
    spark = (SparkSession.builder.master(master_url).appName("sourcetrace cluster check")
             .config("spark.pyspark.python", sys.executable)
             # the package, and this module: imported (by a test), its task function is pickled by name
             .config("spark.executorEnv.PYTHONPATH", os.pathsep.join((str(ROOT / "src"), str(ROOT / "bench"))))
             .config("spark.executor.memory", "512m")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    try:
        t = time.perf_counter()
        sc = spark.sparkContext
        sc.setJobGroup("read", "sourcetrace: read, segment, split (pipeline.read, pipeline.segment)")
        rows = sc.parallelize(files, len(files)).flatMap(_segment_file).collect()  # seeds: a few hundred rows
        seconds = time.perf_counter() - t
    finally:
        spark.stop()
    docs = sorted((r[1] for r in rows if r[0] == "doc"), key=lambda d: d["id"])
    sentences = sorted(tuple(r[1]) for r in rows if r[0] == "sentence")
    return docs, sentences, {r[2] for r in rows}, seconds


def read_locally(files: list[str], db: Path) -> tuple[list[dict], list[tuple]]:
    """The same files read by the local engine into a fresh store."""
    from sourcetrace.engines.ingest import ingest
    from sourcetrace.store import Store

    with Store(db) as store:
        report = ingest(files, store)
        docs = list(store.documents(report.files))
        return (sorted((d.to_json() for d in docs), key=lambda d: d["id"]),
                sorted((s.doc, s.start, s.end, s.lang) for d in docs for s in store.sentences(d.id)))


def trace_on_cluster(master_url: str, files: list[str], out: Path, log: Path) -> float:
    """`sourcetrace trace FILES --out OUT --engine spark --master URL`, in its own process (the
    driver); its wall time. Executors get little memory: two share this machine. Any master
    (``local[2]``: the same trace in one JVM, the baseline of a cluster's cost)."""
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYTHONPATH": str(ROOT / "src")}
    t = time.perf_counter()
    with open(log, "w", encoding="utf-8") as fh:
        res = subprocess.run([sys.executable, "-m", "sourcetrace", "trace", *files, "--out", str(out),
                              "--engine", "spark", "--master", master_url,
                              "--conf", "spark.executor.memory=768m", "--conf", "spark.ui.showConsoleProgress=false"],
                             stdout=fh, stderr=subprocess.STDOUT, env=env, timeout=3600)
    if res.returncode != 0:
        raise RuntimeError(f"trace on the cluster failed (exit {res.returncode}); see {log}:\n"
                           + "\n".join(log.read_text(encoding="utf-8").splitlines()[-20:]))
    return time.perf_counter() - t


def trace_locally(files: list[str], out: Path, db: Path) -> float:
    """The local engine's trace of the same files (a fresh store); its wall time."""
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "sourcetrace", "trace", *files, "--out", str(out), "--db", str(db)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                         timeout=3600)
    if res.returncode != 0:
        raise RuntimeError(f"local trace failed: {res.stderr[-2000:]}")
    return time.perf_counter() - t


SAME = ("documents", "passages", "relations", "families")  # the tables the bar names


def differences(local_out: Path, cluster_out: Path, tables: tuple[str, ...] = SAME) -> dict[str, list[str]]:
    """``tables`` of the two runs compared once sorted, floats within 1e-6
    (bench/same_outputs.py's comparison): differences by table, empty when the same."""
    sys.path.insert(0, str(ROOT / "bench"))
    import same_outputs as same

    unordered = same.parse_fields(list(same.DEFAULT_UNORDERED), "--unordered")
    return {name: same.file_differences(name, local_out / f"{name}.jsonl", cluster_out / f"{name}.jsonl", set(),
                                        unordered.get(name, set()), 1e-6)[2]
            for name in tables}


def executors(cluster: Cluster) -> set[str]:
    """The workers that ran an executor (a folder ``APP/EXECUTOR`` under their ``--work-dir``)."""
    return {w.name for w in cluster.workdir.glob("work*") if any(w.glob("app-*/*/stderr"))}


def spark_engine_available() -> bool:
    """Whether `sourcetrace trace` has the Spark engine (``--engine spark``)."""
    import importlib.util

    return importlib.util.find_spec("sourcetrace.engines.spark") is not None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cores", type=int, default=1)
    ap.add_argument("--memory", default="1g")
    ap.add_argument("--keep", type=Path, help="keep the cluster's logs and work folders here")
    args = ap.parse_args()
    files = sorted(str(p) for p in SEEDS.glob("*.txt"))
    if not files:
        sys.exit(f"no seeds at {SEEDS}")
    tmp = Path(tempfile.mkdtemp(prefix="bench_cluster_"))
    try:
        t = time.perf_counter()
        local_docs, local_sentences = read_locally(files, tmp / "local.db")
        local_seconds = time.perf_counter() - t
        engine = spark_engine_available()
        if engine:
            local_trace = trace_locally(files, tmp / "local-out", tmp / "local-trace.db")
            one_jvm = trace_on_cluster("local[2]", files, tmp / "local2-out", tmp / "local2-trace.log")
        with standalone_cluster(args.workers, args.cores, args.memory, args.keep) as cluster:
            print(f"cluster {cluster.master_url}: master up in {cluster.seconds['master up']:.1f} s, "
                  f"{cluster.alive_workers()} workers registered in {cluster.seconds['workers registered']:.1f} s",
                  flush=True)
            docs, sentences, executors, seconds = read_on_cluster(cluster.master_url, files)
            same = docs == local_docs and sentences == local_sentences
            print(f"read+segment+split of {len(files)} seed files on the cluster: {seconds:.1f} s "
                  f"({len(docs)} documents, {len(sentences)} sentences, by executors of "
                  f"{len({Path(e).parts[-3] for e in executors})} workers); local engine {local_seconds:.1f} s; same documents and sentences: {same}", flush=True)
            if engine:
                seconds = trace_on_cluster(cluster.master_url, files, tmp / "cluster-out", tmp / "cluster-trace.log")
                diff = differences(tmp / "local-out", tmp / "cluster-out")
                same = same and not any(diff.values())
                print(f"trace --engine spark --master {cluster.master_url} of the seeds: {seconds:.1f} s "
                      f"(--master local[2] {one_jvm:.1f} s, ratio {seconds / one_jvm:.2f}; local engine "
                      f"{local_trace:.1f} s); same documents, passages, relations, families: "
                      f"{not any(diff.values())} {dict((k, v[:2]) for k, v in diff.items() if v)}", flush=True)
            pids = [p.pid for p in cluster.processes]
        left = [pid for pid in pids if alive(pid)]
        print(f"stopped {len(pids)} processes in {cluster.seconds['stop']:.1f} s; still alive: {left or 'none'}")
        if not engine:
            print("the Spark engine (sourcetrace.engines.spark) is not in this tree: whole-trace check skipped")
        if not same or left:
            sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether a process of this id still exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    main()
