"""bench/trace.py as a module for the other benches, loaded by path: imported as `trace`, its name
would be the standard library's module's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent


def bench_trace() -> ModuleType:
    """bench/trace.py, loaded once per process as the module `bench_trace`."""
    if "bench_trace" in sys.modules:
        return sys.modules["bench_trace"]
    spec = importlib.util.spec_from_file_location("bench_trace", BENCH / "trace.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["bench_trace"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module
