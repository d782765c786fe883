"""Plain records that flow between stages.

Every span is ``[start, end)`` in Unicode code points of the file's text after decoding
(see DESIGN.md, "Offsets"). Records are plain dataclasses so that a stage can run in one
process or inside a distributed engine's task and serialise them as JSON.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _json_string
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import numpy as np

Span = tuple[int, int]


@contextmanager
def in_bulk() -> Iterator[None]:
    """Pause Python's cycle collector while a stage makes hundreds of thousands of records.

    Records hold no cycles, so reference counting frees them; but the collector runs every few
    hundred allocations and then walks the objects alive, so on a corpus (a million records
    alive) it was a third of the relation stage. Restores the collector's previous state."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class Part:
    """A document that the file format itself declares (a JSONL line, an HTML page)."""

    start: int
    end: int
    id: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None
    lang: str | None = None


@dataclass
class SourceFile:
    """A file after decoding: the text every offset points into."""

    path: str
    text: str
    encoding: str
    format: str  # "text" | "html" | "jsonl"
    sha256: str  # of the raw bytes: a file is re-read only when this changes
    size: int  # raw bytes
    parts: list[Part] = field(default_factory=list)
    # Per-line problems of a multi-record file (a malformed JSONL line): the file still reads.
    problems: list[ReadFailure] = field(default_factory=list)


@dataclass
class Document:
    id: str
    path: str
    start: int
    end: int
    lang: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    boilerplate: list[Span] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "path": self.path, "start": self.start, "end": self.end,
                               "lang": self.lang}
        for key in ("title", "date", "url"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.boilerplate:
            out["boilerplate"] = [list(s) for s in self.boilerplate]
        return out


@dataclass(slots=True)  # millions of them on a large corpus
class Sentence:
    doc: str
    start: int
    end: int
    lang: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "start": self.start, "end": self.end}


def sentence_lines(sentences: Iterable[Sentence]) -> Iterator[str]:
    """Each sentence's line of sentences.jsonl: the text the output's JSON encoder makes of its
    :meth:`Sentence.to_json`, made without the dict (planted 25,000, 372,000 sentences: ~0.45 ->
    ~0.15 CPU s), a document's id quoted once for its run of sentences; a sentence of other field
    types goes through the encoder."""
    doc, quoted = None, ""
    for s in sentences:
        if not (type(s.doc) is str and type(s.start) is int and type(s.end) is int):
            yield json.dumps(s.to_json(), ensure_ascii=False)
            continue
        if s.doc != doc:
            doc, quoted = s.doc, _json_string(s.doc)
        yield f'{{"doc": {quoted}, "start": {s.start!r}, "end": {s.end!r}}}'


class DocumentLabel(NamedTuple):
    """What a search shows of a hit's document (a :class:`Document` without its file)."""

    id: str
    lang: str
    date: str | None
    title: str | None


