"""Numbers, money and percentages in English and Arabic text, with spans and normalized values.

A number is read from digits (ASCII, Arabic-Indic, Persian; "8,000,000", "٨٬٠٠٠٬٠٠٠", "2.5", "٢٫٥"),
from digits and a scale word ("8 million", «8 ملايين», "$5bn") or from number words ("eight
million", "twenty-five", "one hundred and twenty"; «ثمانية ملايين», «خمسة وعشرون», «ثلاثمائة»,
«ألفين», «اثنا عشر»). Its value is an int (a float only when it has a fraction). Money is a number
with a currency before or after it (value ``"5000000 USD"``); a percentage is a number followed
by %, "percent", «في المئة», «بالمائة» (value: the number).

Left out on purpose: "one"/«واحد» alone (as often a pronoun as a number), ordinals ("4th": dates
read them), vague plurals ("hundreds of", «عشرات»), and digits glued to a name ("COVID-19",
"F-16", "G20"), which are part of the name, and clock times ("5.30pm", "17:30", «الساعة 5:30
مساءً», «5.30 صباحاً»): a time of day is no quantity, and "5.30pm" read as 5.3 would be compared
with real figures. They are not facts at all rather than a fact type of their own: no diff needs
them yet, and a time read wrong would be a false claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress
from operator import itemgetter

from sourcetrace.text.arabic import (
    ARABIC_LETTER,
    ARABIC_WORD,
    ascii_digits,
    normalize_arabic,
    starts_arabic,
    strip_proclitic,
)
from sourcetrace.text.scan import digit_starts, matches_at, word_starts

_EN_UNITS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_EN_TENS = {w: 10 * (i + 2) for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])}
_EN_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ABBR_SCALES = {"k": 10**3, "m": 10**6, "mn": 10**6, "mln": 10**6, "bn": 10**9, "b": 10**9, "tn": 10**12}


def _ar(words: dict[str, int]) -> dict[str, int]:
    return {normalize_arabic(w): v for w, v in words.items()}


_AR_UNITS = _ar({
    "واحد": 1, "واحدة": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثة": 3,
    "أربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7, "ثمان": 8,
    "ثماني": 8, "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10,
})  # fmt: skip
_AR_TEEN_HEADS = _ar({"أحد": 1, "إحدى": 1, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2})
_AR_TENS = _ar({f"{w}{e}": 10 * (i + 2) for i, w in enumerate(
    ["عشر", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع"]) for e in ("ون", "ين")})
_AR_HUNDREDS = _ar({"مئة": 100, "مائة": 100, "مئتان": 200, "مائتان": 200, "مئتين": 200, "مائتين": 200,
                    "مئتا": 200, "مائتا": 200, "مئتي": 200, "مائتي": 200})
for _w, _n in list(_AR_UNITS.items()):
    if 3 <= _n <= 9 and not _w.endswith("ة"):
        _AR_HUNDREDS[_w + "مئة"] = _AR_HUNDREDS[_w + "مائة"] = 100 * _n
_AR_HUNDREDS[normalize_arabic("ثمانمائة")] = _AR_HUNDREDS[normalize_arabic("ثمانمئة")] = 800
_AR_SCALES = _ar({"ألف": 10**3, "آلاف": 10**3, "ألوف": 10**3, "مليون": 10**6, "ملايين": 10**6,
                  "مليار": 10**9, "مليارات": 10**9, "بليون": 10**9, "بلايين": 10**9, "تريليون": 10**12,
                  "ترليون": 10**12, "تريليونات": 10**12})
_AR_DUALS = _ar({"ألفان": 2 * 10**3, "ألفين": 2 * 10**3, "ألفا": 2 * 10**3, "مليونان": 2 * 10**6,
                 "مليونين": 2 * 10**6, "مليونا": 2 * 10**6, "ملياران": 2 * 10**9, "مليارين": 2 * 10**9,
                 "مليارا": 2 * 10**9})

# Currencies: symbols and codes before the amount, words after it.
_CUR_BEFORE = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP",
               "¥": "JPY"}
_CUR_AFTER = {"dollar": "USD", "dollars": "USD", "usd": "USD", "euro": "EUR", "euros": "EUR", "eur": "EUR",
              "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "yen": "JPY", "yuan": "CNY"}
_CUR_AFTER.update(_ar({
    "دولار": "USD", "دولارا": "USD", "دولاراً": "USD", "دولارات": "USD", "يورو": "EUR", "أورو": "EUR",
    "جنيه": "EGP", "جنيها": "EGP", "جنيهات": "EGP", "دينار": "IQD", "دينارا": "IQD", "دنانير": "IQD",
    "ريال": "SAR", "ريالا": "SAR", "ريالات": "SAR", "درهم": "AED", "درهما": "AED", "دراهم": "AED",
    "ليرة": "TRY", "ليرات": "TRY",
}))
# A currency word followed by its country pins the currency ("Syrian pounds", «دينار عراقي»).
_CUR_COUNTRY = _ar({"عراقي": "IQD", "أردني": "JOD", "كويتي": "KWD", "سوري": "SYP", "سورية": "SYP",
                    "لبنانية": "LBP", "تركية": "TRY", "سعودي": "SAR", "مصري": "EGP", "أمريكي": "USD",
                    "أميركي": "USD", "إماراتي": "AED", "قطري": "QAR"})
_CUR_COUNTRY.update({"iraqi": "IQD", "syrian": "SYP", "lebanese": "LBP", "egyptian": "EGP", "turkish": "TRY",
                     "jordanian": "JOD", "us": "USD", "u.s.": "USD", "american": "USD"})

_TOKEN = re.compile(rf"US\$|\d+(?:[.,٫٬]\d+)*|[A-Za-z]+(?:[-'][A-Za-z]+)*|{ARABIC_WORD}|"
                    r"[$€£¥%٪]")
_LETTER_BEFORE = re.compile(f"[A-Za-z{ARABIC_LETTER}]-?$")
_LETTER = re.compile(f"[A-Za-z{ARABIC_LETTER}]")


_ARTICLE_BEFORE = re.compile(rf"(?:^|(?<=[^{ARABIC_LETTER}]))[وبلف]?(?:ال|لل)\u0640*$")


# One letter (a conjunction or a preposition: «وثلاثة», «بخمسة», «لعشرة», «كألف») and only when what
# is left is a number word of three letters or more: «لست» (I am not) must not read as ل + «ست» (six).
# Digits glued to one of them are a number too («و10»).
_NUMBER_PROCLITICS = ("و", "ب", "ل", "ف", "ك")


def _glued(text: str, start: int) -> bool:
    """Digits glued to a word (COVID-19, G20), but not to a one-letter Arabic proclitic («و10») or
    the article («الـ17»: the seventeen)."""
    if start == 0 or text[start - 1] == " ":  # most digits: nothing glued to them
        return False  # (not after a newline: _LETTER_BEFORE's $ matches before one, "word\n12" is glued)
    if not _LETTER_BEFORE.search(text, max(0, start - 2), start) and text[start - 1:start] != "\u0640":
        return False
    if _ARTICLE_BEFORE.search(text, max(0, start - 5), start):
        return False
    return not (text[start - 1] in _NUMBER_PROCLITICS and (start < 2 or not _LETTER.match(text[start - 2])))


@dataclass(slots=True)
class _Tokens:
    """A text's tokens, one list per field (token ``j`` is ``text[j]``, ``start[j]``, ``end[j]``):
    built by C loops (split, accumulate, map), not one object per token."""
    text: list[str]  # digits translated; Arabic words normalized (diacritics, hamza on alif)
    start: list[int]
    end: list[int]

    def __len__(self) -> int:
        return len(self.text)


@dataclass
class Quantity:
    start: int
    end: int
    type: str  # number | money | percent
    value: int | float | str
    amount: int | float  # the number itself, for a money value too


# _TOKEN as split's separator: split gives gap, token, gap, token, ..., gap, and the running sum of
# their lengths each token's offsets, so that no match object is made per token.
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _read_tokens(text: str) -> tuple[_Tokens, list[int]]:
    """The tokens of ``text``, and the places of those that may begin a quantity (:func:`_may_start`):
    find_quantities reads at those alone, most words being none; each distinct word is judged once
    (:func:`_word`)."""
    parts = _TOKEN_SPLIT.split(text)
    offsets = list(accumulate(map(len, parts), initial=0))
    starts, ends = offsets[1:-1:2], offsets[2::2]
    words = list(map(_word, parts[1::2]))
    if None in words:  # a lone tatweel («ـ») or marks only: nothing is left to read
        kept = [w is not None for w in words]
        words, starts, ends = (list(compress(x, kept)) for x in (words, starts, ends))
    return (_Tokens(list(map(_FIRST, words)), starts, ends),
            list(compress(range(len(words)), map(_SECOND, words))))


@lru_cache(maxsize=1 << 17)
def _word(raw: str) -> tuple[str, bool] | None:
    """A token's text as read (an Arabic word normalized) and whether it may begin a quantity."""
    t = _normalized(raw) if starts_arabic(raw) else raw
    return (t, _may_start(t)) if t else None


