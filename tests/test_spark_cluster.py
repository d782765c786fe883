"""A real Spark standalone cluster of processes on this machine (bench/spark_cluster.py): a master
and two workers started with pyspark's spark-class, a trace of the seeds submitted to
spark://127.0.0.1:PORT (`sourcetrace trace --engine spark --master ...`, its own driver process)
giving the local engine's answers, and every process stopped after, also when the block fails.
Slow: three JVMs start, then the driver's and two executors' (minutes on a busy machine)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import spark_cluster  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not spark_cluster.spark_engine_available(), reason="the Spark engine is not in this tree yet")
def test_two_workers_trace_as_the_local_engine(seed_trace, tmp_path):
    files = sorted(str(p) for p in spark_cluster.SEEDS.glob("*.txt"))  # as seed_trace was given them
    out = tmp_path / "cluster-out"
    with spark_cluster.standalone_cluster(workers=2, workdir=tmp_path / "cluster") as cluster:
        assert cluster.alive_workers() == 2
        assert len(cluster.processes) == 3
        spark_cluster.trace_on_cluster(cluster.master_url, files, out, tmp_path / "trace.log")
        assert spark_cluster.executors(cluster) == {"work0", "work1"}  # an executor on each worker
        pids = [p.pid for p in cluster.processes]
    assert not [pid for pid in pids if spark_cluster.alive(pid)]
    tables = ("documents", "sentences", "passages", "relations", "families")
    assert spark_cluster.differences(seed_trace, out, tables) == {name: [] for name in tables}
    assert len((seed_trace / "documents.jsonl").read_text(encoding="utf-8").splitlines()) == 7


@pytest.mark.heavy
def test_every_process_is_stopped_when_the_block_fails(tmp_path):
    with pytest.raises(RuntimeError, match="failed inside"), \
            spark_cluster.standalone_cluster(workers=1, workdir=tmp_path / "cluster") as cluster:
        pids = [p.pid for p in cluster.processes]
        raise RuntimeError("failed inside the block")
    assert pids and not [pid for pid in pids if spark_cluster.alive(pid)]


@pytest.mark.heavy
@pytest.mark.skipif(not spark_cluster.spark_engine_available(), reason="the Spark engine is not in this tree yet")
def test_a_trace_on_the_cluster_loads_and_answers_as_the_local_engine(seed_trace, tmp_path):
    """The trace again, its part files loaded into a store: `show` and `origin` answer as the
    traced store does (28 CLI runs: make test-heavy)."""
    from test_cli_load import _answers, _ids, run

    files = sorted(str(p) for p in spark_cluster.SEEDS.glob("*.txt"))  # as seed_trace was given them
    out = tmp_path / "cluster-out"
    with spark_cluster.standalone_cluster(workers=2, workdir=tmp_path / "cluster") as cluster:
        spark_cluster.trace_on_cluster(cluster.master_url, files, out, tmp_path / "trace.log")
        pids = [p.pid for p in cluster.processes]
    assert not [pid for pid in pids if spark_cluster.alive(pid)]
    assert spark_cluster.differences(seed_trace, out) == {"documents": [], "passages": [], "relations": [],
                                                          "families": []}
    db = tmp_path / "loaded.db"  # and its part files load into a store that answers as the traced one
    assert run("load", str(out), "--db", str(db)).returncode == 0
    ids = _ids(seed_trace)
    assert _answers(db, ids) == _answers(seed_trace / "s.db", ids)


@pytest.mark.heavy
def test_a_sigterm_stops_the_cluster_too(tmp_path):
    """A timeout's SIGTERM to the process holding the cluster: every JVM goes with it."""
    import signal
    import subprocess
    import time

    script = (f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import spark_cluster, time\n"
              f"with spark_cluster.standalone_cluster(workers=1, workdir=__import__('pathlib').Path({str(tmp_path)!r})) as c:\n"
              "    print(' '.join(str(p.pid) for p in c.processes), flush=True)\n"
              "    time.sleep(600)\n")
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in holder.stdout.readline().split()]
        assert len(pids) == 2
        holder.send_signal(signal.SIGTERM)
        holder.wait(timeout=120)
    finally:
        if holder.poll() is None:
            holder.kill()
    deadline = time.monotonic() + 30
    while [pid for pid in pids if spark_cluster.alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not [pid for pid in pids if spark_cluster.alive(pid)]
