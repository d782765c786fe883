from __future__ import annotations

import json
import re
from html import unescape

from conftest import NestingParser, nonempty_lines
from sourcetrace.records import Document, Family, Passage, Relation, Sentence
from sourcetrace.relate.families import families as find_families
from sourcetrace.report.corpus_html import render_corpus_html

# Texts written for these tests: a ministers' statement on a river agreement (English), its Arabic
# translation, an Arabic news report quoting the translation (with a "read more" line), a second
# Arabic report on the same meeting sharing one sentence, two versions of a harbour notice, and a
# note with markup in it that shares nothing with the rest.
ST = ("The ministers of the two river states met in Basra on 3 May 2023.\n"
      "They agreed to share the water of the upper dam equally during the summer.\n"
      "A joint committee will meet every three months to review the flow.\n")
TR = ("التقى وزراء دولتي النهر في البصرة يوم 3 أيار 2023.\n"
      "واتفقوا على تقاسم مياه السد الأعلى بالتساوي خلال الصيف.\n"
      "وستجتمع لجنة مشتركة كل ثلاثة أشهر لمراجعة التدفق.\n")
REP = ("قال البيان إن الوزراء اتفقوا على تقاسم مياه السد الأعلى بالتساوي خلال الصيف.\n"
       "وستجتمع لجنة مشتركة كل ثلاثة أشهر لمراجعة التدفق.\n"
       "وأعرب مزارعون في الجنوب عن ارتياحهم للاتفاق.\n"
       "اقرأ أيضا: أسعار التمور هذا الأسبوع\n")
REP2 = ("وصل الوزراء إلى البصرة صباح الأربعاء وسط إجراءات أمنية مشددة.\n"
        "وستجتمع لجنة مشتركة كل ثلاثة أشهر لمراجعة التدفق.\n")
V1 = "Harbour notice: the north quay closes on 1 June 2022 for repairs.\nShips should use the south quay.\n"
V2 = "Harbour notice: the north quay closes on 1 June 2023 for repairs.\nShips should use the east quay.\n"
EVIL = 'Notes <script>alert(1)</script> and </script><!-- end "quoted" & more\n'
EVIL_ID = 'note <1>&"x"'

TEXTS = {"st": ST, "tr": TR, "rep": REP, "rep2": REP2, "v1": V1, "v2": V2, EVIL_ID: EVIL}


def build(**kw):
    bp = nonempty_lines(REP)[-1]
    docs = [
        Document("st", "st.txt", 0, len(ST), "en", title="Joint statement on the river", date="2023-05-03"),
        Document("tr", "tr.txt", 0, len(TR), "ar", title="البيان المشترك بشأن النهر", date="2023-05-03"),
        Document("rep", "rep.html", 0, len(REP), "ar", title="اتفاق على تقاسم المياه", date="2023-05-04",
                 url="https://example.org/rep", boilerplate=[bp]),
        Document("rep2", "rep2.txt", 0, len(REP2), "ar", title="وصول الوزراء", date="2023-05-03"),
        Document("v1", "v1.txt", 0, len(V1), "en", title="Harbour notice 2022", date="2022-05-01"),
        Document("v2", "v2.txt", 0, len(V2), "en", title="Harbour notice 2023", date="2023-05-01"),
        Document(EVIL_ID, "evil.txt", 0, len(EVIL), "en", title="<script>alert(2)</script>",
                 url="javascript:alert(3)"),
    ]
    sents = {d.id: [Sentence(d.id, s, e, d.lang) for s, e in nonempty_lines(TEXTS[d.id])] for d in docs}
    st, tr, rep, rep2, v1, v2 = (nonempty_lines(TEXTS[k]) for k in ("st", "tr", "rep", "rep2", "v1", "v2"))
    # the report quotes the second sentence from "قال البيان إن" onwards loosely: mark its tail
    rep0 = (REP.index("اتفقوا"), nonempty_lines(REP)[0][1])
    passages = [
        *(Passage("st", *st[i], "tr", *tr[i], "translation", 0.9) for i in range(3)),
        Passage("tr", tr[1][0] + 1, tr[1][1], "rep", *rep0, "near-verbatim", 0.8),
        Passage("rep", *rep[1], "tr", *tr[2], "verbatim", 1.0),  # recorded the other way round
        Passage("rep", *rep[1], "rep2", *rep2[1], "verbatim", 1.0),
        Passage("v1", *v1[0], "v2", *v2[0], "near-verbatim", 0.9),
        Passage("v1", *v1[1], "v2", *v2[1], "near-verbatim", 0.85),
    ]
    relations = [
        Relation("st", "tr", "translation", 0.99, 0.98, 0.95, source="st",
                 evidence=["95% of shared text is translated", "English side taken as original"], passages=3),
        Relation("rep", "tr", "derived", 0.62, 0.55, 0.7, source="tr",
                 evidence=["attribution: «قال البيان»", "quote <b>marks</b>"], passages=2),
        Relation("rep", "rep2", "related", 0.2, 0.4, 0.3, passages=1, evidence=["same event"]),
        Relation("v1", "v2", "revision", 0.97, 0.97, 0.9, source="v1", evidence=["dated a year apart"], passages=2),
    ]
    fams = find_families(docs, relations)
    return render_corpus_html(docs, TEXTS, sents, passages, relations, fams, **kw), docs, relations, fams


