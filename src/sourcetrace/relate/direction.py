"""Direction from the family: what the other documents of a family say about which way a pair runs.

:func:`~sourcetrace.relate.relations.relate` directs a pair from the two texts alone (containment,
attribution, quotation marks, dates, translation markers). Three kinds of evidence need the rest
of the family and the fact diffs, so they run after both, over records:

1. **Kept and changed facts.** A figure or date changes once, where someone rewrote it, and the
   change is inherited downstream; documents that keep the older value are nearer the origin. For
   a pair A, B whose aligned passages disagree on a figure, a third document C sharing text with
   both that states A's value (``same`` with A, ``changed`` with B) shows that B changed it: B
   cannot be A's source. Facts that point both ways are a conflict: no direction.
2. **The language of the shared wording.** A document D that keeps the wording of a document X in
   X's own language (a same-language derived or copy relation, X its source) took its text from
   X. Its cross-language relation with Y, which shares text with D only as a translation, can name
   Y as D's source only if Y is X's source too: when X is Y's source (Y translates or reports X),
   D and Y are siblings, both from X (``related``); when that is not known, neither is D–Y's
   direction.
3. **A translation resolves what the original leaves relative.** In a translation with no
   marker or date, an aligned day that one side names from its own time ("today", «أمس», "on
   Thursday") and the other as a calendar date was resolved by the side that wrote it out for
   readers elsewhere or later: the relative side is the original. Nothing else directs a translation: without evidence its
   source stays empty and every view says "direction unknown".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby
from operator import attrgetter

from sourcetrace.factcheck.dates import relative_key
from sourcetrace.factcheck.diff import QUANTITIES
from sourcetrace.records import DIRECTED, Document, FactDiff, Relation, pair_key
from sourcetrace.relate.columns import Relations, on_shared_text
from sourcetrace.relate.families import joins_family

CHECKED = ("translation", "copy", "derived")  # a revision's direction is its dates'
_Key = tuple[str, int, int, str]  # (document, fact start, fact end, the other document)


def _other(r: Relation, doc_id: str) -> str:
    return r.b if r.a == doc_id else r.a


@dataclass
class _Family:
    """What the rules read: relations by pair, shared-text partners, and the fact diffs by pair.
    Only the relations that rest on shared text are walked, and a pair's diffs indexed when a
    rule asks for them: most of a corpus's relations are topic relations no rule reads, and most
    of its fact diffs are of pairs no rule asks about (building it all was most of this step)."""

    lang: dict[str, str]
    by_pair: dict[tuple[str, str], Relation]  # the relations that join a family (:func:`joins_family`)
    partners: dict[str, set[str]]
    relations: Sequence[Relation]  # all of them: whether two documents have any relation is asked seldom
    # every diff of a pair (any type), by pair, in order
    pair_diffs: dict[tuple[str, str], list[FactDiff]]
    holds: Callable[[str, str], bool] | None = None  # whether any of them is of a pair (Relations.holds)
    _pairs: set[tuple[str, str]] | None = None
    _diffs: dict[tuple[str, str], list[FactDiff]] = field(default_factory=dict)
    # A quantity fact of one document against the other document of a pair: its status there and
    # the other side's span (None when it was dropped or added); by pair, made when first asked.
    _facts: dict[tuple[str, str], dict[_Key, tuple[str, tuple[int, int] | None]]] = field(default_factory=dict)

    def source(self, x: str, y: str) -> str | None:
        r = self.by_pair.get(pair_key(x, y))
        return r.source if r is not None and r.type in DIRECTED else None

    def relates(self, x: str, y: str) -> bool:
        """Whether the two documents have any relation (on shared text or a topic)."""
        key = pair_key(x, y)
        if key in self.by_pair:
            return True
        if self.holds is not None:
            return self.holds(*key)
        if self._pairs is None:
            self._pairs = {pair_key(r.a, r.b) for r in self.relations}
        return key in self._pairs

    def diffs(self, x: str, y: str) -> list[FactDiff]:
        """The pair's quantity diffs, in order (names are read too unevenly across languages to decide)."""
        key = pair_key(x, y)
        got = self._diffs.get(key)
        if got is None:
            got = self._diffs[key] = [d for d in self.pair_diffs.get(key, ()) if d.type in QUANTITIES]
        return got

    def fact(self, doc: str, start: int, end: int, other: str) -> tuple[str, tuple[int, int] | None] | None:
        """The status of ``doc``'s quantity fact at ``start``-``end`` against ``other`` and the
        span ``other`` states it at (None: no diff of the pair holds it)."""
        key = pair_key(doc, other)
        facts = self._facts.get(key)
        if facts is None:
            facts = self._facts[key] = {}
            for d in self.diffs(doc, other):  # in order: a later diff of the same fact wins
                span_b = (d.b_start, d.b_end) if d.b_start is not None else None
                span_a = (d.a_start, d.a_end) if d.a_start is not None else None
                if d.a_start is not None:
                    facts[(d.a, d.a_start, d.a_end, d.b)] = (d.status, span_b)  # type: ignore[arg-type]
                if d.b_start is not None:
                    facts[(d.b, d.b_start, d.b_end, d.a)] = (d.status, span_a)  # type: ignore[arg-type]
        return facts.get((doc, start, end, other))


