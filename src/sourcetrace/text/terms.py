"""Terms that survive translation: numbers, full dates and Latin-script names, as keys.

A report and the statement it translates share few words, but they state the same figures
(``٢٠٢٠`` = ``2020``, ``10,000`` = ``10000``), the same dates («4 حزيران/يونيو 2020» = "June 4,
2020") and, in English or French, the same names. :func:`document_terms` reads them as keys
(``num:10000``, ``date:2020-06-04``, ``name:pompeo``) that are equal on both sides; candidate
search pairs documents that share rare ones (:mod:`sourcetrace.candidates.pairs`).

Only numbers of at least 3 digits or with decimals count (small numbers are everywhere), only
full dates (day, month name or number, year), and names are capitalised words that do not merely
start a sentence, minus a stoplist.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sourcetrace.text.dates import EN_MONTH_NAMES, EN_WEEKDAYS, NORMALIZED_MONTHS, alternation, full_date
from sourcetrace.text.normalize import normalize_text

__all__ = ["document_terms", "figures"]

# Month names as normalize_text writes them: the text is normalized before it is read. A paired
# name is read after a slash only («حزيران/يونيو»; not «حزيران (يونيو)»): the keys are as measured.
_MONTH = NORMALIZED_MONTHS
_MONTH_RE = alternation(_MONTH)
# "4 june 2020", "4 حزيران/يونيو 2020", "june 4, 2020", "2020-06-04", "04/06/2020"
_MONTH_ALT = rf"(?P<{{g}}>{_MONTH_RE})(?:\s*/\s*(?:{_MONTH_RE}))?"
# Each pattern begins with a character class, so the regex engine skips ahead to where it can
# match; what may not come before a match is checked in code (document_terms): as a leading
# lookbehind it made the engine try every position (half the cost of reading a document's terms).
_DATE_DMY = re.compile(rf"(?P<d>\d{{1,2}})\s+(?:من\s+)?{_MONTH_ALT.format(g='m')},?\s+(?:عام\s+|سنه\s+)?(?P<y>\d{{4}})(?!\d)")
_DATE_MDY = re.compile(rf"{_MONTH_ALT.format(g='m')}\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})(?!\d)")
# What every _DATE_MDY match holds: a text without it is not searched for one (a month-led
# pattern is tried at every letter: a third of reading a document's terms, most of them Arabic
# reports, whose dates come day first).
_MDY_TAIL = re.compile(r"\s\d{1,2},?\s+\d{4}(?!\d)")
_DATE_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_DATE_SLASH = re.compile(r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})(?!\d)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?![\d])")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_NAME = re.compile(r"(?:[A-Z][a-z\u00c0-\u024f]+(?:-[A-Z][a-z\u00c0-\u024f]+)?|[A-Z]{3,})(?![\w-])")
# What may not come before a match of each pattern (checked in document_terms).
_NOT_BEFORE = {_DATE_DMY: str.isdigit, _DATE_MDY: lambda c: c.isalnum() or c == "_"}


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"'\u201c\u2018\n(])\s*$")
_AFTER_MARK = re.compile(r"[.!?:;\"'\u201c\u2018\n(]\s*$")  # the same, not at the text's start
_NOT_NAMES_TEXT = """a an the this that these those there their they then than he she it its we
our us you your i in on at of for from by with to and or but if as is are was were be been not no
yes so also after before during while when where what which who whom whose why how all any each
every some many most more other such both either neither nor mr mrs ms dr sir madam today tomorrow
yesterday"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split()) | frozenset(EN_WEEKDAYS) | frozenset(EN_MONTH_NAMES)


def _date(m: re.Match[str], month: int) -> str | None:
    iso = full_date(int(m.group("y")), month, int(m.group("d")))
    return f"date:{iso}" if iso else None


def _number(tok: str) -> str | None:
    """``num:`` key of a number of >= 3 digits or with decimals (10,000 = 10000; 3,5 = 3.5)."""
    if tok.isdecimal():  # most numbers: digits only, kept as they are (what the rest gives them)
        tok = tok.lstrip("0")
        return f"num:{tok}" if len(tok) >= 3 else None
    if _THOUSANDS.fullmatch(tok):
        tok = tok.replace(",", "")
    if tok.count(",") == 1 and "." not in tok:
        tok = tok.replace(",", ".")
    if tok.count(".") == 1:
        whole, frac = tok.split(".")
        whole, frac = whole.lstrip("0") or "0", frac.rstrip("0")
        if frac:
            return f"num:{whole}.{frac}"
        tok = whole
    digits = _NOT_DIGIT.sub("", tok).lstrip("0")
    return f"num:{digits}" if len(digits) >= 3 else None


_NOT_DIGIT = re.compile(r"\D")


def document_terms(text: str) -> set[str]:
    """The terms of one document: ``num:…``, ``date:YYYY-MM-DD`` and ``name:…`` keys.

    A pattern's matches are its ``finditer`` matches not preceded by a character the pattern may
    not follow (as a leading lookbehind it made the engine try every position: half the cost of
    reading a document's terms). A number or a name read once is not read again: its key is in."""
    norm = normalize_text(text)
    out: set[str] = set()
    for rx in (_DATE_DMY, _DATE_MDY):
        if rx is _DATE_MDY and not _MDY_TAIL.search(norm):
            continue
        for m in rx.finditer(norm):
            s = m.start()
            if s == 0 or not _NOT_BEFORE[rx](norm[s - 1]):
                key = _date(m, _MONTH.get(m.group("m"), 0))
                if key:
                    out.add(key)
    for rx in (_DATE_ISO, _DATE_SLASH):
        for m in rx.finditer(norm):
            s = m.start()
            if s == 0 or not norm[s - 1].isdigit():
                key = _date(m, int(m.group("m")))
                if key:
                    out.add(key)
    done: set[str] = set()  # numbers read
    for m in _NUMBER.finditer(norm):
        tok = m.group()
        if tok not in done and ((s := m.start()) == 0 or not (norm[s - 1].isdigit() or norm[s - 1] in ".,")):
            done.add(tok)
            key = _number(tok)
            if key:
                out.add(key)
    done.clear()  # names read (or never names)
    for m in _NAME.finditer(text):
        word = m.group()
        if word in done:
            continue
        s = m.start()
        if s and ((c := text[s - 1]).isalnum() or c in "_'-"):
            continue
        if not word.isupper() and _opens_sentence(text[max(0, s - 3):s], s <= 3):
            continue  # a capital that only marks a sentence start
        done.add(word)
        key = _name_key(word)
        if key:
            out.add(key)
    return out


@lru_cache(maxsize=65536)
def _opens_sentence(before: str, at_start: bool) -> bool:
    """Whether a word after ``before`` (its up to 3 characters before it; `at_start`: those are
    the text's first) begins a sentence. Cached: the same few characters come before most words."""
    return bool((_SENTENCE_START if at_start else _AFTER_MARK).search(before))


@lru_cache(maxsize=65536)
def _name_key(word: str) -> str | None:
    key = normalize_text(word)
    return "name:" + key if len(key) >= 3 and key not in _NOT_NAMES else None


def figures(terms: frozenset[str] | set[str]) -> frozenset[str]:
    """The numbers and full dates among a document's terms (names left out: Arabic has no
    capitals, so only one side of a translation would hold them)."""
    return frozenset(t for t in terms if not t.startswith("name:"))
