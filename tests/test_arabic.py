"""text.arabic: the light fold, Arabic words, digits and clitics (each caller's settings)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.text.arabic import (
    DIGITS,
    arabic_words,
    clitic_readings,
    normalize_arabic,
    strip_enclitic,
    strip_proclitic,
)
from sourcetrace.text.normalize import normalize_text

NORMALIZE = [
    ("الْمُؤْتَمَرُ", "المؤتمر"),  # harakat go, the hamza on و stays
    ("الـمـجـلـس", "المجلس"),  # tatweel
    ("أحمد إلى آذار ٱلقاهرة", "احمد الى اذار القاهرة"),  # every hamza-carrying alif is a bare alif
    ("مدرسة على مسؤول شيئ", "مدرسة على مسؤول شيئ"),  # unlike the matching fold: ة, ى, ؤ, ئ stay
    ("إنّ", "ان"),  # shadda
    ("Minister", "Minister"),  # no case folding: this is no matching fold
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZE)
def test_normalize_arabic(text: str, expected: str) -> None:
    assert normalize_arabic(text) == expected


def test_arabic_words_drop_punctuation_digits_and_latin() -> None:
    assert arabic_words("قال: «إنّ الوزير» said 2020 والـتحالف") == ["قال", "ان", "الوزير", "والتحالف"]


def test_digits_one_code_point_for_one() -> None:
    text = "في ٤ حزيران ٢٠٢٠ و۱۹۹۹"
    assert text.translate(DIGITS) == "في 4 حزيران 2020 و1999"
    assert len(text.translate(DIGITS)) == len(text)  # offsets do not move


READINGS = [
    ("والكتاب", ["والكتاب", "الكتاب", "كتاب"]),
    ("فبالعراق", ["فبالعراق", "بالعراق", "العراق", "عراق"]),
    ("وللامم", ["وللامم", "للامم", "لامم", "امم"]),  # لل = ل + ال
    ("كالبحر", ["كالبحر", "البحر", "بحر"]),
    ("فكتب", ["فكتب", "كتب", "تب"]),  # every reading: the caller's table decides
    ("ولن", ["ولن", "لن"]),
    ("بال", ["بال", "ال"]),  # a stem of two letters at least
    ("كتاب", ["كتاب", "تاب"]),  # ك "like": a reading, not a verdict
    ("مدرسة", ["مدرسة"]),
]


@pytest.mark.parametrize(("word", "readings"), READINGS)
def test_clitic_readings(word: str, readings: list[str]) -> None:
    assert clitic_readings(word) == readings


def test_clitic_readings_minimum_stem() -> None:
    assert clitic_readings("والكتاب", min_stem=5) == ["والكتاب", "الكتاب"]
    assert clitic_readings("ولن", min_stem=3) == ["ولن"]


# The callers' settings, as they pass them (see each module for why).
REUSE_PREFIXES = ("وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال",
                  "وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل")
PROCLITICS = [
    # (word, prefixes, min_stem, expected)
    ("وبالمدرسة", REUSE_PREFIXES, 3, "مدرسة"),  # the longest group first
    ("بالغ", REUSE_PREFIXES, 3, "الغ"),  # «بال» would leave one letter: the next prefix that fits
    ("وهو", REUSE_PREFIXES, 3, "وهو"),  # nothing leaves three letters
    ("وثلاثة", ("و", "ب", "ل", "ف", "ك"), 3, "ثلاثة"),  # number words: one letter
    ("لست", ("و", "ب", "ل", "ف", "ك"), 3, "لست"),  # «ست» would be six
    ("ولكننا", ("و", "ف", "ل", "ب"), 4, "لكننا"),  # first-person words: a stem of four
    ("لنا", ("و", "ف", "ل", "ب"), 4, "لنا"),
    ("ألم", ("و", "ف", "ا"), 1, "ألم"),  # not folded: the caller folds first
    ("الم", ("و", "ف", "ا"), 1, "لم"),  # negation after the question hamza (folded)
    ("الكاظمي", ("ال",), 3, "كاظمي"),  # a person's key
    ("الله", ("ال",), 3, "الله"),
]


@pytest.mark.parametrize(("word", "prefixes", "min_stem", "expected"), PROCLITICS)
def test_strip_proclitic(word: str, prefixes: tuple[str, ...], min_stem: int, expected: str) -> None:
    assert strip_proclitic(word, prefixes, min_stem=min_stem) == expected


ENCLITICS = [
    ("كتابهم", ("هما", "هم", "ها"), 3, "كتاب"),
    ("كتابهما", ("هما", "هم", "ها"), 3, "كتاب"),  # the longer suffix first
    ("لهم", ("هما", "هم", "ها"), 3, "لهم"),  # one letter would be left
    ("القرارات", ("ات", "ه", "ة"), 3, "القرار"),
]


@pytest.mark.parametrize(("word", "suffixes", "min_stem", "expected"), ENCLITICS)
def test_strip_enclitic(word: str, suffixes: tuple[str, ...], min_stem: int, expected: str) -> None:
    assert strip_enclitic(word, suffixes, min_stem=min_stem) == expected


_ARABIC_CHARS = "".join(chr(c) for c in range(0x0600, 0x0700)) + "abc ABC 123"


@given(st.text(alphabet=_ARABIC_CHARS, max_size=40))
@settings(max_examples=300, deadline=None)
def test_light_fold_is_part_of_the_matching_fold(text: str) -> None:
    # The two normalisers never disagree: what the light fold removes the matching fold removes too.
    assert normalize_text(normalize_arabic(text)) == normalize_text(text)


def test_ascii_digits_is_translate_of_digits() -> None:
    from sourcetrace.text.arabic import DIGITS, ascii_digits

    for text in ["عام ٢٠٢٠ و۱۴۰۰", "in 2020, 10,000", "لا أرقام هنا", "", "٩"]:
        assert ascii_digits(text) == text.translate(DIGITS)
    plain = "no other digits 123"
    assert ascii_digits(plain) is plain  # returned as it is, not copied
