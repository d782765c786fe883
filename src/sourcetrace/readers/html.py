"""HTML pages: the file's text is the page's extracted main text.

trafilatura finds the main content and drops navigation, footers, cookie banners and the like;
its paragraphs (headings, list items, table rows) become lines joined by ``"\\n"``. Offsets of
an HTML file point into that extracted text (kept in the store), never into the markup. The
whole text is one :class:`Part` carrying the page's title, date (``yyyy-mm-dd``) and URL
(canonical link or ``og:url``).

Everything happens offline on the string we pass: nothing is fetched, and the date is taken
from the markup only (no "extensive" guessing from free text), so a page reads the same way
every time.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from sourcetrace.readers.base import ReadError, looks_like_html, make_source
from sourcetrace.records import Part, SourceFile

if TYPE_CHECKING:
    import lxml.html

log = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PROLOGUE = re.compile(r"^\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*)*", re.DOTALL)
_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})\b""", re.IGNORECASE)

# Elements that end a line in the fallback extraction.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "td", "th", "tr", "ul",
})
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object"})


class HtmlReader:
    name = "html"
    suffixes: tuple[str, ...] = (".html", ".htm", ".xhtml")

    def sniff(self, raw: bytes, text_head: str) -> bool:
        # Skip an XML declaration or leading comments, as XHTML and some CMSs put them first.
        return looks_like_html(_PROLOGUE.sub("", text_head, count=1))

    def read(self, path_display: str, raw: bytes, text: str, encoding: str) -> SourceFile:
        body, title, date, url = extract(text)
        if not body:
            raise ReadError(path_display, "no text found in the HTML page")
        lang = _LANG.search(text[:4096])
        part = Part(start=0, end=len(body), title=title, date=date, url=url,
                    lang=lang.group(1).lower() if lang else None)
        return make_source(path_display, raw, body, encoding, self.name, [part])


def extract(html: str) -> tuple[str, str | None, str | None, str | None]:
    """``(main text, title, date, url)`` of a page; main text is one paragraph per line."""
    # Imported at the first page: every read loads this module to sniff its files (0.14 CPU s of
    # trafilatura and lxml, each run and each reading worker, though most corpora hold no HTML).
    import trafilatura

    doc = None
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=None,  # no base URL: nothing to resolve, nothing to fetch
            include_comments=False,
            favor_precision=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            with_metadata=True,
            deduplicate=False,  # a process-wide cache would make results depend on earlier files
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as err:  # trafilatura/lxml raise many kinds on broken markup; fall back below
        log.debug("trafilatura failed: %s", err)

    title = date = url = None
    text = ""
    if doc is not None:
        text = _lines(doc.text or "")
        title = (doc.title or "").strip() or None
        date = doc.date if doc.date and _ISO_DATE.match(doc.date) else None
        url = (doc.url or "").strip() or None
    if not text:
        # Pages too small or too odd for trafilatura's heuristics still have a body worth reading.
        log.debug("trafilatura found no main text; using the <body> text")
        text = body_text(html)
    return text, title, date, url


def body_text(html: str) -> str:
    """Text of ``<body>`` with paragraph, heading, list-item and ``<br>`` boundaries as newlines."""
    import lxml.html  # at the first page, as in :func:`extract`
    # lxml refuses str input that carries an XML encoding declaration; the text is decoded already.
    source = _PROLOGUE.sub("", html, count=1)
    if not source.strip():
        return ""
    try:
        root = lxml.html.fromstring(source)
    except Exception as err:  # lxml.etree.ParserError and friends on hopeless markup
        log.debug("lxml could not parse the page: %s", err)
        return ""
    body = root if root.tag == "body" else root.find(".//body")
    if body is None:
        body = root
    chunks: list[str] = []
    _walk(body, chunks)
    return _lines("".join(chunks))


def _walk(el: lxml.html.HtmlElement, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""  # comments and PIs have non-string tags
    if tag in _SKIP or not tag:
        if el.tail:
            out.append(el.tail)
        return
    block = tag in _BLOCKS
    if block:
        out.append("\n")
    if el.text:
        out.append(el.text)
    for child in el:
        _walk(child, out)
    if block:
        out.append("\n")
    if el.tail:
        out.append(el.tail)


def _lines(text: str) -> str:
    """Collapse runs of spaces, trim each line, drop empty lines: one paragraph per line."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
