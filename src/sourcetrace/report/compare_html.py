"""Side-by-side HTML view of two documents and the passages they share.

One self-contained page (inline CSS and JS, no external asset) so that a report can be opened
offline, mailed, or archived next to the outputs. This module computes the view data (text
segments, summary, columns); templates/compare_page.html and macros.html write the markup.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sourcetrace.records import Document, FactDiff, Passage, Sentence, Span
from sourcetrace.relate.coverage import merge_spans, orient, summarize
from sourcetrace.report.facts import FactTable, fact_table
from sourcetrace.report.kinds import kind_class, kind_css
from sourcetrace.report.templating import inline_asset, render, short

__all__ = ["PairView", "Segment", "pair_view", "render_compare_html", "segments", "settings_items"]

SNIPPET = 140  # chars of an omitted/added sentence shown in the summary


class Segment(NamedTuple):
    """A piece of a document's text and the attributes of its <span> (None: plain text)."""

    text: str
    attrs: dict[str, str] | None


def _cuts(doc: Document, text: str, spans: Sequence[tuple[int, int, str]],
          boilerplate: Sequence[Span], gaps: Sequence[Span]) -> list[tuple[int, int, list[str], bool, bool]]:
    """Cut the document span at every passage, boilerplate and gap boundary.

    Returns (start, end, passage ids, in boilerplate, in gap) per segment. Cutting at every
    boundary, rather than nesting elements, is what lets overlapping passages render: each
    segment simply carries every passage that covers it.
    """
    lo, hi = doc.start, min(doc.end, len(text))
    cuts = {lo, hi}
    for s, e, _ in spans:
        cuts.update((s, e))
    for s, e in (*boilerplate, *gaps):
        cuts.update((s, e))
    bounds = sorted(c for c in cuts if lo <= c <= hi)
    ids: list[list[str]] = [[] for _ in range(max(len(bounds) - 1, 0))]
    for s, e, pid in spans:
        i, j = bisect_left(bounds, s), bisect_left(bounds, e)
        for k in range(i, j):
            ids[k].append(pid)
    boiler_m, gaps_m = merge_spans(boilerplate), merge_spans(gaps)

    def inside(pos: int, merged: list[Span]) -> bool:
        k = bisect_right(merged, (pos, float("inf"))) - 1
        return k >= 0 and merged[k][0] <= pos < merged[k][1]

    return [(bounds[k], bounds[k + 1], ids[k], inside(bounds[k], boiler_m), inside(bounds[k], gaps_m))
            for k in range(len(bounds) - 1)]


def segments(doc: Document, text: str, spans: Sequence[tuple[int, int, str]] = (),
             kinds: Mapping[str, str] | None = None, info: Mapping[str, str] | None = None,
             gaps: Sequence[Span] = (), gap_tip: str = "", *, anchor: str = "") -> list[Segment]:
    """The document's text in segments: passages highlighted by kind, boilerplate greyed, gaps marked.

    ``spans`` are (start, end, passage id); ``kinds`` and ``info`` map a passage id to its kind and
    tooltip. ``anchor`` prefixes the ids of gap targets (``{anchor}s-{start}``) so that several
    views can share one page.
    """
    kinds = kinds or {}
    info = info or {}
    boiler = [(max(s, doc.start), min(e, doc.end)) for s, e in doc.boilerplate]
    boiler = [(s, e) for s, e in boiler if e > s]
    gap_starts = {s for s, _ in gaps}
    boiler_starts = {s for s, _ in boiler}
    out: list[Segment] = []
    for s, e, pids, in_boiler, in_gap in _cuts(doc, text, spans, boiler, gaps):
        classes: list[str] = []
        attrs: dict[str, str] = {"data-start": str(s), "data-end": str(e)}
        tips: list[str] = []
        if pids:
            classes += ["hl", kind_class(kinds[pids[0]])]
            if len(pids) > 1:
                classes.append("multi")
            attrs["data-p"] = " ".join(pids)
            tips += [info[p] for p in pids]
        if in_boiler:
            classes.append("boilerplate")
            if s in boiler_starts:
                classes.append("bp-start")
            tips.append("boilerplate")
        if in_gap:
            classes.append("gap")
            tips.append(gap_tip)
            if s in gap_starts:
                attrs["id"] = f"{anchor}s-{s}"
        if not classes and not tips:
            out.append(Segment(text[s:e], None))
            continue
        if classes:
            attrs = {"class": " ".join(classes), **attrs}
        if tips:
            attrs["title"] = "\n".join(tips)
        out.append(Segment(text[s:e], attrs))
    return out


