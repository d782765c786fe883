"""Patterns tried only where a match can begin (text/scan.py): the same matches as finditer."""

from __future__ import annotations

import random
import re
import sys

import pytest

from sourcetrace.factcheck import dates, numbers
from sourcetrace.text.arabic import ascii_digits
from sourcetrace.text.scan import CASE_FOLDS, digit_starts, folded, match_starts, matches_at, word_starts
from test_factcheck_dates import AR, EN
from test_factcheck_numbers import AR as AR_NUMBERS
from test_factcheck_numbers import CLOCKS
from test_factcheck_numbers import EN as EN_NUMBERS

# Written to trip a scan that misses a start: letters re folds (ſ, K, ı, İ), capitals, a start
# right after a word found, digits glued to letters, ranges, clock times at the text's edges.
TRICKY = [
    "ſeptember 4, 2020 and SEPT. 30, 2021; thethursday, June 4; the fourth of JUNE 2019",
    "x-June 4 2020, 4June, June4, Thursday,   4 June 2020, the the 4th of June, sat 3 may",
    "Met 2-4 June 2021, June 2–4, mon., Mayday 12 May 2020 12/05/2020 2020-05-12 1.2.2020.",
    "\u0130nformation Tuesday 12 August; \u0131t was 5 Jan. 2021, \u212ak 31 december 1999, \u017fat 4 May",
    "10:30 am, 7 pm, 23:15, الساعة 10 صباحا، والساعة 7:30 مساء، بالساعة 9، و10 أيار 2020",
    "في 12 شباط/فبراير 2021 و3-5 آذار، 2020-01-02 و1/2/2020 والرابع من حزيران 2019",
    "A days ago, 3 days ago, two days ago; last Thursday, THIS month, next year, yesterday-today, xtoday",
    "وأمس وبالأمس وغداً أول أمس قبل يومين قبل 3 أيام يوم الخميس الماضي، العام الماضي، والسنة المقبلة، بالأمسية",
]


def _texts() -> list[str]:
    texts = [t for t, _, _ in EN] + [t for t, _, _ in AR] + [t for t, _ in EN_NUMBERS] + [t for t, _ in AR_NUMBERS]
    texts += [t for t, _, _ in CLOCKS] + TRICKY
    rng = random.Random(7)
    for _ in range(200):  # texts run together: starts right after other matches and words
        texts.append("".join(rng.choice(texts) + rng.choice(["", " ", "-", "x", "\n", "4"]) for _ in range(4)))
    return [ascii_digits(t) for t in texts]


def _spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["_AR_DMY", "_ISO", "_NUMERIC"])
def test_digit_first_patterns_match_as_finditer(name: str) -> None:
    pat = getattr(dates, name)
    found = 0
    for text in _texts():
        want = _spans(pat.finditer(text))
        assert _spans(matches_at(pat, text, digit_starts(text))) == want, text
        found += len(want)
    assert found >= 10


def _matched_as_finditer(pat, texts, starts_of) -> int:
    """Asserts that ``pat`` tried only at ``starts_of(text)`` matches as its own scan of every
    text; returns how many matches there were (a test of nothing proves nothing)."""
    found = 0
    for text in texts:
        want = _spans(pat.finditer(text))
        assert _spans(matches_at(pat, text, starts_of(text))) == want, text
        found += len(want)
    return found


@pytest.mark.parametrize("name", ["_EN_ORDINAL", "_EN_DMY", "_EN_MDY", "_EN_MY"])
def test_english_patterns_match_as_finditer(name: str) -> None:
    def starts(text: str) -> list[int]:
        return sorted(match_starts(dates._EN_OPENING, folded(text)) + digit_starts(text))

    assert _matched_as_finditer(getattr(dates, name), _texts(), starts) >= 10


