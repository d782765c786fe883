"""The web app in a real browser: Debian's Chromium driven by Playwright, against a server on loopback.

Screenshots go to $SOURCETRACE_SCREENSHOTS when set (``docs/screenshots`` refreshes the README's),
else to a temporary folder.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, copy_store, dense_family
from sourcetrace.web import create_app

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
D000, D002A, D004 = "000_d1cb74700ad1c777#1", "002_5d78def7b98681ae#1", "004_bb9c77e55452a9c2#1"
QUOTE_004 = ("في حين لم يعد داعش يسيطر على الأراضي، وقد تمّ تحرير ما يقرب من ثمانية ملايين شخص من سيطرته في "
             "العراق وسوريا، فإن التهديد لا يزال قائمًا")


@pytest.fixture(scope="module")
def base_url(seeds_db, tmp_path_factory):
    import uvicorn

    db = copy_store(seeds_db, tmp_path_factory.mktemp("browser") / "s.db")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    chosen = os.environ.get("SOURCETRACE_SCREENSHOTS")
    out = (ROOT / chosen) if chosen else tmp_path_factory.mktemp("shots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_search_a_quote_and_reach_its_origin_in_clicks(page, base_url, shots):
    page.goto(base_url + "/")
    page.fill("input[name=q]", QUOTE_004)
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.hits")
    docs = page.eval_on_selector_all("li.hit", "els => els.map(e => e.dataset.doc)")
    assert {D004, D000, D002A} <= set(docs)
    assert page.locator("li.hit mark").count() > 0  # the matching words are highlighted
    page.screenshot(path=str(shots / "web-search.png"), full_page=False)
    page.click(".answer .origin-answer a")
    page.wait_for_selector("#doc-text")
    assert D002A in page.inner_text("h2")
    assert "origin" in page.inner_text("ol.chain")
    page.screenshot(path=str(shots / "web-document.png"))


def test_compare_view_renders_arabic_right_to_left(page, base_url, shots):
    page.goto(base_url + "/?q=" + QUOTE_004)
    page.click(f'li.hit[data-doc="{D004}"] a.to-origin')
    page.wait_for_selector("#text-b")
    assert page.eval_on_selector("#text-a", "e => getComputedStyle(e).direction") == "ltr"  # 002a, English
    assert page.eval_on_selector("#text-b", "e => getComputedStyle(e).direction") == "rtl"  # 004, Arabic
    # Right-to-left for real: the Arabic column's first line ends flush right.
    box = page.eval_on_selector("#text-b", """e => { const r = document.createRange(); r.setStart(e.firstChild, 0);
        r.setEnd(e.firstChild, 1); const c = r.getBoundingClientRect(); const b = e.getBoundingClientRect();
        return [c.right, b.right]; }""")
    assert box[1] - box[0] < 40
    page.click("#text-b .hl")  # a passage highlights its partner on the other side
    assert page.locator("#text-a .hl.active").count() > 0
    page.screenshot(path=str(shots / "web-compare.png"))
    page.goto(base_url + "/family/" + D004.replace("#", "%23"))
    page.wait_for_selector("svg.graph")
    page.screenshot(path=str(shots / "web-family.png"))


def test_upload_a_file_and_see_it_traced(page, base_url, shots, tmp_path):
    report = tmp_path / "new_report.txt"
    report.write_text(
        "تقرير جديد عن اجتماع التحالف\n\n"
        "قال مسؤول في التحالف إن اجتماعاً جديداً سيعقد قريباً.\n\n"
        "وجاء في البيان: \"في حين لم يعد داعش يسيطر على الأراضي، وقد تمّ تحرير ما يقرب من ثمانية ملايين شخص من "
        "سيطرته في العراق وسوريا، فإن التهديد لا يزال قائمًا، وهو ما يستدعي بالتالي يقظة وتنسيقاً أقوى\".\n\n"
        "كما شدّد الوزراء المجتمعون على حماية المدنيين، وأكدوا وجوب احترام القانون الدولي، بما في ذلك القانون "
        "الإنساني الدولي وحماية المدنيين والقانون الدولي لحقوق الإنسان، وكذلك قرارات مجلس الأمن الدولي ذات الصلة، "
        "في جميع الظروف.\n", encoding="utf-8")
    scan = tmp_path / "scan.pdf"  # refused alone: the report is traced all the same (issue 19)
    scan.write_bytes(b"%PDF-1.4 ...")
    page.goto(base_url + "/upload")
    page.set_input_files("#upload-files", [str(report), str(scan)])
    page.click("#upload-form button")
    page.wait_for_selector("li.refused-file")
    assert "scan.pdf" in page.inner_text("#upload-refused")
    page.wait_for_selector("a.uploaded-doc", timeout=180_000)
    assert "Traced" in page.inner_text("#upload-status")
    page.screenshot(path=str(shots / "web-upload.png"))
    page.click("a.uploaded-doc")
    page.wait_for_selector("#doc-text")
    chain = page.inner_text("ol.chain")
    assert D002A in chain  # traced: its origin chain leads to the 2020 statement
    assert page.locator("#doc-text .hl").count() > 0  # passages shared with the seeds are highlighted


def test_the_upload_form_posts_with_its_origin_without_script(browser, base_url, tmp_path):
    # The origin check (issue 19) must take the app's own form: under "Referrer-Policy: no-referrer"
    # Chromium sent `Origin: null` with it, refused as another site's.
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    report = tmp_path / "form.txt"
    report.write_text("A short note posted through the upload form without script.\n", encoding="utf-8")
    page.goto(base_url + "/upload")
    page.set_input_files("#upload-files", str(report))
    with page.expect_navigation():
        page.click("#upload-form button")
    assert '"accepted":["form.txt"]' in page.content()
    context.close()


def test_the_api_docs_page_renders_offline_under_the_apps_policy(page, base_url):
    # Issue 20: FastAPI's own docs page, its Swagger UI served by the app (no CDN), its one inline
    # script allowed by hash: the operations must render, with no policy violation.
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base_url + "/api/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/search" in p for p in paths) and any("/api/compare" in p for p in paths)
    assert not [e for e in errors if "Content Security Policy" in e], errors


# Boxes of the graph's edge labels (their text) and documents (their rectangles), from the DOM.
GRAPH_BOXES = """svg => {
    const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    return {labels: [...svg.querySelectorAll('text.elabel')].map(t => [t.textContent, box(t), box(t.previousElementSibling)]),
            nodes: [...svg.querySelectorAll('g.node rect')].map(box),
            texts: [...svg.querySelectorAll('g.node text')].filter(t => t.textContent).map(t => [t.textContent, box(t), box(t.parentNode.querySelector('rect'))])};
}"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_labels_clear(page, svg) -> int:
    """No two edge labels overlap and no label overlaps a document, as Chromium lays out the text;
    each label's text inside the box the layout kept for it, each document's text inside its box.
    Returns how many labels there are."""
    boxes = page.locator(svg).evaluate(GRAPH_BOXES)
    labels, nodes = boxes["labels"], boxes["nodes"]
    assert nodes and labels
    for text, box, rect in boxes["texts"]:  # a document's id and title stay inside its box
        assert rect[0] <= box[0] and box[2] <= rect[2], f"{text!r} is wider than its document's box"
    for i, (text, box, kept) in enumerate(labels):
        assert kept[0] <= box[0] and box[2] <= kept[2], f"{text!r} is wider than its box"
        assert not [o for o, b, _ in labels[i + 1:] if _overlap(box, b)], f"{text!r} overlaps another label"
        assert not [n for n in nodes if _overlap(box, n)], f"{text!r} overlaps a document"
    return len(labels)


