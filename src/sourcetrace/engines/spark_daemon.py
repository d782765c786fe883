"""PySpark's worker daemon with sourcetrace loaded: ``spark.python.daemon.module`` for the Spark engine.

PySpark starts one daemon per executor and forks a Python worker from it for every task that
finds no idle worker; Spark 4 stops a worker idle for a minute (a fixed timeout of its
``PythonWorkerFactory``), and ``pyspark.daemon`` imports nothing of ours, so every fresh worker
imported sourcetrace and loaded the static encoder again before its first record: 2.2 s of
imports and 3.4 s of the encoder's tables at load 14, each time. This daemon does that once,
before it forks, so that a worker starts with them (copy-on-write pages of the daemon), and then
runs PySpark's own daemon unchanged. PySpark's worker module is imported here too: the daemon
imports it only after each fork (for fear of threads, which it starts none of), and from
``pyspark.zip``, where nothing caches its bytecode, so every fresh worker compiled it from source
again (about 0.7 s a worker of CPU at load 13: 6 of a 2,000-document run's 220 worker seconds).
What it loaded is then frozen out of the garbage collector's reach (``gc.freeze``): PySpark's
daemon collects after every task a worker runs.

Two costs of PySpark's own daemon are cut here, outside its code. The JVM puts PySpark's
``pyspark.zip`` and ``py4j-*.zip`` first on the workers' path: where they are the zips of the
installed pyspark (a pip install), the daemon imports from the installed package instead
(:func:`installed_pyspark_first`), whose bytecode is cached; from the zips it compiled PySpark's
modules from source (2 s of a 3,000-document run's daemon start, py-spy), and each fresh
worker's first task re-read the zips' directories (``importlib.invalidate_caches``, once PySpark
adds its files' directory to the path: ~0.5 s a worker). And the daemon's ``gc.collect()``
after every task walks every object a worker keeps between tasks (its encoders, memos and
imports since the fork): 5% of a 3,000-document run's samples; a task's garbage is young, so a
collection of the young generations frees it (:class:`YoungCollections`), and the older ones
are collected as Python collects them anywhere, by their own thresholds.

What is loaded here must start no thread (a forked child has only the thread that forked):
Python modules, and numpy tables (the encoders run their matrix products in the worker, whose
BLAS pool starts there). A preload that fails is skipped: the worker then loads what it needs
as before.
"""

from __future__ import annotations

import gc
import importlib.machinery
import os
import sys


def preload() -> None:
    """Import the engine's stages and load the encoders' tables (no threads started)."""
    import pyspark.worker  # noqa: F401  # what pyspark.daemon imports after each fork

    # PySpark's shuffle and group-bys ask psutil for the worker's memory every 1,000 records or
    # so, importing it each time: where it is not installed, that import searched the whole path
    # again and failed (~0.6 ms a time, 0.7% of a 3,000-document run's worker samples). Known
    # missing, it fails at once, and PySpark reads /proc instead.
    try:
        import psutil  # noqa: F401
    except ImportError:
        sys.modules["psutil"] = None  # type: ignore[assignment]

    import sourcetrace.engines.spark_candidates  # noqa: F401
    from sourcetrace import pipeline
    from sourcetrace.engines.spark import task_encoder  # and the stages' modules the engine imports
    from sourcetrace.factcheck import names

    # As a task holds them: one BLAS thread (task_encoder), so that no second BLAS thread starts
    # here, before the fork.
    task_encoder(pipeline.TOPIC_ENCODER).encode(["."])  # the static table, and USE's weights under it
    task_encoder(pipeline.FAST_ENCODER).encode(["."])
    names._gazetteer()
    names._first_words()
    # Out of the collector's sight: PySpark's daemon runs gc.collect() in a worker after every
    # task, and each full collection walked all of this (~30 ms a task, however small: 34 -> 2 ms
    # of worker CPU a trivial task on local[2]; 177 of a 2,000-document run's ~400 sampled
    # seconds were in that line). Frozen objects are never collected: they live as long as the
    # worker anyway, and a fork does not copy their pages for the collector's writes.
    gc.freeze()


def installed_pyspark_first(path: list[str]) -> list[str]:
    """``path`` without PySpark's zips where the installed ``pyspark`` is the package they came
    from (``pyspark/python/lib/`` holds them) and ``py4j`` is installed too; else ``path``."""
    zips = [p for p in path if os.path.basename(p) == "pyspark.zip"
            or (os.path.basename(p).startswith("py4j-") and p.endswith(".zip"))]
    rest = [p for p in path if p not in zips]
    spec = importlib.machinery.PathFinder.find_spec("pyspark", rest) if zips else None
    if spec is None or not spec.submodule_search_locations or \
            importlib.machinery.PathFinder.find_spec("py4j", rest) is None:
        return path
    lib = os.path.realpath(os.path.join(spec.submodule_search_locations[0], "python", "lib"))
    return rest if all(os.path.realpath(os.path.dirname(z)) == lib for z in zips) else path


class YoungCollections:
    """The ``gc`` that PySpark's daemon calls after every task: its ``collect()`` collects the
    young generations (what a task left), not all three."""

    def __getattr__(self, name: str):
        return getattr(gc, name)

    @staticmethod
    def collect(generation: int = 1) -> int:
        return gc.collect(generation)


def main() -> None:
    sys.path[:] = installed_pyspark_first(sys.path)
    # The daemon's stdout carries its port to the JVM: anything printed while loading goes to stderr.
    stdout = os.dup(1)
    os.dup2(2, 1)
    try:
        preload()
    except Exception as exc:  # noqa: BLE001  # the workers load what they need, as without this daemon
        print(f"sourcetrace: worker preload skipped: {exc!r}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        os.dup2(stdout, 1)
        os.close(stdout)
    import pyspark.daemon

    pyspark.daemon.gc = YoungCollections()
    pyspark.daemon.manager()


if __name__ == "__main__":
    main()