class Checker(NestingParser):
    """Checks nesting; collects elements with their attributes and ancestors."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict, tuple]] = []  # (tag, attrs, ancestors' (tag, attrs))
        self.data: dict[int, str] = {}  # index in elements -> direct text
        self.open_idx: list[int] = []

    def opened(self, tag, a):
        self.elements.append((tag, a, tuple(self.stack)))
        if tag not in self.VOID:
            self.open_idx.append(len(self.elements) - 1)

    def handle_startendtag(self, tag, attrs):
        self.errors.append(f"self-closing <{tag}/>")

    def closed(self, tag):
        self.open_idx.pop()

    def handle_data(self, data):
        if self.open_idx:
            i = self.open_idx[-1]
            self.data[i] = self.data.get(i, "") + data

    def find(self, tag: str, **attrs) -> list[int]:
        return [i for i, (t, a, _) in enumerate(self.elements)
                if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def inside(self, i: int, tag: str, **attrs) -> bool:
        return any(t == tag and all(a.get(k) == v for k, v in attrs.items()) for t, a in self.elements[i][2])


def parse(page: str) -> Checker:
    c = Checker()
    c.feed(page)
    c.close()
    assert not c.errors, c.errors[:5]
    assert not c.stack, [t for t, _ in c.stack]
    return c


def family_svgs(c: Checker) -> dict[str, int]:
    """Family section id -> index of its <svg>."""
    out = {}
    for i, (tag, _, anc) in enumerate(c.elements):
        if tag == "svg":
            sec = [a["id"] for t, a in anc if t == "section" and "family" in a.get("class", "")]
            assert len(sec) == 1
            out[sec[0]] = i
    return out


def children_of(c: Checker, i: int, tag: str) -> list[int]:
    target = c.elements[i]
    return [j for j, (t, _, anc) in enumerate(c.elements) if t == tag and any(x is target[1] for _, x in anc)]


def test_parses_and_is_self_contained():
    page, *_ = build(settings={"sourcetrace": "0.1.0", "threshold": 0.5})
    assert page.startswith("<!DOCTYPE html>")
    c = parse(page)
    for tag, a, _ in c.elements:
        for attr in ("src", "srcset"):
            assert attr not in a, (tag, a)
        if tag == "link":
            raise AssertionError("no <link> elements")
        # links to document sections only; the one http link is the document's own url, not an asset
        if "href" in a and not a["href"].startswith("#"):
            assert tag == "a" and a["href"] == "https://example.org/rep", a
    assert not re.search(r"url\(|@import|<script[^>]+src=|<link\b", page)
    assert not re.search(r"(src|href)=\"(https?:)?//(?!example\.org/rep\")", page)
    assert "0.1.0" in page
    assert "7 documents · 2 families · 4 relations" in page


def test_script_text_titles_and_ids_are_escaped():
    page, *_ = build()
    c = parse(page)
    # only our two script blocks: the index and the code
    scripts = [a for t, a, _ in c.elements if t == "script"]
    assert scripts == [{"type": "application/json", "id": "search-index"}, {}]
    # outside the JSON block (where "<script>" inside a string is inert data) only our two tags
    outside = re.sub(r'(<script type="application/json" id="search-index">).*?(</script>)', r"\1\2", page,
                     flags=re.S)
    assert outside.count("<script") == 2 and outside.count("</script>") == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "alert(3)" in page and 'href="javascript' not in page.lower()
    assert "quote &lt;b&gt;marks&lt;/b&gt;" in page  # evidence
    # the odd id shows escaped and never reaches an id attribute as is
    assert "note &lt;1&gt;&amp;&#34;x&#34;" in page
    for tag, a, _ in c.elements:
        if "id" in a:
            assert re.fullmatch(r"[A-Za-z0-9_-]+", a["id"]), (tag, a["id"])
        if a.get("href", "").startswith("#"):
            assert re.fullmatch(r"#[A-Za-z0-9_-]+", a["href"]), a["href"]
    ids = [a["id"] for _, a, _ in c.elements if "id" in a]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    # every internal link leads somewhere
    assert {a["href"][1:] for _, a, _ in c.elements if a.get("href", "").startswith("#")} <= set(ids)


def test_search_index_is_escaped_and_valid_json():
    page, docs, *_ = build()
    block = re.search(r'<script type="application/json" id="search-index">(.*?)</script>', page, re.S).group(1)
    # tojson writes <, > and & as \u escapes: nothing in the data can close the block or open a comment
    assert "<" not in block and "&" not in block
    assert "\\u003c/script\\u003e" in block
    index = json.loads(block)
    assert [d["id"] for d in index] == [d.id for d in docs]
    evil = next(d for d in index if d["id"] == EVIL_ID)
    assert evil["title"] == "<script>alert(2)</script>"
    assert evil["text"].startswith("Notes <script>alert(1)</script> and </script><!-- end")
    rep = next(d for d in index if d["id"] == "rep")
    assert rep["lang"] == "ar" and rep["date"] == "2023-05-04" and rep["title"] == "اتفاق على تقاسم المياه"
    assert "اقرأ أيضا" not in rep["text"]  # boilerplate is not content
    assert all(len(d["text"]) <= 300 for d in index)
    # each entry's anchor is a document section
    c = parse(page)
    sections = {a["id"] for t, a, _ in c.elements if t == "section" and "docsec" in a.get("class", "")}
    assert {d["anchor"] for d in index} == sections


def test_rtl_sections_texts_and_nodes():
    page, docs, *_ = build()
    c = parse(page)
    langs = {d.id: d.lang for d in docs}
    texts = [(a, c.data.get(i, "")) for i, (t, a, _) in enumerate(c.elements)
             if t == "div" and a.get("class") == "doc-text"]
    assert len(texts) == len(docs)
    for a, _ in texts:
        assert a["dir"] in ("rtl", "ltr")
    assert sum(a["dir"] == "rtl" for a, _ in texts) == sum(v == "ar" for v in langs.values())
    assert all(a["lang"] == "ar" for a, _ in texts if a["dir"] == "rtl")
    # boilerplate greyed in the report's text
    assert any(a.get("class", "").startswith("boilerplate") and c.data.get(i, "").startswith("اقرأ أيضا")
               for i, (_, a, _) in enumerate(c.elements))
    # graph nodes: Arabic titles right to left, English left to right
    titles = [(a, c.data.get(i, "")) for i, (t, a, _) in enumerate(c.elements)
              if t == "text" and a.get("class") == "ntitle"]
    assert titles
    for a, text in titles:
        arabic = bool(re.search(r"[\u0600-\u06FF]", text))
        assert (a.get("direction") == "rtl") == arabic, (a, text)


def test_one_svg_per_family_with_nodes_arrows_and_dashed_related():
    page, docs, relations, fams = build()
    c = parse(page)
    assert [f.documents for f in fams] == [["st", "tr", "rep", "rep2"], ["v1", "v2"]]
    svgs = family_svgs(c)
    assert len(svgs) == len(fams) == len(c.find("svg"))
    by_fam = {}
    for f in fams:
        sec = next(a["id"] for t, a, _ in c.elements if t == "section" and a.get("class") == "family"
                   and f.id in "".join(c.data.get(j, "") for j in children_of(c, c.elements.index((t, a, _)), "code")))
        by_fam[f.id] = svgs[sec]
    for f in fams:
        svg = by_fam[f.id]
        nodes = [c.elements[j][1] for j in children_of(c, svg, "g") if "node" in c.elements[j][1].get("class", "")]
        assert len(nodes) == len(f.documents)
        links = {c.elements[j][1]["href"] for j in children_of(c, svg, "a")}
        assert len(links) == len(f.documents)
        members = set(f.documents)
        frels = [r for r in relations if r.a in members and r.b in members]
        edges = [c.elements[j][1] for j in children_of(c, svg, "path") if "edge" in c.elements[j][1].get("class", "")]
        directed = [r for r in frels if r.type != "related"]
        arrows = [j for j in children_of(c, svg, "polygon") if c.elements[j][1].get("class") == "arrow"]
        assert len(arrows) == len(directed) == sum("directed" in e["class"].split() for e in edges)
        related = [e for e in edges if "related" in e["class"].split()]
        assert len(related) == sum(r.type == "related" for r in frels)
        assert all("stroke-dasharray" in e for e in related)
        assert not any("stroke-dasharray" in e for e in edges if "directed" in e["class"].split())
    # the origin is on top: its node is above every other node of the family
    svg = by_fam[fams[0].id]
    ys = {}
    for j in children_of(c, svg, "rect"):
        if c.elements[j][1].get("class") == "lbox":  # an edge label's box
            continue
        anc = c.elements[j][2]
        g = next(a for t, a in anc if t == "g")
        ys[g["data-doc-anchor"]] = float(c.elements[j][1]["y"])
    assert fams[0].origin == "st"
    assert ys["doc-st"] < ys["doc-tr"] < ys["doc-rep"] < ys["doc-rep2"]
    # edge labels: type and coverage
    assert "translation · 99%/98%" in page and "derived · 55%/62%" in page


def test_document_sections_relations_and_origin_chain():
    page, *_ = build()
    c = parse(page)
    sec = c.find("section", id="doc-rep")[0]
    sec_text = "".join(c.data.get(j, "") for j in range(sec, len(c.elements))
                       if c.inside(j, "section", id="doc-rep"))
    assert "derived from" in sec_text and "related" in sec_text
    assert "attribution: «قال البيان»" in sec_text
    chain = [j for j in c.find("ol") if c.elements[j][1].get("class") == "chain" and c.inside(j, "section", id="doc-rep")]
    assert len(chain) == 1
    hrefs = [c.elements[j][1]["href"] for j in children_of(c, chain[0], "a")]
    assert hrefs == ["#doc-rep", "#doc-tr", "#doc-st"]
    # a document in no family is listed as unrelated
    unrel = c.find("section", id="unrelated")
    assert unrel
    items = [c.elements[j][1]["href"] for j in children_of(c, unrel[0], "a")]
    assert len(items) == 1 and items[0].startswith("#doc-note")


def test_pair_views_with_highlights_and_cap():
    page, *_ = build()
    c = parse(page)
    pairs = c.find("details")
    pairs = [j for j in pairs if c.elements[j][1].get("class") == "pair"]
    assert len(pairs) == 4  # one per relation with passages
    # highlights carry kinds; passage ids are unique to their view
    hl = [a for _, a, _ in c.elements if "hl" in a.get("class", "").split()]
    assert any("k-translation" in a["class"] for a in hl) and any("k-verbatim" in a["class"] for a in hl)
    assert all(re.fullmatch(r"v\d+-p\d+( v\d+-p\d+)*", a["data-p"]) for a in hl)
    # the derived document hosts its view, source on the left
    in_rep = [j for j in pairs if c.inside(j, "section", id="doc-rep")]
    assert len(in_rep) == 1  # the derived report hosts tr -> rep; rep2 hosts the related pair
    cols = [c.elements[j][1] for j in children_of(c, in_rep[0], "div") if c.elements[j][1].get("data-side")]
    assert [a["dir"] for a in cols] == ["rtl", "rtl"]
    heads = [c.data.get(j, "") for j in children_of(c, in_rep[0], "b")]
    assert heads[:2] == ["tr", "rep"]  # source on the left
    assert 'id="pair-0"' in page
    capped, *_ = build(max_pair_views=2)
    cc = parse(capped)
    assert len([j for j in cc.find("details") if cc.elements[j][1].get("class") == "pair"]) == 2
    assert "2 of 4 side-by-side pair views are included" in capped
    assert "left out (max_pair_views)" in capped
    # the strongest relations keep their views: the translation (0.95) and the revision (0.9)
    assert 'href="#pair-0"' in capped and 'href="#pair-2"' not in capped
    none, *_ = build(max_pair_views=0)
    assert "<details class=\"pair\"" not in none
    parse(none)


def test_empty_corpus_and_doc_without_text():
    page = render_corpus_html([], {}, {}, [], [], [])
    parse(page)
    assert "0 documents" in page
    doc = Document("lonely", "gone.txt", 0, 10, "ar", title="وحيد")
    page = render_corpus_html([doc], {}, {}, [], [], [Family("family:x", ["lonely"])])
    c = parse(page)
    assert "text not available" in page
    assert len(c.find("svg")) == 1


def test_unescaped_index_roundtrip_matches_page_text():
    page, *_ = build()
    block = re.search(r'id="search-index">(.*?)</script>', page, re.S).group(1)
    index = json.loads(block)
    for entry in index:
        # each title shown in the page (escaped) equals the one in the index
        if entry["title"]:
            assert unescape(f"{entry['title']}") in unescape(page)
