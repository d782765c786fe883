"""The HTML pages: each route gathers plain view data and renders a template of web/templates/.

The templates import the report's macros (report/templates/macros.html, graph.html), so a text,
a pair view or a family graph looks the same in the app as in a report; the engine escapes
every value (report/templating.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from sourcetrace.factcheck import document_facts
from sourcetrace.quotes.search import MAX_QUERY_CHARS, Hit
from sourcetrace.readers import readers_by_suffix
from sourcetrace.records import Document, Family, Relation
from sourcetrace.relate.families import component, origin_of
from sourcetrace.relate.lineage import origin_chain, relations_of
from sourcetrace.report.compare_html import pair_view, segments
from sourcetrace.report.graph import layout
from sourcetrace.report.kinds import kind_css
from sourcetrace.report.templating import render, static_text
from sourcetrace.report.wording import chain_steps, what_a_is
from sourcetrace.web.api import context, family_dates, pair_fact_diffs, pair_passages, run_search

router = APIRouter(include_in_schema=False)

WEB = "sourcetrace.web"
LANGUAGES = (("any", "any language"), ("ar", "Arabic"), ("en", "English"))


def stylesheet() -> str:
    """The pages' one stylesheet: the reports' rules, then the app's own."""
    return "\n".join((static_text("report.css"), static_text("facts.css"), kind_css(), static_text("corpus.css"),
                      static_text("pages.css", WEB)))


def script() -> str:
    return static_text("pair.js") + static_text("app.js", WEB)


def doc_href(doc_id: str) -> str:
    return "/doc/" + quote(doc_id, safe="")


def compare_href(a: str, b: str) -> str:
    return "/compare?" + urlencode({"a": a, "b": b})


def page(template: str, title: str, *, q: str = "", lang: str = "any", status: int = 200,
         **data: Any) -> HTMLResponse:
    """``template`` (which extends layout.html) with the search box filled in with ``q``."""
    html = render(template, packages=(WEB,), title=title, q=q, lang=lang, languages=LANGUAGES,
                  max_query=MAX_QUERY_CHARS, doc_href=doc_href, compare_href=compare_href, **data)
    return HTMLResponse(html, status_code=status)


def not_found(message: str) -> HTMLResponse:
    return page("not_found.html", "not found", message=message, status=404)


# -- search ------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
                lang: Annotated[str, Query(pattern="^(any|ar|en)$")] = "any") -> HTMLResponse:
    store = context(request).store()
    if not q.strip():
        return page("search.html", "search", lang=lang, documents=store.counts()["documents"])
    try:
        result = run_search(store, q, lang, 20)
    except HTTPException as exc:
        return page("search.html", "search", q=q, lang=lang, error=exc.detail, status=422)
    hits: list[Hit] = result["_hits"]
    return page("search.html", f"search: {q[:60]}", q=q, lang=lang, hits=hits, result=result)


# -- documents -----------------------------------------------------------------------------------

PAGE_SIZE = 200


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, after: str | None = None) -> HTMLResponse:
    store = context(request).store()
    total = store.counts()["documents"]
    try:
        docs = store.documents_after(after, PAGE_SIZE + 1)  # keyset pages: one more tells of a next page
    except KeyError:
        return not_found(f"no document {after!r} in the store")
    return page("documents.html", "documents", docs=docs[:PAGE_SIZE], total=total,
                next_after=docs[PAGE_SIZE - 1].id if len(docs) > PAGE_SIZE else None)


def relation_rows(doc_id: str, rels: Sequence[Relation]) -> list[dict[str, Any]]:
    """The document's relations (``a`` is the document), each with a link to the pair side by side,
    source on the left."""
    return [{"relation": r, "how": what_a_is(r),
             "compare": compare_href(r.b, doc_id) if r.source == r.b else compare_href(doc_id, r.b)}
            for r in rels]


@router.get("/doc/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str) -> HTMLResponse:
    store = context(request).store()
    doc = store.document(doc_id)
    if doc is None:
        return not_found(f"no document {doc_id!r} in the store")
    text = store.document_text(doc_id) or ""
    passages = store.passages([doc_id])
    spans, kinds, info = [], {}, {}
    for i, p in enumerate(passages):
        mine, other = ((p.a_start, p.a_end), p.b) if p.a == doc_id else ((p.b_start, p.b_end), p.a)
        pid = f"p{i}"
        kinds[pid], info[pid] = p.kind, f"{p.kind} {p.score:.2f} with {other}"
        spans.append((max(mine[0], doc.start), min(mine[1], doc.end), pid))
    spans = [s for s in spans if s[1] > s[0]]
    members, fam_rels = component(doc_id, store.relations)
    langs = {m: (d.lang if (d := store.document(m)) else None) for m in members}
    chain = origin_chain(doc_id, fam_rels, family_dates(store, members), langs)
    steps, end = chain_steps(chain, fam_rels)
    counts: dict[str, int] = {}
    for p in passages:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return page("document.html", doc.id, doc=doc, text=text, segments=segments(doc, text, spans, kinds, info),
                counts=counts, chain=steps, chain_end=end, family_size=len(members),
                family_href="/family/" + quote(doc_id, safe=""),
                relations=relation_rows(doc_id, relations_of(doc_id, store.relations(doc_id))),
                facts=document_facts(doc, text))


# -- compare and family ----------------------------------------------------------------------------

@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: str = "", b: str = "") -> HTMLResponse:
    store = context(request).store()
    da, db = store.document(a), store.document(b)
    if da is None or db is None:
        return not_found(f"no document {(b if da else a)!r} in the store")
    ps = pair_passages(store, da, db)
    view = pair_view(da, store.document_text(a) or "", db, store.document_text(b) or "", ps,
                     store.sentences(a), store.sentences(b), fact_diffs=pair_fact_diffs(store, da, db, ps))
    return page("compare.html", f"{a} ↔ {b}", a=a, b=b, view=view, has_passages=bool(ps))


@router.get("/family/{doc_id}", response_class=HTMLResponse)
def family_page(request: Request, doc_id: str) -> HTMLResponse:
    store = context(request).store()
    if store.document(doc_id) is None:
        return not_found(f"no document {doc_id!r} in the store")
    members, rels = component(doc_id, store.relations)
    docs: dict[str, Document] = {m: d for m in members if (d := store.document(m))}
    dates = {m: d.date for m, d in docs.items()}
    origin = origin_of(members, rels, dates) if len(members) > 1 else None
    fam = Family(id=f"family:{origin or doc_id}", documents=members, origin=origin)
    graph = layout(fam, docs, rels, {m: f"n{i}" for i, m in enumerate(members)}, {m: doc_href(m) for m in members})
    timeline = [docs[m] for m in sorted(docs, key=lambda m: (dates.get(m) or "\uffff", m))]
    return page("family.html", f"family of {doc_id}", doc_id=doc_id, members=members, origin=origin,
                graph=graph, timeline=timeline)


# -- upload ---------------------------------------------------------------------------------------

@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> HTMLResponse:
    # The file picker offers what the upload takes: the readers' suffixes (web/jobs.py checks the same).
    return page("upload.html", "upload", limit_mb=context(request).upload_limit // 1_000_000,
                accept=",".join(readers_by_suffix()))