# A corpus repeats its words: each is normalized, and judged as a quantity's first token, once.
# (A fact-checker's day of 15,000 documents spent half its fact extraction calling _read on words
# that cannot begin a quantity.)
@lru_cache(maxsize=1 << 17)
def _normalized(word: str) -> str:
    return normalize_arabic(word)


@lru_cache(maxsize=1 << 17)
def _may_start(word: str) -> bool:
    """Whether :func:`_read` can find a quantity beginning at a token ``word``: a currency written
    before its amount, digits, an Arabic number word (after a one-letter proclitic) or an English
    one (and "a"/"an" before a scale). Every other token is skipped; :func:`_read` decides the rest."""
    low = word.lower()
    if low in _CUR_BEFORE or word[0].isdigit():
        return True
    if starts_arabic(word):
        return _ar_kind(_strip_clitic(word)) is not None
    if not (word[0].isascii() and word[0].isalpha()):
        return False
    parts = low.split("-")
    return ((len(parts) == 2 and parts[0] in _EN_TENS and parts[1] in _EN_UNITS) or low in _EN_UNITS
            or low in ("a", "an", "hundred") or low in _EN_TENS or low in _EN_SCALES)


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)


@lru_cache(maxsize=1 << 16)  # a corpus repeats its figures (years above all)
def _digits(tok: str) -> float | None:
    """Value of a digit token: "8,000,000", "8٬000", "2.5", "2٫5"; "2,5" is two and a half."""
    t = tok.replace("٬", ",").replace("٫", ".")
    if sum(c.isdigit() for c in t) > 15:
        return None  # an identifier or a phone number, not a quantity (and beyond a float's precision)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", t):
        return float(t.replace(",", ""))
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return float(t)
    if re.fullmatch(r"\d+,\d{1,2}", t):
        return float(t.replace(",", "."))
    return None