def settings_items(settings: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(key, shown value) of the settings a report was made with, for its footer."""
    return [(key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str))
            for key, value in (settings or {}).items()]


@dataclass
class Column:
    """One side of a pair view: the document, its text segments and its left-over sentences."""

    side: str  # "a" or "b"
    doc: Document
    segments: list[Segment]
    leftovers: list[tuple[int, int, str]]  # (start, end, snippet) of sentences not in the other


@dataclass
class PairView:
    """The data of a side-by-side view, placed in a page by the ``pair_summary`` and
    ``pair_columns`` macros (templates/macros.html)."""

    summary: dict[str, Any]  # as returned by summarize()
    a: Column
    b: Column
    prefix: str  # of every id in the view
    facts: FactTable | None  # the fact diff, when asked for


def pair_view(doc_a: Document, text_a: str, doc_b: Document, text_b: str, passages: Sequence[Passage],
              sentences_a: Sequence[Sentence], sentences_b: Sequence[Sentence], *, prefix: str = "",
              fact_diffs: Sequence[FactDiff] | None = None) -> PairView:
    """Side-by-side data for (A, B); ``prefix`` makes every id and passage id unique in a page.

    ``prefix`` must be safe in an id and have no spaces (passage ids are space-separated).
    ``fact_diffs`` (A's facts on side a) adds the table of kept, changed, dropped and added facts.
    """
    ps = orient(doc_a, doc_b, passages)
    summary = summarize(doc_a, doc_b, ps, sentences_a, sentences_b)
    kinds: dict[str, str] = {}
    info: dict[str, str] = {}
    spans_a: list[tuple[int, int, str]] = []
    spans_b: list[tuple[int, int, str]] = []
    for i, p in enumerate(ps):
        pid = f"{prefix}p{i}"
        kinds[pid] = p.kind
        info[pid] = (f"p{i} {p.kind} {p.score:.2f}: A [{p.a_start}, {p.a_end}) ↔ B [{p.b_start}, {p.b_end})")
        spans_a.append((max(p.a_start, doc_a.start), min(p.a_end, doc_a.end), pid))
        spans_b.append((max(p.b_start, doc_b.start), min(p.b_end, doc_b.end), pid))

    def column(side: str, doc: Document, text: str, spans: list[tuple[int, int, str]], gaps: list[Span],
               gap_tip: str) -> Column:
        spans = [s for s in spans if s[1] > s[0]]
        return Column(side, doc, segments(doc, text, spans, kinds, info, gaps, gap_tip, anchor=f"{prefix}{side}-"),
                      [(s, e, short(text[s:e], SNIPPET)) for s, e in gaps])

    facts = fact_table(fact_diffs, text_a, text_b, passages=ps) if fact_diffs is not None else None
    return PairView(summary, column("a", doc_a, text_a, spans_a, summary["omitted"], "not in B"),
                    column("b", doc_b, text_b, spans_b, summary["added"], "not in A"), prefix, facts)


def render_compare_html(doc_a: Document, text_a: str, doc_b: Document, text_b: str,
                        passages: Sequence[Passage], sentences_a: Sequence[Sentence],
                        sentences_b: Sequence[Sentence], *, title: str | None = None,
                        settings: dict[str, Any] | None = None, fact_diffs: Sequence[FactDiff] | None = None) -> str:
    """A self-contained HTML5 page comparing ``doc_a`` (left) with ``doc_b`` (right).

    ``text_a``/``text_b`` are the FILE texts the documents' offsets point into. Passages may be
    given in either orientation; those not between the two documents are ignored. Each highlight
    carries ``data-p`` with the ids (``p0``, ``p1``… in the order given) of every passage covering it.
    """
    view = pair_view(doc_a, text_a, doc_b, text_b, passages, sentences_a, sentences_b, fact_diffs=fact_diffs)
    return render("compare_page.html", title=title or f"{doc_a.id} ↔ {doc_b.id}", view=view,
                  css=inline_asset("report.css", "facts.css"), kind_css=kind_css(view.summary["kinds"]),
                  js=inline_asset("pair.js"), settings=settings_items(settings))
