"""One self-contained HTML page for a whole traced corpus.

Families first (a graph of who took text from whom, and the evidence), then every document with
its text, relations, origin chain and side-by-side views of the pairs it shares text with. Like
the pair view it is one file with inline CSS, JS and SVG, so it opens offline and can be archived
next to the outputs. This module gathers the view data; templates/corpus_page.html writes it, with
every value escaped by the engine; the only data inside a <script> is the JSON search index, in a
non-executable block written by ``tojson`` (which escapes ``<``, so no "</" can close it).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sourcetrace.records import Document, FactDiff, Family, Passage, Relation, Sentence, pair_key
from sourcetrace.relate.coverage import merge_spans
from sourcetrace.relate.lineage import is_directed, origin_chain, relations_of
from sourcetrace.report.compare_html import PairView, Segment, pair_view, segments, settings_items
from sourcetrace.report.facts import orient_diffs
from sourcetrace.report.graph import TYPE_COLOURS, Graph, coverage, flow, layout
from sourcetrace.report.kinds import kind_css
from sourcetrace.report.templating import inline_asset, render, short
from sourcetrace.report.wording import chain_steps, what_a_is

SNIPPET_CHARS = 300  # of each document's content in the search index


def _slugs(ids: Iterable[str], prefix: str) -> dict[str, str]:
    """A safe, unique HTML id per input id.

    Ids come from file names and scraped metadata: anything outside [A-Za-z0-9_-] is replaced,
    and then a short hash of the original keeps "a b" and "a_b" apart.
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for raw in ids:
        if raw in out:
            continue
        base = re.sub(r"[^A-Za-z0-9_-]+", "_", raw)[:60] or "_"
        slug = f"{prefix}{base}"
        if base != raw or slug in used:
            slug = f"{prefix}{base}-{hashlib.sha1(raw.encode('utf-8')).hexdigest()[:8]}"
        n = 2
        while slug in used:
            slug = f"{slug}-{n}"
            n += 1
        used.add(slug)
        out[raw] = slug
    return out


def _content(doc: Document, text: str) -> str:
    """The document's text without its boilerplate, whitespace collapsed."""
    lo, hi = doc.start, min(doc.end, len(text))
    parts: list[str] = []
    cur = lo
    for s, e in merge_spans((max(s, lo), min(e, hi)) for s, e in doc.boilerplate):
        if s > cur:
            parts.append(text[cur:s])
        cur = max(cur, e)
    if cur < hi:
        parts.append(text[cur:hi])
    return " ".join(" ".join(parts).split())


# -- view data -----------------------------------------------------------------------------------

@dataclass
class FamilyView:
    family: Family
    anchor: str
    graph: Graph | None
    relations: list[Relation]  # directed first, strongest first


@dataclass
class RelationRow:
    """A relation seen from one document (``relation.a`` is that document)."""

    relation: Relation
    how: str  # "derived from", "source of", "related" …
    view: int | None  # number of its pair view in the page
    left_out: bool  # has passages but its view was left out (max_pair_views)


@dataclass
class PairSection:
    number: int
    relation: Relation
    view: PairView


@dataclass
class DocView:
    doc: Document
    anchor: str
    family: FamilyView | None
    segments: list[Segment] | None  # None: the text is not available
    relations: list[RelationRow]
    chain: list[tuple[str, str | None]]  # (document, how it relates to the previous one's source)
    chain_end: str  # "origin", "stops: cycle" or "no known source: direction unknown with …"
    is_origin: bool  # has directed relations but no source
    pairs: list[PairSection] = field(default_factory=list)


