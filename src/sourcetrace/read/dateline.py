"""Reading the date a document states in its headline block ("June 4, 2020", «4 حزيران/يونيو 2020»).

Only full dates (day, month, year) are returned: a document's date must be certain. The fact
layer reads every date in the text; this module only serves the reading stage's `date` field.
"""

from __future__ import annotations

import re

from sourcetrace.facts.dates import AR_MONTHS, EN_MONTHS
from sourcetrace.facts.numbers import DIGITS

# One table of month names for the whole project (both Arabic naming systems, misspellings).
_EN_MONTHS = EN_MONTHS
_AR_MONTHS = AR_MONTHS
_AR_MONTH_ALT = "|".join(sorted(map(re.escape, _AR_MONTHS), key=len, reverse=True))
_EN_MONTH_ALT = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))

_EN_MDY = re.compile(rf"\b({_EN_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_EN_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_EN_MONTH_ALT})\.?,?\s+(\d{{4}})\b", re.I)
_AR_DMY = re.compile(
    rf"(\d{{1,2}})\s*(?:من\s+)?({_AR_MONTH_ALT})(?:\s*[/\-(]\s*(?:{_AR_MONTH_ALT})\s*\)?)?\s*[،,]?\s*(?:عام\s+|سنة\s+)?(\d{{4}})")
_ANY_DIGIT = re.compile(r"\d")
_LATIN = re.compile("[A-Za-z]")
_ARABIC = re.compile("[\u0621-\u064A]")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _iso(y: int, m: int, d: int) -> str | None:
    if 1 <= m <= 12 and 1 <= d <= 31 and 1000 <= y <= 2999:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def find_date(text: str) -> str | None:
    """The first full date in `text` as ISO yyyy-mm-dd, or None."""
    if not _ANY_DIGIT.search(text):
        return None  # no date without a number; most headline blocks are cut short here
    text = text.translate(DIGITS)
    found: list[tuple[int, str]] = []
    latin = _LATIN.search(text) is not None  # skip the patterns of a script the text lacks
    arabic = _ARABIC.search(text) is not None
    for m in _EN_MDY.finditer(text) if latin else ():
        iso = _iso(int(m[3]), _EN_MONTHS[m[1].lower()], int(m[2]))
        if iso:
            found.append((m.start(), iso))
    for m in _EN_DMY.finditer(text) if latin else ():
        iso = _iso(int(m[3]), _EN_MONTHS[m[2].lower()], int(m[1]))
        if iso:
            found.append((m.start(), iso))
    for m in _AR_DMY.finditer(text) if arabic else ():
        iso = _iso(int(m[3]), _AR_MONTHS[m[2]], int(m[1]))
        if iso:
            found.append((m.start(), iso))
    for m in _ISO.finditer(text):
        iso = _iso(int(m[1]), int(m[2]), int(m[3]))
        if iso:
            found.append((m.start(), iso))
    return min(found)[1] if found else None
