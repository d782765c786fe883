from __future__ import annotations

from rich.console import Console

from conftest import nonempty_lines
from sourcetrace.records import Document, Passage, Sentence
from sourcetrace.report import render_compare_terminal
from sourcetrace.report.bidi import visual
from sourcetrace.report.compare_terminal import fit

# Small texts written for these tests.
EN_FILE = (
    "The harbour board approved [three] new cranes on 2 May.\n"
    "Work starts in June and costs 4.5 million.\n"
    "The old pier will become a public garden.\n"
)
AR_FILE = (
    "وافق مجلس الميناء على ثلاث رافعات جديدة في 2 مايو.\n"
    "ويبدأ العمل في يونيو بكلفة 4.5 مليون.\n"
    "وقال المدير إن الميناء سيعمل ليلا ونهارا.\n"
)


def render(width: int = 120, **kw) -> str:
    en = Document("en7", "en.txt", 0, len(EN_FILE), "en", title="Harbour [board]", date="2024-05-02")
    ar = Document("ar7", "ar.txt", 0, len(AR_FILE), "ar", title="مجلس الميناء", date="2024-05-03")
    le, la = nonempty_lines(EN_FILE), nonempty_lines(AR_FILE)
    ps = [
        Passage("ar7", *la[1], "en7", *le[1], "translated-paraphrase", 0.71),  # other orientation
        Passage("en7", *le[0], "ar7", *la[0], "translation", 0.93),
    ]
    console = Console(record=True, width=width, color_system=None)
    console.print(render_compare_terminal(en, EN_FILE, ar, AR_FILE, ps,
                                          [Sentence("en7", s, e) for s, e in le],
                                          [Sentence("ar7", s, e) for s, e in la], **kw))
    return console.export_text()


def test_header_summary_and_kinds():
    out = render()
    assert "en7" in out and "ar7" in out and "2024-05-02" in out and "2024-05-03" in out
    assert "Harbour [board]" in out  # rich markup in titles is shown, not interpreted
    assert visual("مجلس الميناء", rtl=True) in out
    c_en = sum(e - s for s, e in nonempty_lines(EN_FILE)[:2])
    c_en_total = len(EN_FILE)
    assert f"{c_en / c_en_total:.1%}" in out and f"({c_en}/{c_en_total} chars)" in out
    assert "translation 1" in out and "translated-paraphrase 1" in out
    assert "0.93" in out and "0.71" in out


def test_passages_in_order_of_a_with_both_texts():
    out = render()
    assert "[three]" in out  # brackets in a document are not rich markup
    first = out.index("The harbour board approved")
    second = out.index("Work starts in June")
    assert first < second
    # Arabic cells are in visual order for terminals without bidi: words and letters reversed,
    # numbers left to right.
    assert visual("وافق مجلس الميناء", rtl=True) in out
    assert "4.5" in out and "2 " in out
    # Arabic cells are right-aligned: the row's last Arabic word ends at the column's right edge
    row = next(line for line in out.splitlines() if visual("وافق مجلس", rtl=True) in line)
    assert row.rstrip().endswith(visual("وافق", rtl=True) + " │")


def test_leftover_sentences():
    out = render()
    assert "only in A" in out and "only in B" in out
    tail_a = out[out.index("only in A"):]
    assert "The old pier will become a public garden." in tail_a
    s, e = nonempty_lines(EN_FILE)[2]
    assert f"[{s}, {e})" in tail_a
    assert visual("وقال المدير إن الميناء", rtl=True) in out[out.index("only in B"):]


def test_logical_order_for_bidi_terminals_and_narrow_width():
    out = render(width=80, reorder_rtl=False)
    assert "وافق مجلس الميناء" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_visual_reordering():
    assert visual("سلام عليكم", rtl=True) == "مكيلع مالس"
    # digits and Latin keep their own order inside Arabic
    assert visual("في 2020 زار NATO بغداد") == "دادغب NATO راز 2020 يف"
    assert visual("بلغ 4.5 مليون") == "نويلم 4.5 غلب"
    # After Arabic, European digits are Arabic numbers (UAX #9 W2), which a percent sign does not
    # join (W5): it stays with the Arabic run, left of the number, as browsers show it.
    assert visual("نسبة 50% فقط") == "طقف %50 ةبسن"
    # brackets are mirrored in right-to-left runs so that they still enclose
    assert visual("الدولة (داعش)") == "(شعاد) ةلودلا"
    # left-to-right text with an Arabic word: only the word is reversed
    assert visual("The word سلام means peace") == "The word مالس means peace"
    assert visual("plain text 123") == "plain text 123"
    assert visual("سطر\nline") == "رطس\nline"
    # the paragraph direction is the first strong character's, whatever comes before it
    assert visual("2020 عام") == "ماع 2020" and visual("123 ...") == "123 ..."
    assert visual("قال «البيان» إن") == "نإ «نايبلا» لاق"  # guillemets mirrored too
    assert visual("سلام peace", rtl=False) == "مالس peace"


def test_fit_wraps_before_reordering_and_truncates():
    text = "واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة"
    out = fit(text, 12, 2, rtl=True).split("\n")
    assert len(out) == 2
    # first line holds the first words (in visual order), the last one ends with an ellipsis
    assert out[0] == visual("واحد اثنان", rtl=True)
    assert out[1].startswith("…")
    assert fit("short", 20) == "short"
    long = fit("word " * 100, 20, 3)
    assert long.count("\n") == 2 and long.endswith("…")
