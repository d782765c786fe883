from __future__ import annotations

import re
from html import unescape

from conftest import NestingParser
from sourcetrace.records import Document, Passage, Sentence
from sourcetrace.report import render_compare_html

# Two small documents written for these tests: an English note and an Arabic rendering of most of it.
EN_FILE = (
    "HEADER LINE OF ANOTHER DOCUMENT\n"
    "The river council agreed on Monday to open two bridges before summer.\n"
    "A budget of 12 million dinars will be shared by the three towns.\n"
    "Members also discussed the fishing season and <script>alert(1)</script> rules.\n"
    "Read more: subscribe to our letter\n"
)
AR_FILE = (
    "اتفق مجلس النهر يوم الاثنين على فتح جسرين قبل الصيف.\n"
    "وستتقاسم البلدات الثلاث ميزانية قدرها 12 مليون دينار.\n"
    "وأشاد الأعضاء بجهود المتطوعين في تنظيف الضفاف.\n"
)


def span(text: str, needle: str) -> tuple[int, int]:
    i = text.index(needle)
    return i, i + len(needle)


EN_S = [
    span(EN_FILE, "The river council agreed on Monday to open two bridges before summer."),
    span(EN_FILE, "A budget of 12 million dinars will be shared by the three towns."),
    span(EN_FILE, "Members also discussed the fishing season and <script>alert(1)</script> rules."),
]
AR_S = [
    span(AR_FILE, "اتفق مجلس النهر يوم الاثنين على فتح جسرين قبل الصيف."),
    span(AR_FILE, "وستتقاسم البلدات الثلاث ميزانية قدرها 12 مليون دينار."),
    span(AR_FILE, "وأشاد الأعضاء بجهود المتطوعين في تنظيف الضفاف."),
]
EN_START = EN_FILE.index("The river")
BOILER = span(EN_FILE, "Read more: subscribe to our letter")


def fixture(passages: list[Passage] | None = None):
    en = Document(id="en1", path="en.txt", start=EN_START, end=len(EN_FILE), lang="en",
                  title="River <b>council</b>", date="2024-03-04", url="javascript:alert(2)",
                  boilerplate=[BOILER])
    ar = Document(id="ar1", path="ar.txt", start=0, end=len(AR_FILE), lang="ar", title="مجلس النهر")
    if passages is None:
        passages = [
            Passage("en1", *EN_S[0], "ar1", *AR_S[0], "translation", 0.91),
            Passage("en1", *EN_S[1], "ar1", *AR_S[1], "translated-paraphrase", 0.74),
        ]
    sa = [Sentence("en1", s, e, "en") for s, e in EN_S]
    sb = [Sentence("ar1", s, e, "ar") for s, e in AR_S]
    return en, ar, passages, sa, sb


def render(**kw) -> str:
    en, ar, ps, sa, sb = fixture(kw.pop("passages", None))
    return render_compare_html(en, EN_FILE, ar, AR_FILE, ps, sa, sb, **kw)


class Collector(NestingParser):
    """Checks nesting and collects the segments of each text column."""

    def __init__(self) -> None:
        super().__init__()
        self.segments: list[dict] = []  # {"side", "start", "end", "p", "class", "title", "text"}
        self.columns: dict[str, dict] = {}
        self.scripts: list[str] = []
        self.attrs_seen: list[tuple[str, str, str]] = []

    def side(self) -> str | None:
        for _, attrs in reversed(self.stack):
            if attrs.get("data-side"):
                return attrs["data-side"]
        return None

    def opened(self, tag, a):
        self.attrs_seen += [(tag, k, v) for k, v in a.items()]
        if tag in self.VOID:
            return
        if a.get("data-side"):
            self.columns[a["data-side"]] = a
        if tag == "span" and "data-start" in a and self.side():
            self.segments.append({"side": self.side(), "start": int(a["data-start"]), "end": int(a["data-end"]),
                                  "p": a.get("data-p", "").split(), "class": a.get("class", "").split(),
                                  "title": a.get("title", ""), "id": a.get("id"), "text": ""})

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "script":
            self.scripts.append(data)
        if self.segments and self.stack and self.stack[-1][1].get("data-start") is not None:
            self.segments[-1]["text"] += data


def parse(page: str) -> Collector:
    c = Collector()
    c.feed(page)
    c.close()
    assert not c.errors, c.errors
    assert not c.stack, [t for t, _ in c.stack]
    return c


def test_page_is_wellformed_and_self_contained():
    page = render(settings={"sourcetrace": "0.1.0", "encoder": {"name": "e5", "bits": 4}})
    assert page.startswith("<!DOCTYPE html>")
    c = parse(page)
    # no external asset of any kind: scripts, styles, images, fonts all inline
    for tag, attr, value in c.attrs_seen:
        if attr in ("src", "srcset") or (tag == "link" and attr == "href"):
            raise AssertionError(f"asset reference {tag} {attr}={value}")
    assert not re.search(r"url\(|@import|<script[^>]+src=|<link\b", page)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    footer = page[page.index("<footer>"):page.index("</footer>")]
    assert "0.1.0" in footer and unescape('"bits": 4') in unescape(footer)  # settings, escaped, in the footer


