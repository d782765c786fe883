"""One self-contained HTML page for a whole traced corpus.

Families first (a graph of who took text from whom, and the evidence), then every document with
its text, relations, origin chain and side-by-side views of the pairs it shares text with. Like
the pair view it is one file with inline CSS, JS and SVG, so it opens offline and can be archived
next to the outputs. Every piece of document data is escaped; the only data inside a <script> is
the JSON search index, in a non-executable block with "</" escaped.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sourcetrace.records import Document, FactDiff, Family, Passage, Relation, Sentence
from sourcetrace.relate.lineage import chain_ends_in_cycle, is_directed, origin_chain, relations_of
from sourcetrace.report.compare_html import (
    CSS,
    JS,
    _e,
    _settings_html,
    dir_attrs,
    is_rtl,
    kind_css,
    legend_html,
    pair_view,
    segments_html,
    url_html,
)
from sourcetrace.report.facts import FACT_CSS, orient_diffs
from sourcetrace.report.summary import merge_spans

SNIPPET_CHARS = 300  # of each document's content in the search index
NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 190, 48, 44, 96, 24
NODE_TITLE_CHARS = 28

TYPE_COLOURS = {"translation": "#2e8b57", "copy": "#c0392b", "derived": "#d35400", "revision": "#2c6fbb",
                "related": "#8a8a90"}
# How a relation reads from the derived side and from the source side.
FROM_WORDS = {"translation": "translation of", "copy": "copy of", "derived": "derived from",
              "revision": "revision of"}
TO_WORDS = {"translation": "translated as", "copy": "copied as", "derived": "source of", "revision": "revised as"}


# -- ids ---------------------------------------------------------------------------------------

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


def script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">: no "</" can close the block."""
    return (json.dumps(value, ensure_ascii=False)
            .replace("</", "<\\/").replace("<!--", "<\\u0021--"))


# -- small pieces ----------------------------------------------------------------------------

def _pct(x: float) -> str:
    return f"{x:.0%}"


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


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _evidence_html(r: Relation) -> str:
    if not r.evidence:
        return '<span class="none">—</span>'
    return '<ul class="ev">' + "".join(f'<li dir="auto">{_e(x)}</li>' for x in r.evidence) + "</ul>"


def _pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _flow(r: Relation) -> tuple[str, str]:
    """(from, to): source first for a directed relation, else as recorded."""
    if is_directed(r) and r.source == r.b:
        return r.b, r.a
    return r.a, r.b


def _cov(r: Relation, doc_id: str) -> float:
    return r.coverage_a if r.a == doc_id else r.coverage_b


# -- family graph ----------------------------------------------------------------------------

def _layers(members: Sequence[str], origin: str | None, rels: Sequence[Relation]) -> dict[str, int]:
    """Layer of each member: its distance from the origin along directed relations.

    Members the directed relations do not reach (joined by a related pair, or only pointing at
    the family) go one layer below their nearest placed neighbour.
    """
    down: dict[str, list[str]] = defaultdict(list)
    near: dict[str, set[str]] = defaultdict(set)
    has_in: set[str] = set()
    for r in rels:
        near[r.a].add(r.b)
        near[r.b].add(r.a)
        if is_directed(r):
            src, dst = _flow(r)
            down[src].append(dst)
            has_in.add(dst)
    roots = [origin] if origin in members else [m for m in members if down.get(m) and m not in has_in]
    if not roots:
        roots = [members[0]]
    layer = {r: 0 for r in roots}
    todo = list(roots)
    while todo:  # breadth first: the shortest distance wins
        nxt: list[str] = []
        for m in todo:
            for d in sorted(down.get(m, ())):
                if d not in layer:
                    layer[d] = layer[m] + 1
                    nxt.append(d)
        todo = nxt
    while len(layer) < len(members):
        placed = False
        for m in members:
            if m in layer:
                continue
            ls = [layer[n] for n in near[m] if n in layer]
            if ls:
                layer[m] = min(ls) + 1
                placed = True
        if not placed:  # not connected at all (should not happen in a family): put it last
            bottom = max(layer.values()) + 1
            for m in members:
                layer.setdefault(m, bottom)
    return layer


