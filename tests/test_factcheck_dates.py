"""Dates in English and Arabic (factcheck/dates.py): explicit, partial, ranges, relative to the document.

Each example: a sentence, the document's date (or None) and the dates it states, as (text of the
span, ISO value). Sentences are written for these tests.
"""

from __future__ import annotations

import pytest

from sourcetrace.factcheck import extract
from sourcetrace.factcheck.dates import compatible, find_dates, precision, shown

EN: list[tuple[str, str | None, list[tuple[str, str]]]] = [
    ("The ministers met on June 4, 2020.", None, [("June 4, 2020", "2020-06-04")]),
    ("The ministers met on June 4.", None, [("June 4", "--06-04")]),
    ("The ministers met on June 4th.", None, [("June 4th", "--06-04")]),
    ("The ministers met on 4 June 2020.", None, [("4 June 2020", "2020-06-04")]),
    ("The ministers met on 4 June.", None, [("4 June", "--06-04")]),
    ("The ministers met on the 4th of June.", None, [("4th of June", "--06-04")]),
    ("The ministers met on the 4th of June, 2020.", None, [("4th of June, 2020", "2020-06-04")]),
    ("They met on the fourth of June.", None, [("fourth of June", "--06-04")]),
    ("They met on the twenty-first of March 2019.", None, [("twenty-first of March 2019", "2019-03-21")]),
    ("They met on Thursday, June 4, 2020.", None, [("June 4, 2020", "2020-06-04")]),
    ("They met on Thursday 4 June.", None, [("4 June", "--06-04")]),
    ("They met on Thursday 4 June.", "2020-06-10", [("4 June", "2020-06-04")]),
    ("The statement of February 6, 2019 was recalled.", None, [("February 6, 2019", "2019-02-06")]),
    ("We welcome the decision of the April 2 NATO Ministerial.", None, [("April 2", "--04-02")]),
    ("Talks ran from 2-4 June 2021.", None, [("2", "2021-06-02"), ("4 June 2021", "2021-06-04")]),
    ("Talks ran June 2-4.", None, [("June 2", "--06-02"), ("4", "--06-04")]),
    ("The deadline is Sept. 30, 2021.", None, [("Sept. 30, 2021", "2021-09-30")]),
    ("The deadline is Dec 31.", None, [("Dec 31", "--12-31")]),
    ("It was signed in March 2019.", None, [("March 2019", "2019-03")]),
    ("It was signed in 2019.", None, [("2019", "2019")]),
    ("Elections are due in 2024 and 2028.", None, [("2024", "2024"), ("2028", "2028")]),
    ("Resolution 2254 was adopted.", None, []),
    ("The document is dated 2020-06-04.", None, [("2020-06-04", "2020-06-04")]),
    ("The form is dated 06/04/2020.", None, [("06/04/2020", "2020-06-04")]),
    ("The form is dated 25/12/2020.", None, [("25/12/2020", "2020-12-25")]),
    ("The form is dated 4.6.2020 in Europe.", None, [("4.6.2020", "2020-04-06")]),
    ("You may 4 times try.", None, []),
    ("It happened at 4:30 on May 5.", None, [("May 5", "--05-05")]),
    ("It opens on February 29.", None, [("February 29", "--02-29")]),
    ("February 30 is no date.", None, []),
    ("The minister spoke yesterday.", "2020-06-05", [("yesterday", "2020-06-04")]),
    ("The minister speaks today.", "2020-06-04", [("today", "2020-06-04")]),
    ("The minister speaks tomorrow.", "2020-06-04", [("tomorrow", "2020-06-05")]),
    ("They met two days ago.", "2020-06-06", [("two days ago", "2020-06-04")]),
    ("They met 3 days ago.", "2020-06-07", [("3 days ago", "2020-06-04")]),
    ("They met on Thursday.", "2020-06-06", [("Thursday", "2020-06-04")]),
    ("They met last Thursday.", "2020-06-11", [("last Thursday", "2020-06-04")]),
    ("They meet next Monday.", "2020-06-04", [("next Monday", "2020-06-08")]),
    ("Prices rose last year.", "2020-06-04", [("last year", "2019")]),
    ("Prices rose last month.", "2020-01-15", [("last month", "2019-12")]),
    # without a date of its own a relative date is kept as written (issue 19), never guessed
    ("They met yesterday.", None, [("yesterday", "-D-1")]),
    ("They met on Thursday.", None, [("Thursday", "-W-4")]),
    ("Prices rose last year.", None, [("last year", "-Y-1")]),
    # the tense says which way a weekday goes: the coming Sunday, the last one
    ("The envoy will visit Cairo on Sunday.", "2020-06-04", [("Sunday", "2020-06-07")]),
    ("The envoy is due to arrive on Sunday.", "2020-06-04", [("Sunday", "2020-06-07")]),
    ("The envoy visited Cairo on Sunday.", "2020-06-04", [("Sunday", "2020-05-31")]),
    ("The envoy visited Cairo on Sunday. He will return soon.", "2020-06-04", [("Sunday", "2020-05-31")]),
    ("They met on June 4 and on July 9, 2020.", None, [("June 4", "--06-04"), ("July 9, 2020", "2020-07-09")]),
    ("On 1 January 2021, the law took effect.", None, [("1 January 2021", "2021-01-01")]),
    ("The 31st of December is a holiday.", None, [("31st of December", "--12-31")]),
    ("Aid arrived on 12 Feb.", None, [("12 Feb", "--02-12")]),
    ("The summit, held on November 14, 2019, ended.", None, [("November 14, 2019", "2019-11-14")]),
]

