"""The Spark engine's worker daemon (engines/spark_daemon.py) loads, before it forks, what every
worker would load again, and starts no thread doing it (a forked child keeps only the thread that
forked)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("pyspark")

CHECK = """
import gc, os, sys
from sourcetrace.engines.spark_daemon import preload
frozen = gc.get_freeze_count()
preload()
print(len(os.listdir("/proc/self/task")), "pyspark.worker" in sys.modules, "sourcetrace.engines.spark" in sys.modules,
      gc.get_freeze_count() > frozen + 10_000, len(gc.get_objects()) < 1_000)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc")
def test_preload_loads_the_worker_module_starts_no_thread_and_freezes_what_it_loaded():
    """A worker's gc.collect() after each task (pyspark.daemon) walks none of what was preloaded."""
    # Spark starts the daemon with OMP_NUM_THREADS=1 (seen in its environment on local[2]): without it numpy's
    # OpenBLAS starts its pool on import, before any of ours.
    # OpenBLAS reads OPENBLAS_NUM_THREADS before OMP_NUM_THREADS: not set in that environment either.
    env = {**{k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS")},
           "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True,
                         env=env).stdout.split()
    assert out == ["1", "True", "True", "True", "True"]
