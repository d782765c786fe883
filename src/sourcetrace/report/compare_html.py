"""Side-by-side HTML view of two documents and the passages they share.

One self-contained page (inline CSS and JS, no external asset) so that a report can be opened
offline, mailed, or archived next to the outputs.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from sourcetrace.records import Document, FactDiff, Passage, Sentence, Span
from sourcetrace.report.facts import FACT_CSS, fact_diff_html
from sourcetrace.report.summary import KINDS, merge_spans, orient, summarize

RTL_LANGS = frozenset({"ar", "fa", "ur", "he", "ps", "ckb", "yi", "dv"})

KIND_COLOURS: dict[str, str] = {
    "verbatim": "#f4a3a3",
    "near-verbatim": "#f7c98b",
    "paraphrase": "#f3ec8a",
    "translation": "#9fd8a8",
    "translated-paraphrase": "#9cc7ef",
}
OTHER_COLOUR = "#d3b8ea"

SNIPPET = 140  # chars of an omitted/added sentence shown in the summary


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _kind_class(kind: str) -> str:
    # Kinds end up in class names: keep them to a safe alphabet whatever a stage produced.
    return "k-" + (re.sub(r"[^a-z0-9-]+", "-", kind.lower()) or "unknown")


def is_rtl(lang: str | None) -> bool:
    return (lang or "").split("-")[0].lower() in RTL_LANGS


def _lang_attr(lang: str | None) -> str:
    # Only a plausible BCP-47 tag goes into lang=; "und" or junk would mislead screen readers.
    if lang and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
        return f' lang="{_e(lang)}"'
    return ""


def _snippet(text: str, limit: int = SNIPPET) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _segments(doc: Document, text: str, spans: Sequence[tuple[int, int, str]],
              boilerplate: Sequence[Span], gaps: Sequence[Span]
              ) -> list[tuple[int, int, list[str], bool, bool]]:
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


def segments_html(doc: Document, text: str, spans: Sequence[tuple[int, int, str]] = (),
                  kinds: Mapping[str, str] | None = None, info: Mapping[str, str] | None = None,
                  gaps: Sequence[Span] = (), gap_tip: str = "", *, anchor: str = "") -> str:
    """The document's text as escaped segments: passages highlighted by kind, boilerplate greyed.

    ``anchor`` prefixes the ids of gap targets (``{anchor}s-{start}``) so that several views can
    share one page.
    """
    kinds = kinds or {}
    info = info or {}
    boiler = [(max(s, doc.start), min(e, doc.end)) for s, e in doc.boilerplate]
    boiler = [(s, e) for s, e in boiler if e > s]
    gap_starts = {s for s, _ in gaps}
    boiler_starts = {s for s, _ in boiler}
    out: list[str] = []
    for s, e, pids, in_boiler, in_gap in _segments(doc, text, spans, boiler, gaps):
        classes: list[str] = []
        attrs = [f'data-start="{s}"', f'data-end="{e}"']
        tips: list[str] = []
        if pids:
            first = kinds[pids[0]]
            classes += ["hl", _kind_class(first)]
            if len(pids) > 1:
                classes.append("multi")
            attrs.append(f'data-p="{_e(" ".join(pids))}"')
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
                attrs.append(f'id="{anchor}s-{s}"')
        if not classes and not tips:
            out.append(_e(text[s:e]))
            continue
        if classes:
            attrs.insert(0, f'class="{" ".join(classes)}"')
        if tips:
            attrs.append(f'title="{_e(chr(10).join(tips))}"')
        out.append(f"<span {' '.join(attrs)}>{_e(text[s:e])}</span>")
    return "".join(out)


def url_html(url: str) -> str:
    # Only http(s) becomes a link: a javascript: URL in a scraped page must not be clickable.
    if re.match(r"https?://", url, re.I):
        return f'<a class="url" href="{_e(url)}" rel="noopener noreferrer">{_e(url)}</a>'
    return f'<span class="url">{_e(url)}</span>'


def doc_meta_html(doc: Document) -> str:
    """One line of metadata: id, language, title, date, url, path and span."""
    meta = [f"<b>{_e(doc.id)}</b>", f'<span class="tag">{_e(doc.lang)}</span>']
    if doc.title:
        # Isolated: an Arabic title would otherwise pull the date after it into its run (and reverse it).
        meta.append(f'<span class="doc-title" dir="auto">{_e(doc.title)}</span>')
    if doc.date:
        meta.append(f'<span class="date">{_e(doc.date)}</span>')
    if doc.url:
        meta.append(url_html(doc.url))
    meta.append(f'<span class="path">{_e(doc.path)} [{doc.start}, {doc.end})</span>')
    return " · ".join(meta)


def dir_attrs(lang: str | None) -> str:
    """``dir`` and (when plausible) ``lang`` attributes for a block of the document's text."""
    return f'dir="{"rtl" if is_rtl(lang) else "ltr"}"{_lang_attr(lang)}'


