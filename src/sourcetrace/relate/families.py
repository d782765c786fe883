"""Families: documents connected by relations, with the inferred origin.

A family is a connected component of the graph of relations that rest on shared text: every
translation, copy, derived or revision relation, and related pairs that share passages. Pairs
related only by topic do not join families: in a newsroom archive everything on one subject
would become one family. Its origin
is the document the directed relations (translation, copy, derived, revision: source -> other)
flow from: among documents with no incoming edge, the one that reaches most others, then the
earliest dated; None when two tie (no evidence says which came first). Revisions are listed in
time order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from sourcetrace.records import DIRECTED, Document, Family, Relation
from sourcetrace.relate.columns import on_shared_text


def _components(ids: Sequence[str], relations: Sequence[Relation]) -> list[list[str]]:
    """The connected components of more than one document, each in the order of ``ids``, in the
    order of their first member (scipy's components, as candidate search uses)."""
    index = {d: n for n, d in enumerate(ids)}
    edges = [(index[r.a], index[r.b]) for r in relations  # most relations join none: asked first
             if joins_family(r) and r.a in index and r.b in index]
    if not edges:
        return []
    rows, cols = zip(*edges, strict=True)
    graph = coo_matrix((np.ones(len(edges), dtype=np.int8), (rows, cols)), shape=(len(ids), len(ids)))
    labels = connected_components(graph, directed=False)[1]
    groups: dict[int, list[str]] = defaultdict(list)
    for d, label in zip(ids, labels.tolist(), strict=True):
        groups[label].append(d)
    return [g for g in groups.values() if len(g) > 1]


def _reach(start: str, edges: dict[str, set[str]]) -> int:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return len(seen) - 1


def origin_of(members: Sequence[str], relations: Sequence[Relation], dates: dict[str, str | None]) -> str | None:
    edges: dict[str, set[str]] = defaultdict(set)
    incoming: set[str] = set()
    member_set = set(members)
    for r in relations:
        if r.type in DIRECTED and r.source and r.a in member_set and r.b in member_set:
            target = r.b if r.source == r.a else r.a
            edges[r.source].add(target)
            incoming.add(target)
    roots = [m for m in members if m in edges and m not in incoming]
    if not roots:
        return None
    rank = {m: (-_reach(m, edges), dates.get(m) or "9999") for m in roots}
    best = min(rank.values())
    first = sorted(m for m in roots if rank[m] == best)
    # Two roots that reach as far, equally dated (a translation of unknown direction between an
    # original and its translation): naming one by its id would be a guess.
    return first[0] if len(first) == 1 else None


def families(docs: Sequence[Document], relations: Sequence[Relation]) -> list[Family]:
    """Families in order of their first document, each with its origin and revisions in time order."""
    order = {d.id: i for i, d in enumerate(docs)}
    dates = {d.id: d.date for d in docs}
    # Only relations on shared text join a family or direct one (its origin reads the directed):
    # the rest, most of a corpus's (topic relations), are passed over once.
    text = list(filter(joins_family, on_shared_text(relations)))
    groups = _components([d.id for d in docs], text)
    # Each family's origin reads only its own relations (all of them per family was quadratic).
    family_of = {m: n for n, g in enumerate(groups) for m in g}
    own: dict[int, list[Relation]] = defaultdict(list)
    for r in text:
        n = family_of.get(r.a)
        if n is not None and family_of.get(r.b) == n:
            own[n].append(r)
    out: list[Family] = []
    for n in sorted(range(len(groups)), key=lambda n: order[groups[n][0]]):
        members = sorted(groups[n], key=order.__getitem__)
        origin = origin_of(members, own[n], dates)
        fam = Family(id=f"family:{origin or members[0]}", documents=members, origin=origin)
        out.append(fam)
    return out


def revision_chain(members: Sequence[str], relations: Sequence[Relation], dates: dict[str, str | None]) -> list[str]:
    """The family's documents linked by revisions, oldest first (by date, then by the relations)."""
    linked = {x for r in relations if r.type == "revision" for x in (r.a, r.b) if x in set(members)}
    return sorted(linked, key=lambda m: (dates.get(m) or "9999", m))


def joins_family(r: Relation) -> bool:
    """A relation that rests on shared text: only those connect a family."""
    return r.type in DIRECTED or r.passages > 0


def component(doc_id: str, relations_of: Callable[[str], Sequence[Relation]], limit: int = 2000
              ) -> tuple[list[str], list[Relation]]:
    """The family around one document, walked through `relations_of` (a store look-up) instead of
    loading every relation: its members (at most `limit`, nearest first) and their relations."""
    members, todo = [doc_id], [doc_id]
    seen = {doc_id}
    rels: dict[tuple[str, str], Relation] = {}
    while todo and len(members) < limit:
        cur = todo.pop(0)
        for r in relations_of(cur):
            if not joins_family(r):
                continue
            rels[(r.a, r.b)] = r
            other = r.b if r.a == cur else r.a
            if other not in seen and len(members) < limit:
                seen.add(other)
                members.append(other)
                todo.append(other)
    return members, [r for r in rels.values() if r.a in seen and r.b in seen]