def _clip(cx: float, cy: float, tx: float, ty: float) -> tuple[float, float]:
    """Where the segment from a node's centre towards (tx, ty) leaves the node's box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    t = min((NODE_W / 2 + 3) / abs(dx) if dx else math.inf, (NODE_H / 2 + 3) / abs(dy) if dy else math.inf)
    return cx + dx * t, cy + dy * t


def _arrowhead(fx: float, fy: float, ex: float, ey: float, colour: str, size: float = 10) -> str:
    """A filled triangle at (ex, ey) pointing along the direction from (fx, fy)."""
    dx, dy = ex - fx, ey - fy
    n = math.hypot(dx, dy) or 1
    ux, uy = dx / n, dy / n
    bx, by = ex - ux * size, ey - uy * size
    px, py = -uy * size * 0.45, ux * size * 0.45
    return (f'<polygon class="arrow" points="{ex:.1f},{ey:.1f} {bx + px:.1f},{by + py:.1f} '
            f'{bx - px:.1f},{by - py:.1f}" fill="{colour}"></polygon>')


def graph_svg(fam: Family, docs: Mapping[str, Document], rels: Sequence[Relation],
              anchors: Mapping[str, str], hrefs: Mapping[str, str] | None = None) -> str:
    """The family's graph as inline SVG; each node links to ``hrefs[id]`` (default: its anchor)."""
    members = [m for m in fam.documents if m in docs]
    if not members:
        return ""
    layer = _layers(members, fam.origin, rels)
    rows: dict[int, list[str]] = defaultdict(list)
    for m in members:
        rows[layer[m]].append(m)
    # Order each row by the mean position of its neighbours above, to keep edges from crossing.
    pos: dict[str, float] = {}
    for lv in sorted(rows):
        def key(m: str) -> tuple[float, int]:
            ups = [pos[n] for r in rels for n in (r.a, r.b) if m in (r.a, r.b) and n != m and n in pos]
            return (sum(ups) / len(ups) if ups else math.inf, members.index(m))
        rows[lv].sort(key=key)
        for i, m in enumerate(rows[lv]):
            pos[m] = i
    widest = max(len(r) for r in rows.values())
    width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X
    height = PAD * 2 + (max(rows) + 1) * NODE_H + max(rows) * GAP_Y
    xy: dict[str, tuple[float, float]] = {}
    for lv, row in rows.items():
        row_w = len(row) * NODE_W + (len(row) - 1) * GAP_X
        x0 = (width - row_w) / 2
        for i, m in enumerate(row):
            xy[m] = (x0 + i * (NODE_W + GAP_X) + NODE_W / 2, PAD + lv * (NODE_H + GAP_Y) + NODE_H / 2)

    edges: list[str] = []
    labels: list[str] = []
    seen_pairs: Counter[tuple[str, str]] = Counter()
    for r in rels:
        if r.a not in xy or r.b not in xy or r.a == r.b:
            continue
        directed = is_directed(r)
        src, dst = _flow(r)
        (x1, y1), (x2, y2) = xy[src], xy[dst]
        k = seen_pairs[_pair_key(src, dst)]
        seen_pairs[_pair_key(src, dst)] += 1
        # Bend an edge that would run along its row or through a row of nodes, and every
        # second edge of one pair, so that edges and labels do not sit on top of each other.
        span = abs(layer[dst] - layer[src])
        bend = (40 if span != 1 else 0) + 34 * k
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        length = math.hypot(x2 - x1, y2 - y1) or 1
        nx, ny = -(y2 - y1) / length, (x2 - x1) / length
        cx, cy = mx + nx * bend, my + ny * bend
        sx, sy = _clip(x1, y1, cx, cy)
        ex, ey = _clip(x2, y2, cx, cy)
        kind = "directed" if directed else "related"
        colour = TYPE_COLOURS.get(r.type, TYPE_COLOURS["related"]) if directed else TYPE_COLOURS["related"]
        dash = ' stroke-dasharray="6 5"' if not directed else ""
        tip = (f"{src} → {dst}: {r.type}; covers {_pct(_cov(r, src))} of {src}, {_pct(_cov(r, dst))} of {dst}; "
               f"score {r.score:.2f}, {r.passages} passages")
        edges.append(f'<path class="edge {kind} t-{_e(re.sub(r"[^a-z-]", "", r.type))}" '
                     f'd="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" stroke="{colour}"'
                     f'{dash}><title>{_e(tip)}</title></path>')
        if directed:
            # The arrowhead is drawn, not a <marker>: a marker needs url(#id), and the page keeps
            # to no url() at all so that a plain check for external references stays simple.
            edges.append(_arrowhead(cx, cy, ex, ey, colour))
        lx, ly = 0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey
        label = f"{r.type} · {_pct(_cov(r, src))}/{_pct(_cov(r, dst))}"
        labels.append(f'<text class="elabel" x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" fill="{colour}">'
                      f"{_e(label)}</text>")
    nodes: list[str] = []
    for m in members:
        d = docs[m]
        x, y = xy[m]
        classes = ["node"] + (["origin"] if m == fam.origin else []) + (["rtl"] if is_rtl(d.lang) else [])
        head = f"{m} · {d.lang}" + (" · origin" if m == fam.origin else "")
        title = _short(d.title or "", NODE_TITLE_CHARS)
        tdir = ' direction="rtl" unicode-bidi="embed"' if is_rtl(d.lang) else ""
        lang = f' lang="{_e(d.lang)}"' if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", d.lang or "") else ""
        tip = " · ".join(x for x in (m, d.lang, d.title, d.date) if x)
        nodes.append(
            f'<a href="{_e(hrefs[m]) if hrefs else "#" + anchors[m]}"><g class="{" ".join(classes)}" data-doc-anchor="{anchors[m]}">'
            f"<title>{_e(tip)}</title>"
            f'<rect x="{x - NODE_W / 2:.1f}" y="{y - NODE_H / 2:.1f}" width="{NODE_W}" height="{NODE_H}" rx="6"></rect>'
            f'<text class="nid" x="{x:.1f}" y="{y - 5:.1f}" text-anchor="middle">{_e(head)}</text>'
            f'<text class="ntitle" x="{x:.1f}" y="{y + 13:.1f}" text-anchor="middle"{tdir}{lang}>{_e(title)}</text>'
            "</g></a>")
    return (f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="relations of {_e(fam.id)}">'
            f'{"".join(edges)}{"".join(nodes)}{"".join(labels)}</svg>')