def test_family_graph_labels_overlap_nothing_in_the_app(page, base_url, shots):
    page.goto(base_url + "/family/" + D004.replace("#", "%23"))
    page.wait_for_selector("svg.graph")
    assert assert_labels_clear(page, "svg.graph") >= 3
    page.locator("svg.graph").screenshot(path=str(shots / "web-family-graph.png"))


def test_family_graph_labels_overlap_nothing_in_the_corpus_report(page, seeds_db, tmp_path, shots):
    from sourcetrace.records import Sentence
    from sourcetrace.relate.families import families
    from sourcetrace.report import render_corpus_html
    from sourcetrace.store import Store

    # The seeds' families as `trace --html` draws them, and a dense family of 11 (siblings related
    # to each other, one pair related twice), where labels used to pile up.
    docs, texts, rels, fam = dense_family()
    with Store(copy_store(seeds_db, tmp_path / "s.db")) as store:
        seeds = list(store.documents())
        texts |= {d.id: store.document_text(d.id) or "" for d in seeds}
        sentences = {d.id: store.sentences(d.id) for d in seeds}
        passages, seed_rels = store.passages(), store.relations()
    sentences |= {d: [Sentence(d, 0, len(texts[d]) - 1, doc.lang)] for d, doc in docs.items()}
    html = render_corpus_html([*seeds, *docs.values()], texts, sentences, passages, [*seed_rels, *rels],
                              [*families(seeds, seed_rels), fam])
    report = tmp_path / "corpus.html"
    report.write_text(html, encoding="utf-8")
    page.goto(report.as_uri())
    graphs = page.locator("svg.graph")
    assert graphs.count() >= 2
    counts = [assert_labels_clear(page, f"svg.graph >> nth={i}") for i in range(graphs.count())]
    assert len(rels) in counts
    graphs.last.screenshot(path=str(shots / "report-dense-family.png"))


def test_the_side_by_side_page_shows_the_fact_table(page, base_url):
    page.goto(f"{base_url}/compare?a={D000.replace('#', '%23')}&b={D004.replace('#', '%23')}")
    table = page.locator("table.facts")
    table.wait_for()
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() >= 1 and rows.first.is_visible()
    assert "2019-02-06" in table.inner_text()  # 004 keeps the statement's date (tests/test_web_api.py)