AR: list[tuple[str, str | None, list[tuple[str, str]]]] = [
    ("اجتمع الوزراء في 4 حزيران/يونيو 2020.", None, [("4 حزيران/يونيو 2020", "2020-06-04")]),
    ("اجتمع الوزراء يوم الخميس 4 حزيران / يوينو.", None, [("4 حزيران / يوينو", "--06-04")]),
    ("اجتمع الوزراء في 4 يونيو.", None, [("4 يونيو", "--06-04")]),
    ("اجتمع الوزراء في ٤ يونيو ٢٠٢٠.", None, [("٤ يونيو ٢٠٢٠", "2020-06-04")]),
    ("صدر البيان في 6 شباط/فبراير 2019.", None, [("6 شباط/فبراير 2019", "2019-02-06")]),
    ("صدر البيان في 6 فبراير 2019.", None, [("6 فبراير 2019", "2019-02-06")]),
    ("نرحب بقرار 2 نيسان/أبريل.", None, [("2 نيسان/أبريل", "--04-02")]),
    ("نرحب بقرار 2 نيسان (أبريل) 2020.", None, [("2 نيسان (أبريل) 2020", "2020-04-02")]),
    ("نرحب بقرار 2 أبريل.", None, [("2 أبريل", "--04-02")]),
    ("نرحب بقرار 2 إبريل.", None, [("2 إبريل", "--04-02")]),
    ("نرحب بقرار 2 ابريل.", None, [("2 ابريل", "--04-02")]),
    ("عقد الاجتماع في 14 تشرين الثاني 2019.", None, [("14 تشرين الثاني 2019", "2019-11-14")]),
    ("عقد الاجتماع في 14 تشرين الثاني/نوفمبر 2019.", None, [("14 تشرين الثاني/نوفمبر 2019", "2019-11-14")]),
    ("عقد الاجتماع في 1 كانون الثاني 2021.", None, [("1 كانون الثاني 2021", "2021-01-01")]),
    ("عقد الاجتماع في 25 كانون الأول.", None, [("25 كانون الأول", "--12-25")]),
    ("عقد الاجتماع في 3 آذار 2018.", None, [("3 آذار 2018", "2018-03-03")]),
    ("عقد الاجتماع في 3 اذار.", None, [("3 اذار", "--03-03")]),
    ("عقد الاجتماع في 9 أيار/مايو.", None, [("9 أيار/مايو", "--05-09")]),
    ("عقد الاجتماع في 15 آب 2017.", None, [("15 آب 2017", "2017-08-15")]),
    ("عقد الاجتماع في 15 أغسطس 2017.", None, [("15 أغسطس 2017", "2017-08-15")]),
    ("عقد الاجتماع في 20 أيلول/سبتمبر.", None, [("20 أيلول/سبتمبر", "--09-20")]),
    ("عقد الاجتماع في 10 تشرين الأول.", None, [("10 تشرين الأول", "--10-10")]),
    ("عقد الاجتماع في 10 أكتوبر.", None, [("10 أكتوبر", "--10-10")]),
    ("عقد الاجتماع في 7 تموز/يوليو 2016.", None, [("7 تموز/يوليو 2016", "2016-07-07")]),
    ("عقد الاجتماع في 7 يوليه.", None, [("7 يوليه", "--07-07")]),
    ("عقد الاجتماع في 30 يونيه.", None, [("30 يونيه", "--06-30")]),
    ("عقد الاجتماع في 4 من حزيران 2020.", None, [("4 من حزيران 2020", "2020-06-04")]),
    ("عقد الاجتماع في 4 حزيران من عام 2020.", None, [("4 حزيران من عام 2020", "2020-06-04")]),
    ("عقد الاجتماع في 4 حزيران عام 2020.", None, [("4 حزيران عام 2020", "2020-06-04")]),
    ("عقد الاجتماع في الرابع من حزيران.", None, [("الرابع من حزيران", "--06-04")]),
    ("عقد الاجتماع في الرابع من حزيران 2020.", None, [("الرابع من حزيران 2020", "2020-06-04")]),
    ("عقد الاجتماع في الحادي عشر من أيلول.", None, [("الحادي عشر من أيلول", "--09-11")]),
    ("عقد الاجتماع في الخامس والعشرين من شباط.", None, [("الخامس والعشرين من شباط", "--02-25")]),
    ("عقد الاجتماع في الأول من يناير.", None, [("الأول من يناير", "--01-01")]),
    ("رحبوا بقرار يوم 12 شباط الفائت.", None, [("12 شباط الفائت", "--02-12")]),
    ("رحبوا بقرار يوم 12 شباط الفائت.", "2021-03-31", [("12 شباط الفائت", "2021-02-12")]),
    ("وقع الهجوم يوم 21 كانون الثاني الماضي.", "2021-03-31", [("21 كانون الثاني الماضي", "2021-01-21")]),
    ("وقع الهجوم يوم 21 كانون الأول الماضي.", "2021-03-31", [("21 كانون الأول الماضي", "2020-12-21")]),
    ("يعقد الاجتماع في 5 أيار المقبل.", "2021-03-31", [("5 أيار المقبل", "2021-05-05")]),
    ("عقدت الجولة بين 2 و4 حزيران 2021.", None, [("2", "2021-06-02"), ("4 حزيران 2021", "2021-06-04")]),
    ("عقد في حزيران 2020.", None, [("حزيران 2020", "2020-06")]),
    ("عقد في شهر يونيو 2020.", None, [("شهر يونيو 2020", "2020-06")]),
    ("أطلقت حملة لعام 2021.", None, [("2021", "2021")]),
    ("وفقا لقرار مجلس الأمن رقم 2254.", None, []),
    ("صدر في 2020-06-04.", None, [("2020-06-04", "2020-06-04")]),
    ("صدر في 04/06/2020.", None, [("04/06/2020", "2020-06-04")]),
    ("صدر البيان أمس.", "2020-06-05", [("أمس", "2020-06-04")]),
    ("صدر البيان أول أمس.", "2020-06-06", [("أول أمس", "2020-06-04")]),
    ("اجتمعوا قبل يومين.", "2020-06-06", [("قبل يومين", "2020-06-04")]),
    ("يجتمعون غدا.", "2020-06-03", [("غدا", "2020-06-04")]),
    ("اجتمعوا يوم الخميس الماضي.", "2020-06-08", [("يوم الخميس الماضي", "2020-06-04")]),
    ("ارتفعت الأسعار العام الماضي.", "2020-06-04", [("العام الماضي", "2019")]),
    ("اجتمعوا قبل يومين.", None, [("قبل يومين", "-D-2")]),
    ("اجتمعوا يوم الخميس.", None, [("يوم الخميس", "-W-4")]),
    ("اجتمعوا يوم الخميس (4 يونيو 2020) افتراضيا.", None, [("4 يونيو 2020", "2020-06-04")]),
    ("سيزور المبعوث القاهرة يوم الأحد.", "2020-06-04", [("يوم الأحد", "2020-06-07")]),
    ("ومن المقرر أن يصل المبعوث يوم الأحد.", "2020-06-04", [("يوم الأحد", "2020-06-07")]),
    ("زار المبعوث القاهرة يوم الأحد.", "2020-06-04", [("يوم الأحد", "2020-05-31")]),
    ("ناقش المبعوث السياسة المائية يوم الأحد.", "2020-06-04", [("يوم الأحد", "2020-05-31")]),  # «السياسة» no future
]