def _strip_clitic(word: str) -> str:
    """An Arabic number word without a leading و/ب/ل/ف/ك (one letter), if that leaves a number word."""
    bare = strip_proclitic(word, _NUMBER_PROCLITICS, min_stem=3)
    return bare if bare != word and _ar_kind(bare) else word


def _ar_kind(w: str) -> str | None:
    if w in _AR_UNITS:
        return "unit"
    if w in _AR_TENS:
        return "ten"
    if w in _AR_HUNDREDS:
        return "hundred"
    if w in _AR_SCALES:
        return "scale"
    if w in _AR_DUALS:
        return "dual"
    if w in _AR_TEEN_HEADS:
        return "teen"
    return None


def _arabic_words(toks: _Tokens, i: int) -> tuple[float, int, int] | None:
    """Arabic number words from token i: (value, last token index, clitic letters to skip)."""
    first = toks.text[i]
    w = _strip_clitic(first)
    skip = len(first) - len(w)
    total, current, j, last, has_scale = 0.0, 0.0, i, -1, False
    prev_kind = None
    while j < len(toks):
        w = toks.text[j] if j > i else first[skip:]
        if j > i:
            if toks.start[j] - toks.end[j - 1] > 2:
                break
            if w.startswith("و") and _ar_kind(w[1:]):
                w = w[1:]
            elif w.startswith("و"):
                break
        kind = _ar_kind(w)
        if kind is None:
            break
        if kind == "teen":
            nxt = toks.text[j + 1] if j + 1 < len(toks) else ""
            if nxt not in ("عشر", "عشرة"):
                break
            current += 10 + _AR_TEEN_HEADS[w]
            j += 1
        elif kind == "unit":
            v = _AR_UNITS[w]
            if v == 10 and prev_kind == "unit" and current % 10 and current < 10:
                current += 10  # «ثلاثة عشر»
            elif prev_kind in ("unit", "ten") and j > i and toks.text[j] == w:
                break  # two numbers side by side without و: not one number
            else:
                current += v
        elif kind == "ten":
            current += _AR_TENS[w]
        elif kind == "hundred":
            if prev_kind == "unit" and current < 10 and _AR_HUNDREDS[w] == 100:
                current *= 100  # «ثلاث مئة»
            else:
                current += _AR_HUNDREDS[w]
        elif kind == "scale":
            if prev_kind == "scale":
                break
            total += (current or 1) * _AR_SCALES[w]
            current, has_scale = 0, True
        else:  # dual: «ألفين», «مليونين»
            if prev_kind is not None and prev_kind != "scale":
                break
            total += _AR_DUALS[w]
            has_scale = True
        prev_kind = kind if kind != "teen" else "ten"
        last = j
        j += 1
    if last < 0:
        return None
    value = total + current
    if value < 2 and not has_scale:
        return None  # «واحد» alone
    return value, last, skip


