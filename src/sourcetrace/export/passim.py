"""passim's pairwise alignment records (its ``align.json``), one JSON object a line.

passim (github.com/dasmiq/passim, ``--pairwise``) writes, per aligned passage pair: ``id``,
``begin``, ``end`` (one document and its span), ``id2``, ``begin2``, ``end2`` (the other),
``s1``, ``s2`` (the two texts aligned character by character: equally long, ``-`` marking a gap,
a ``-`` of the texts themselves written as U+2010 as passim's aligner does) and ``matches`` (the
columns where both hold the same character, case aside, or both whitespace: passim's
``countMatches``), besides its corpus fields. Its older releases also wrote ``score``; here
``score`` is sourcetrace's passage score, and ``kind``, ``lang`` and ``lang2`` say what the
passage is. Offsets are sourcetrace's (DESIGN.md), which are passim's too: code points into the
text, half-open.

Within one language, ``s1``/``s2`` align the texts with difflib's matching blocks (substitutions
column by column, the shorter side padded with gaps). Across languages no character is aligned:
``s1`` is the first text followed by gaps, ``s2`` gaps followed by the second, ``matches`` 0.
Removing the gaps (and mapping U+2010 back) gives each text, as passim's own readers do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from difflib import SequenceMatcher
from typing import Any, TextIO

from sourcetrace.export.tables import Tables

GAP = "-"
HYPHEN = "\u2010"  # passim's levAlign writes a text's own '-' as this, so '-' is only ever a gap


def records(tables: Tables) -> Iterator[dict[str, Any]]:
    """One passim record per passage of ``tables``."""
    docs = tables.by_id()
    for p in tables.passages:
        da, db = docs[p.a], docs[p.b]
        t1 = tables.doc_text(da)[p.a_start:p.a_end]
        t2 = tables.doc_text(db)[p.b_start:p.b_end]
        s1, s2 = align(t1, t2) if da.lang == db.lang else unaligned(t1, t2)
        yield {"id": p.a, "begin": p.a_start, "end": p.a_end, "id2": p.b, "begin2": p.b_start, "end2": p.b_end,
               "s1": s1, "s2": s2, "matches": count_matches(s1, s2), "score": round(p.score, 4),
               "kind": p.kind, "lang": da.lang, "lang2": db.lang}


def write(tables: Tables, out: TextIO) -> int:
    """Write the records as JSON lines to ``out``; returns how many."""
    n = 0
    for record in records(tables):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def align(t1: str, t2: str) -> tuple[str, str]:
    """Two texts aligned character by character (equal lengths, ``-`` for a gap)."""
    t1, t2 = t1.replace(GAP, HYPHEN), t2.replace(GAP, HYPHEN)
    a: list[str] = []
    b: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, t1, t2, autojunk=False).get_opcodes():
        x, y = t1[i1:i2], t2[j1:j2]
        if op != "equal":  # replace, delete, insert: column by column, the shorter padded
            width = max(len(x), len(y))
            x, y = x.ljust(width, GAP), y.ljust(width, GAP)
        a.append(x)
        b.append(y)
    return "".join(a), "".join(b)


def unaligned(t1: str, t2: str) -> tuple[str, str]:
    """Two texts with no column aligned: each faces only gaps."""
    t1, t2 = t1.replace(GAP, HYPHEN), t2.replace(GAP, HYPHEN)
    return t1 + GAP * len(t2), GAP * len(t1) + t2


def count_matches(s1: str, s2: str) -> int:
    """passim's ``countMatches``: columns holding the same character (case aside) or two spaces."""
    return sum(1 for x, y in zip(s1, s2, strict=True) if x.lower() == y.lower() or (x.isspace() and y.isspace()))


def text_of(aligned: str) -> str:
    """The text of one side of an alignment: gaps removed, U+2010 back to ``-``."""
    return aligned.replace(GAP, "").replace(HYPHEN, "-")
