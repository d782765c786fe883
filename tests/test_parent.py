"""A killed trace leaves no worker behind: each pool's initializer ends its worker with its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sourcetrace.engines.parent import end_with_parent

# A parent that starts one pool worker with a real initializer, prints the worker's pid, then
# waits to be killed.
PARENT = textwrap.dedent("""
    import os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context
    from sourcetrace.store.sqlite import Store
    from sourcetrace.engines import ingest, workers

    db = sys.argv[1]
    Store(db)
    initializer, args = {
        "documents": (workers._start_documents, (db, 0)),
        "pairs": (workers._start, (db, "", 0.5)),
        "reading": (ingest._open_store, (db,)),
    }[sys.argv[2]]
    pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=initializer, initargs=args)
    print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(120)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by init) counts as ended.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z"))


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to tell a zombie")
@pytest.mark.parametrize("pool", ["documents", "pairs", "reading"])
def test_a_pool_worker_ends_when_its_parent_is_killed(tmp_path: Path, pool: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "s.db"), pool],
                              stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())
        assert _alive(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 15
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker), "the worker outlived its killed parent"
    finally:
        parent.kill()
        parent.wait()


def test_a_process_without_a_parent_to_watch_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(os, "getppid", lambda: 1)
    monkeypatch.setattr("threading.Thread.start", lambda self: started.append(self))
    end_with_parent()
    assert started == []
