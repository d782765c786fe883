"""People, organisations and places, and keys that meet across Arabic and English (factcheck/names.py)."""

from __future__ import annotations

import re

import pytest

from sourcetrace.factcheck import extract
from sourcetrace.factcheck.names import person_key
from sourcetrace.text.arabic import ARABIC_WORD, normalize_arabic
from sourcetrace.text.skeletons import same_name

NAME_TYPES = ("person", "org", "place")


def _names(text: str, lang: str) -> list[tuple[str, str, str]]:
    return [(text[f.start:f.end], f.type, f.value) for f in extract(text, lang) if f.type in NAME_TYPES]


@pytest.mark.parametrize(("text", "expected"), [
    ("Secretary of State Michael R. Pompeo spoke in Baghdad.",
     [("Michael R. Pompeo", "person", "bmb"), ("Baghdad", "place", "Baghdad")]),
    ("Italian Foreign Minister Luigi Di Maio thanked Iraq.",
     [("Luigi Di Maio", "person", person_key("Maio")), ("Iraq", "place", "IQ")]),
    ("Prime Minister Kadhimi met the NATO Secretary General.",
     [("Kadhimi", "person", "kdm"), ("NATO", "org", "NATO")]),
    ("The UN Security Council adopted Resolution 2254.", [("UN Security Council", "org", "Security Council")]),
    ("The Global Coalition to Defeat Daesh met.", [("Global Coalition", "org", "Coalition"), ("Daesh", "org", "ISIS")]),
    ("Fighting continued in Syria and the United States sent aid.",
     [("Syria", "place", "SY"), ("United States", "place", "US")]),
    ("The Arab League and the World Bank signed a plan.",
     [("Arab League", "org", "Arab League"), ("World Bank", "org", "World Bank")]),
    ("The Ministers met virtually.", []),
    ("The Government of Iraq asked for help.", [("Iraq", "place", "IQ")]),
    ("Minister of Water Resources Karim T. Mansour visited the Republic of Nahr.",
     [("Karim T. Mansour", "person", person_key("Mansour")), ("Republic of Nahr", "place", person_key("Nahr"))]),
    ("Water Resources Ministry Of The Republic\nThe talks went on.", []),
])
def test_english_names(text: str, expected: list) -> None:
    assert _names(text, "en") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("قال وزير الخارجية الأمريكي مايكل بومبيو في بغداد.",
     [("مايكل بومبيو", "person", "bmb"), ("بغداد", "place", "Baghdad")]),
    ("شكر الوزراء رئيس الوزراء كاظمي.", [("كاظمي", "person", "kdm")]),
    ("التقى رئيس الوزراء مصطفى الكاظمي الوفد.", [("مصطفى الكاظمي", "person", "kdm")]),
    ("رحب الوزراء بقرار الناتو بشأن العراق.", [("الناتو", "org", "NATO"), ("العراق", "place", "IQ")]),
    ("اجتمع حلف شمال الأطلسي في بروكسل.", [("حلف شمال الأطلسي", "org", "NATO"), ("بروكسل", "place", "Brussels")]),
    ("ضد داعش في العراق وسوريا.", [("داعش", "org", "ISIS"), ("العراق", "place", "IQ"), ("سوريا", "place", "SY")]),
    ("وفقا لقرار مجلس الأمن الدولي.", [("مجلس الأمن الدولي", "org", "Security Council")]),
    ("أرسلت الولايات المتحدة المساعدات.", [("الولايات المتحدة", "place", "US")]),
    ("ترأست الاجتماع وزيرة الخارجية ليلى ك. حداد.", [("ليلى ك. حداد", "person", person_key("Haddad"))]),
    ("رحب بالمبعوثة الخاصة للأمم المتحدة.", [("للأمم المتحدة", "org", "United Nations")]),
])
def test_arabic_names(text: str, expected: list) -> None:
    assert _names(text, "ar") == expected


@pytest.mark.parametrize(("arabic", "english"), [
    ("بومبيو", "Pompeo"), ("بلينكين", "Blinken"), ("كاظمي", "Kadhimi"), ("الكاظمي", "Kadhimi"),
    ("ستولتنبرغ", "Stoltenberg"), ("ماكرون", "Macron"),
])
def test_person_keys_meet_across_scripts(arabic: str, english: str) -> None:
    assert same_name(person_key(arabic), person_key(english))


def test_different_people_do_not_meet() -> None:
    assert not same_name(person_key("بومبيو"), person_key("Blinken"))


