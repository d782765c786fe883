"""Bitext: the passages between documents of two languages as translation units, source side
first, as TMX (:mod:`.tmx`) and TSV (:mod:`.tsv`) write them.

A unit's source is the document its relation flows from (``relations.jsonl``'s ``source``: 002a
for the statement 000 translates); a pair with no direction keeps the passage's own order. The
texts are the exact spans of the files' texts: a unit is one aligned passage, a sentence or a few
sentences on either side (the aligner pairs 1-1, 1-2 and 2-1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sourcetrace.export.tables import Tables
from sourcetrace.records import Document


@dataclass
class Segment:
    """One side of a unit: a document, its language, a span of its file and the text there."""

    doc: str
    lang: str
    start: int
    end: int
    text: str


@dataclass
class Unit:
    """A translation unit: the source segment, the target segment, the passage's kind and score."""

    source: Segment
    target: Segment
    kind: str
    score: float


def units(tables: Tables) -> Iterator[Unit]:
    """The tables' passages between documents of different languages, as units in passage order."""
    docs = tables.by_id()
    sources = {frozenset((r.a, r.b)): r.source for r in tables.relations if r.source}
    for p in tables.passages:
        da, db = docs.get(p.a), docs.get(p.b)
        if da is None or db is None or da.lang == db.lang:
            continue
        a = _segment(tables, da, p.a_start, p.a_end)
        b = _segment(tables, db, p.b_start, p.b_end)
        if sources.get(frozenset((p.a, p.b))) == p.b:
            a, b = b, a
        yield Unit(a, b, p.kind, p.score)


def _segment(tables: Tables, doc: Document, start: int, end: int) -> Segment:
    return Segment(doc.id, doc.lang, start, end, tables.doc_text(doc)[start:end])