@pytest.mark.parametrize("name", ["_AR_ORDINAL", "_AR_MY"])
def test_arabic_patterns_match_as_finditer(name: str) -> None:
    pat = getattr(dates, name)
    texts = [*_texts(), "كتاب آب 2020 وبالثالث عشر من شهر آب، الأول من أيلول/سبتمبر 2021 ابن اب2020"]
    assert _matched_as_finditer(pat, texts, lambda text: match_starts(dates._AR_OPENINGS[pat], text)) >= 3


@pytest.mark.parametrize("name", ["_EN_REL", "_AR_REL"])
def test_relative_dates_match_as_finditer(name: str) -> None:
    def starts(text: str) -> list[int]:
        return dates._en_rel_starts(text, folded(text)) if name == "_EN_REL" else match_starts(dates._AR_REL_OPENING, text)

    assert _matched_as_finditer(getattr(dates, name), _texts(), starts) >= 10


def test_clock_times_match_as_finditer() -> None:
    found = 0
    for text in _texts():
        want = _spans(numbers._CLOCK.finditer(text))
        starts = sorted(digit_starts(text) + word_starts(text, numbers._HOUR, "وب"))
        assert _spans(matches_at(numbers._CLOCK, text, starts)) == want, text
        found += len(want)
    assert found > 10


def test_match_starts_are_finditer_starts() -> None:
    pats = [re.compile(r"(\d+)"), dates._EN_REL_OPENING, dates._AR_REL_OPENING, dates._EN_OPENING,
            *dates._AR_OPENINGS.values()]
    for text in _texts():
        for pat in pats:
            assert match_starts(pat, text) == [m.start() for m in pat.finditer(text)], (pat, text)
    assert match_starts(re.compile("(x)"), "") == []


def test_a_text_the_hints_pass_over_has_no_date_of_theirs() -> None:
    """_explicit skips a pattern where its hint finds nothing (a capitalised English month, an Arabic
    month, an ISO or numeric date's digits): the pattern must find nothing there either (an English
    month in lower case is no date: _explicit drops it)."""
    skipped = 0
    for text in [*_texts(), "may 4, 2020 and june 2021", "on 4 may", "1.2.20 2020-1-02", "1/2.2020 2020-01-2",
                 "كتاب 2020 ابن 4 ابنا", "4 اب2020، 3 آب"]:
        cases = [(pat, dates._EN_MONTH_CAP) for pat in dates._EN_FIRST]
        cases += [(pat, dates._AR_MONTH) for pat in (dates._AR_DMY, dates._AR_ORDINAL, dates._AR_MY)]
        cases += list(dates._HINTS.items())
        for pat, hint in cases:
            if hint.search(text) is None:
                skipped += 1
                found = [m for m in pat.finditer(text) if pat not in dates._EN_FIRST or m["m"][0].isupper()]
                assert found == [], (pat.pattern[:40], text)
    assert skipped > 100


def test_a_missing_start_is_a_missing_match() -> None:
    """The scan is only as good as its starts (so the tests above can fail)."""
    text = "on 4 June 2020"
    assert _spans(matches_at(dates._EN_DMY, text, [])) == []
    assert _spans(matches_at(dates._EN_DMY, text, [3])) == [(3, 14)]


def test_case_folds_are_every_letter_re_reads_as_ascii() -> None:
    """Every code point re's IGNORECASE matches to an ASCII letter, outside A-Z, is in CASE_FOLDS,
    folded to the letter it matches."""
    blind = re.compile("[a-z]", re.I)
    others = {chr(c) for c in range(0x80, sys.maxunicode + 1) if blind.fullmatch(chr(c))}
    assert others == set(CASE_FOLDS)
    for c, letter in CASE_FOLDS.items():
        assert re.fullmatch(letter, c, re.I)
    assert folded("\u017fEPT \u0130x \u212aelvin") == "sept ix kelvin"
    assert folded("SEPT Kelvin É") == "sept kelvin é"
    for c in map(chr, range(sys.maxunicode + 1)):  # str.lower, where folded uses it, keeps offsets
        assert len(c.lower()) == 1 or c in CASE_FOLDS, hex(ord(c))