@dataclass(slots=True)
class IndexedSentence:
    """A sentence as the quote index keeps it for search: its span, language (the document's
    when the sentence has none of its own), text, and what search compares with a query that
    the text alone would make it derive again for every candidate (the numbers it states)."""

    doc: str
    start: int
    end: int
    lang: str
    text: str
    numbers: tuple[int, ...] = ()


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The unordered pair of two document ids as one key (the smaller id first)."""
    return (a, b) if a < b else (b, a)


class CodedPairs(list):
    """A list of pairs of document ids (each the smaller first) that knows them as codes too:
    pair ``e`` is ``(ids[a[e]], ids[b[e]])``, ``ids`` sorted. The candidates stage has its pairs
    in such columns, and relate codes them against its own ids (coding the 120,000 pair tuples of
    a +1% rerun at 10,000 documents id by id again cost it ~0.035 s). The codes describe the
    list as it was made: a caller that changes it makes it a plain list first."""

    def __init__(self, pairs: Iterable[tuple[str, str]], ids: list[str], a: np.ndarray, b: np.ndarray) -> None:
        super().__init__(pairs)
        self.ids, self.a, self.b = ids, a, b

    def coded(self) -> tuple[list[str], np.ndarray, np.ndarray] | None:
        """``(ids, a, b)``, or None when the list no longer has as many pairs as codes."""
        return (self.ids, self.a, self.b) if len(self) == len(self.a) == len(self.b) else None


WORD_FOR_WORD_SCORE = 0.9  # a near-verbatim passage this close counts as taken word for word


@dataclass(slots=True)  # millions of them on a large corpus
class Passage:
    a: str
    a_start: int
    a_end: int
    b: str
    b_start: int
    b_end: int
    kind: str
    score: float

    @property
    def word_for_word(self) -> bool:
        """Taken word for word: verbatim, or near-verbatim this close (a word or two lost at a
        wrap or a changed spelling)."""
        return self.kind == "verbatim" or (self.kind == "near-verbatim" and self.score >= WORD_FOR_WORD_SCORE)

    def to_json(self) -> dict[str, Any]:
        # Field by field: asdict deep-copies every value (5x slower over a trace's passages and fact diffs).
        return {"a": self.a, "a_start": self.a_start, "a_end": self.a_end, "b": self.b, "b_start": self.b_start,
                "b_end": self.b_end, "kind": self.kind, "score": round(self.score, 4)}


@dataclass
class ReadFailure:
    """One input that could not be read, and why, in words a user can act on."""

    path: str
    reason: str


# Relation types that flow from a source to the other document (a `related` pair does not).
DIRECTED = ("translation", "copy", "derived", "revision")


@dataclass(slots=True)  # millions of them on a large corpus
class Relation:
    """What document `a` is to document `b`, with the evidence that says so.

    `type`: translation, copy, derived, revision or related. `source` names the document the
    relation flows from (for derived, translation, revision, copy). Coverage is the share of each
    document's content that the supporting passages cover.
    """

    a: str
    b: str
    type: str
    coverage_a: float
    coverage_b: float
    score: float
    source: str | None = None
    evidence: list[str] = field(default_factory=list)  # why: the cues that decided type and direction
    passages: int = 0  # how many passages support it

    @property
    def direction_unknown(self) -> bool:
        """A type that flows from a source (translation, copy, derived, revision) with none named."""
        return self.type in DIRECTED and not self.source

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"a": self.a, "b": self.b, "type": self.type}
        if self.source:
            out["source"] = self.source
        elif self.direction_unknown:  # said, not left for a reader to infer from a missing key
            out["direction"] = "unknown"
        out["coverage_a"] = round(self.coverage_a, 4)  # key by key: no second dict a row (340k rows at 25k)
        out["coverage_b"] = round(self.coverage_b, 4)
        out["score"] = round(self.score, 4)
        out["passages"] = self.passages
        out["evidence"] = self.evidence
        return out


def relation_lines(relations: Iterable[Relation]) -> Iterator[str]:
    """Each relation's line of relations.jsonl: the text the output's JSON encoder makes of its
    :meth:`Relation.to_json` (keys in that order, ``", "`` and ``": "``, non-ASCII kept), made
    without the dict and the encoder's walk of it (planted 10,000, 120,000 relations: ~0.5 ->
    ~0.28 CPU s); the evidence lists most relations share encoded once. A relation of other
    field types than the usual (a number not a finite float or int, a name not a string) goes
    through the encoder."""
    quoted, evidence = _json_string, {}
    for r in relations:
        # A zero is its own rounding (its sign and type too): most relations are by topic, of no coverage.
        ca, cb = r.coverage_a, r.coverage_b
        ca, cb = ca if ca == 0 else round(ca, 4), cb if cb == 0 else round(cb, 4)
        sc, n = round(r.score, 4), r.passages
        if not (type(r.a) is str and type(r.b) is str and type(r.type) is str and type(ca) is float
                and type(cb) is float and type(sc) is float and type(n) is int and ca - ca == cb - cb == sc - sc == 0
                and (r.source is None or type(r.source) is str)):
            yield json.dumps(r.to_json(), ensure_ascii=False)
            continue
        key = tuple(r.evidence)
        ev = evidence.get(key)
        if ev is None:
            ev = evidence[key] = json.dumps(r.evidence, ensure_ascii=False)
        if r.source:
            way = f', "source": {quoted(r.source)}'
        else:
            way = ', "direction": "unknown"' if r.direction_unknown else ""
        yield (f'{{"a": {quoted(r.a)}, "b": {quoted(r.b)}, "type": {quoted(r.type)}{way}, "coverage_a": {ca!r}, '
               f'"coverage_b": {cb!r}, "score": {sc!r}, "passages": {n!r}, "evidence": {ev}}}')


@dataclass
class Family:
    """Documents connected by relations, with the inferred origin."""

    id: str
    documents: list[str]
    origin: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "documents": self.documents}
        if self.origin:
            out["origin"] = self.origin
        return out


@dataclass
class Fact:
    """A figure, date or name stated in a document: its span and normalized value.

    `type`: number, money, percent, date, person, org or place. `value`: an int (or float) for a
    number or percentage, ``"5000000 USD"`` for money, an ISO 8601 string for a date (``--MM-DD``
    when the text gives no year), a key for a name (see factcheck/names.py).
    """

    doc: str
    start: int
    end: int
    type: str
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "start": self.start, "end": self.end, "type": self.type, "value": self.value}


def _plain(value: Any) -> str | None:
    """A fact's value as the output's JSON encoder writes it, for the types facts hold (a
    string, an int, none); None for any other (the row then goes through the encoder)."""
    kind = type(value)
    if kind is str:
        return _json_string(value)
    if kind is int:
        return int.__repr__(value)
    return "null" if value is None else None


def fact_lines(facts: Iterable[Fact]) -> Iterator[str]:
    """Each fact's line of facts.jsonl: the text the output's JSON encoder makes of its
    :meth:`Fact.to_json`, made without the dict and the encoder's walk of it (planted 25,000,
    220,000 facts: ~0.45 -> ~0.15 CPU s); a fact of other field types goes through the encoder."""
    quoted = _json_string
    for f in facts:
        value = _plain(f.value)
        if value is None or not (type(f.doc) is str and type(f.type) is str and type(f.start) is int
                                 and type(f.end) is int):
            yield json.dumps(f.to_json(), ensure_ascii=False)
            continue
        yield f'{{"doc": {quoted(f.doc)}, "start": {f.start!r}, "end": {f.end!r}, "type": {quoted(f.type)}, "value": {value}}}'


@dataclass
class FactDiff:
    """One fact of a pair of aligned texts: kept (`same`), `changed`, `dropped` (only in a) or
    `added` (only in b). The side a fact is missing from has no span and no value."""

    a: str
    a_start: int | None
    a_end: int | None
    b: str
    b_start: int | None
    b_end: int | None
    type: str
    status: str
    value_a: Any
    value_b: Any

    def to_json(self) -> dict[str, Any]:
        # Field by field, in their order (see Passage.to_json); dataclasses.fields() a row was a third of writing them.
        return {"a": self.a, "a_start": self.a_start, "a_end": self.a_end, "b": self.b, "b_start": self.b_start,
                "b_end": self.b_end, "type": self.type, "status": self.status, "value_a": self.value_a,
                "value_b": self.value_b}


_SPAN_TYPES = (int, type(None))  # a fact diff's span ends: the side a fact is missing from has none


def fact_diff_lines(diffs: Iterable[FactDiff]) -> Iterator[str]:
    """Each fact diff's line of fact_diffs.jsonl, as :func:`fact_lines` makes facts' (planted
    25,000, 220,000 diffs: ~0.75 -> ~0.3 CPU s); one of other field types goes through the encoder."""
    plain, quoted, spans = _plain, _json_string, _SPAN_TYPES
    for d in diffs:
        value_a, value_b = plain(d.value_a), plain(d.value_b)
        a_start, a_end, b_start, b_end = d.a_start, d.a_end, d.b_start, d.b_end
        if value_a is None or value_b is None or not (
                type(d.a) is str and type(d.b) is str and type(d.type) is str and type(d.status) is str
                and type(a_start) in spans and type(a_end) in spans and type(b_start) in spans and type(b_end) in spans):
            yield json.dumps(d.to_json(), ensure_ascii=False)
            continue
        yield (f'{{"a": {quoted(d.a)}, "a_start": {plain(a_start)}, "a_end": {plain(a_end)}, "b": {quoted(d.b)}, '
               f'"b_start": {plain(b_start)}, "b_end": {plain(b_end)}, '
               f'"type": {quoted(d.type)}, "status": {quoted(d.status)}, "value_a": {value_a}, "value_b": {value_b}}}')