def _column(side: str, doc: Document, text: str, spans: list[tuple[int, int, str]],
            kinds: dict[str, str], info: dict[str, str], gaps: list[Span], gap_tip: str,
            prefix: str = "") -> str:
    body = segments_html(doc, text, spans, kinds, info, gaps, gap_tip, anchor=f"{prefix}{side}-")
    return (f'<section class="col" id="{prefix}col-{side}">'
            f'<header class="doc-head" dir="auto">{doc_meta_html(doc)}</header>'
            f'<div class="text" id="{prefix}text-{side}" data-side="{side}" {dir_attrs(doc.lang)}>'
            f"{body}</div></section>")


def _sentence_list(side: str, doc: Document, text: str, spans: list[Span], empty: str, prefix: str = "") -> str:
    if not spans:
        return f'<p class="none">{_e(empty)}</p>'
    items = []
    for s, e in spans:
        items.append(f'<li><a href="#{prefix}{side}-s-{s}" class="off">[{s}, {e})</a> '
                     f'<span {dir_attrs(doc.lang)}>'
                     f"{_e(_snippet(text[s:e]))}</span></li>")
    return f'<ol class="sents">{"".join(items)}</ol>'


CSS = """
:root { --fg:#1d1d1f; --muted:#6b6b70; --line:#d9d9de; --bg:#fafafa; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.55 system-ui, "Segoe UI", "Noto Sans", "Noto Naskh Arabic", sans-serif;
       color:var(--fg); background:var(--bg); }
header.top { padding:12px 18px; border-bottom:1px solid var(--line); background:#fff; }
h1 { font-size:18px; margin:0 0 6px; }
.legend { display:flex; flex-wrap:wrap; gap:6px 14px; margin:6px 0; font-size:13px; }
.chip { display:inline-block; padding:0 6px; border-radius:3px; }
.chip.gap { border-bottom:2px dotted #b00020; }
.chip.boilerplate { color:#999; background:#eee; }
.summary { display:grid; grid-template-columns:1fr 1fr; gap:4px 24px; font-size:13px; }
.summary details { margin:2px 0; }
.summary summary { cursor:pointer; }
.cov { font-weight:600; }
ol.sents { margin:4px 0; padding-inline-start:22px; max-height:9em; overflow:auto; }
.off { font-family:ui-monospace, monospace; color:var(--muted); font-size:12px; text-decoration:none; }
.none { color:var(--muted); margin:4px 0; }
main { display:grid; grid-template-columns:1fr 1fr; gap:0; }
.col { border-right:1px solid var(--line); min-width:0; }
.doc-head { position:sticky; top:0; background:#f0f0f3; padding:6px 14px; font-size:13px;
            border-bottom:1px solid var(--line); z-index:1; }
.tag { font-family:ui-monospace, monospace; background:#e2e2e8; padding:0 4px; border-radius:3px; }
.path, .url, .date { color:var(--muted); }
.text { white-space:pre-wrap; overflow-wrap:anywhere; padding:10px 16px 40vh; max-height:78vh;
        overflow:auto; }
.text[dir=rtl] { font-size:17px; line-height:1.8; }
.hl { cursor:pointer; border-radius:2px; }
.hl.multi { box-shadow: inset 0 -3px 0 rgba(0,0,0,.35); }
.hl.active { outline:2px solid #222; background-image:linear-gradient(rgba(0,0,0,.12),rgba(0,0,0,.12)); }
.gap { text-decoration:underline dotted #b00020 2px; text-underline-offset:3px; }
.boilerplate { color:#9a9aa0; background:#efefef; }
.bp-start::before { content:"boilerplate"; font:10px/1 ui-monospace, monospace; color:#fff;
                    background:#9a9aa0; padding:1px 3px; margin-inline-end:4px; border-radius:2px;
                    vertical-align:middle; }
footer { font-size:11px; color:var(--muted); padding:8px 18px; border-top:1px solid var(--line); }
footer code { font-size:11px; }
"""

# Static script: no data is interpolated into it, so no document text can ever reach a <script>.
JS = """
(function () {
  var cycle = {};
  function clear() {
    document.querySelectorAll('.hl.active').forEach(function (el) { el.classList.remove('active'); });
  }
  document.addEventListener('click', function (ev) {
    var el = ev.target.closest ? ev.target.closest('.hl') : null;
    if (!el) { return; }
    var ids = (el.getAttribute('data-p') || '').split(' ').filter(Boolean);
    if (!ids.length) { return; }
    // A segment under several passages: repeated clicks step through them.
    var key = el.getAttribute('data-start') + ':' + el.closest('.text').id;
    var n = cycle[key] === undefined ? 0 : (cycle[key] + 1) % ids.length;
    cycle[key] = n;
    var pid = ids[n];
    clear();
    // A page may hold several pair views (.pair): the partner is looked up in this one only.
    var root = el.closest('.pair') || document;
    var all = root.querySelectorAll('[data-p~="' + pid + '"]');
    all.forEach(function (x) { x.classList.add('active'); });
    var side = el.closest('.text').getAttribute('data-side');
    var other = root.querySelector('.text:not([data-side="' + side + '"]) [data-p~="' + pid + '"]');
    if (other) { other.scrollIntoView({block: 'center', behavior: 'smooth'}); }
  });
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') { clear(); } });
})();
"""