# -- the page ------------------------------------------------------------------------------------

CORPUS_CSS = """
header.top { position:static; }
.searchbar { position:sticky; top:0; z-index:5; background:#fff; border-bottom:1px solid var(--line);
             padding:8px 18px; display:flex; gap:12px; align-items:center; }
.searchbar input { flex:0 1 420px; font:inherit; padding:4px 8px; border:1px solid #bbb; border-radius:4px; }
#q-count { color:var(--muted); font-size:13px; }
.counts { margin:2px 0 6px; font-size:14px; }
.note { background:#fff7e0; border:1px solid #ecd58c; padding:4px 10px; border-radius:4px; font-size:13px; }
.page { padding:0 18px 40px; }
h2 { font-size:17px; margin:22px 0 8px; }
h3 { font-size:14px; margin:14px 0 6px; }
section.family, section.docsec, section.unrelated, nav.docindex { background:#fff; border:1px solid var(--line);
    border-radius:6px; padding:4px 16px 12px; margin:14px 0; }
nav.docindex ul { columns:3 18em; margin:4px 0; padding-inline-start:18px; font-size:13px; }
.graphbox { overflow:auto; border:1px solid #eee; background:#fcfcfd; border-radius:4px; }
svg.graph { display:block; margin:0 auto; font:12px system-ui, "Noto Sans", "Noto Naskh Arabic", sans-serif; }
svg.graph .node rect { fill:#fff; stroke:#9a9aa5; stroke-width:1.2; }
svg.graph .node.origin rect { stroke:#222; stroke-width:2.4; fill:#fffbe8; }
svg.graph .node.rtl rect { fill:#f3f8ff; }
svg.graph .node.origin.rtl rect { fill:#fffbe8; }
svg.graph a:hover rect { stroke:#1a5fb4; stroke-width:2.4; }
svg.graph .nid { font-weight:600; fill:#1d1d1f; }
svg.graph .ntitle { fill:#55555c; }
svg.graph .edge { fill:none; stroke-width:1.8; }
svg.graph .elabel { font-size:11px; paint-order:stroke; stroke:#fff; stroke-width:4px; stroke-linejoin:round; }
svg.graph .dim { opacity:.2; }
table.rels { border-collapse:collapse; width:100%; font-size:13px; margin:6px 0; }
table.rels th, table.rels td { border-top:1px solid #e6e6ea; padding:4px 8px; text-align:start; vertical-align:top; }
table.rels th { background:#f4f4f7; font-weight:600; }
td.num { font-family:ui-monospace, monospace; white-space:nowrap; }
.type { font-weight:600; }
ul.ev { margin:0; padding-inline-start:16px; }
dl.meta { display:grid; grid-template-columns:max-content 1fr; gap:2px 14px; font-size:13px; margin:6px 0; }
dl.meta dt { color:var(--muted); }
dl.meta dd { margin:0; overflow-wrap:anywhere; }
.doc-text { white-space:pre-wrap; overflow-wrap:anywhere; border:1px solid #eee; border-radius:4px;
            padding:8px 12px; max-height:22em; overflow:auto; background:#fcfcfd; }
.doc-text[dir=rtl] { font-size:17px; line-height:1.8; }
ol.chain { list-style:none; padding:0; margin:4px 0; display:flex; flex-wrap:wrap; gap:4px; align-items:center; }
ol.chain li { display:inline-flex; gap:4px; align-items:center; }
.via { color:var(--muted); font-size:12px; }
.via::before { content:"→"; margin-inline-end:4px; }
.tagline { font-size:11px; color:#fff; background:#6b6b70; border-radius:3px; padding:0 4px; }
details.pair { border:1px solid var(--line); border-radius:4px; margin:8px 0; background:#fff; }
details.pair > summary { cursor:pointer; padding:6px 10px; background:#f4f4f7; font-size:13px; }
details.pair .summary { padding:6px 10px; }
.cols { display:grid; grid-template-columns:1fr 1fr; border-top:1px solid var(--line); }
.pair .doc-head { position:static; }
.pair .text { max-height:60vh; padding-bottom:2em; }
"""

