"""Defaults the command line shows in its help, kept where importing them costs nothing: the
modules that use them (alignment, the readers, the pipeline) import numpy, models and the store,
~0.8 CPU s that `sourcetrace --help` paid before printing a line."""

from __future__ import annotations

DEFAULT_THRESHOLD = 0.5  # minimum score of a meaning-based passage (align/pair.py)
DEFAULT_MAX_BYTES = 50_000_000  # a larger file is refused (readers/)
# Whose facts a trace extracts and writes (facts.jsonl): those of the documents of the pairs whose
# facts it diffs, the only facts a trace reads (planted 25,000: 8,191 of 25,021 documents, a
# quarter of a fresh trace's CPU spent on the others), or every document's.
DIFFED_FACTS, ALL_FACTS = "diffed", "all"
FACTS_CHOICES = (DIFFED_FACTS, ALL_FACTS)
