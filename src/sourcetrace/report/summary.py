"""The coverage figures the views show, computed in :mod:`sourcetrace.relate.coverage`.

A re-export for the views (and the web API) that import it from here; new code imports
:mod:`sourcetrace.relate.coverage`.
"""

from sourcetrace.relate.coverage import KINDS, merge_spans, orient, overlap, summarize

__all__ = ["KINDS", "merge_spans", "orient", "overlap", "summarize"]
