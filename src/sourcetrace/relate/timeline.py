"""The versions of a recurring statement in date order, and what each version changed.

    versions(docs, facts) -> [Version]              # which documents are versions, in order
    steps(versions, texts, sentences, passages_of, facts) -> [Step]   # what each one changed

A recurring statement (the same issuer after each meeting of the same kind) is rewritten from the
previous version: sentences are kept, reworded, dropped and added, and figures and dates change.
Versions are the documents that share text with another one (passages covering at least
:data:`MIN_SHARED` of either side); the others are left out. Each version's date is the
document's own date (its headline block), else one read from the dates its text states (see
:func:`version_date`); versions without any keep their input order after the dated ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sourcetrace.factcheck.dates import relative_key
from sourcetrace.factcheck.diff import diff_pair
from sourcetrace.records import Document, Fact, FactDiff, Passage, Sentence
from sourcetrace.relate.coverage import orient, summarize

MIN_SHARED = 0.05  # share of a document passages must cover for it to be a version of another (a yearly
# statement keeps 10-30% of last year's wording; unrelated texts share next to nothing)


@dataclass
class Version:
    doc: Document
    date: str | None  # ISO, as precise as the text allows


@dataclass
class Step:
    """From one version (``old``) to the next (``new``)."""

    old: Version
    new: Version
    passages: list[Passage]
    dropped: list[tuple[int, int]]  # sentence spans of old not carried into new
    added: list[tuple[int, int]]  # sentence spans of new not from old
    reworded: list[Passage]  # passages kept but not word for word
    facts: list[FactDiff] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"old": self.old.doc.id, "old_date": self.old.date, "new": self.new.doc.id,
                "new_date": self.new.date, "dropped": [list(s) for s in self.dropped],
                "added": [list(s) for s in self.added], "reworded": [p.to_json() for p in self.reworded],
                "facts": [d.to_json() for d in self.facts]}


def version_date(doc: Document, facts: Sequence[Fact]) -> str | None:
    """A version's date: its own; else the latest date its text states (a statement recalls
    earlier statements and decisions, it does not date itself before them), and when the text
    also gives a day and month without a year (its own meeting, most often), that day in the
    latest year stated, or the year after if it would fall before the latest full date."""
    if doc.date:
        return doc.date
    dates = [f.value for f in facts if f.type == "date" and not relative_key(f.value)]  # calendar dates only
    stated = [v for v in dates if not v.startswith("--")]
    if not stated:
        return None
    latest = max(stated)  # ISO strings order by time; "2021" sorts after every 2020 date
    day = next((v for v in dates if v.startswith("--")), None)
    if day is None:
        return latest
    year = int(latest[:4])
    if len(latest) == 10 and f"{year:04d}{day[1:]}" < latest:
        year += 1
    return f"{year:04d}{day[1:]}"


def _sort_key(v: Version, i: int) -> tuple:
    return (v.date is None, v.date or "", i)


def versions(docs: Sequence[Document], facts: Mapping[str, Sequence[Fact]],
             coverage: Callable[[str, str], float] | None = None) -> tuple[list[Version], list[Document]]:
    """(versions in date order, documents left out). ``coverage(a, b)`` is the larger share of
    either document that passages between them cover; without it every document is a version."""
    kept: list[Document] = []
    left: list[Document] = []
    for d in docs:
        if coverage is None or any(coverage(d.id, o.id) >= MIN_SHARED for o in docs if o.id != d.id):
            kept.append(d)
        else:
            left.append(d)
    vs = [Version(d, version_date(d, facts.get(d.id, []))) for d in kept]
    order = sorted(range(len(vs)), key=lambda i: _sort_key(vs[i], i))
    return [vs[i] for i in order], left


def steps(vs: Sequence[Version], texts: Mapping[str, str], sentences: Mapping[str, Sequence[Sentence]],
          passages_of: Callable[[Document, Document], Sequence[Passage]],
          facts: Mapping[str, Sequence[Fact]]) -> list[Step]:
    """What each version changed from the one before: sentences dropped, added and reworded, and
    the fact diff (``passages_of(old, new)`` aligns two documents)."""
    out: list[Step] = []
    for old, new in zip(vs, vs[1:], strict=False):
        a, b = old.doc, new.doc
        ps = orient(a, b, passages_of(a, b))
        summary = summarize(a, b, ps, sentences.get(a.id, ()), sentences.get(b.id, ()))
        diffs = diff_pair(a, texts[a.id], facts.get(a.id, []), b, texts[b.id], facts.get(b.id, []), ps)
        reworded = [p for p in ps if p.kind != "verbatim"]
        out.append(Step(old, new, sorted(ps, key=lambda p: p.a_start), summary["omitted"], summary["added"],
                        reworded, diffs))
    return out