def _family(docs: Sequence[Document], relations: Sequence[Relation], diffs: Sequence[FactDiff]) -> _Family:
    by_pair: dict[tuple[str, str], Relation] = {}
    partners: dict[str, set[str]] = defaultdict(set)
    for r in filter(joins_family, on_shared_text(relations)):
        by_pair[pair_key(r.a, r.b)] = r
        partners[r.a].add(r.b)
        partners[r.b].add(r.a)
    pair_diffs: dict[tuple[str, str], list[FactDiff]] = {}
    # A pair's diffs come together (in C, by groupby); a pair met again is appended to, in order.
    for (a, b), group in groupby(diffs, key=_ids):
        pair_diffs.setdefault(pair_key(a, b), []).extend(group)
    holds = relations.holds if isinstance(relations, Relations) else None
    return _Family({d.id: d.lang for d in docs}, by_pair, partners, relations, pair_diffs, holds)


_ids = attrgetter("a", "b")


def direct(docs: Sequence[Document], relations: Sequence[Relation], diffs: Sequence[FactDiff]) -> Sequence[Relation]:
    """The relations with their direction checked against the family (see the module docstring):
    translations directed by resolved dates, sources that changed a fact the other side keeps
    rejected, cross-language sources that only the translation of a same-language source joins
    rejected. Input records are not changed; a changed relation is a new record. A list gives a
    list; :class:`Relations` give theirs with their records directed (no rule changes a relation
    by topic alone: none is of a checked type)."""
    if isinstance(relations, Relations):
        return relations.with_records(_directed(docs, relations, relations.records, diffs))
    return _directed(docs, relations, list(relations), diffs)


def _directed(docs: Sequence[Document], relations: Sequence[Relation], records: list[Relation],
              diffs: Sequence[FactDiff]) -> list[Relation]:
    """:func:`direct` of ``records``, ``relations`` or those of them the rules may change."""
    fam = _family(docs, relations, diffs)
    # Only a checked type's relation is ever changed by a rule (most of a corpus's relations are
    # related by topic: walking them thrice was most of this step); the others are read as they are.
    checked = [i for i, r in enumerate(records) if r.type in CHECKED]
    out = list(records)
    for rule in (_translation, _kept_facts):
        for i in checked:
            out[i] = rule(out[i], fam)
        fam.by_pair.update((pair_key(out[i].a, out[i].b), out[i]) for i in checked)
    # Rule 2 reads the directions rules 1 and 3 left, all at once: its own changes must not feed
    # each other (the answer would depend on the order of the relations).
    last = list(out)
    for i in checked:
        last[i] = _quote_language(out[i], fam)
    return last


# -- 3. translations ---------------------------------------------------------------------------------
def _translation(r: Relation, fam: _Family) -> Relation:
    if r.type != "translation" or r.source is not None:
        return r
    relative = set()
    for d in fam.diffs(r.a, r.b):
        if d.type == "date" and d.status == "same" and isinstance(d.value_a, str) and isinstance(d.value_b, str):
            ra, rb = _deictic_day(d.value_a), _deictic_day(d.value_b)
            if ra != rb and not (relative_key(d.value_a) and relative_key(d.value_b)):
                relative.add(d.a if ra else d.b)
    if len(relative) != 1:
        return r
    (first,) = relative
    return replace(r, source=first, evidence=[*_unknown_dropped(r.evidence), (
        f"{first} states relatively a date that {_other(r, first)} writes out: "
        f"{_other(r, first)} resolved it, {first} is the original")])


