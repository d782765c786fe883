"""The calendar's words, in English and Arabic: month and weekday names, and what a full date is.

One vocabulary for every reader of dates: the fact layer (:mod:`sourcetrace.factcheck.dates`: every
date a text states, with its span), the headline date of a document
(:mod:`sourcetrace.segment.dateline`) and the rare terms of candidate search
(:mod:`sourcetrace.candidates.pairs`, which reads them in normalized text: :data:`NORMALIZED_MONTHS`).

Arabic names its months in two systems: the transliterated names (Egypt, the Maghreb, the Gulf:
«يونيو») and the Syriac ones (the Levant and Iraq: «حزيران»). Levantine and Iraqi texts often
give both, «حزيران/يونيو» or «حزيران (يونيو)»: the readers accept a paired name after the first
(:data:`AR_PAIRED_MONTH`). The spellings and misspellings below were seen on real pages. The
texts read here use the Gregorian calendar only: no Hijri month is read (a Hijri date «شوال 1441»
would be no date at all, rather than a wrong one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sourcetrace.text.normalize import normalize_text

__all__ = [
    "AR_MONTHS",
    "AR_PAIRED_MONTH",
    "AR_WEEKDAYS",
    "EN_MONTHS",
    "EN_MONTH_NAMES",
    "EN_WEEKDAYS",
    "NORMALIZED_MONTHS",
    "alternation",
    "full_date",
    "month_number",
]

EN_MONTH_NAMES: tuple[str, ...] = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december")  # fmt: skip
EN_MONTHS: dict[str, int] = {m: i + 1 for i, m in enumerate(EN_MONTH_NAMES)}
EN_MONTHS.update({m[:3]: n for m, n in list(EN_MONTHS.items())})  # "jun", "sep" ...
EN_MONTHS["sept"] = 9

# Both Arabic naming systems: the transliterated (Egypt, Gulf) and the Syriac (Levant, Iraq),
# with the spellings and misspellings seen on real pages.
AR_MONTHS: dict[str, int] = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "أفريل": 4, "مايو": 5,
    "يونيو": 6, "يوينو": 6, "يونيه": 6, "يونية": 6, "يوليو": 7, "يوليه": 7, "يولية": 7, "أغسطس": 8,
    "اغسطس": 8, "اغسطوس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "أذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10,
    "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
}  # fmt: skip

EN_WEEKDAYS: dict[str, int] = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
AR_WEEKDAYS: dict[str, int] = {
    "الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الاربعاء": 2, "الخميس": 3, "الجمعة": 4,
    "السبت": 5, "الأحد": 6, "الاحد": 6}  # fmt: skip


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, escaped, longest first (so «تشرين الثاني» is not read as
    «تشرين», nor "sept" as "sep")."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


# The second name of a pair, after the first: «حزيران/يونيو», «حزيران - يونيو», «حزيران (يونيو)».
AR_PAIRED_MONTH = rf"(?:\s*[/\-(]\s*(?:{alternation(AR_MONTHS)})\s*\)?)?"


def month_number(name: str) -> int:
    """The month (1-12) an English or Arabic month name stands for, 0 for none ("June", "jun.",
    «حزيران»)."""
    name = name.rstrip(".")
    return EN_MONTHS.get(name.lower()) or AR_MONTHS.get(name, 0)


def _normalized_months() -> dict[str, int]:
    out: dict[str, int] = {}
    for name, n in EN_MONTHS.items():
        out[name] = n
        if len(name) == 3:
            out[name + "."] = n  # "jan."
    for name, n in AR_MONTHS.items():
        out[normalize_text(name)] = n
    return out


# Every month name as :func:`sourcetrace.text.normalize.normalize_text` writes it (lower case,
# hamza seats folded, ة -> ه), for readers of normalized text.
NORMALIZED_MONTHS: dict[str, int] = _normalized_months()


def full_date(year: int, month: int, day: int) -> str | None:
    """``YYYY-MM-DD`` of a day, month and year read from a text, or None when they cannot be one
    (month 1-12, day 1-31, a four-digit year). A loose check on purpose: it only tells a date
    from other numbers; the fact layer, which also reads partial dates, checks the calendar."""
    if 1 <= month <= 12 and 1 <= day <= 31 and 1000 <= year <= 2999:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None
