"""Tests for sourcetrace.text.sentences.split_sentences."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import need_seeds
from sourcetrace.text.sentences import MAX_SENTENCE, NEWLINES, run_on, split_sentences, unwrapped
from work import lines_executed


def texts(text: str, lang: str | None = None) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, lang=lang)]


# (text, expected sentences). Written for these tests; none is taken from the corpora.
CASES: list[tuple[str, list[str]]] = [
    # initials and dotted abbreviations
    (
        "Michael R. Pompeo met Luigi Di Maio. They spoke.",
        ["Michael R. Pompeo met Luigi Di Maio.", "They spoke."],
    ),
    (
        "George W. Bush and John F. Kennedy were presidents.",
        ["George W. Bush and John F. Kennedy were presidents."],
    ),
    (
        "The U.S. Secretary of State spoke. The U.N. envoy listened.",
        ["The U.S. Secretary of State spoke.", "The U.N. envoy listened."],
    ),
    ("He lives in the U.S. The weather is fine.", ["He lives in the U.S.", "The weather is fine."]),
    ("Rules in the U.S. and the U.K. differ a lot.", ["Rules in the U.S. and the U.K. differ a lot."]),
    (
        "They met in Washington, D.C. The talks went on.",
        ["They met in Washington, D.C.", "The talks went on."],
    ),
    (
        "The talks began at 5 p.m. The ministers left late.",
        ["The talks began at 5 p.m.", "The ministers left late."],
    ),
    ("Use a list, e.g. Iraq and Syria. Then stop.", ["Use a list, e.g. Iraq and Syria.", "Then stop."]),
    ("Only one group, i.e. The Small Group, met.", ["Only one group, i.e. The Small Group, met."]),
    # titles and other abbreviations
    (
        "Mr. Smith and Dr. Jones arrived. St. Louis is far.",
        ["Mr. Smith and Dr. Jones arrived.", "St. Louis is far."],
    ),
    (
        "Gen. Smith, Sen. Jones and Rep. Brown met on Jan. 5 in the morning. The talks ended.",
        ["Gen. Smith, Sen. Jones and Rep. Brown met on Jan. 5 in the morning.", "The talks ended."],
    ),
    ("Paris vs. London. Done.", ["Paris vs. London.", "Done."]),
    ("Resolution No. 2254 was adopted. It passed.", ["Resolution No. 2254 was adopted.", "It passed."]),
    ("He cited item No. 5. The list ended.", ["He cited item No. 5.", "The list ended."]),
    ("See Fig. 3 for details. It shows growth.", ["See Fig. 3 for details.", "It shows growth."]),
    ("Is it over? No. It is not!", ["Is it over?", "No.", "It is not!"]),
    # numbers, dates, URLs, e-mail
    (
        "It grew by 3.5% in 2020. Growth was 7.7 points.",
        ["It grew by 3.5% in 2020.", "Growth was 7.7 points."],
    ),
    ("The vote was 7,7 and 3.5 respectively. Fine.", ["The vote was 7,7 and 3.5 respectively.", "Fine."]),
    (
        "The meeting on 4.6.2020 was virtual. It ended early.",
        ["The meeting on 4.6.2020 was virtual.", "It ended early."],
    ),
    ("The resolution was 2254. 2020 was hard.", ["The resolution was 2254.", "2020 was hard."]),
    (
        "Visit https://www.example.gov/reports/2020.html?id=4. Then call.",
        ["Visit https://www.example.gov/reports/2020.html?id=4.", "Then call."],
    ),
    (
        "Write to info@example.org for details. We reply fast.",
        ["Write to info@example.org for details.", "We reply fast."],
    ),
    (
        "Mrs. Clark spoke at 3.30 pm. Everyone listened.",
        ["Mrs. Clark spoke at 3.30 pm.", "Everyone listened."],
    ),
    # quotes and brackets
    ('He said: "We will win." Then he left.', ['He said: "We will win."', "Then he left."]),
    (
        "\u201cWe remain committed,\u201d he said. \u201cThe fight continues.\u201d It ended.",
        ["\u201cWe remain committed,\u201d he said.", "\u201cThe fight continues.\u201d", "It ended."],
    ),
    ('"Why?" he asked. Nobody answered.', ['"Why?" he asked.', "Nobody answered."]),
    ("She agreed (see above.) Then left.", ["She agreed (see above.)", "Then left."]),
    ("Wait!!! Really?! Yes.", ["Wait!!!", "Really?!", "Yes."]),
    # ellipses
    (
        "We waited\u2026 and then it rained. Later\u2026 Nothing.",
        ["We waited\u2026 and then it rained.", "Later\u2026", "Nothing."],
    ),
    ("We waited... and waited. The end.", ["We waited... and waited.", "The end."]),
    # semicolons are not ends
    ("A lone ; is not an end; it continues. Yes.", ["A lone ; is not an end; it continues.", "Yes."]),
    # lines, headlines, list markers
    (
        "Headline without a full stop\nThe body starts here. It continues.",
        ["Headline without a full stop", "The body starts here.", "It continues."],
    ),
    (
        "1. First item\n2. Second item. With more.\n",
        ["1. First item", "2. Second item.", "With more."],
    ),
    ("8- Eighth point\n9- Ninth point", ["8- Eighth point", "9- Ninth point"]),
    ("iv. Fourth point\nb. Second letter", ["iv. Fourth point", "b. Second letter"]),
    ("\n\n   \n  Padded line.   \n\t\n", ["Padded line."]),
    ("Line one\r\nLine two\u2028Line three", ["Line one", "Line two", "Line three"]),
    ("The Coalition met. اجتمع التحالف. It ended.", ["The Coalition met.", "اجتمع التحالف.", "It ended."]),
    # Arabic
    (
        "قال مايكل ر. بومبيو إن التحالف قوي. وأضاف أن المعركة مستمرة.",
        ["قال مايكل ر. بومبيو إن التحالف قوي.", "وأضاف أن المعركة مستمرة."],
    ),
    ("هل انتهت المعركة؟ لا، لم تنته بعد.", ["هل انتهت المعركة؟", "لا، لم تنته بعد."]),
    ("ماذا حدث؟! لا أحد يعرف.", ["ماذا حدث؟!", "لا أحد يعرف."]),
    (
        "قال الوزير: نعمل معا، ونتطلع إلى النجاح؛ وسنواصل الجهود. انتهى الاجتماع.",
        ["قال الوزير: نعمل معا، ونتطلع إلى النجاح؛ وسنواصل الجهود.", "انتهى الاجتماع."],
    ),
    (
        "بلغ النمو ٣٫٥ بالمئة في العام الماضي. وارتفع إلى ٧٫٧.",
        ["بلغ النمو ٣٫٥ بالمئة في العام الماضي.", "وارتفع إلى ٧٫٧."],
    ),
    ("تحرير حوالى 7,7 ملايين شخص. وقد تم ذلك.", ["تحرير حوالى 7,7 ملايين شخص.", "وقد تم ذلك."]),
    ("١. البند الأول\n٢. البند الثاني", ["١. البند الأول", "٢. البند الثاني"]),
    ("1- نحث الجميع. 2- نؤكد الالتزام.", ["1- نحث الجميع.", "2- نؤكد الالتزام."]),
    ('قال "نحن ملتزمون". ثم غادر.', ['قال "نحن ملتزمون".', "ثم غادر."]),
    ("وقال «سنواصل القتال.» وغادر القاعة.", ["وقال «سنواصل القتال.»", "وغادر القاعة."]),
    (
        "عقد الاجتماع في 4.6.2020 عبر الفيديو. وحضره الوزراء.",
        ["عقد الاجتماع في 4.6.2020 عبر الفيديو.", "وحضره الوزراء."],
    ),
    ("هذه جملة أولى۔ وهذه ثانية۔", ["هذه جملة أولى۔", "وهذه ثانية۔"]),
    ("زوروا الموقع www.example.com للمزيد. شكرا.", ["زوروا الموقع www.example.com للمزيد.", "شكرا."]),
    ("قال أ.د. محمد علي إن الوضع مستقر. وأضاف ذلك.", ["قال أ.د. محمد علي إن الوضع مستقر.", "وأضاف ذلك."]),
    ("وقع الحدث سنة 1441 هـ. في المدينة", ["وقع الحدث سنة 1441 هـ. في المدينة"]),
    (
        "الخارجية الأمريكية: تهديد داعش ما زال قائما\nقالت الوزارة إن التهديد قائم.",
        ["الخارجية الأمريكية: تهديد داعش ما زال قائما", "قالت الوزارة إن التهديد قائم."],
    ),
    ("\u200fمرحبا بكم.\u200f \u200fأهلا.", ["مرحبا بكم.", "أهلا."]),
    # a line of verse (two hemistichs around an ellipsis) is one sentence; prose is not verse
    (
        "سرى الركب في ليل طويل ... وما عرفوا طريق الماء 12\nنزلنا على ماء قليل ... فقلنا هنا نقيم",
        ["سرى الركب في ليل طويل ... وما عرفوا طريق الماء 12", "نزلنا على ماء قليل ... فقلنا هنا نقيم"],
    ),
    ("ألا ليت الشباب يعود يوما … فنحكي ما جرى لنا ؟ 3", ["ألا ليت الشباب يعود يوما … فنحكي ما جرى لنا ؟", "3"]),
    ("قال ... إن الوفد وصل", ["قال ...", "إن الوفد وصل"]),
    (
        "وقال الوزير إن الاجتماع ... كان ناجحا. وأضاف أن الوفد وصل",
        ["وقال الوزير إن الاجتماع ...", "كان ناجحا.", "وأضاف أن الوفد وصل"],
    ),
    ("Wait for me ... Then we go home", ["Wait for me ...", "Then we go home"]),
]


def test_enough_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
@pytest.mark.parametrize("lang", [None, "ar", "en"])
def test_table(text: str, expected: list[str], lang: str | None) -> None:
    assert texts(text, lang) == expected


def test_region_offsets_are_file_offsets() -> None:
    text = "Preamble here. \nFirst one. Second one.\nAfter."
    start = text.index("First")
    end = text.index("\nAfter")
    spans = split_sentences(text, start, end, "en")
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one."]
    assert spans[0][0] == start


def test_region_clipping_and_empty() -> None:
    text = "One. Two."
    assert split_sentences(text, 5, 100) == [(5, 9)]
    assert split_sentences(text, 4, 4) == []
    assert split_sentences(text, 9) == []
    assert split_sentences("") == []
    assert split_sentences(" \n\t \n") == []
    # a region that cuts a sentence keeps the part inside it
    assert split_sentences(text, 0, 3) == [(0, 3)]


# ---------------------------------------------------------------- property test

_ALPHABET = (
    list("abcXYZ R U S 0 7 ,;:-/@")
    + list(".!?\u2026\u061f\u06d4\u060c\u061b")
    + list("\"'\u201c\u201d\u00ab\u00bb()")
    + list("بتثر ه\u0640٣٫")
    + list(" \t\u00a0\u200f\ufeff")
    + list(NEWLINES)
)


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(_ALPHABET), max_size=120),
    a=st.integers(min_value=-5, max_value=130),
    b=st.one_of(st.none(), st.integers(min_value=-5, max_value=130)),
    lang=st.sampled_from([None, "ar", "en", "fr"]),
)
def test_properties(text: str, a: int, b: int | None, lang: str | None) -> None:
    spans = split_sentences(text, a, b, lang)
    lo = max(a, 0)
    hi = len(text) if b is None else min(b, len(text))
    prev_end = lo
    for s, e in spans:
        assert lo <= prev_end <= s < e <= hi
        piece = text[s:e]
        assert not piece[0].isspace() and not piece[-1].isspace()
        assert not any(c in NEWLINES for c in piece)
        prev_end = e
    # every visible character of the region lies in some sentence
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
    for i in range(lo, hi):
        if not text[i].isspace() and text[i] not in "\u200f\ufeff":
            assert i in covered


# ---------------------------------------------------------------- seed documents

def _iou(x: list[int] | tuple[int, int], y: tuple[int, int]) -> float:
    inter = max(0, min(x[1], y[1]) - max(x[0], y[0]))
    union = max(x[1], y[1]) - min(x[0], y[0])
    return inter / union if union else 0.0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("side", "filename", "doc", "lang"),
    [
        (0, "000_d1cb74700ad1c777.txt", (0, 4327), "ar"),
        (1, "002_5d78def7b98681ae.txt", (0, 5529), "en"),
    ],
)
def test_seed_gold_sentences(side: int, filename: str, doc: tuple[int, int], lang: str) -> None:
    seeds = need_seeds()
    gold = json.loads((seeds / "gold.json").read_text(encoding="utf-8-sig"))
    pairs = gold["sentence_pairs"]["000~002a"]
    text = (seeds / filename).read_bytes().decode("utf-8-sig")
    pred = split_sentences(text, doc[0], doc[1], lang)
    spans = [pair[side] for pair in pairs]
    assert len(spans) == 23
    matched = sum(any(_iou(g, p) >= 0.9 for p in pred) for g in spans)
    assert matched >= 22, f"{matched}/23 gold sentences matched"


# -- bounded sentences (issue 19: an unpunctuated megabyte went whole to the encoder) -----------


def _check_pieces(text: str, spans: list[tuple[int, int]]) -> None:
    assert spans
    for (s, e), nxt in zip(spans, spans[1:] + [(len(text), len(text))], strict=True):
        assert 0 < e - s <= MAX_SENTENCE and e <= nxt[0]
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert not text[e:nxt[0]].strip()  # nothing but whitespace is left out between pieces


def test_long_unpunctuated_text_is_cut_at_clause_marks_with_exact_offsets():
    clause = "قال المتحدث باسم الوزارة إن الاجتماع تناول الأوضاع في المنطقة، "  # a comma clause, no full stop
    text = "  " + clause * 200
    spans = split_sentences(text)
    _check_pieces(text, spans)
    assert len(spans) > 5
    assert all(text[s:e].endswith("،") for s, e in spans[:-1])  # cut after a clause mark


def test_long_text_without_clauses_is_cut_at_whitespace_then_hard():
    text = "word " * 3000 + "x" * 5000
    spans = split_sentences(text)
    _check_pieces(text, spans)
    assert all(text[s:e].split() == ["word"] * len(text[s:e].split()) for s, e in spans[:3])
    assert sum(e - s for s, e in spans if "x" in text[s:e]) == 5000  # the enormous token, hard cut
    assert "".join(text[s:e] for s, e in spans if text[s] == "x") == "x" * 5000


def test_sentences_under_the_bound_are_not_cut():
    sentence = "The ministers, meeting in Rome, agreed " + "and agreed " * 80 + "to meet again."
    assert len(sentence) < MAX_SENTENCE
    assert texts(sentence + " Next one.") == [sentence, "Next one."]


def test_long_runs_of_terminators_split_in_linear_time():
    # A run of "!" with no space after: each position rescanned the run (20,000: 12 s before,
    # 40,000: 65 s). Counted: 4x the run must cost at most ~4x the work (quadratic would be 16x).
    def text(n: int) -> str:
        return "!" * n + "x Done."

    small = lines_executed(lambda: split_sentences(text(5_000)))
    large = lines_executed(lambda: split_sentences(text(20_000)))
    assert large <= 4.6 * small, (small, large)
    spans = split_sentences(text(20_000))
    _check_pieces(text(20_000), spans)


def test_sentences_of_a_hard_wrapped_text_are_joined_at_its_wraps_only():
    text = ("The council approved the plan for the\nnorthern basin. It met again in\nMay.\n"
            "It named Greece, Cyprus,\nMalta and Italy.\n"
            "Headline in capitals\nThe next line starts a sentence.\n\nand a blank line ends a paragraph")
    assert [text[s:e] for s, e in unwrapped(text, split_sentences(text))] == [
        "The council approved the plan for the\nnorthern basin.",
        "It met again in",  # a capital after the break: read as a new line, not a wrap
        "May.",
        "It named Greece, Cyprus,\nMalta and Italy.",  # no paragraph ends with a comma
        "Headline in capitals",
        "The next line starts a sentence.",
        "and a blank line ends a paragraph",  # a blank line is no wrap
    ]


def test_units_run_on_at_every_open_line_break_whatever_the_next_line_starts_with():
    # Web text wrapped at a fixed width goes on in capitals ("Company Inc", names): for matching
    # units the lines of a sentence are one, wherever the text was wrapped.
    text = ("Primrose Oil Company, Inc. Quaker Chemical Corporation Red Giant Oil\nCompany Red Line Synthetic Oil"
            " Corporation. It met again in\nMay.\nA line ending a sentence.\nNext one.\n\nBlank line before\n\nthis")
    assert [text[s:e] for s, e in run_on(text, split_sentences(text))] == [
        "Primrose Oil Company, Inc.",
        "Quaker Chemical Corporation Red Giant Oil\nCompany Red Line Synthetic Oil Corporation.",
        "It met again in\nMay.",
        "A line ending a sentence.",
        "Next one.",
        "Blank line before",  # a blank line is no wrap
        "this",
    ]


def test_a_wrap_after_a_comma_is_seen_between_two_words_too():
    from sourcetrace.text.sentences import wrapped

    text = "Letterlike Symbols, Number Forms,\nArrows, Mathematical Operators\nBox Drawing"
    assert wrapped(text, text.index(",\nArrows"), text.index("Arrows"))  # the matcher's words: "Forms" | "Arrows"
    assert not wrapped(text, text.index("\nBox"), text.index("Box"))  # no comma, a capital: a new line


def test_is_verse_line():
    from sourcetrace.text.sentences import is_verse_line
    assert is_verse_line("رب صهباء من شراب المجوس ... قهوة بابلية خندريس")
    assert is_verse_line("قد تجليتها بناي وعود … قبل ضرب الشماس بالناقوس")
    assert not is_verse_line("دير ماسرجس")
    assert not is_verse_line("وزير الخارجية ... زيارة مرتقبة إلى العاصمة الأسبوع المقبل بعد انتهاء القمة الإقليمية هناك")
    assert not is_verse_line("He waited ... and then left")