def _dates(text: str, lang: str, doc_date: str | None) -> list[tuple[str, str]]:
    return [(text[f.start:f.end], f.value) for f in extract(text, lang, doc_date) if f.type == "date"]


@pytest.mark.parametrize(("text", "doc_date", "expected"), EN)
def test_english_dates(text: str, doc_date: str | None, expected: list) -> None:
    assert _dates(text, "en", doc_date) == expected


@pytest.mark.parametrize(("text", "doc_date", "expected"), AR)
def test_arabic_dates(text: str, doc_date: str | None, expected: list) -> None:
    assert _dates(text, "ar", doc_date) == expected


def test_a_day_without_year_agrees_with_that_day_of_any_year() -> None:
    assert compatible("--06-04", "2020-06-04")
    assert compatible("2020-06-04", "--06-04")
    assert not compatible("--06-04", "2020-06-05")
    assert not compatible("2019-06-04", "2020-06-04")
    assert not compatible("2020", "2020-06-04")
    assert [precision(v) for v in ("--06-04", "2020-06-04", "2020-06", "2020")] == ["day", "day", "month", "year"]


def test_a_relative_date_one_copy_could_not_resolve_agrees_with_what_the_other_resolved() -> None:
    assert compatible("2020-06-07", "-W-7") and compatible("-W-7", "2020-06-07")  # a Sunday
    assert not compatible("2020-06-08", "-W-7")
    assert compatible("-D-1", "2020-06-03") and compatible("-Y-1", "2019")
    assert not compatible("-D-1", "2019") and not compatible("-D-1", "-D+1") and not compatible("-W-4", "-W-5")
    assert [precision(v) for v in ("-W-4", "-D-1", "-M+1", "-Y-1")] == ["day", "day", "month", "year"]


def test_offsets_are_file_offsets_with_arabic_indic_digits() -> None:
    text = "في ٤ حزيران ٢٠٢٠"
    (s, e, v), = find_dates(text)
    assert text[s:e] == "٤ حزيران ٢٠٢٠" and v == "2020-06-04"


def test_a_span_never_ends_in_whitespace():
    text = "اجتمعوا في 14 نوفمبر/تشرين الثاني\nوأكدوا"
    (s, e, v), = find_dates(text)
    assert text[s:e] == "14 نوفمبر/تشرين الثاني" and v == "--11-14"


@pytest.mark.parametrize(("value", "expected"), [
    ("-W-4", "a Thursday, date not stated"), ("-D-1", "yesterday, date not stated"),
    ("-D-3", "3 days ago, date not stated"), ("-Y-1", "last year, date not stated"),
    ("-M+1", "next month, date not stated"), ("2020-06-04", "2020-06-04"), ("--06-04", "--06-04"),
    (384, "384"), (None, ""),
])
def test_a_relative_key_is_shown_as_words(value: object, expected: str) -> None:
    assert shown(value) == expected