def _english_words(toks: _Tokens, i: int) -> tuple[float, int] | None:
    total, current, last, has_scale, any_num = 0.0, 0.0, -1, False, False
    j = i
    while j < len(toks):
        w = toks.text[j].lower()
        if j > i and toks.start[j] - toks.end[j - 1] > 2:
            break
        parts = w.split("-")
        if len(parts) == 2 and parts[0] in _EN_TENS and parts[1] in _EN_UNITS:
            current += _EN_TENS[parts[0]] + _EN_UNITS[parts[1]]
        elif w in _EN_UNITS:
            current += _EN_UNITS[w]
        elif w in ("a", "an") and j == i:
            current += 1
        elif w in _EN_TENS:
            current += _EN_TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _EN_SCALES:
            total += (current or 1) * _EN_SCALES[w]
            current, has_scale = 0, True
        elif w == "and" and any_num and j + 1 < len(toks) and (
                toks.text[j + 1].lower() in _EN_UNITS or toks.text[j + 1].lower().split("-")[0] in _EN_TENS):
            j += 1
            continue
        else:
            break
        any_num, last = True, j
        j += 1
    if last < 0:
        return None
    value = total + current
    if toks.text[i].lower() in ("a", "an", "one") and last == i:
        return None
    if toks.text[i].lower() in ("a", "an") and not (has_scale or "hundred" in {t.lower() for t in toks.text[i:last + 1]}):
        return None
    if value < 2 and not has_scale:
        return None
    return value, last


def _scale_after(toks: _Tokens, j: int, money: bool) -> tuple[int, int] | None:
    """A scale word right after a digit token: (multiplier, its index)."""
    if j >= len(toks) or toks.start[j] - toks.end[j - 1] > 2:
        return None
    w = toks.text[j]
    low = w.lower()
    if low in _EN_SCALES:
        return _EN_SCALES[low], j
    if w in _AR_SCALES:
        return _AR_SCALES[w], j
    glued = toks.start[j] == toks.end[j - 1]
    if low in _ABBR_SCALES and (glued or money) and (money or low in ("bn", "mn", "mln", "tn")):
        return _ABBR_SCALES[low], j
    return None


def _after(toks: _Tokens, j: int) -> tuple[str, str | None, int] | None:
    """What follows a number at token j: ("percent", None, last) or ("money", currency, last)."""
    if j >= len(toks) or toks.start[j] - toks.end[j - 1] > 2:
        return None
    w, low = toks.text[j], toks.text[j].lower()
    if w in ("%", "٪"):
        return "percent", None, j
    if low == "percent":
        return "percent", None, j
    nxt = toks.text[j + 1] if j + 1 < len(toks) else ""
    if low == "per" and nxt.lower() == "cent":
        return "percent", None, j + 1
    if w == "في" and nxt in ("المئة", "المائة", "المية"):
        return "percent", None, j + 1
    if w in ("بالمئة", "بالمائة", "بالمية"):
        return "percent", None, j
    if low in ("us", "u") and nxt.lower() in ("dollars", "dollar"):
        return "money", "USD", j + 1
    if low in _CUR_COUNTRY and nxt.lower() in _CUR_AFTER:  # "Syrian pounds"
        return "money", _CUR_COUNTRY[low], j + 1
    if low in _CUR_AFTER or w in _CUR_AFTER:
        cur = _CUR_AFTER.get(low) or _CUR_AFTER[w]
        if nxt in _CUR_COUNTRY and j + 1 < len(toks) and toks.start[j + 1] - toks.end[j] <= 2:
            return "money", _CUR_COUNTRY[nxt], j + 1
        return "money", cur, j
    return None