def _deictic_day(value: str) -> bool:
    """A day named from the writer's own time ("today", "yesterday", "on Thursday"): what an original
    written at the time says and a translation for later readers writes out. "This year" is not
    one: year words move both ways between languages' styles."""
    return relative_key(value) and value[1:2] in ("D", "W")


def _unknown_dropped(evidence: Sequence[str]) -> list[str]:
    return [e for e in evidence if not e.startswith("direction unknown")]


# -- 1. kept and changed facts -----------------------------------------------------------------------
def _older(a: str, b: str, fam: _Family) -> tuple[int, int, list[str]]:
    """Facts that show A keeps an older value than B (first count) or B than A (second), with
    what each says, read through every document that shares text with both."""
    votes = [0, 0]
    why: list[str] = []
    witnesses = sorted((fam.partners.get(a, set()) & fam.partners.get(b, set())) - {a, b})
    if not witnesses:
        return 0, 0, why
    for d in fam.diffs(a, b):
        if d.status != "changed" or d.a_start is None or d.b_start is None:
            continue
        fa = (d.a, d.a_start, d.a_end)
        fb = (d.b, d.b_start, d.b_end)
        for c in witnesses:
            with_a = fam.fact(*fa, c)  # type: ignore[arg-type]
            with_b = fam.fact(*fb, c)  # type: ignore[arg-type]
            if not with_a or not with_b or with_a[1] is None or with_a[1] != with_b[1]:
                continue  # C must state one fact that both sides' facts meet
            kept, changed = (d.a, d.b) if with_a[0] == "same" and with_b[0] == "changed" else (
                (d.b, d.a) if with_a[0] == "changed" and with_b[0] == "same" else (None, None))
            if kept is None:
                continue
            votes[kept != a] += 1
            old, new = (d.value_a, d.value_b) if kept == d.a else (d.value_b, d.value_a)
            why.append(f"{kept} keeps {old} as {c} states it, {changed} says {new}")
            break
    return votes[0], votes[1], why


def _kept_facts(r: Relation, fam: _Family) -> Relation:
    if r.type not in CHECKED:
        return r
    a_older, b_older, why = _older(r.a, r.b, fam)
    if not a_older and not b_older:
        return r
    if a_older and b_older:
        return replace(r, source=None, evidence=[*_unknown_dropped(r.evidence), *why[:4],
                                                 "direction unknown: the facts each side kept conflict"])
    kept = r.a if a_older else r.b
    changed = _other(r, kept)
    if r.source == changed:
        return replace(r, source=None, evidence=[*r.evidence, *why[:4], (
            f"direction unknown: {changed} changed figures that {kept} keeps, "
            f"so {changed} cannot be {kept}'s source")])
    return replace(r, evidence=[*r.evidence, *why[:4]])


# -- 2. the language of the shared wording -----------------------------------------------------------
def _quote_language(r: Relation, fam: _Family) -> Relation:
    if r.type not in CHECKED or r.type == "translation" or r.source is None:
        return r
    derived, source = _other(r, r.source), r.source
    if fam.lang.get(derived) == fam.lang.get(source):
        return r
    # Same-language documents whose wording `derived` keeps, as their derived side or copy.
    takes_from = sorted(x for x in fam.partners.get(derived, ()) if x != source
                        and fam.lang.get(x) == fam.lang.get(derived) and fam.source(x, derived) == x
                        and fam.relates(x, source))
    if not takes_from:
        return r
    verdicts = {x: fam.source(x, source) for x in takes_from}
    if any(v == source for v in verdicts.values()):  # through x: source -> x -> derived
        via = next(x for x, v in verdicts.items() if v == source)
        return replace(r, evidence=[*r.evidence, f"through {via}: {derived} keeps {via}'s wording, "
                                                 f"{via} takes from {source}"])
    upstream = [x for x, v in verdicts.items() if v == x]
    if upstream:
        x = upstream[0]
        return replace(r, type="related", source=None, evidence=[*r.evidence, (
            f"both take from {x}: {derived} keeps {x}'s wording in its language, {source} takes from {x}, "
            f"so {source} cannot be {derived}'s source")])
    x = takes_from[0]
    return replace(r, source=None, evidence=[*r.evidence, (
        f"direction unknown: {derived} keeps the wording of {x} in its language, "
        f"and which of {x} and {source} came first is not known")])
