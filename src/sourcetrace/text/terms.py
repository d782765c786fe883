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
# What follows the day of every _DATE_MDY match: a day without it begins none, and the month
# names before it are not looked for (most numbers of one or two digits between spaces are no day).
_DAY_TAIL = re.compile(r"\d{1,2},?\s+\d{4}(?!\d)")
_DATE_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_DATE_SLASH = re.compile(r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})(?!\d)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?![\d])")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_NAME = re.compile(r"(?:[A-Z][a-z\u00c0-\u024f]+(?:-[A-Z][a-z\u00c0-\u024f]+)?|[A-Z]{3,})(?![\w-])")
_DIGITS = re.compile(r"\d+")
_MONTH_SIZES = sorted({len(m) for m in _MONTH})


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


def document_terms(text: str, norm: str | None = None) -> set[str]:
    """The terms of one document: ``num:…``, ``date:YYYY-MM-DD`` and ``name:…`` keys (`norm`:
    ``normalize_text(text)``, when the caller has it).

    A pattern's matches are its ``finditer`` matches not preceded by a character the pattern may
    not follow (as a leading lookbehind it made the engine try every position: half the cost of
    reading a document's terms). A number or a name read once is not read again: its key is in."""
    if norm is None:
        norm = normalize_text(text)
    out: set[str] = set()
    _digit_terms(norm, out)
    done: set[str] = set()  # names read (or never names)
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


def _digit_terms(norm: str, out: set[str]) -> None:
    """Add the numbers and the day-first, ISO and slashed dates of normalized text to `out`: the
    matches of ``finditer`` of _NUMBER, _DATE_DMY, _DATE_ISO and _DATE_SLASH not preceded by a
    digit (nor, a number, by "." or ","), read in one pass over the digit runs, not four over the
    text. Each pattern begins with digits, so a match not preceded by one begins a run; one that
    begins inside a run (left out) spans no other run where that pattern could match (a year,
    a month of 1-2 digits), so leaving it out changes no match ``finditer`` would give after it;
    a run too long or followed by the wrong character (below) cannot begin a match."""
    num_at = dmy_at = mdy_at = iso_at = slash_at = 0  # where ``finditer`` of each pattern would go on
    done: set[str] = set()  # numbers read
    for run in _DIGITS.finditer(norm):
        r, e = run.span()
        # Not a \d, but a digit to str.isdigit (a superscript, unless folded): as it was checked
        after_digit = r > 0 and norm[r - 1].isdigit()
        size, after = e - r, norm[e:e + 1]
        if r >= num_at:  # a number always begins at a run's start
            if size <= 2 and after != "." and after != ",":
                num_at = e  # the run alone, of too few digits to be a term (most numbers)
            else:
                m = _NUMBER.match(norm, r)
                num_at = m.end()
                tok = m.group()
                if tok not in done and not after_digit and (r == 0 or norm[r - 1] not in ".,"):
                    done.add(tok)
                    key = _number(tok)
                    if key:
                        out.add(key)
        m = None
        if size <= 2:
            if r >= dmy_at and after.isspace() and (m := _DATE_DMY.match(norm, r)):
                dmy_at = m.end()
                key = _date(m, _MONTH.get(m.group("m"), 0))
            elif r >= slash_at and after in ("/", ".") and (m := _DATE_SLASH.match(norm, r)):
                slash_at = m.end()
                key = _date(m, int(m.group("m")))
        elif size == 4 and after == "-" and r >= iso_at and (m := _DATE_ISO.match(norm, r)):
            iso_at = m.end()
            key = _date(m, int(m.group("m")))
        if m and key and not after_digit:
            out.add(key)
        if (size <= 2 and r > mdy_at and norm[r - 1].isspace() and (after == "," or after.isspace())
                and _DAY_TAIL.match(norm, r)):
            m = _month_first(norm, r, mdy_at)  # r may be the day of a date written month first
            if m:
                mdy_at = m.end()
                s = m.start()
                if (s == 0 or not ((c := norm[s - 1]).isalnum() or c == "_")) and (key := _date(m, _MONTH[m.group("m")])):
                    out.add(key)


def _month_first(norm: str, day: int, at: int) -> re.Match[str] | None:
    """The first match of _DATE_MDY at or after `at` whose day begins at `day`, or, as
    ``finditer`` would give it first, one beginning before it (None: no match begins from `at`
    to `day`). Such a match begins where a month name ends before the spaces before `day`, or
    where one ends before the «/» and spaces before that name («حزيران/يونيو 4, 2020»): a month-led
    pattern scanned the whole text letter by letter (_DATE_MDY was the dearest of the terms'
    patterns). Month names hold no digit, so a match ending before `day` was found at its own day."""
    starts = []
    end = _skip_spaces(norm, day)
    if end == day:
        return None
    for size in _MONTH_SIZES:
        if size <= end and norm[end - size:end] in _MONTH:
            starts.append(end - size)
            slash = _skip_spaces(norm, end - size)
            if slash and norm[slash - 1] == "/":
                first = _skip_spaces(norm, slash - 1)
                starts += [first - n for n in _MONTH_SIZES if n <= first and norm[first - n:first] in _MONTH]
    for start in sorted(starts):
        if start >= at and (m := _DATE_MDY.match(norm, start)):
            return m
    return None


def _skip_spaces(text: str, end: int) -> int:
    """Where the run of whitespace ending at `end` begins."""
    while end and text[end - 1].isspace():
        end -= 1
    return end


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
