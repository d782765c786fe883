"""Lineage: where a document's text came from, read off the relations.

Pure functions over :class:`~sourcetrace.records.Relation` lists, shared by the reports. A
directed relation (translation, copy, derived, revision) with ``source`` set says its other
document took text from ``source``; following those links upwards from a document leads to its
origin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sourcetrace.records import DIRECTED, Relation

_LAST_DATE = "\uffff"  # undated sources sort after every dated one


def _other(r: Relation, doc_id: str) -> str:
    return r.b if r.a == doc_id else r.a


def _coverage_of(r: Relation, doc_id: str) -> float:
    return r.coverage_a if r.a == doc_id else r.coverage_b


def is_directed(r: Relation) -> bool:
    """A relation that flows from a named source to the other document."""
    return r.type in DIRECTED and r.source is not None and r.source in (r.a, r.b) and r.a != r.b


def undirected(r: Relation) -> bool:
    """A relation of a directed type (translation, copy, derived, revision) that no source directs."""
    return r.type in DIRECTED and not is_directed(r)


def sources_of(doc_id: str, relations: Sequence[Relation]) -> list[Relation]:
    """The directed relations in which ``doc_id`` took text from the other document."""
    return [r for r in relations
            if is_directed(r) and doc_id in (r.a, r.b) and r.source == _other(r, doc_id)]


def _same_language(r: Relation, doc_id: str, langs: Mapping[str, str | None] | None) -> bool:
    if langs is not None:
        mine, theirs = langs.get(doc_id), langs.get(_other(r, doc_id))
        if mine and theirs:
            return mine.split("-")[0].lower() == theirs.split("-")[0].lower()
    # Without languages the type is the best cue: only a translation crosses languages for sure.
    return r.type != "translation"


def closest_source(doc_id: str, relations: Sequence[Relation], dates: Mapping[str, str | None],
                   langs: Mapping[str, str | None] | None = None) -> Relation | None:
    """The relation to ``doc_id``'s closest source, or None when it has none.

    Closest = same language first (a report quotes the Arabic text it was written from, not the
    English one that text translates), then the source covering most of ``doc_id``, then the
    earliest dated source, then the smallest id so that the answer never depends on input order.
    """
    cands = sources_of(doc_id, relations)
    if not cands:
        return None
    return min(cands, key=lambda r: (not _same_language(r, doc_id, langs), -_coverage_of(r, doc_id),
                                     dates.get(_other(r, doc_id)) or _LAST_DATE, _other(r, doc_id)))


def origin_chain(doc_id: str, relations: Sequence[Relation], dates: Mapping[str, str | None],
                 langs: Mapping[str, str | None] | None = None) -> list[tuple[str, Relation | None]]:
    """From ``doc_id`` up to its origin, following the closest source at each step.

    Each item is (document id, the relation that leads to the next item); the last item's relation
    is None. The walk stops at a document with no source (the origin) or when the closest source
    was already visited (contradictory directions make a cycle: stopping keeps the chain finite and
    honest instead of guessing a way round it). ``langs`` (optional) gives each document's language.
    """
    chain: list[tuple[str, Relation | None]] = []
    seen = {doc_id}
    cur = doc_id
    while True:
        rel = closest_source(cur, relations, dates, langs)
        if rel is None or _other(rel, cur) in seen:
            chain.append((cur, None))
            return chain
        chain.append((cur, rel))
        cur = _other(rel, cur)
        seen.add(cur)


def unknown_direction(doc_id: str, relations: Sequence[Relation]) -> list[str]:
    """The documents ``doc_id`` shares a directed type of relation with whose direction no
    evidence gave (translation, copy, derived without a source): a chain that stops at ``doc_id``
    stops for want of evidence, not at a known origin."""
    return sorted({_other(r, doc_id) for r in relations
                   if doc_id in (r.a, r.b) and undirected(r) and r.a != r.b})


def chain_json(chain: Sequence[tuple[str, Relation | None]], relations: Sequence[Relation]) -> list[dict]:
    """An origin chain as JSON: each document with the relation to its source; the last one, when
    a relation of unknown direction joins it to others, lists them (``direction_unknown_with``)."""
    out: list[dict] = [{"document": d, "relation": r.to_json() if r else None} for d, r in chain]
    if out and (unknown := unknown_direction(chain[-1][0], relations)):
        out[-1]["direction_unknown_with"] = unknown
    return out


def chain_ends_in_cycle(chain: Sequence[tuple[str, Relation | None]], relations: Sequence[Relation]) -> bool:
    """True when the chain stopped on a cycle rather than at a document with no source."""
    return bool(chain) and bool(sources_of(chain[-1][0], relations))


def orient_relation(r: Relation, doc_id: str) -> Relation:
    """``r`` with ``a == doc_id`` (a/b and their coverages swapped when needed; ``source`` kept)."""
    if r.a == doc_id:
        return r
    return replace(r, a=r.b, b=r.a, coverage_a=r.coverage_b, coverage_b=r.coverage_a)


def relations_of(doc_id: str, relations: Sequence[Relation]) -> list[Relation]:
    """The document's relations, each oriented so that ``a == doc_id``.

    Order: directed relations in which the document is the derived side (its sources), then those
    in which it is the source, then the rest (related, or directed without a usable source);
    strongest first within each group, then by the other document's id.
    """
    def group(r: Relation) -> int:
        if is_directed(r):
            return 1 if r.source == doc_id else 0
        return 2

    mine = [orient_relation(r, doc_id) for r in relations if doc_id in (r.a, r.b)]
    return sorted(mine, key=lambda r: (group(r), -r.score, r.b, r.type))
