"""Work counted, not timed: the tests' measure of cost (a timer on a shared 2-core machine measures
the machine's load; the count of executed lines is the same on every run)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import sourcetrace

_SRC = str(Path(sourcetrace.__file__).parent)


def lines_executed(run: Callable[[], object]) -> int:
    """Lines of sourcetrace's own code that ``run`` executes (C code such as regular expressions
    and numpy is not counted; their cost per character is bounded by design)."""
    count = 0

    def line(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return line

    def call(frame, event, arg):
        return line if frame.f_code.co_filename.startswith(_SRC) else None

    previous = sys.gettrace()
    sys.settrace(call)
    try:
        run()
    finally:
        sys.settrace(previous)
    return count