CORPUS_JS = """
(function () {
  var block = document.getElementById('search-index');
  var index = block ? JSON.parse(block.textContent) : [];
  var input = document.getElementById('q');
  var count = document.getElementById('q-count');
  // Case and Arabic diacritics/tatweel do not matter to a reader typing a search.
  function norm(s) { return (s || '').toLowerCase().replace(/[\\u064B-\\u0652\\u0670\\u0640]/g, ''); }
  var hay = index.map(function (d) {
    var sec = document.getElementById(d.anchor);
    var body = sec ? sec.querySelector('.doc-text') : null;
    return norm([d.id, d.title, d.lang, d.date, d.text, body ? body.textContent : ''].join(' '));
  });
  function apply() {
    var q = norm(input.value.trim());
    var shown = 0;
    index.forEach(function (d, i) {
      var hit = !q || hay[i].indexOf(q) >= 0;
      if (hit) { shown += 1; }
      document.querySelectorAll('[data-doc-anchor="' + d.anchor + '"]').forEach(function (x) {
        if (x.classList.contains('node')) { x.classList.toggle('dim', !hit); } else { x.hidden = !hit; }
      });
    });
    count.textContent = q ? shown + ' of ' + index.length + ' documents match' : '';
  }
  if (input) { input.addEventListener('input', apply); }
  // Following a link to a collapsed pair view opens it.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var t = id ? document.getElementById(id) : null;
    var d = t ? t.closest('details') : null;
    while (d) { d.open = true; d = d.parentElement ? d.parentElement.closest('details') : null; }
    if (t) { t.scrollIntoView(); }
  }
  window.addEventListener('hashchange', openTarget);
  if (location.hash) { openTarget(); }
})();
"""


