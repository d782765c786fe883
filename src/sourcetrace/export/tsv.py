"""TSV bitext: ``src<TAB>tgt<TAB>score<TAB>doc_a<TAB>doc_b``, one unit a line, source side first,
as vecalign's and Bertalign's users read aligned sentence pairs.

A line holds one unit, so whitespace inside a text (tabs, newlines, runs of spaces) is collapsed
to one space and the text stripped: the columns and lines stay the format's. The exact texts,
with their spans, are in the TMX and passim exports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from sourcetrace.export.bitext import Unit

_SPACE = re.compile(r"\s+")


def write(units: Iterable[Unit], out: TextIO) -> int:
    """Write one line per unit to ``out``; returns how many."""
    n = 0
    for u in units:
        out.write("\t".join((one_line(u.source.text), one_line(u.target.text), f"{u.score:.4f}",
                             one_line(u.source.doc), one_line(u.target.doc))) + "\n")
        n += 1
    return n


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (tab, newline, U+2028 …) one space, stripped."""
    return _SPACE.sub(" ", text).strip()
