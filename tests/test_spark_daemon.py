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
      gc.get_freeze_count() > frozen + 10_000, len(gc.get_objects()) < 1_000, "psutil" in sys.modules)
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
    # psutil: imported, or known missing (PySpark's shuffle imports it every 1,000 records).
    assert out == ["1", "True", "True", "True", "True", "True"]


def test_installed_pyspark_first_drops_the_installed_packages_zips_only(tmp_path):
    """The zips of the installed pyspark go (its modules then load with cached bytecode); a
    Spark distribution's zips, the only copy of PySpark there, stay."""
    import pyspark

    from sourcetrace.engines.spark_daemon import installed_pyspark_first

    lib = os.path.join(os.path.dirname(pyspark.__file__), "python", "lib")
    ours = [os.path.join(lib, "pyspark.zip"), os.path.join(lib, "py4j-0.10.9.9-src.zip")]
    rest = [p for p in sys.path if p not in ours]
    assert installed_pyspark_first([*ours, *rest]) == rest
    theirs = [str(tmp_path / "spark" / "python" / "lib" / "pyspark.zip"), ours[1]]
    assert installed_pyspark_first([*theirs, *rest]) == [*theirs, *rest]
    assert installed_pyspark_first(rest) == rest


def test_young_collections_free_a_tasks_garbage_and_leave_the_old_to_python():
    """What the daemon calls after each task frees a cycle the task made, and does not walk the
    oldest generation (a cycle that lived through a full collection waits for Python's own)."""
    import gc
    import weakref

    from sourcetrace.engines.spark_daemon import YoungCollections

    class Node:
        pass

    def cycle() -> weakref.ref:
        a, b = Node(), Node()
        a.other, b.other = b, a
        return weakref.ref(a)

    young = YoungCollections()
    assert young.isenabled() == gc.isenabled()
    gc.collect()
    made = cycle()
    young.collect()
    assert made() is None
    old = Node()
    old.other = old
    gc.collect()  # `old` is in the oldest generation now
    was = weakref.ref(old)
    del old
    young.collect()
    assert was() is not None
    gc.collect()
    assert was() is None
