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

What is loaded here must start no thread (a forked child has only the thread that forked):
Python modules, and numpy tables (the encoders run their matrix products in the worker, whose
BLAS pool starts there). A preload that fails is skipped: the worker then loads what it needs
as before.
"""

from __future__ import annotations

import gc
import os
import sys


def preload() -> None:
    """Import the engine's stages and load the encoders' tables (no threads started)."""
    import pyspark.worker  # noqa: F401  # what pyspark.daemon imports after each fork

    import sourcetrace.engines.spark_candidates  # noqa: F401
    from sourcetrace import pipeline
    from sourcetrace.engines.spark import task_encoder  # and the stages' modules the engine imports
    from sourcetrace.factcheck import names

    # As a task holds them: one BLAS thread. USE sets its own limit on each call, from its
    # `threads` and the machine's load, so a limit around these calls is not enough: on a quiet
    # machine its two BLAS threads started here, before the fork.
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


def main() -> None:
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
    from pyspark.daemon import manager

    manager()


if __name__ == "__main__":
    main()