# Clock times. An hour:minutes with a colon is a time by itself (a ratio "3:1" has no two-digit
# minutes); with a dot, or an hour alone, it needs am/pm, a time-of-day word («صباحاً», «مساءً») or
# «الساعة» (o'clock) before it: "5.30 points" stays a number.
_AMPM = r"(?:[ap]\.?m\.?(?![A-Za-z])|o'clock)"
_AR_DAYTIME = "(?:صباح|مساء|ظهر|فجر|ليل|عصر)[\u0627\u064b-\u064d]*(?![" + ARABIC_LETTER + "])"
_AR_HOUR = "(?:(?<![" + ARABIC_LETTER + "])[وب]?(?:الساعة|الساعه)\\s+)"
_CLOCK = re.compile(
    rf"(?<![\d.,:])(?:{_AR_HOUR}(?:[01]?\d|2[0-4])(?:\s*[:.٫]\s*[0-5]\d)?(?:\s*{_AR_DAYTIME})?"
    rf"|(?:[01]?\d|2[0-4])\s*:\s*[0-5]\d(?:\s*(?:{_AMPM}|{_AR_DAYTIME}))?"
    rf"|(?:[01]?\d|2[0-4])(?:[.٫][0-5]\d)?\s*(?:{_AMPM}|{_AR_DAYTIME}))(?![\d])",
    re.I)
# What every clock time holds (an hour's digit, then a colon, am/pm or a time-of-day word; or
# «الساعة»): a text without it has no clock time, and _CLOCK, which is tried at every position
# (its lookbehinds), is not run over it. Most texts have none; this scan skips ahead by digits.
_CLOCK_HINT = re.compile(r"\d\s*(?::|[ap]\.?m|o'clock|صباح|مساء|ظهر|فجر|ليل|عصر)|الساع", re.I)
_HOUR = re.compile("الساع")  # where a clock time not opening with its digits begins (_AR_HOUR)


def _blanked(text: str, spans: Iterable[re.Match[str]]) -> str:
    """``text`` with each match written over by spaces (``pattern.sub``, the matches given)."""
    parts: list[str] = []
    last = 0
    for m in spans:
        parts += (text[last:m.start()], " " * (m.end() - m.start()))
        last = m.end()
    parts.append(text[last:])
    return "".join(parts)


def find_quantities(text: str) -> list[Quantity]:
    """Every number, amount of money and percentage in ``text``, in order, non-overlapping."""
    text = ascii_digits(text)  # one code point for one: offsets do not move
    if _CLOCK_HINT.search(text):  # a time of day is no quantity; offsets kept. Tried where one can begin.
        text = _blanked(text, matches_at(_CLOCK, text, sorted(digit_starts(text) + word_starts(text, _HOUR, "وب"))))
    toks, starts = _read_tokens(text)
    out: list[Quantity] = []
    i = 0  # the first token not read into a quantity yet
    for j in starts:
        q = _read(text, toks, j) if j >= i else None
        if q is not None:
            quantity, i = q
            out.append(quantity)
    return out


def _read(text: str, toks: _Tokens, i: int) -> tuple[Quantity, int] | None:
    word = toks.text[i]
    cur_before = _CUR_BEFORE.get(word.lower())
    start_tok = i
    if cur_before:
        if i + 1 >= len(toks) or toks.start[i + 1] - toks.end[i] > 1 or not toks.text[i + 1][0].isdigit():
            return None
        i += 1
        word = toks.text[i]
    skip = 0
    if word[0].isdigit():
        if _glued(text, toks.start[i]):
            return None  # COVID-19, G20, F-16: part of a name
        if i + 1 < len(toks) and toks.start[i + 1] == toks.end[i] and toks.text[i + 1].lower() in ("st", "nd", "rd", "th"):
            return None  # an ordinal
        value = _digits(word)
        if value is None:
            return None
        last = i
        scale = _scale_after(toks, i + 1, money=cur_before is not None)
        if scale:
            value *= scale[0]
            last = scale[1]
    else:
        ar = _arabic_words(toks, i) if starts_arabic(word) else None
        if ar:
            value, last, skip = ar
        else:
            en = _english_words(toks, i) if word[0].isascii() and word[0].isalpha() else None
            if not en:
                return None
            value, last = en
    kind, cur = "number", cur_before
    after = _after(toks, last + 1)
    if after and not cur_before:
        kind, cur, last = after[0], after[1], after[2]
    elif cur_before:
        kind = "money"
    if kind == "number" and i > 0 and toks.text[i - 1] in ("%", "٪") and toks.end[i - 1] == toks.start[i]:
        kind, start_tok = "percent", i - 1  # «٪45»: the sign written first in right-to-left text
    amount = _num(value)
    val: int | float | str = amount
    if kind == "money":
        val = f"{amount} {cur}"
    start = toks.start[start_tok] + (skip if start_tok == i else 0)
    return Quantity(start, toks.end[last], kind, val, amount), last + 1