def render_corpus_html(docs: Sequence[Document], texts: Mapping[str, str], sentences: Mapping[str, Sequence[Sentence]],
                       passages: Sequence[Passage], relations: Sequence[Relation], families: Sequence[Family],
                       *, settings: dict[str, Any] | None = None, max_pair_views: int = 200,
                       title: str = "sourcetrace corpus", fact_diffs: Sequence[FactDiff] | None = None) -> str:
    """A self-contained HTML5 page for the whole corpus.

    ``texts[doc.id]`` is the text of the FILE holding the document (its offsets point into it; a
    key equal to ``doc.path`` is accepted too); ``sentences[doc.id]`` the document's sentences.
    At most ``max_pair_views`` side-by-side views are embedded, strongest relations first: each
    view repeats two documents' texts, so a large corpus would otherwise make a huge file.
    """
    by_id = {d.id: d for d in docs}
    anchors = _slugs((d.id for d in docs), "doc-")
    fam_anchors = _slugs((f.id for f in families), "fam-")
    dates = {d.id: d.date for d in docs}
    langs = {d.id: d.lang for d in docs}

    def text_of(d: Document) -> str | None:
        return texts.get(d.id, texts.get(d.path))

    rels = [r for r in relations if r.a in by_id and r.b in by_id]

    # Passages grouped by unordered pair: a pair view needs them, in either orientation.
    pair_passages: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    for p in passages:
        pair_passages[pair_key(p.a, p.b)].append(p)
    pair_diffs: dict[tuple[str, str], list[FactDiff]] = defaultdict(list)
    for fd in fact_diffs or ():
        pair_diffs[pair_key(fd.a, fd.b)].append(fd)

    # Pair views: one per relation that has passages, strongest first, at most max_pair_views.
    # A view lives in the derived document's section (source on the left) and is linked from the other.
    viewable = [i for i, r in enumerate(rels) if pair_passages.get(pair_key(r.a, r.b))
                and text_of(by_id[r.a]) is not None and text_of(by_id[r.b]) is not None]
    viewable.sort(key=lambda i: (-rels[i].score, -max(rels[i].coverage_a, rels[i].coverage_b), rels[i].a, rels[i].b))
    kept = viewable[:max(0, max_pair_views)]
    view_no = {i: n for n, i in enumerate(kept)}
    left_out = set(viewable[len(kept):])
    # relations_of() hands back oriented copies: find the original by what orientation keeps.
    rel_index = {(pair_key(r.a, r.b), r.type, r.source, r.score): i for i, r in enumerate(rels)}
    views_in: dict[str, list[int]] = defaultdict(list)
    for i in kept:
        views_in[flow(rels[i])[1]].append(i)

    fam_views: list[FamilyView] = []
    fam_of: dict[str, FamilyView] = {}
    for f in families:
        members = set(f.documents)
        frels = sorted((r for r in rels if r.a in members and r.b in members),
                       key=lambda r: (not is_directed(r), -r.score, r.a, r.b))
        fv = FamilyView(f, fam_anchors[f.id], layout(f, by_id, frels, anchors), frels)
        fam_views.append(fv)
        for m in f.documents:
            fam_of.setdefault(m, fv)

    def pair_section(i: int) -> PairSection:
        a_id, b_id = flow(rels[i])
        da, db = by_id[a_id], by_id[b_id]
        facts = (orient_diffs(pair_diffs.get(pair_key(a_id, b_id), []), a_id, b_id)
                 if fact_diffs is not None else None)
        return PairSection(view_no[i], rels[i], pair_view(
            da, text_of(da) or "", db, text_of(db) or "", pair_passages[pair_key(a_id, b_id)],
            sentences.get(a_id, ()), sentences.get(b_id, ()), prefix=f"v{view_no[i]}-", fact_diffs=facts))

    doc_views: list[DocView] = []
    index: list[dict[str, Any]] = []
    for d in docs:
        text = text_of(d)
        index.append({"id": d.id, "anchor": anchors[d.id], "title": d.title or "", "lang": d.lang,
                      "date": d.date or "", "text": short(_content(d, text), SNIPPET_CHARS) if text else ""})
        mine = relations_of(d.id, rels)
        rows = []
        for r in mine:
            i = rel_index[(pair_key(r.a, r.b), r.type, r.source, r.score)]
            rows.append(RelationRow(r, what_a_is(r), view_no.get(i), i in left_out))
        chain = origin_chain(d.id, rels, dates, langs)
        steps, end = chain_steps(chain, rels)
        steps = steps if len(chain) > 1 else []
        doc_views.append(DocView(
            d, anchors[d.id], fam_of.get(d.id), segments(d, text) if text is not None else None, rows,
            steps, end, any(is_directed(r) for r in mine), [pair_section(i) for i in views_in.get(d.id, [])]))

    kinds = Counter(p.kind for p in passages)
    return render(
        "corpus_page.html", title=title, docs=doc_views, families=fam_views,
        unrelated=[v for v in doc_views if v.family is None], links={
            d.id: {"anchor": anchors[d.id], "title": d.title} for d in docs},
        n_relations=len(rels), type_counts=sorted(Counter(r.type for r in rels).items()),
        n_passages=len(passages), kinds=kinds, type_colours=TYPE_COLOURS,
        n_views=len(kept), n_viewable=len(viewable), n_left_out=len(left_out), max_pair_views=max_pair_views,
        index=index, settings=settings_items(settings), flow=flow, coverage=coverage, is_directed=is_directed,
        css=inline_asset("report.css", "facts.css"), kind_css=kind_css(sorted(kinds)),
        corpus_css=inline_asset("corpus.css"), js=inline_asset("pair.js", "corpus.js"))
