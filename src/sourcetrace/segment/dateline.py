"""Reading the date a document states in its headline block ("June 4, 2020", «4 حزيران/يونيو 2020»).

Only full dates (day, month, year) are returned: a document's date must be certain. The fact
layer reads every date in the text; this module only serves the reading stage's `date` field.
"""

from __future__ import annotations

import re

from sourcetrace.text.arabic import DIGITS, has_arabic
from sourcetrace.text.dates import AR_MONTHS, AR_PAIRED_MONTH, EN_MONTHS, alternation, full_date

# Full dates only, in the forms a headline block writes them: a stricter grammar than the fact
# layer's (no partial or relative dates, which a document's date must not be), over the same names.
_AR_MONTH_ALT = alternation(AR_MONTHS)
_EN_MONTH_ALT = alternation(EN_MONTHS)

_EN_MDY = re.compile(rf"\b({_EN_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_EN_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_EN_MONTH_ALT})\.?,?\s+(\d{{4}})\b", re.I)
_AR_DMY = re.compile(
    rf"(\d{{1,2}})\s*(?:من\s+)?({_AR_MONTH_ALT}){AR_PAIRED_MONTH}\s*[،,]?\s*(?:عام\s+|سنة\s+)?(\d{{4}})")
_ANY_DIGIT = re.compile(r"\d")
_LATIN = re.compile("[A-Za-z]")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def find_date(text: str) -> str | None:
    """The first full date in `text` as ISO yyyy-mm-dd, or None."""
    if not _ANY_DIGIT.search(text):
        return None  # no date without a number; most headline blocks are cut short here
    text = text.translate(DIGITS)
    found: list[tuple[int, str]] = []
    latin = _LATIN.search(text) is not None  # skip the patterns of a script the text lacks
    arabic = has_arabic(text)
    for m in _EN_MDY.finditer(text) if latin else ():
        iso = full_date(int(m[3]), EN_MONTHS[m[1].lower()], int(m[2]))
        if iso:
            found.append((m.start(), iso))
    for m in _EN_DMY.finditer(text) if latin else ():
        iso = full_date(int(m[3]), EN_MONTHS[m[2].lower()], int(m[1]))
        if iso:
            found.append((m.start(), iso))
    for m in _AR_DMY.finditer(text) if arabic else ():
        iso = full_date(int(m[3]), AR_MONTHS[m[2]], int(m[1]))
        if iso:
            found.append((m.start(), iso))
    for m in _ISO.finditer(text):
        iso = full_date(int(m[1]), int(m[2]), int(m[3]))
        if iso:
            found.append((m.start(), iso))
    return min(found)[1] if found else None