def _doc_link(doc_id: str, anchors: Mapping[str, str], docs: Mapping[str, Document]) -> str:
    d = docs.get(doc_id)
    if doc_id not in anchors:
        return f"<code>{_e(doc_id)}</code>"
    title = f' title="{_e(d.title)}"' if d and d.title else ""
    return f'<a href="#{anchors[doc_id]}"{title}><code>{_e(doc_id)}</code></a>'


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
    fam_of: dict[str, Family] = {}
    for f in families:
        for m in f.documents:
            fam_of.setdefault(m, f)

    # Passages grouped by unordered pair: a pair view needs them, in either orientation.
    pair_passages: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    for p in passages:
        pair_passages[_pair_key(p.a, p.b)].append(p)
    pair_diffs: dict[tuple[str, str], list[FactDiff]] = defaultdict(list)
    for fd in fact_diffs or ():
        pair_diffs[_pair_key(fd.a, fd.b)].append(fd)

    # Pair views: one per relation that has passages, strongest first, at most max_pair_views.
    # A view lives in the derived document's section (source on the left) and is linked from the other.
    viewable = [i for i, r in enumerate(rels) if pair_passages.get(_pair_key(r.a, r.b))
                and text_of(by_id[r.a]) is not None and text_of(by_id[r.b]) is not None]
    viewable.sort(key=lambda i: (-rels[i].score, -max(rels[i].coverage_a, rels[i].coverage_b), rels[i].a, rels[i].b))
    kept = viewable[:max(0, max_pair_views)]
    view_no = {i: n for n, i in enumerate(kept)}
    left_out = set(viewable[len(kept):])
    # relations_of() hands back oriented copies: find the original by what orientation keeps.
    rel_index = {(_pair_key(r.a, r.b), r.type, r.source, r.score): i for i, r in enumerate(rels)}
    views_in: dict[str, list[int]] = defaultdict(list)
    for i in kept:
        views_in[_flow(rels[i])[1]].append(i)

    # -- header --------------------------------------------------------------------------------
    type_counts = Counter(r.type for r in rels)
    kinds = Counter(p.kind for p in passages)
    unrelated = [d for d in docs if d.id not in fam_of]
    counts = (f"{len(docs)} documents · {len(families)} families · {len(rels)} relations"
              + (" (" + ", ".join(f"{n} {t}" for t, n in sorted(type_counts.items())) + ")" if rels else "")
              + f" · {len(passages)} passages · {len(unrelated)} unrelated documents")
    note = ""
    if left_out:
        note = (f'<p class="note">{len(kept)} of {len(viewable)} side-by-side pair views are included '
                f"(max_pair_views={max_pair_views}); the {len(left_out)} weakest relations are listed "
                "without one.</p>")
    header = (f'<header class="top"><h1>{_e(title)}</h1><p class="counts">{_e(counts)}</p>'
              f'<div class="legend">{legend_html(kinds)}</div>'
              '<div class="legend">'
              + "".join(f'<span><span class="chip" style="color:{c};border-bottom:2px {"dashed" if t == "related" else "solid"} {c}">'
                        f"{t}</span></span>" for t, c in TYPE_COLOURS.items())
              + '<span>edge labels: type · coverage of source/derived (a/b for related)</span></div>'
              f"{note}</header>")
    searchbar = ('<div class="searchbar"><label for="q">Filter documents</label>'
                 '<input id="q" type="search" placeholder="id, title or text…" autocomplete="off">'
                 '<span id="q-count" aria-live="polite"></span>'
                 + "".join(f'<a href="#{fam_anchors[f.id]}">{_e(f.id)}</a>' for f in families[:12])
                 + ('<a href="#unrelated">unrelated</a>' if unrelated else "") + "</div>")

    index_items = "".join(
        f'<li data-doc-anchor="{anchors[d.id]}">{_doc_link(d.id, anchors, by_id)} '
        f'<span class="tag">{_e(d.lang)}</span> <span {dir_attrs(d.lang)}>{_e(_short(d.title or "", 80))}</span></li>'
        for d in docs)
    doc_index = f'<nav class="docindex"><h2>Documents</h2><ul>{index_items}</ul></nav>'

    # -- families ------------------------------------------------------------------------------
    fam_html: list[str] = []
    for f in families:
        members = set(f.documents)
        frels = [r for r in rels if r.a in members and r.b in members]
        frels.sort(key=lambda r: (not is_directed(r), -r.score, r.a, r.b))
        rows = []
        for r in frels:
            src, dst = _flow(r)
            arrow = "→" if is_directed(r) else "—"
            rows.append(
                f"<tr><td>{_doc_link(src, anchors, by_id)} {arrow} {_doc_link(dst, anchors, by_id)}</td>"
                f'<td class="type">{_e(r.type)}</td>'
                f'<td class="num">{_pct(_cov(r, src))} / {_pct(_cov(r, dst))}</td>'
                f'<td class="num">{r.score:.2f}</td><td class="num">{r.passages}</td>'
                f"<td>{_evidence_html(r)}</td></tr>")
        table = ('<table class="rels"><thead><tr><th>from → to</th><th>type</th><th>coverage from / to</th>'
                 f'<th>score</th><th>passages</th><th>evidence</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
        origin = f" · origin {_doc_link(f.origin, anchors, by_id)}" if f.origin else " · origin not determined"
        fam_html.append(
            f'<section class="family" id="{fam_anchors[f.id]}"><h2>Family <code>{_e(f.id)}</code>: '
            f"{len(f.documents)} documents{origin}</h2>"
            f'<div class="graphbox">{graph_svg(f, by_id, frels, anchors)}</div>{table}</section>')

    unrelated_html = ""
    if unrelated:
        items = "".join(f'<li data-doc-anchor="{anchors[d.id]}">{_doc_link(d.id, anchors, by_id)} '
                        f'<span {dir_attrs(d.lang)}>{_e(d.title or "")}</span></li>' for d in unrelated)
        unrelated_html = (f'<section class="unrelated" id="unrelated"><h2>Unrelated documents</h2>'
                          f"<p>In no family: they share no text with another document.</p><ul>{items}</ul></section>")

    # -- documents -------------------------------------------------------------------------------
    doc_html: list[str] = []
    index: list[dict[str, Any]] = []
    for d in docs:
        text = text_of(d)
        index.append({"id": d.id, "anchor": anchors[d.id], "title": d.title or "", "lang": d.lang,
                      "date": d.date or "", "text": _short(_content(d, text), SNIPPET_CHARS) if text else ""})
        fam = fam_of.get(d.id)
        meta = [("id", f"<code>{_e(d.id)}</code>"), ("path", _e(d.path)), ("lang", _e(d.lang)),
                ("title", f'<span dir="auto">{_e(d.title)}</span>' if d.title else ""),
                ("date", _e(d.date or "")), ("url", url_html(d.url) if d.url else ""),
                ("span", f"[{d.start}, {d.end})"),
                ("family", f'<a href="#{fam_anchors[fam.id]}">{_e(fam.id)}</a>' if fam else
                 '<a href="#unrelated">none</a>')]
        meta_html = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta if v)
        body = (f'<div class="doc-text" {dir_attrs(d.lang)}>{segments_html(d, text)}</div>' if text is not None
                else '<p class="none">text not available</p>')

        mine = relations_of(d.id, rels)
        rows = []
        for r in mine:
            i = rel_index[(_pair_key(r.a, r.b), r.type, r.source, r.score)]
            if is_directed(r):
                how = FROM_WORDS.get(r.type, r.type) if r.source == r.b else TO_WORDS.get(r.type, r.type)
            else:
                how = r.type
            if i in view_no:
                view = f'<a href="#pair-{view_no[i]}">side by side</a>'
            elif i in left_out:
                view = '<span class="none">left out (max_pair_views)</span>'
            else:
                view = ""
            rows.append(f'<tr><td class="type">{_e(how)}</td><td>{_doc_link(r.b, anchors, by_id)}</td>'
                        f'<td class="num">{_pct(r.coverage_a)} / {_pct(r.coverage_b)}</td>'
                        f'<td class="num">{r.score:.2f}</td><td class="num">{r.passages}</td>'
                        f"<td>{_evidence_html(r)}</td><td>{view}</td></tr>")
        rel_html = ('<table class="rels"><thead><tr><th>this document is</th><th>other</th>'
                    "<th>coverage this / other</th><th>score</th><th>passages</th><th>evidence</th><th>view</th>"
                    f'</tr></thead><tbody>{"".join(rows)}</tbody></table>' if rows
                    else '<p class="none">No relations.</p>')

        chain = origin_chain(d.id, rels, dates, langs)
        if len(chain) > 1:
            items = []
            for cid, r in chain:
                via = f' <span class="via">{_e(FROM_WORDS.get(r.type, r.type))}</span>' if r else ""
                items.append(f"<li>{_doc_link(cid, anchors, by_id)}{via}</li>")
            end = "stops: cycle" if chain_ends_in_cycle(chain, rels) else "origin"
            items[-1] = items[-1].replace("</li>", f' <span class="tagline">{end}</span></li>')
            chain_html = f'<ol class="chain">{"".join(items)}</ol>'
        elif any(is_directed(r) for r in mine):
            chain_html = '<p class="none">No source: this document is an origin.</p>'
        else:
            chain_html = '<p class="none">No source.</p>'

        views = []
        for i in views_in.get(d.id, []):
            r = rels[i]
            a_id, b_id = _flow(r)
            da, db = by_id[a_id], by_id[b_id]
            facts = orient_diffs(pair_diffs.get(_pair_key(a_id, b_id), []), a_id, b_id) if fact_diffs is not None else None
            pv = pair_view(da, text_of(da) or "", db, text_of(db) or "", pair_passages[_pair_key(a_id, b_id)],
                           sentences.get(a_id, ()), sentences.get(b_id, ()), prefix=f"v{view_no[i]}-",
                           fact_diffs=facts)
            views.append(
                f'<details class="pair" id="pair-{view_no[i]}"><summary>Side by side: A <b>{_e(a_id)}</b> ↔ '
                f"B <b>{_e(b_id)}</b> · {_e(r.type)} · {pv.summary['passages']} passages</summary>"
                f'{pv.summary_html}<div class="cols">{pv.columns}</div></details>')

        heading = f"<code>{_e(d.id)}</code>" + (f' <span dir="auto">{_e(d.title)}</span>' if d.title else "")
        doc_html.append(
            f'<section class="docsec" id="{anchors[d.id]}" data-doc-anchor="{anchors[d.id]}">'
            f"<h2>{heading}</h2><dl class=\"meta\">{meta_html}</dl>"
            f"<h3>Text</h3>{body}<h3>Relations</h3>{rel_html}<h3>Origin chain</h3>{chain_html}"
            + (f"<h3>Pair views</h3>{''.join(views)}" if views else "") + "</section>")

    settings_html = _settings_html(settings)
    footer = f"<footer>{settings_html}</footer>" if settings_html else ""
    all_kinds = sorted(kinds)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}{FACT_CSS}{kind_css(all_kinds)}\n{CORPUS_CSS}</style>\n</head>\n<body>\n"
        f"{header}\n{searchbar}\n"
        f'<div class="page">{doc_index}<h2>Families</h2>'
        + ("".join(fam_html) or '<p class="none">No families.</p>')
        + f"{unrelated_html}<h2>Documents</h2>{''.join(doc_html)}</div>\n{footer}\n"
        f'<script type="application/json" id="search-index">{script_json(index)}</script>\n'
        f"<script>{JS}{CORPUS_JS}</script>\n</body>\n</html>\n"
    )