def _settings_html(settings: dict[str, Any] | None) -> str:
    if not settings:
        return ""
    parts = []
    for key, value in settings.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        parts.append(f"<code>{_e(key)}</code>: {_e(shown)}")
    return " · ".join(parts)


def kind_css(kinds: Sequence[str] = ()) -> str:
    """Background colour rules for the canonical kinds and any others in ``kinds``."""
    return "\n".join(f".{_kind_class(k)} {{ background:{KIND_COLOURS.get(k, OTHER_COLOUR)}; }}"
                     for k in _legend_kinds(kinds))


def _legend_kinds(kinds: Sequence[str]) -> list[str]:
    return [*KINDS, *[k for k in kinds if k not in KINDS]]


def legend_html(counts: Mapping[str, int]) -> str:
    """Chips for every passage kind (with counts), gaps and boilerplate."""
    legend = "".join(
        f'<span><span class="chip {_kind_class(k)}">{_e(k)}</span> {counts.get(k, 0)}</span>'
        for k in _legend_kinds(list(counts)))
    return legend + ('<span><span class="chip gap">not in the other</span></span>'
                     '<span><span class="chip boilerplate">boilerplate</span></span>')


@dataclass
class PairView:
    """The pieces of a side-by-side view, to be placed in a page."""

    summary: dict[str, Any]  # as returned by summarize()
    summary_html: str  # coverage of each side, omitted and added sentences
    col_a: str
    col_b: str

    @property
    def columns(self) -> str:
        return self.col_a + self.col_b


def pair_view(doc_a: Document, text_a: str, doc_b: Document, text_b: str, passages: Sequence[Passage],
              sentences_a: Sequence[Sentence], sentences_b: Sequence[Sentence], *, prefix: str = "",
              fact_diffs: Sequence[FactDiff] | None = None) -> PairView:
    """Side-by-side pieces for (A, B); ``prefix`` makes every id and passage id unique in a page.

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
    spans_a = [s for s in spans_a if s[1] > s[0]]
    spans_b = [s for s in spans_b if s[1] > s[0]]

    def cov(side: str) -> str:
        return (f'<span class="cov">{summary[f"coverage_{side}"]:.1%}</span> of content covered '
                f'({summary[f"covered_chars_{side}"]}/{summary[f"content_chars_{side}"]} chars)')

    omitted, added = summary["omitted"], summary["added"]
    summary_html = (
        '<div class="summary">'
        f'<div>A <b>{_e(doc_a.id)}</b>: {cov("a")}; {summary["passages"]} passages'
        f'<details{" open" if omitted else ""}><summary>Omitted in B: {len(omitted)} of '
        f'{summary["sentences_a"]} sentences of A</summary>'
        f'{_sentence_list("a", doc_a, text_a, omitted, "none", prefix)}</details></div>'
        f'<div>B <b>{_e(doc_b.id)}</b>: {cov("b")}'
        f'<details{" open" if added else ""}><summary>Added in B: {len(added)} of '
        f'{summary["sentences_b"]} sentences of B</summary>'
        f'{_sentence_list("b", doc_b, text_b, added, "none", prefix)}</details></div>'
        "</div>")
    if fact_diffs is not None:
        summary_html += fact_diff_html(fact_diffs, text_a, text_b, passages=ps)
    col_a = _column("a", doc_a, text_a, spans_a, kinds, info, omitted, "not in B", prefix)
    col_b = _column("b", doc_b, text_b, spans_b, kinds, info, added, "not in A", prefix)
    return PairView(summary, summary_html, col_a, col_b)


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
    summary = view.summary
    page_title = title or f"{doc_a.id} ↔ {doc_b.id}"
    settings_html = _settings_html(settings)
    footer = f"<footer>{settings_html}</footer>" if settings_html else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(page_title)}</title>\n<style>{CSS}{FACT_CSS}{kind_css(list(summary['kinds']))}\n</style>\n"
        "</head>\n<body>\n"
        f'<header class="top"><h1>{_e(page_title)}</h1>'
        f'<div class="legend">{legend_html(summary["kinds"])}</div>{view.summary_html}</header>\n'
        f"<main>{view.columns}</main>\n{footer}\n<script>{JS}</script>\n</body>\n</html>\n"
    )
