"""Every HTML page escapes what comes from a user's file: titles, ids, urls, text and evidence.

One hostile pair of documents goes through every page the project renders: the compare report,
the corpus report, the fact diff table and each page of the web app. A title holding markup
(``<script>``) must show as text; a title holding rich markup (``[/b]``) must show unchanged.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from conftest import NestingParser, nonempty_lines
from sourcetrace.records import Document, FactDiff, Family, Passage, Relation, Sentence, SourceFile
from sourcetrace.report import render_compare_html, render_corpus_html
from sourcetrace.report.facts import fact_diff_html
from sourcetrace.store.sqlite import Store
from sourcetrace.web import create_app

SCRIPT_TITLE = "<script>alert(1)</script>"
RICH_TITLE = "Joint statement [/b] of the ministers"
ID_A = 'a"><b>x#1'  # ids come from file names: quotes and brackets included
ID_B = "b#1"
TEXT_A = ("The ministers met on 3 May 2023 <img src=x onerror=alert(2)> in Basra.\n"
          "They agreed to share the water of the dam.\n")
TEXT_B = ("The ministers met on 4 May 2023 <img src=x onerror=alert(2)> in Basra.\n"
          "They agreed to share the water of the dam.\n")
EVIDENCE = "quote </td><script>alert(3)</script>"
DOC_A = Document(ID_A, "a.txt", 0, len(TEXT_A), "en", title=SCRIPT_TITLE, url="javascript:alert(4)")
DOC_B = Document(ID_B, "b.txt", 0, len(TEXT_B), "en", title=RICH_TITLE, date="2023-05-04")
LINES_A, LINES_B = nonempty_lines(TEXT_A), nonempty_lines(TEXT_B)
PASSAGES = [Passage(ID_A, *LINES_A[i], ID_B, *LINES_B[i], "near-verbatim", 0.9) for i in range(2)]
RELATION = Relation(ID_A, ID_B, "revision", 0.95, 0.95, 0.9, source=ID_A, evidence=[EVIDENCE], passages=2)
DIFFS = [FactDiff(ID_A, 21, 31, ID_B, 21, 31, "date", "changed", "<2023-05-03>", "<2023-05-04>")]
HOSTILE = ("<script>alert", "<img src=x", "<svg onload", 'href="javascript', "</td><script>")


def check(page: str, *, scripts: int) -> None:
    """No hostile markup got through, the page nests, and only our own scripts are there."""
    for bad in HOSTILE:
        assert bad not in page, bad
    parser = NestingParser()
    parser.feed(page)
    parser.close()
    assert not parser.errors, parser.errors[:3]
    assert page.count("<script") == scripts


def sentences(doc: Document, lines: list[tuple[int, int]]) -> list[Sentence]:
    return [Sentence(doc.id, s, e, doc.lang) for s, e in lines]


def test_compare_report():
    page = render_compare_html(DOC_A, TEXT_A, DOC_B, TEXT_B, PASSAGES, sentences(DOC_A, LINES_A),
                               sentences(DOC_B, LINES_B), fact_diffs=DIFFS, title=SCRIPT_TITLE,
                               settings={"note": SCRIPT_TITLE})
    check(page, scripts=1)
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert RICH_TITLE in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;2023-05-03&gt;" in page  # fact values


def test_corpus_report():
    fam = Family("family:a", [ID_A, ID_B], origin=ID_A)
    page = render_corpus_html([DOC_A, DOC_B], {ID_A: TEXT_A, ID_B: TEXT_B},
                              {ID_A: sentences(DOC_A, LINES_A), ID_B: sentences(DOC_B, LINES_B)},
                              PASSAGES, [RELATION], [fam], fact_diffs=DIFFS, title=SCRIPT_TITLE)
    check(page, scripts=2)  # the JSON search index and our code
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and RICH_TITLE in page
    assert "quote &lt;/td&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "a&#34;&gt;&lt;b&gt;x#1" in page  # the id, shown as text
    assert "alert(4)" in page  # the javascript: url is shown, not linked


def test_fact_diff_table():
    table = fact_diff_html(DIFFS, TEXT_A, TEXT_B)
    check(table, scripts=0)
    assert '<span class="fv-old">&lt;2023-05-03&gt;</span> → <span class="fv-new">&lt;2023-05-04&gt;</span>' in table


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db: Path = tmp_path_factory.mktemp("hostile") / "h.db"
    store = Store(db)
    for doc, text, lines in ((DOC_A, TEXT_A, LINES_A), (DOC_B, TEXT_B, LINES_B)):
        source = SourceFile(doc.path, text, "utf-8", "text", doc.id, len(text))
        store.put_file(doc.path, source, "{}", [doc], sentences(doc, lines))
    store.put_alignment(ID_A, ID_B, "{}", PASSAGES)
    store.put_relations([ID_A, ID_B], [RELATION])
    store.close()
    with TestClient(create_app(db)) as c:
        yield c


ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.mark.parametrize(("url", "status", "shown"), [
    ("/documents", 200, [ESCAPED_SCRIPT, RICH_TITLE]),
    (f"/doc/{quote(ID_A, safe='')}", 200, [ESCAPED_SCRIPT, "&lt;img src=x onerror=alert(2)&gt;"]),
    (f"/doc/{quote(ID_B, safe='')}", 200, [RICH_TITLE, "quote &lt;/td&gt;&lt;script&gt;alert(3)"]),
    (f"/compare?a={quote(ID_A, safe='')}&b={quote(ID_B, safe='')}", 200, [ESCAPED_SCRIPT, RICH_TITLE]),
    (f"/family/{quote(ID_B, safe='')}", 200, [ESCAPED_SCRIPT, RICH_TITLE, "a&#34;&gt;&lt;b&gt;x#1"]),
    # the id asked for is repeated in the message
    (f"/doc/{quote('<svg onload=alert(5)>', safe='')}", 404, ["&lt;svg onload=alert(5)&gt;"]),
])
def test_web_pages(client, url, status, shown):
    r = client.get(url)
    assert r.status_code == status
    check(r.text, scripts=1)  # /static/app.js
    for text in shown:
        assert text in r.text


@pytest.mark.slow
def test_web_search_echoes_the_query_escaped(client):
    page = client.get("/", params={"q": f"{SCRIPT_TITLE} {RICH_TITLE}"}).text
    check(page, scripts=1)
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt; Joint statement [/b] of the ministers"' in page
