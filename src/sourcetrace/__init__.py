"""sourcetrace: trace where a text came from.

What the `sourcetrace` command does, as plain functions (:mod:`sourcetrace.library`)::

    import sourcetrace

    result = sourcetrace.trace(["statements/", "reports/"], out="out/")   # every stage, outputs
    docs, report = sourcetrace.read(["page.html"])                         # into the store
    cmp = sourcetrace.compare("report_ar.txt", "statement_ar.txt")         # passages of a pair
    facts = sourcetrace.facts("report_ar.txt")                             # figures, dates, names
    changes = sourcetrace.diff("report_ar.txt", "statement_en.txt")        # facts kept/changed/...
    hits = sourcetrace.search("nearly eight million people have been freed", lang="ar")
    report = sourcetrace.load("cluster-out/")                              # a run's outputs, stored

Exports for other tools (TMX, TSV bitext, passim's records, Parquet) are :mod:`sourcetrace.export`.
The stages themselves are :mod:`sourcetrace.pipeline`; :mod:`sourcetrace.engines.local` runs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "compare", "diff", "facts", "load", "read", "search", "trace"]

if TYPE_CHECKING:
    from sourcetrace.library import compare, diff, facts, load, read, search, trace


def __getattr__(name: str) -> Any:
    # Loaded on first use: `import sourcetrace` (and `--version`) stays free of numpy and models.
    if name in ("compare", "diff", "facts", "load", "read", "search", "trace"):
        from sourcetrace import library

        return getattr(library, name)
    raise AttributeError(f"module 'sourcetrace' has no attribute {name!r}")