# A table word that is also a common noun is a name only with a cue (issue 19: «الساحل», the coast,
# was the Sahel); «التحالف» alone names no coalition (issue 17).
@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("تضرر الساحل من العاصفة وأغلقت الشواطئ.", "ar", []),
    ("تنشط الجماعات المسلحة في منطقة الساحل.", "ar", [("الساحل", "place", "Sahel")]),
    ("انتشر الجنود في غرب أفريقيا والساحل.", "ar", [("غرب أفريقيا", "place", "West Africa"), ("الساحل", "place", "Sahel")]),
    ("قدم البنك دعما مالي للمزارعين.", "ar", []),
    ("أرسلت فرنسا جنودا إلى مالي.", "ar", [("فرنسا", "place", "FR"), ("مالي", "place", "ML")]),
    ("قصفت الطائرات القاعدة الجوية.", "ar", []),
    ("هاجم تنظيم القاعدة القافلة.", "ar", [("تنظيم القاعدة", "org", "Al-Qaeda")]),
    ("زار الوزير العراق والمغرب ثم عاد إلى المغرب.", "ar",
     [("العراق", "place", "IQ"), ("المغرب", "place", "MA"), ("المغرب", "place", "MA")]),
    ("قاد التحالف العربي العمليات، وقال التحالف الدولي إنه يدعم الحكومة.", "ar",
     [("التحالف الدولي", "org", "Coalition")]),
    ("اجتمع التحالف العالمي لهزيمة داعش.", "ar", [("التحالف العالمي", "org", "Coalition"), ("داعش", "org", "ISIS")]),
    # «بحماس» with enthusiasm, «الحماس» the enthusiasm: no Hamas; «وحماس», «لحماس» are
    ("استقبل الأهالي الوفد بحماس كبير، وزاد الحماس بعد الخطاب.", "ar", []),
    ("قالت حماس إن الوفد وصل، ورحبت إسرائيل وحماس بالهدنة.", "ar",
     [("حماس", "org", "Hamas"), ("إسرائيل", "place", "IL"), ("حماس", "org", "Hamas")]),
    ("The Coalition partners met. The Global Coalition met in Rome.", "en",
     [("Global Coalition", "org", "Coalition"), ("Rome", "place", "Rome")]),
    ("Troops were sent to West Africa and the Sahel.", "en",
     [("West Africa", "place", "West Africa"), ("Sahel", "place", "Sahel")]),
])
def test_a_common_noun_is_no_name(text: str, lang: str, expected: list) -> None:
    assert _names(text, lang) == expected


def test_arabic_words_skipped_begin_no_name_or_title() -> None:
    """_arabic skips the words _ar_may_start rejects: no table name and no title begins at any of
    them, in a text of names, titles and plain words."""
    from sourcetrace.factcheck import names

    text = ("قال وزير الخارجية الإيطالي لويجي دي مايو في بغداد والعراق وللأمم المتحدة إن الرئيس "
            "والسيدة ليلى ك. حداد زارا حلف شمال الأطلسي والاتحاد الأوروبي ولبنان يوم الخميس")
    words, openings = names._arabic_words(text)
    assert [w for _, _, w in words] == [normalize_arabic(m.group()) for m in re.finditer(ARABIC_WORD, text)]
    assert all(text[s:e] == m.group() for (s, e, _), m in zip(words, re.finditer(ARABIC_WORD, text), strict=True))
    ar = names._gazetteer()[1]
    skipped = [i for i, w in enumerate(words) if not names._ar_may_start(w[2])]
    assert openings == [i for i in range(len(words)) if i not in skipped]
    assert 0 < len(skipped) < len(words)
    for i in skipped:
        assert names._ar_known(words, i, len(words), ar, text) is None
        assert names._ar_title(words, i, len(words), text) is None


def test_a_run_read_once_is_placed_and_judged_where_it_stands() -> None:
    """A run of capitalised words is read once (names._run_names) and its names placed at each of
    its offsets; what follows the run ("ACME-7": part of a name) and a headline are still judged
    where the run stands, not taken from the first text that held it."""
    from sourcetrace.factcheck.names import find_names

    def found(text: str) -> list[tuple[int, int, str, str]]:
        return [(n.start, n.end, n.type, n.key) for n in find_names(text, "en")]

    assert found("The report by ACME was read.") == [(14, 18, "org", "ACME")]
    assert found("The ACME-7 rocket flew.") == []
    assert found("The report by ACME was read.") == [(14, 18, "org", "ACME")]
    text = "Karim Mansour met the press; later Karim Mansour left.\nKarim Mansour spoke."
    at = [m.start() for m in re.finditer("Karim Mansour", text)]
    assert found(text) == [(s, s + 13, "person", person_key("Mansour")) for s in at]
    # the same run, in a title-case headline, is no person (only known names count there)
    assert found("Karim Mansour Visits The Northern Districts\nand Karim Mansour spoke.") == [
        (48, 61, "person", person_key("Mansour"))]
