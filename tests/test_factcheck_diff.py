"""Fact diffs of aligned passages (factdiff.py): same, changed, dropped, added; across scripts."""

from __future__ import annotations

from sourcetrace.factcheck import extract
from sourcetrace.factcheck.diff import diff_pair, diff_passage
from sourcetrace.records import Document, Passage


def _doc(doc_id: str, text: str, lang: str) -> Document:
    return Document(doc_id, f"{doc_id}.txt", 0, len(text), lang)


def _statuses(pairs) -> list[tuple[str, str, object, object]]:
    return [(st, (a or b).type, a.value if a else None, b.value if b else None) for a, b, st in pairs]


def test_same_changed_dropped_added_in_one_passage():
    a = "The fund gave 8 million dollars on June 4, 2020 to 40 villages, 5% of the total."
    b = "The fund gave 9 million dollars on June 4, 2020 to 40 villages and 12 schools."
    fa, fb = extract(a, "en"), extract(b, "en")
    got = _statuses(diff_passage(fa, fb, (0, len(a)), (0, len(b))))
    assert ("same", "date", "2020-06-04", "2020-06-04") in got
    assert ("same", "number", 40, 40) in got
    assert ("changed", "money", "8000000 USD", "9000000 USD") in got
    assert ("dropped", "percent", 5, None) in got
    assert ("added", "number", None, 12) in got


def test_across_languages_words_and_digits_meet():
    ar = "تم تحرير ثمانية ملايين شخص، وفقا للقرار رقم 2254 الصادر في 6 شباط/فبراير 2019."
    en = "Eight million people were freed, under resolution 2254 of February 6, 2019."
    got = _statuses(diff_passage(extract(ar, "ar"), extract(en, "en"), (0, len(ar)), (0, len(en))))
    assert [g[0] for g in got] == ["same", "same", "same"]


def test_a_day_without_year_is_the_same_as_that_day_with_one():
    a, b = "The meeting of June 4.", "The meeting of 4 June 2020."
    got = _statuses(diff_passage(extract(a, "en"), extract(b, "en"), (0, len(a)), (0, len(b))))
    assert got == [("same", "date", "--06-04", "2020-06-04")]


def test_changed_pairs_follow_position_and_keep_precision():
    a = "Talks on March 3 and a vote in 2019."
    b = "Talks on April 9 and a vote in 2021."
    got = _statuses(diff_passage(extract(a, "en"), extract(b, "en"), (0, len(a)), (0, len(b))))
    assert ("changed", "date", "--03-03", "--04-09") in got
    assert ("changed", "date", "2019", "2021") in got


def test_a_person_the_arabic_reader_missed_is_found_by_spelling():
    ar = "وقال بومبيو إن الاجتماع كان مثمرا."
    en = "Secretary Pompeo said the meeting was fruitful."
    fa, fb = extract(ar, "ar"), extract(en, "en")
    assert not [f for f in fa if f.type == "person"]
    got = diff_passage(fa, fb, (0, len(ar)), (0, len(en)), text_a=ar, text_b=en)
    (a, b, status), = [g for g in got if (g[0] or g[1]).type == "person"]
    assert status == "same" and ar[a.start:a.end] == "بومبيو"


def test_one_person_each_is_a_change_of_person():
    a = "Secretary of State Michael Pompeo hosted the meeting."
    b = "Secretary of State Antony Blinken hosted the meeting."
    got = _statuses(diff_passage(extract(a, "en"), extract(b, "en"), (0, len(a)), (0, len(b))))
    assert [g[0] for g in got if g[1] == "person"] == ["changed"]


def test_diff_pair_reports_each_fact_once_and_orients_passages():
    a = "Aid of $5 million arrived. The vote was on 3 May 2020."
    b = "The vote was on 4 May 2020. Aid of $5 million arrived."
    da, db = _doc("A", a, "en"), _doc("B", b, "en")
    ps = [Passage("B", 0, 27, "A", 27, len(a), "paraphrase", 0.8),  # stored the other way round
          Passage("A", 0, 26, "B", 28, len(b), "verbatim", 1.0),
          Passage("A", 0, len(a), "B", 0, len(b), "paraphrase", 0.5)]  # overlapping, looser
    diffs = diff_pair(da, a, extract(a, "en", doc="A"), db, b, extract(b, "en", doc="B"), ps)
    assert sorted((d.status, d.type, d.value_a, d.value_b) for d in diffs) == [
        ("changed", "date", "2020-05-03", "2020-05-04"), ("same", "money", "5000000 USD", "5000000 USD")]
    assert all(d.a == "A" and d.b == "B" for d in diffs)