def test_script_in_document_and_metadata_is_escaped():
    page = render()
    c = parse(page)
    # The only script element is ours; the document's one shows as text.
    assert page.count("<script>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "River &lt;b&gt;council&lt;/b&gt;" in page
    assert "alert(1)" not in "".join(c.scripts)
    # a javascript: URL is shown, never linked
    assert not any(attr == "href" and value.lower().startswith("javascript") for _, attr, value in c.attrs_seen)


def test_directions_and_languages():
    c = parse(render())
    assert c.columns["a"]["dir"] == "ltr" and c.columns["a"].get("lang") == "en"
    assert c.columns["b"]["dir"] == "rtl" and c.columns["b"]["lang"] == "ar"


def test_text_is_the_document_span_only_and_complete():
    c = parse(render())
    page = render()
    assert "HEADER LINE" not in page  # text before the document's start is another document
    a = sorted((s for s in c.segments if s["side"] == "a"), key=lambda s: s["start"])
    # the segments that carry attributes are exactly the file text at their offsets
    for seg in a:
        assert seg["text"] == EN_FILE[seg["start"]:seg["end"]]
    assert "وأشاد الأعضاء بجهود المتطوعين" in page


def test_each_passage_is_highlighted_on_both_sides_with_kind():
    c = parse(render())
    for pid, kind in (("p0", "k-translation"), ("p1", "k-translated-paraphrase")):
        for side in ("a", "b"):
            segs = [s for s in c.segments if s["side"] == side and pid in s["p"]]
            assert segs, (pid, side)
            assert all(kind in s["class"] and "hl" in s["class"] for s in segs)
    a0 = [s for s in c.segments if s["side"] == "a" and "p0" in s["p"]]
    assert (min(s["start"] for s in a0), max(s["end"] for s in a0)) == EN_S[0]
    b1 = [s for s in c.segments if s["side"] == "b" and "p1" in s["p"]]
    assert "".join(s["text"] for s in b1) == AR_FILE[slice(*AR_S[1])]


def test_overlapping_passages_are_split_at_every_boundary():
    s0, e0 = EN_S[0]
    s1, e1 = EN_S[1]
    mid = s0 + 20
    ps = [
        Passage("en1", s0, e0, "ar1", *AR_S[0], "translation", 0.9),
        Passage("en1", mid, e1, "ar1", AR_S[0][0], AR_S[1][1], "translated-paraphrase", 0.6),
        # recorded the other way round: still shown with its A side on the left
        Passage("ar1", *AR_S[1], "en1", s1, s1 + 10, "paraphrase", 0.5),
    ]
    c = parse(render(passages=ps))
    a = sorted((s["start"], s["end"], tuple(s["p"])) for s in c.segments if s["side"] == "a" and s["p"])
    assert a == [
        (s0, mid, ("p0",)),
        (mid, e0, ("p0", "p1")),
        (e0, s1, ("p1",)),  # the newline between the two sentences
        (s1, s1 + 10, ("p1", "p2")),
        (s1 + 10, e1, ("p1",)),
    ]
    multi = [s for s in c.segments if s["side"] == "a" and len(s["p"]) > 1]
    assert all("multi" in s["class"] for s in multi)
    b = {tuple(s["p"]) for s in c.segments if s["side"] == "b" and s["p"]}
    assert ("p0", "p1") in b and ("p1", "p2") in b


def test_uncovered_sentences_are_marked_and_listed():
    page = render()
    c = parse(page)
    s2, e2 = EN_S[2]
    gaps_a = [s for s in c.segments if s["side"] == "a" and "gap" in s["class"]]
    assert gaps_a and min(s["start"] for s in gaps_a) == s2 and max(s["end"] for s in gaps_a) == e2
    assert all("not in B" in s["title"] for s in gaps_a)
    assert any(s["id"] == f"a-s-{s2}" for s in gaps_a)  # target of the summary link
    gaps_b = [s for s in c.segments if s["side"] == "b" and "gap" in s["class"]]
    assert gaps_b and all("not in A" in s["title"] for s in gaps_b)
    assert f'href="#a-s-{s2}"' in page and f"[{s2}, {e2})" in page
    assert "Omitted in B: 1 of 3" in page and "Added in B: 1 of 3" in page


def test_boilerplate_greyed_and_labelled():
    c = parse(render())
    bp = [s for s in c.segments if "boilerplate" in s["class"]]
    assert bp and bp[0]["start"] == BOILER[0] and "bp-start" in bp[0]["class"]
    assert all("boilerplate" in s["title"] for s in bp)
    assert "".join(s["text"] for s in bp) == EN_FILE[BOILER[0]:BOILER[1]]


def test_summary_and_legend():
    page = render(title="en1 vs ar1")
    assert "<title>en1 vs ar1</title>" in page
    for kind in ("verbatim", "near-verbatim", "paraphrase", "translation", "translated-paraphrase"):
        assert f">{kind}</span>" in page
    # 2 of 3 English sentences covered; the boilerplate line is not content
    en, ar, ps, sa, sb = fixture()
    content = en.end - en.start - (BOILER[1] - BOILER[0])
    covered = (EN_S[0][1] - EN_S[0][0]) + (EN_S[1][1] - EN_S[1][0])
    assert f"{covered / content:.1%}" in page
    assert f"({covered}/{content} chars)" in page
