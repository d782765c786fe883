"""Dates in English and Arabic text, with their spans and an ISO 8601 value.

Values: ``YYYY-MM-DD`` for a full date, ``--MM-DD`` (ISO 8601 truncated form) for a day and month
the text gives without a year, ``YYYY-MM`` for a month of a year and ``YYYY`` for a year alone.

Read here:

* English: "June 4, 2020", "June 4", "June 4th", "4 June 2020", "4th of June", "the fourth of
  June", "Thursday, June 4", ranges "2-4 June" / "June 2-4" (one fact per day), "June 2020",
  "2020-06-04", "06/04/2020" (month first in English, day first in Arabic, unless the
  numbers say otherwise), relative dates ("yesterday", "on Thursday", "last Thursday", "two days
  ago", "last year") resolved against the document's own date (a weekday forward when its clause
  speaks of the future: "will visit on Sunday"), kept as written without one (:func:`relative_key`);
* Arabic: both month naming systems and their pairings («شباط/فبراير», «حزيران (يونيو)»,
  «4 حزيران / يوينو» with the common misspellings), «الرابع من حزيران», ordinal and «يوم»
  forms, «12 شباط الفائت» (last February: the year comes from the document's date), «أمس»,
  «قبل يومين», «الخميس الماضي»;
* a year alone ("in 2019", «عام 2021»): a four-digit number from 1900 to 2100 that is no
  other fact's part (see :mod:`sourcetrace.factcheck`).

Month and weekday names come from :mod:`sourcetrace.text.dates`, shared with the document's own
date (:mod:`sourcetrace.segment.dateline`) and candidate search.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from sourcetrace.text.arabic import ARABIC_LETTER, ascii_digits, has_arabic
from sourcetrace.text.dates import (
    AR_MONTHS,
    AR_PAIRED_MONTH,
    AR_WEEKDAYS,
    EN_MONTHS,
    EN_WEEKDAYS,
    alternation,
    month_number,
)
from sourcetrace.text.scan import digit_starts, folded, match_starts, matches_at

_EN_ORDINALS = {w: i + 1 for i, w in enumerate(
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"])}
_EN_ORDINALS.update({f"twenty-{w}": 20 + n for w, n in list(_EN_ORDINALS.items())[:9]})
_EN_ORDINALS.update({"thirtieth": 30, "thirty-first": 31})
_AR_ORD_UNITS = {"الأول": 1, "الاول": 1, "الحادي": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5,
                 "السادس": 6, "السابع": 7, "الثامن": 8, "التاسع": 9}
_AR_ORDINALS: dict[str, int] = dict(_AR_ORD_UNITS)
_AR_ORDINALS.update({"العاشر": 10, "العشرين": 20, "الثلاثين": 30})
for _w, _n in _AR_ORD_UNITS.items():
    if _n == 1 and _w != "الحادي":
        continue
    _AR_ORDINALS[f"{_w} عشر"] = 10 + _n
    _AR_ORDINALS[f"{_w} والعشرين"] = 20 + _n
_AR_ORDINALS["الحادي والثلاثين"] = 31


_EN_M = alternation(list(EN_MONTHS) + [m + "." for m in EN_MONTHS if len(m) == 3])
_AR_M = alternation(AR_MONTHS)
_EN_WD = alternation(EN_WEEKDAYS)
_AR_WD = alternation(AR_WEEKDAYS)
_EN_ORD = alternation(_EN_ORDINALS)
_AR_ORD = alternation(_AR_ORDINALS)
_SUF = r"(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>(?:19|20|21)\d\d)(?!\d)"
_AR_QUAL = r"(?:\s+(?P<q>الماضي|الفائت|المنصرم|السابق|المقبل|القادم|الجاري|الحالي))?"

_EN_DMY = re.compile(
    rf"(?<![\w-])(?:(?P<wd>{_EN_WD}),?\s+)?(?:the\s+)?(?P<d1>\d{{1,2}}){_SUF}(?:\s*(?:-|–|to|and)\s*"
    rf"(?P<d2>\d{{1,2}}){_SUF})?\s+(?:of\s+)?(?P<m>{_EN_M})(?![\w])(?:,?\s+{_YEAR})?", re.I)
_EN_MDY = re.compile(
    rf"(?<![\w-])(?:(?P<wd>{_EN_WD}),?\s+)?(?P<m>{_EN_M})\.?\s+(?P<d1>\d{{1,2}}){_SUF}(?!\d)"
    rf"(?:\s*(?:-|–)\s*(?P<d2>\d{{1,2}}){_SUF}(?!\d))?(?!\s*[:.]\d)(?:,?\s+{_YEAR})?", re.I)
_EN_ORDINAL = re.compile(rf"(?<![\w-])(?:the\s+)(?P<o>{_EN_ORD})\s+of\s+(?P<m>{_EN_M})(?![\w])(?:,?\s+{_YEAR})?",
                         re.I)
_EN_MY = re.compile(rf"(?<![\w-])(?P<m>{_EN_M})(?:\s+of)?,?\s+{_YEAR}", re.I)
_AR_DMY = re.compile(
    rf"(?<![\d.,])(?P<d1>\d{{1,2}})(?:\s*(?:-|–|و|إلى|الى)\s*(?P<d2>\d{{1,2}}))?\s*(?:من\s+)?(?:شهر\s+)?(?P<m>{_AR_M})"
    rf"{AR_PAIRED_MONTH}(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+|العام\s+|سنة\s+|لعام\s+)?{_YEAR})?"
    rf"{_AR_QUAL}(?![\w])")
_AR_ORDINAL = re.compile(
    rf"(?<![\w])(?:[وب]?)(?P<o>{_AR_ORD})\s+من\s+(?:شهر\s+)?(?P<m>{_AR_M}){AR_PAIRED_MONTH}"
    rf"(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+|العام\s+|سنة\s+)?{_YEAR})?{_AR_QUAL}(?![\w])")
_AR_MY = re.compile(
    rf"(?<![\w])(?:شهر\s+)?(?P<m>{_AR_M}){AR_PAIRED_MONTH}\s*(?:من\s+)?(?:عام\s+|العام\s+|سنة\s+)?"
    rf"{_YEAR}")
_ISO = re.compile(r"(?<![\d/.-])(?P<y>(?:19|20|21)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?![\d-])")
_NUMERIC = re.compile(r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20|21)\d\d)(?![\d/]|\.\d)")

# Where matches can begin, so that a pattern is tried there alone (text.scan), not at every position
# of the text. Each opens with a lookbehind refusing a letter or digit before it, then:
# _AR_DMY, _ISO, _NUMERIC a digit, the first of its run;
_DIGIT_FIRST = (_AR_DMY, _ISO, _NUMERIC)
# the English ones a weekday, a month, "the" or a digit (case-blind: found in the folded text). An
# opening found is one word (what must follow it looked ahead at, not taken), so that it hides no other
# place a pattern can begin, and every alternative opens with a letter: re then skips ahead to the
# letters they open with (text.scan.match_starts). One scan for all four (a superset of each one's).
_EN_FIRST = (_EN_ORDINAL, _EN_DMY, _EN_MDY, _EN_MY)
_M3 = sorted({w[:3] for w in EN_MONTHS})


def _opening(*alternatives: str) -> re.Pattern[str]:
    return re.compile(f"({'|'.join(alternatives)})")


def _each(words: Iterable[str], then: str = "") -> list[str]:
    """Each word with what must follow it (a lookahead): alternatives that open with a letter."""
    return [re.escape(w) + (f"(?={then})" if then else "") for w in words]


_EN_OPENING = _opening(*_each(sorted({w[:3] for w in EN_WEEKDAYS}) + _M3), rf"the(?=\s+(?:\d|{_EN_ORD.lower()}))")
# No English date without a month name, which _EN_FIRST's readers take only capitalised ("may 4" is
# a verb): a text without one, the name's first letter a capital, has none (most texts).
_EN_MONTH_CAP = re.compile("|".join(f"{m[0].upper()}(?i:{m[1:]})" for m in _M3))
# Nor an Arabic one (_AR_DMY, _AR_ORDINAL, _AR_MY) without an Arabic month name, nor an ISO or a
# numeric date without what these hold (a hint opening with a punctuation mark: re skips ahead to it).
# (A month name of these stands as a word, a digit at most glued to it, «آب» no part of «كتاب».)
_AR_MONTH = re.compile("|".join(rf"{re.escape(m)}(?<![^\W\d]{re.escape(m)})(?![^\W\d])" for m in AR_MONTHS))
# Where _AR_ORDINAL and _AR_MY can begin (tried there alone, as _EN_FIRST): an ordinal's first word
# (after a proclitic) before the rest of it and «من»; «شهر», or a month name a word of its own before
# what can follow it in _AR_MY.
_AR_ORD_FIRST = sorted({k.split()[0] for k in _AR_ORDINALS})
_AR_ORD_TAIL = alternation({k[len(k.split()[0]):] for k in _AR_ORDINALS} - {""})
_AR_OPENINGS = {
    _AR_ORDINAL: _opening(*_each([p + w for p in ("", "و", "ب") for w in _AR_ORD_FIRST], rf"(?:{_AR_ORD_TAIL})?\s+من\s")),
    _AR_MY: _opening(*_each(["شهر"], r"\s"), *(rf"{re.escape(m)}(?<!\w{re.escape(m)})(?=[\s/\-(\d])" for m in AR_MONTHS)),
}
_HINTS = {_ISO: re.compile(r"-\d\d-\d\d"), _NUMERIC: re.compile(r"/\d{1,2}/(?:19|20|21)\d\d|\.\d{1,2}\.(?:19|20|21)\d\d")}

# Relative dates: (pattern, what it resolves to); resolved only when the document has a date.
_EN_REL = re.compile(
    rf"(?<![\w-])(?:(?P<today>today)|(?P<yest>yesterday)|(?P<tom>tomorrow)|(?P<ago>(?P<n>\d+|two|three|four|five|"
    rf"six|seven|a)\s+days?\s+ago)|(?:(?P<rel>last|next|this)\s+)?(?P<wd>{_EN_WD})|(?P<ly>(?P<lyrel>last|next|this)"
    rf"\s+(?P<unit>year|month)))(?![\w-])", re.I)
_AR_REL = re.compile(
    rf"(?<![\w])(?:(?P<yest2>أول\s+(?:أمس|امس))|(?P<yest>(?:[وب]?)(?:أمس|امس|الأمس|البارحة))|"
    rf"(?P<tom>(?:[و]?)(?:غدا|غداً|غدًا))|(?P<ago>قبل\s+(?P<n>يومين|\d+\s+أيام|ثلاثة\s+أيام|أربعة\s+أيام|يوم))|"
    rf"(?:(?:يوم\s+)?(?P<wd>{_AR_WD})(?:\s+(?P<q>الماضي|الفائت|المنصرم|المقبل|القادم))?)|"
    rf"(?P<ly>(?P<unit>العام|الشهر|السنة)\s+(?P<lyq>الماضي|الماضية|الفائت|المقبل|المقبلة|القادم|الجاري|الحالي)))"
    rf"(?![\w])")
# Where relative dates can begin (tried there alone, as _EN_FIRST): the opening word of one of
# _EN_REL's alternatives, in the folded text ("last", "next", "this", "a" and a number word only before
# what must follow them; digits before "days ago" are added only when a text says "days ago"); of one
# of _AR_REL's (with its proclitic; «يوم», «قبل», «أول» and the units only before what must follow).
_EN_REL_OPENING = _opening(
    *_each(["today", "yesterday", "tomorrow", *EN_WEEKDAYS]),
    *_each(["two", "three", "four", "five", "six", "seven", "a"], r"\s+days?\s+ago"),
    *_each(["last", "next", "this"], rf"\s+(?:{_EN_WD.lower()}|year|month)"))
_DAYS_AGO = re.compile(r"days?\s+ago")
_AR_REL_OPENING = _opening(
    *_each([p + w for p in ("", "و", "ب") for w in ("أمس", "امس", "الأمس", "البارحة")]), *_each(["غد", "وغد"]),
    *_each(["أول"], r"\s+(?:أمس|امس)"), *_each(["قبل"], r"\s+(?:يومين|\d+\s+أيام|ثلاثة\s+أيام|أربعة\s+أيام|يوم)"),
    *_each(["يوم"], rf"\s+(?:{_AR_WD})"), *_each(AR_WEEKDAYS),
    *_each(["العام", "الشهر", "السنة"], r"\s+(?:الماضي|الماضية|الفائت|المقبل|المقبلة|القادم|الجاري|الحالي)"))
_AR_AGO = {"يومين": 2, "يوم": 1, "ثلاثة أيام": 3, "أربعة أيام": 4}
_EN_SMALL = {"a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_PAST = {"last", "الماضي", "الماضية", "الفائت", "المنصرم", "السابق"}
_NEXT = {"next", "المقبل", "المقبلة", "القادم"}

Found = tuple[int, int, str]  # start, end, value


def _valid(y: int | None, m: int, d: int) -> bool:
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return False
    try:
        dt.date(y or 2000, m, d)  # 2000: a leap year, so 29 February without a year is valid
    except ValueError:
        return False
    return True


def _value(y: int | None, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}" if y else f"--{m:02d}-{d:02d}"


def parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _resolve_year(m: int, d: int, doc_date: dt.date | None, qual: str | None,
                  weekday: int | None) -> int | None:
    """The year of a day and month the text gives without one, when the context fixes it: "last
    February 12" is the latest before the document's date, "next" the first after, a weekday
    the nearest year in which that day falls on it."""
    if doc_date is None:
        return None
    years = (doc_date.year - 1, doc_date.year, doc_date.year + 1)
    cands = [dt.date(y, m, d) for y in years if _valid(y, m, d)]
    if qual in _PAST:
        past = [c for c in cands if c <= doc_date]
        return max(past).year if past else None
    if qual in _NEXT:
        fut = [c for c in cands if c >= doc_date]
        return min(fut).year if fut else None
    if qual:  # this month: the document's year
        return doc_date.year
    if weekday is not None:
        fits = [c for c in cands if c.weekday() == weekday and abs((c - doc_date).days) < 200]
        return min(fits, key=lambda c: abs((c - doc_date).days)).year if fits else None
    return None


def _weekday(name: str | None) -> int | None:
    if not name:
        return None
    return EN_WEEKDAYS.get(name.lower(), AR_WEEKDAYS.get(name))


def _explicit(text: str, doc_date: dt.date | None, latin: bool, arabic: bool, fold: str) -> Iterator[Found]:
    """Dates the text spells out (day and month, month and year, numeric forms); ``fold``: the text
    :func:`~sourcetrace.text.scan.folded` (when latin)."""
    english = latin and _EN_MONTH_CAP.search(text) is not None
    arabic = arabic and _AR_MONTH.search(text) is not None
    patterns: list[tuple[re.Pattern[str], bool]] = []
    if english:
        patterns += [(_EN_ORDINAL, False), (_EN_DMY, False), (_EN_MDY, True)]
    if arabic:
        patterns += [(_AR_ORDINAL, False), (_AR_DMY, False)]

    digits: list[int] | None = None  # where the text's runs of digits begin, once a pattern needs them
    words: list[int] | None = None  # where English dates can begin, once one is looked for

    def found(pat: re.Pattern[str]) -> Iterator[re.Match[str]]:
        nonlocal digits, words
        if pat in _DIGIT_FIRST:
            hint = _HINTS.get(pat)
            if hint is not None and hint.search(text) is None:
                return iter(())
            digits = digit_starts(text) if digits is None else digits
            return matches_at(pat, text, digits)
        if pat in _EN_FIRST:
            digits = digit_starts(text) if digits is None else digits
            words = sorted(match_starts(_EN_OPENING, fold) + digits) if words is None else words
            return matches_at(pat, text, words)
        return matches_at(pat, text, match_starts(_AR_OPENINGS[pat], text))

    for pat, month_first in patterns:
        for m in found(pat):
            month = month_number(m["m"])
            if pat in (_EN_ORDINAL, _EN_DMY, _EN_MDY) and not m["m"][0].isupper():
                continue  # "may 4": a verb; English capitalises month names
            gd = m.groupdict()
            year = int(gd["y"]) if gd.get("y") else None
            days: list[tuple[int, int, int]] = []  # day, start, end
            if gd.get("o"):
                days.append((_EN_ORDINALS.get(m["o"].lower()) or _AR_ORDINALS[m["o"]], m.start("o"), m.end()))
            elif gd.get("d2") and month_first:  # "June 2-4": the month goes with the first day
                days += [(int(m["d1"]), m.start("m"), m.end("d1")), (int(m["d2"]), m.start("d2"), m.end())]
            elif gd.get("d2"):  # "2-4 June": the month (and year) go with the second day
                days += [(int(m["d1"]), m.start("d1"), m.end("d1")), (int(m["d2"]), m.start("d2"), m.end())]
            else:
                days.append((int(m["d1"]), m.start("m") if month_first else m.start("d1"), m.end()))
            if gd.get("q"):  # a trailing «الماضي» belongs to the date
                year = year or _resolve_year(month, days[-1][0], doc_date, gd["q"], None)
            elif not year:
                year = _resolve_year(month, days[-1][0], doc_date, None, _weekday(gd.get("wd")))
            for day, s, e in days:
                if _valid(year, month, day):
                    yield s, _trim(text, s, e), _value(year, month, day)
    for m in found(_ISO):
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        if _valid(y, mo, d):
            yield m.start(), m.end(), _value(y, mo, d)
    for m in found(_NUMERIC):
        a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
        # Arabic and most of the world write day first; US English month first, unless impossible.
        mo, d = (a, b) if latin and not arabic and a <= 12 else (b, a)
        if mo > 12:
            mo, d = d, mo
        if _valid(y, mo, d):
            yield m.start(), m.end(), _value(y, mo, d)
    for pat, ok in ((_EN_MY, english), (_AR_MY, arabic)):
        for m in found(pat) if ok else ():
            if pat is _EN_MY and not m["m"][0].isupper():
                continue
            yield m.start(), m.end(), f"{int(m['y']):04d}-{month_number(m['m']):02d}"


def _trim(text: str, s: int, e: int) -> int:
    while e > s and (text[e - 1].isspace() or text[e - 1] in ",،."):
        e -= 1
    return e


# A future tense before a weekday in its clause: "will visit on Sunday", «سيزور ... يوم الأحد» is the
# coming Sunday, not the last one. Arabic marks the future with سـ on the verb: a word that starts
# so is a future verb unless it is one of the common nouns spelt the same way (politics, car, control,
# years, six...).
_EN_FUTURE = re.compile(r"\b(?:will|shall|'ll|(?:is|are|was|were)\s+(?:due|set|scheduled|expected|going)\s+to|"
                        r"plans?\s+to|planning\s+to|intends?\s+to)\b", re.I)
_AR_FUTURE = re.compile(rf"(?<![{ARABIC_LETTER}])(?:[وف]?سوف|[وف]?س[يتنأ][{ARABIC_LETTER}]{{3,}}|من المقرر|المقرر|يعتزم|تعتزم)"
                        rf"(?![{ARABIC_LETTER}])")
_AR_NOT_FUTURE = ("سيا", "سيط", "سيد", "سيو", "سين", "سير", "سيف", "سنو", "سنة", "ستة", "ستين", "ستا", "سنا", "ستر")
_CLAUSE_END = re.compile(r"[.!?؟;؛\n]")


def _future(text: str, start: int) -> bool:
    """Does the clause before ``start`` speak of the future (see :data:`_EN_FUTURE`)?"""
    lo = max(0, start - 100)
    ends = [m.end() for m in _CLAUSE_END.finditer(text, lo, start)]
    lo = ends[-1] if ends else lo
    if _EN_FUTURE.search(text, lo, start):
        return True
    for m in _AR_FUTURE.finditer(text, lo, start):
        word = m.group(0).lstrip("وف") if not m.group(0).startswith("سوف") else m.group(0)
        if not word.startswith(_AR_NOT_FUTURE):
            return True
    return False


def _en_rel_starts(text: str, fold: str) -> list[int]:
    """Where _EN_REL can match in ``text`` (``fold``: it folded)."""
    starts = match_starts(_EN_REL_OPENING, fold)
    return sorted(starts + digit_starts(text)) if _DAYS_AGO.search(fold) else starts  # "3 days ago"


def _relative(text: str, doc_date: dt.date | None, latin: bool, arabic: bool, fold: str) -> Iterator[Found]:
    """Relative dates, resolved against the document's own date; without one, kept as written
    (see :func:`relative_key`); ``fold`` as :func:`_explicit` takes it."""
    for pat, ok in ((_EN_REL, latin), (_AR_REL, arabic)):
        if not ok:
            continue
        starts = _en_rel_starts(text, fold) if pat is _EN_REL else match_starts(_AR_REL_OPENING, text)
        for m in matches_at(pat, text, starts):
            gd = m.groupdict()
            shift: int | None = None  # days from the document's date
            value: str | None = None
            if gd.get("today"):
                shift = 0
            elif gd.get("yest") or gd.get("tom") or gd.get("yest2"):
                shift = -2 if gd.get("yest2") else (-1 if gd.get("yest") else 1)
            elif gd.get("ago"):
                n = m["n"]
                first = n.split()[0]
                if first.isdigit():
                    days = int(first)
                else:
                    days = _AR_AGO.get(n, 0) if pat is _AR_REL else _EN_SMALL.get(n.lower(), 0)
                shift = -days if days else None
            elif gd.get("wd"):
                wd = _weekday(m["wd"])
                rel = (gd.get("rel") or gd.get("q") or "").lower()
                if wd is None:
                    continue
                if doc_date is None:
                    value = f"-W-{wd + 1}"  # ISO 8601 (2000) truncated week date: that weekday of some week
                elif rel in _NEXT or (rel not in _PAST and _future(text, m.start())):
                    shift = (wd - doc_date.weekday()) % 7 or 7  # the coming one
                else:  # news usage: "on Thursday" is the latest Thursday, today included
                    back = (doc_date.weekday() - wd) % 7
                    shift = -(back or (7 if rel in _PAST else 0))
            elif gd.get("ly"):
                q = (gd.get("lyrel") or gd.get("lyq") or "").lower()
                step = -1 if q in _PAST else (1 if q in _NEXT else 0)
                year = m["unit"].lower() in ("year", "العام", "السنة")
                if doc_date is None:
                    value = f"-{'Y' if year else 'M'}{step:+d}"
                elif year:
                    value = f"{doc_date.year + step:04d}"
                else:
                    mo = doc_date.month - 1 + step
                    value = f"{doc_date.year + mo // 12:04d}-{mo % 12 + 1:02d}"
            if shift is not None:
                value = (doc_date + dt.timedelta(days=shift)).isoformat() if doc_date else f"-D{shift:+d}"
            if value:
                yield m.start(), m.end(), value


_LATIN = re.compile("[A-Za-z]")


def find_dates(text: str, doc_date: str | None = None) -> list[Found]:
    """Every date in ``text``: (start, end, ISO value), non-overlapping, in text order.

    ``doc_date`` (ISO, a date the document itself states) resolves relative dates and years left
    out after «الماضي», "last …"; without it a relative date keeps a key of what it says
    (:func:`relative_key`), so that two copies of one text, one dated and one not, still agree.
    """
    text = ascii_digits(text)  # one code point for one: offsets do not move
    latin = _LATIN.search(text) is not None
    arabic = has_arabic(text)
    anchor = parse_date(doc_date) if doc_date else None
    fold = folded(text) if latin else ""  # where English dates can begin is found in it (text.scan)
    found = list(_explicit(text, anchor, latin, arabic, fold))
    starts = [s for s, _, _ in found]
    # a weekday right before a date belongs to it ("Thursday, 4 June", «يوم الخميس (4 يونيو)»), it is
    # no second date
    found += [r for r in _relative(text, anchor, latin, arabic, fold)
              if not any(0 <= s - r[1] <= 3 and not text[r[1]:s].strip(" ,،(") for s in starts)]
    return _non_overlapping(found)


def _non_overlapping(found: list[Found]) -> list[Found]:
    """The longest of overlapping matches wins (then the earliest)."""
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    starts: list[int] = []
    kept: list[Found] = []  # disjoint, sorted by start
    for f in found:
        i = bisect_left(starts, f[0])
        if (i > 0 and kept[i - 1][1] > f[0]) or (i < len(kept) and kept[i][0] < f[1]):
            continue
        starts.insert(i, f[0])
        kept.insert(i, f)
    return kept


def is_year(value: int) -> bool:
    """A bare number read as a year (see the module docstring)."""
    return 1900 <= value <= 2100


def relative_key(value: str) -> bool:
    """Is ``value`` a relative date no document date resolved? Kept as written: ``-W-4`` (a
    Thursday), ``-D-1`` (yesterday; ``-D+0`` today, ``-D-2`` two days ago), ``-Y-1`` (last year),
    ``-M+1`` (next month). Every calendar value starts with a digit or ``--``."""
    return value[:1] == "-" and value[1:2] != "-"


_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_SHIFTS = {-2: "the day before yesterday", -1: "yesterday", 0: "today", 1: "tomorrow"}


def shown(value: object) -> str:
    """A fact value as a reader sees it: a relative date no document date resolved says what it
    says ("a Thursday, date not stated") instead of its key (``-W-4``); anything else as is."""
    if not isinstance(value, str) or not relative_key(value):
        return "" if value is None else str(value)
    unit, n = value[1], int(value[2:]) if value[1] != "W" else 0
    if unit == "W":
        said = f"a {_WEEKDAY_NAMES[int(value[3:]) - 1]}"
    elif unit == "D":
        said = _DAY_SHIFTS.get(n) or (f"{-n} days ago" if n < 0 else f"in {n} days")
    else:
        word = "year" if unit == "Y" else "month"
        said = {-1: f"last {word}", 0: f"this {word}", 1: f"next {word}"}.get(n, f"{n:+d} {word}s")
    return f"{said}, date not stated"


def precision(value: str) -> str:
    """"day", "month" or "year": what a date value states (a day may lack its year)."""
    if relative_key(value):
        return {"Y": "year", "M": "month"}.get(value[1], "day")
    if value.startswith("--") or len(value) == 10:
        return "day"
    return "month" if len(value) == 7 else "year"


def compatible(a: str, b: str) -> bool:
    """Do two date values state the same date? A day given without its year agrees with the
    same day of any year ("--06-04" and "2020-06-04"). A relative date one copy could not resolve
    agrees with a date of its precision that the other copy states (a weekday only with a full
    date on that weekday): nothing says they differ, and a dated page and its undated copy must
    not disagree about the words they share."""
    if a == b:
        return True
    if relative_key(a) or relative_key(b):
        rel, other = (a, b) if relative_key(a) else (b, a)
        if relative_key(other) or precision(rel) != precision(other):
            return False
        if rel.startswith("-W-"):
            day = parse_date(other)
            return day is not None and day.isoweekday() == int(rel[3:])
        return True
    if a.startswith("--") != b.startswith("--") and precision(a) == precision(b) == "day":
        return a[-5:] == b[-5:]
    return False
