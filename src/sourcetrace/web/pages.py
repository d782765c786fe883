"""The HTML pages, built from the report's escaped pieces (report/compare_html.py, corpus_html.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from sourcetrace.facts import document_facts
from sourcetrace.quotes.search import MAX_QUERY_CHARS, Hit
from sourcetrace.records import Document, Fact, Family, Relation
from sourcetrace.relate.families import component, origin_of
from sourcetrace.relate.lineage import is_directed, origin_chain, relations_of
from sourcetrace.report.compare_html import (
    CSS,
    JS,
    _e,
    dir_attrs,
    doc_meta_html,
    kind_css,
    legend_html,
    pair_view,
)
from sourcetrace.report.compare_html import segments_html as text_html
from sourcetrace.report.corpus_html import CORPUS_CSS, FROM_WORDS, TO_WORDS, graph_svg
from sourcetrace.web.api import context, family_dates, pair_passages, run_search
from sourcetrace.web.app import static_text

router = APIRouter(include_in_schema=False)

APP_CSS = """
header.site { display:flex; flex-wrap:wrap; gap:8px 18px; align-items:center; }
header.site .brand { font-weight:700; font-size:18px; color:var(--fg); text-decoration:none; }
header.site nav a { margin-inline-end:12px; }
form.searchform { display:flex; gap:8px; flex:1 1 520px; }
form.searchform input[type=search] { flex:1; font:inherit; padding:5px 9px; border:1px solid #bbb; border-radius:4px; }
form.searchform select, form.searchform button { font:inherit; }
ol.hits { list-style:none; padding:0; }
ol.hits > li { background:#fff; border:1px solid var(--line); border-radius:6px; padding:8px 14px; margin:10px 0; }
.hit-head { display:flex; flex-wrap:wrap; gap:4px 12px; align-items:baseline; font-size:13px; }
.hit-head .doc { font-size:15px; font-weight:600; }
.snippet { margin:6px 0 2px; font-size:15px; }
.snippet[dir=rtl] { font-size:17px; line-height:1.8; }
mark { background:#ffe27a; padding:0 1px; border-radius:2px; }
.origin-badge { background:#fffbe8; border:1px solid #e3c76a; border-radius:3px; padding:0 5px; }
.answer { background:#fff; border:1px solid var(--line); border-radius:6px; padding:8px 14px; margin:12px 0; }
.progress { width:100%; max-width:520px; height:14px; }
#upload-status { font-size:14px; }
ol.timeline { padding-inline-start:20px; }
.error { color:#b00020; }
"""


def stylesheet() -> str:
    """The pages' one stylesheet: the reports' rules, then the app's own."""
    return CSS + kind_css() + CORPUS_CSS + APP_CSS


def script() -> str:
    return JS + static_text("app.js")


def doc_href(doc_id: str) -> str:
    return "/doc/" + quote(doc_id, safe="")


def doc_link(doc_id: str, label: str | None = None) -> str:
    return f'<a href="{_e(doc_href(doc_id))}"><code>{_e(label or doc_id)}</code></a>'


def compare_href(a: str, b: str) -> str:
    return "/compare?" + urlencode({"a": a, "b": b})


def page(title: str, body: str, *, q: str = "", lang: str = "any", status: int = 200) -> HTMLResponse:
    options = "".join(f'<option value="{v}"{" selected" if v == lang else ""}>{label}</option>'
                      for v, label in (("any", "any language"), ("ar", "Arabic"), ("en", "English")))
    html = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{_e(title)} · sourcetrace</title>\n<link rel="stylesheet" href="/static/app.css">\n</head>\n<body>\n'
        '<header class="top site"><a class="brand" href="/">sourcetrace</a>'
        '<nav><a href="/">Search</a><a href="/documents">Documents</a><a href="/upload">Upload</a></nav>'
        '<form class="searchform" action="/" method="get" role="search">'
        f'<input type="search" name="q" value="{_e(q)}" maxlength="{MAX_QUERY_CHARS}" dir="auto" '
        'placeholder="A sentence in Arabic or English…" aria-label="quote">'
        f'<select name="lang" aria-label="language">{options}</select><button type="submit">Search</button></form>'
        f'</header>\n<div class="page">{body}</div>\n<script src="/static/app.js"></script>\n</body>\n</html>\n')
    return HTMLResponse(html, status_code=status)


def not_found(message: str) -> HTMLResponse:
    return page("not found", f'<h2>Not found</h2><p class="error">{_e(message)}</p>', status=404)


# -- search ------------------------------------------------------------------------------------

def hit_html(rank: int, hit: Hit) -> str:
    snippet = "".join(f"<mark>{_e(t)}</mark>" if marked else _e(t) for t, marked in hit.parts())
    links = [f'<a href="{_e(doc_href(hit.doc))}#s-{hit.start}">open</a>']
    if hit.origin and hit.origin != hit.doc:
        links.append(f'<a class="to-origin" href="{_e(compare_href(hit.origin, hit.doc))}">side by side with origin</a>')
    via = f'<span>via {doc_link(hit.via)}</span>' if hit.via else ""
    origin = (f'<span class="origin-badge">origin {doc_link(hit.origin)}</span>' if hit.origin and hit.origin != hit.doc
              else '<span class="origin-badge">the origin</span>' if hit.origin else "")
    title = f'<span dir="auto">{_e(hit.title)}</span>' if hit.title else ""
    return (f'<li class="hit" data-doc="{_e(hit.doc)}"><div class="hit-head"><span>{rank}.</span>'
            f'<a class="doc" href="{_e(doc_href(hit.doc))}">{_e(hit.doc)}</a>'
            f'<span class="chip k-{_e(hit.kind)}">{_e(hit.kind)}</span><span>score {hit.score:.2f}</span>'
            f'<span class="tag">{_e(hit.lang)}</span><span class="date">{_e(hit.date or "undated")}</span>'
            f'<span class="off">[{hit.start}, {hit.end})</span>{origin}{via}{title}</div>'
            f'<div class="snippet" {dir_attrs(hit.lang)}>{snippet}</div>'
            f'<div class="hit-links">{" · ".join(links)}</div></li>')


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
                lang: Annotated[str, Query(pattern="^(any|ar|en)$")] = "any") -> HTMLResponse:
    if not q.strip():
        store = context(request).store()
        counts = store.counts()
        return page("search", '<h2>Quote search</h2><p>Type a sentence — Arabic or English, reworded or not — to find '
                    'every document that carries it, the earliest one, and the original it came from.</p>'
                    f'<p class="counts">{counts["documents"]} documents in the store.</p>', lang=lang)
    from fastapi import HTTPException

    try:
        result = run_search(context(request).store(), q, lang, 20)
    except HTTPException as exc:
        return page("search", f'<p class="error">{_e(exc.detail)}</p>', q=q, lang=lang, status=422)
    hits: list[Hit] = result["_hits"]
    if not hits:
        return page("search", '<p class="none">No document carries this text.</p>', q=q, lang=lang)
    answer = [f"{len(hits)} documents"]
    if result["earliest"]:
        answer.append(f"earliest {doc_link(result['earliest'])}")
    if result["origin"]:
        answer.append(f'origin <span class="origin-answer">{doc_link(result["origin"])}</span>')
    body = (f'<div class="answer">{" · ".join(answer)} <span class="off">{result["took_ms"]} ms</span></div>'
            f'<ol class="hits">{"".join(hit_html(i, h) for i, h in enumerate(hits, 1))}</ol>')
    return page(f"search: {q[:60]}", body, q=q, lang=lang)


# -- documents -----------------------------------------------------------------------------------

@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, offset: Annotated[int, Query(ge=0, le=2**62)] = 0) -> HTMLResponse:
    store = context(request).store()
    docs = store.documents_page(offset, 200)
    total = store.counts()["documents"]
    rows = "".join(f"<tr><td>{doc_link(d.id)}</td><td><span class=\"tag\">{_e(d.lang)}</span></td>"
                   f'<td>{_e(d.date or "")}</td><td dir="auto">{_e(d.title or "")}</td></tr>' for d in docs)
    more = (f'<p><a href="/documents?offset={offset + 200}">next 200</a></p>' if offset + 200 < total else "")
    return page("documents", f"<h2>Documents ({total})</h2><table class=\"rels\"><thead><tr><th>id</th><th>lang</th>"
                f"<th>date</th><th>title</th></tr></thead><tbody>{rows}</tbody></table>{more}")


def relations_table(doc_id: str, rels: Sequence[Relation]) -> str:
    if not rels:
        return '<p class="none">No relations (trace the files, or upload them here).</p>'
    rows = []
    for r in rels:
        if is_directed(r):
            how = FROM_WORDS.get(r.type, r.type) if r.source == r.b else TO_WORDS.get(r.type, r.type)
        else:
            how = r.type
        evidence = "".join(f'<li dir="auto">{_e(x)}</li>' for x in r.evidence)
        rows.append(f'<tr><td class="type">{_e(how)}</td><td>{doc_link(r.b)}</td>'
                    f'<td class="num">{r.coverage_a:.0%} / {r.coverage_b:.0%}</td><td class="num">{r.score:.2f}</td>'
                    f'<td><ul class="ev">{evidence}</ul></td>'
                    f'<td><a href="{_e(compare_href(r.b if r.source == r.b else doc_id, doc_id if r.source == r.b else r.b))}">'
                    "side by side</a></td></tr>")
    return ('<table class="rels"><thead><tr><th>this document is</th><th>other</th><th>coverage this / other</th>'
            f'<th>score</th><th>evidence</th><th>view</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def facts_html(facts: Sequence[Fact], text: str) -> str:
    """The figures, dates and names the document states, each with its words and value."""
    if not facts:
        return '<p class="none">No figures, dates or names found.</p>'
    rows = "".join(f'<tr><td class="type">{_e(f.type)}</td><td dir="auto">{_e(text[f.start:f.end])}</td>'
                   f'<td class="num" dir="ltr">{_e(f.value)}</td><td class="off">[{f.start}, {f.end})</td></tr>'
                   for f in facts)
    return ('<table class="rels facts"><thead><tr><th>type</th><th>text</th><th>value</th><th>span</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>")


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
    dates = family_dates(store, members)
    langs = {m: (d.lang if (d := store.document(m)) else None) for m in members}
    chain = origin_chain(doc_id, fam_rels, dates, langs)
    chain_html = ('<ol class="chain">' + "".join(
        f"<li>{doc_link(c)}" + (f' <span class="via">{_e(FROM_WORDS.get(r.type, r.type))}</span>' if r else
                                ' <span class="tagline">origin</span>') + "</li>" for c, r in chain) + "</ol>")
    counts: dict[str, int] = {}
    for p in passages:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    family_link = (f'<p><a href="/family/{_e(quote(doc_id, safe=""))}">family of {len(members)} documents</a></p>'
                   if len(members) > 1 else '<p class="none">In no family.</p>')
    body = (f'<section class="docsec"><h2>{_e(doc.id)}</h2><p class="doc-head" dir="auto">{doc_meta_html(doc)}</p>'
            f'<div class="legend">{legend_html(counts)}</div>'
            f'<div class="doc-text" id="doc-text" {dir_attrs(doc.lang)}>{text_html(doc, text, spans, kinds, info)}</div>'
            f"<h3>Origin chain</h3>{chain_html}{family_link}"
            f"<h3>Relations</h3>{relations_table(doc_id, relations_of(doc_id, store.relations(doc_id)))}"
            f"<h3>Facts</h3>{facts_html(document_facts(doc, text), text)}</section>")
    return page(doc.id, body)


# -- compare and family ----------------------------------------------------------------------------

@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: str = "", b: str = "") -> HTMLResponse:
    store = context(request).store()
    da, db = store.document(a), store.document(b)
    if da is None or db is None:
        return not_found(f"no document {(b if da else a)!r} in the store")
    ps = pair_passages(store, da, db)
    view = pair_view(da, store.document_text(a) or "", db, store.document_text(b) or "", ps,
                     store.sentences(a), store.sentences(b))
    note = "" if ps else '<p class="note">No stored passages between these two documents.</p>'
    body = (f'<h2>{doc_link(a)} ↔ {doc_link(b)}</h2>{note}'
            f'<div class="legend">{legend_html(view.summary["kinds"])}</div>'
            f'<div class="pair compare">{view.summary_html}<div class="cols">{view.columns}</div></div>')
    return page(f"{a} ↔ {b}", body)


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
    anchors = {m: f"n{i}" for i, m in enumerate(members)}
    svg = graph_svg(fam, docs, rels, anchors, {m: doc_href(m) for m in members})
    timeline = "".join(
        f'<li><span class="date">{_e(dates.get(m) or "undated")}</span> {doc_link(m)} '
        f'<span class="tag">{_e(docs[m].lang)}</span> <span dir="auto">{_e(docs[m].title or "")}</span>'
        + (' <span class="tagline">origin</span>' if m == origin else "") + "</li>"
        for m in sorted(docs, key=lambda m: (dates.get(m) or "\uffff", m)))
    body = (f'<section class="family"><h2>Family of {doc_link(doc_id)}: {len(members)} documents · origin '
            f'{doc_link(origin) if origin else "not determined"}</h2><div class="graphbox">{svg}</div>'
            f'<h3>Timeline</h3><ol class="timeline">{timeline}</ol></section>')
    return page(f"family of {doc_id}", body)


# -- upload ---------------------------------------------------------------------------------------

@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> HTMLResponse:
    limit = context(request).upload_limit
    body = ('<h2>Add files</h2><p>Plain text, Markdown, HTML or JSONL, at most '
            f'{limit // 1_000_000} MB each. They are read and traced against everything in the store.</p>'
            '<form id="upload-form" action="/api/uploads" method="post" enctype="multipart/form-data">'
            '<input type="file" name="files" id="upload-files" multiple accept=".txt,.md,.html,.htm,.jsonl">'
            '<button type="submit">Upload</button></form>'
            '<progress class="progress" id="upload-progress" max="100" value="0" hidden></progress>'
            '<p id="upload-status" aria-live="polite"></p><ul id="upload-docs"></ul>')
    return page("upload", body)
