"""text.dates: one calendar vocabulary, and the three date readers that share it agree."""

import re

import pytest

from sourcetrace.factcheck.dates import find_dates
from sourcetrace.segment.dateline import find_date
from sourcetrace.text.dates import (
    AR_MONTHS,
    AR_PAIRED_MONTH,
    NORMALIZED_MONTHS,
    alternation,
    full_date,
    month_number,
)
from sourcetrace.text.terms import document_terms

MONTHS = [
    ("June", 6), ("june", 6), ("Jun", 6), ("jun.", 6), ("Sept", 9), ("sept.", 9), ("Sep", 9),
    ("May", 5),
    # Syriac names (Levant, Iraq) and transliterated ones (Egypt, Gulf), with real misspellings
    ("حزيران", 6), ("يونيو", 6), ("يوينو", 6), ("يونية", 6), ("تموز", 7), ("يوليه", 7),
    ("آب", 8), ("اب", 8), ("اغسطوس", 8), ("أفريل", 4), ("إبريل", 4), ("أذار", 3),
    ("كانون الثاني", 1), ("كانون الأول", 12), ("تشرين الاول", 10), ("تشرين الثاني", 11),
    # no month: a Hijri month, a weekday, a word
    ("شوال", 0), ("رمضان", 0), ("Monday", 0), ("الخميس", 0), ("Junes", 0), ("تشرين", 0),
]  # fmt: skip


@pytest.mark.parametrize(("name", "month"), MONTHS)
def test_month_number(name: str, month: int) -> None:
    assert month_number(name) == month


def test_alternation_longest_first() -> None:
    rx = re.compile(f"(?:{alternation(AR_MONTHS)})")
    assert rx.match("تشرين الثاني 2019")[0] == "تشرين الثاني"  # not cut at «تشرين»
    assert rx.match("كانون الأول")[0] == "كانون الأول"
    assert re.match(alternation(["sep", "sept", "sep."]), "sept. 9")[0] == "sept"
    assert re.fullmatch(alternation(["a.c"]), "abc") is None  # escaped


@pytest.mark.parametrize("text", ["حزيران/يونيو", "حزيران / يونيو", "حزيران (يونيو)", "حزيران - يونيو",
                                  "أيار/مايو", "كانون الثاني/يناير"])
def test_paired_month_names(text: str) -> None:
    assert re.fullmatch(f"(?:{alternation(AR_MONTHS)}){AR_PAIRED_MONTH}", text)


def test_normalized_months_meet_normalized_text() -> None:
    # normalize_text folds hamza seats, ة and case: the table must be written the same way
    assert NORMALIZED_MONTHS["ايار"] == NORMALIZED_MONTHS["اذار"] + 2 == 5
    assert NORMALIZED_MONTHS["يونيه"] == 6  # «يونية» after ة -> ه
    assert NORMALIZED_MONTHS["jan."] == 1 and NORMALIZED_MONTHS["june"] == 6
    assert "أيار" not in NORMALIZED_MONTHS and "June" not in NORMALIZED_MONTHS


FULL = [
    ((2020, 6, 4), "2020-06-04"),
    ((999, 6, 4), None),  # a four-digit year only
    ((2020, 13, 4), None),
    ((2020, 6, 0), None),
    ((2020, 6, 31), "2020-06-31"),  # loose on purpose: no calendar check (the fact layer checks)
]


@pytest.mark.parametrize(("ymd", "iso"), FULL)
def test_full_date(ymd: tuple[int, int, int], iso: str | None) -> None:
    assert full_date(*ymd) == iso


# Full dates that the headline reader, the fact layer and candidate terms all read alike.
AGREED = [
    ("بغداد في 4 حزيران/يونيو 2020", "2020-06-04"),
    ("٤ حزيران/يونيو ٢٠٢٠", "2020-06-04"),  # Arabic-Indic digits
    ("Washington, June 4, 2020", "2020-06-04"),
    ("الأربعاء 12 كانون الثاني 2021", "2021-01-12"),
    ("3 تشرين الأول 2019", "2019-10-03"),
    ("17 أيار/مايو 2019", "2019-05-17"),
    ("5 آب/أغسطس 2020", "2020-08-05"),
    ("في 1 يوينو 2020", "2020-06-01"),  # a misspelling seen on real pages
    ("7 Jun 2021", "2021-06-07"),
    ("2020-06-04", "2020-06-04"),
]


@pytest.mark.parametrize(("text", "iso"), AGREED)
def test_three_readers_agree(text: str, iso: str) -> None:
    assert find_date(text) == iso
    assert [v for _, _, v in find_dates(text)] == [iso]
    assert {k for k in document_terms(text) if k.startswith("date:")} == {f"date:{iso}"}


# Forms the headline and fact readers read but candidate terms do not (their grammar is narrower,
# as measured; the shared vocabulary is not the difference).
@pytest.mark.parametrize(("text", "iso"), [("٤ حزيران (يونيو) ٢٠٢٠", "2020-06-04"),
                                           ("4th of June 2020", "2020-06-04"),
                                           ("Sept. 9, 2019", "2019-09-09")])
def test_terms_grammar_is_narrower(text: str, iso: str) -> None:
    assert find_date(text) == iso
    assert [v for _, _, v in find_dates(text)] == [iso]
    assert not {k for k in document_terms(text) if k.startswith("date:")}


@pytest.mark.parametrize("text", ["12 شوال 1441", "في رمضان الماضي", "on Monday"])
def test_no_full_date(text: str) -> None:
    assert find_date(text) is None
    assert not {k for k in document_terms(text) if k.startswith("date:")}