def test_a_fact_outside_every_passage_is_only_in_its_text_never_changed():
    # Issue 19: a sentence the report left out was paired with the report's headline by the words
    # around their figures (300 thousand -> 420). Only aligned passages may claim a change.
    a = ("ضرب زلزال قوي المنطقة. فتحت المدارس أبوابها للعائلات. وصلت فرق الإنقاذ من الدول المجاورة. "
         "تواصلت الأمطار طوال الليل. ارتفع عدد القتلى في الزلزال إلى 384 قتيلا. "
         "وأجبر الزلزال المدمر سكان القرى الجبلية النائية على النزوح، وبلغ عدد النازحين 300 ألف.")
    b = ("فتحت المدارس أبوابها للعائلات. وصلت فرق الإنقاذ من الدول المجاورة. تواصلت الأمطار طوال الليل. "
         "الزلزال المدمر يضرب القرى الجبلية النائية ويوقع 420 قتيلا. ارتفع عدد القتلى في الزلزال إلى 420 قتيلا.")
    da, db = _doc("A", a, "ar"), _doc("B", b, "ar")
    s1a, s1b = a.index("ارتفع"), b.index("ارتفع")
    ps = [Passage("A", s1a, a.index("وأجبر") - 1, "B", s1b, len(b), "verbatim", 0.9)]
    diffs = diff_pair(da, a, extract(a, "ar", doc="A"), db, b, extract(b, "ar", doc="B"), ps)
    got = sorted((d.status, d.value_a, d.value_b) for d in diffs if d.type == "number")
    assert got == [("added", None, 420), ("changed", 384, 420), ("dropped", 300000, None)]
    # no passage at all: no fact diff
    assert diff_pair(da, a, extract(a, "ar", doc="A"), db, b, extract(b, "ar", doc="B"), []) == []


def test_a_dated_page_and_its_undated_copy_agree_on_relative_dates():
    # Issue 19: weekdays resolved against the page's date, unresolvable in the plain copy, were
    # reported dropped although the two texts are word for word the same.
    text = ("The envoy met the mayor on Thursday and will visit the dam on Sunday. Yesterday the road "
            "reopened. وقال المتحدث إن الوفد سيزور السد يوم الأحد بعد اجتماع أمس.")
    page = Document("P", "page.html", 0, len(text), "en", date="2020-06-04")
    plain = Document("T", "plain.txt", 0, len(text), "en")
    fa = extract(text, "en", page.date, doc="P")
    fb = extract(text, "en", None, doc="T")
    assert sum(f.type == "date" for f in fa) == sum(f.type == "date" for f in fb) == 5
    diffs = diff_pair(page, text, fa, plain, text, fb, [Passage("P", 0, len(text), "T", 0, len(text), "verbatim", 1.0)])
    assert {d.status for d in diffs if d.type == "date"} == {"same"}


def test_a_passage_of_kept_wording_still_holds_the_figure_its_sentence_changed():
    # Kept-wording passages stop where the wording changes; the sentence is aligned all the same.
    a = "The donors met in Rome on 14 November 2019. They pledged 40 tents."
    b = "The donors met in Rome on 30 March 2021. They pledged 40 tents."
    da, db = _doc("A", a, "en"), _doc("B", b, "en")
    ps = [Passage("A", 0, a.index(" 14"), "B", 0, b.index(" 30"), "verbatim", 1.0),
          Passage("A", a.index("They"), len(a), "B", b.index("They"), len(b), "verbatim", 1.0)]
    diffs = diff_pair(da, a, extract(a, "en", doc="A"), db, b, extract(b, "en", doc="B"), ps)
    assert sorted((d.status, d.type, d.value_a, d.value_b) for d in diffs) == [
        ("changed", "date", "2019-11-14", "2021-03-30"), ("same", "number", 40, 40), ("same", "place", "Rome", "Rome")]
