"""Normalized text for matching, with an exact map back to file offsets.

Matching compares *normalized* strings; everything reported to a user uses file offsets
(DESIGN.md, "Offsets"). :func:`normalize` therefore returns the normalized text together with,
for every normalized character, the source span ``[offsets[i], ends[i])`` of the character(s)
that produced it, so any normalized span maps back to the smallest file span covering it.

Rules (the same for every language, because documents mix scripts and a string must normalize
identically whichever document it is found in; ``lang`` is accepted for future extras and
currently changes nothing):

Every rule is a function of one source character (a table built at import and memoized for
characters first seen at run time), plus one contextual rule, whitespace collapsing. So the map
stays exact: a character maps to zero (deletion), one, or several (expansion) characters.

* Compatibility folding (NFKC, char by char): Arabic presentation forms (U+FB50-FDFF,
  U+FE70-FEFF) become base letters (``ﻻ`` -> ``لا``, ``ﷺ`` -> its phrase), fullwidth forms
  become ASCII, ligatures split (``ﬁ`` -> ``fi``).  Why: the same text is encoded either way by
  different publishers and PDF extractors.  Where NFKC yields only a space plus combining
  marks (spacing diacritics such as ``¨`` or isolated harakat ``ﹰ``) the character is deleted,
  like the diacritic it is.
* Case: ``str.casefold`` (``ß`` -> ``ss``, an expansion).  Why: headlines and body text differ
  in case only.
* Latin accents: canonical decomposition, combining marks dropped, recomposed (``é`` -> ``e``,
  ``Müller`` -> ``muller``); letters with no decomposition folded explicitly (``ø`` ``ł`` ``đ``
  ``ħ`` ``ı`` ``ŧ``, ``æ`` -> ``ae``, ``œ`` -> ``oe``).  Why: names are spelt with and without
  accents across sources and transliterations.  Only marks of the general combining blocks
  (U+0300-036F, U+1AB0-1AFF, U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F) and Arabic marks are
  dropped; marks of other scripts (Devanagari vowel signs, Hebrew points) are kept.
* Arabic diacritics: harakat, shadda, sukun, hamza/madda above and below (U+064B-065F),
  superscript alef U+0670, Quranic annotation signs U+0610-061A and U+06D6-06ED (the whole
  range, including the end-of-ayah and sajdah signs), and other Arabic-block combining marks
  are deleted.  Why: most text is undiacritized; diacritized copies must still match.
* Tatweel U+0640 deleted (``الـمـجـلس`` -> ``المجلس``): pure justification.
* Hamza seats and letter variants: ``أ إ آ ٱ ٲ ٳ`` -> ``ا``; ``ؤ`` -> ``و``; ``ئ`` -> ``ي``;
  standalone ``ء`` is kept and the high hamza ``ٴ`` deleted.  Choice: a hamza on a seat folds to
  its seat letter (``ئ`` sits on a dotless yeh, so ``ي``), consistently for alef, waw and yeh,
  because writers and OCR drop or move hamzas freely.  ``ى`` -> ``ي`` and ``ة`` -> ``ه``
  (word-final spellings that vary by region and keyboard).
* Persian/Urdu code points used in Arabic text: ``ک ڪ`` -> ``ك``; ``ی`` -> ``ي``;
  ``ہ ھ ۃ`` -> ``ه``.  Why: Persian keyboards and some CMSs emit these for Arabic letters.
* Digits: Arabic-Indic ``٠-٩`` and Persian ``۰-۹`` -> ``0-9`` (fullwidth digits via NFKC).
  Why: numbers and dates are terms shared across languages (``٢٠٢٠`` = ``2020``).
* Arabic punctuation: ``،`` -> ``,``  ``؛`` -> ``;``  ``؟`` -> ``?``  ``٫`` -> ``.``
  ``٬`` -> ``,``  ``٪`` -> ``%``  ``٭`` -> ``*``  ``۔`` -> ``.``.
* Quotes: ``‘ ’ ‚ ‛ ‹ › ´ ʻ ʼ`` -> ``'`` and ``“ ” „ ‟ « »`` -> ``"``.  Dashes
  ``‐ ‑ ‒ – — ―`` and minus ``−`` -> ``-``.  Ellipsis ``…`` -> ``...`` (an expansion).  Why:
  typographic choices, not content.
* Invisible characters deleted: every format character (category Cf: ZWJ, ZWNJ, ZWSP, LRM,
  RLM, ALM, BOM, word joiner, soft hyphen, bidi embeddings/overrides U+202A-202E and isolates
  U+2066-2069, ...) and control characters that are not whitespace.  Why: they are invisible
  and inserted arbitrarily by editors and bidi-aware tools.
* Whitespace: every whitespace character (``str.isspace``: space, tab, newlines, NBSP U+00A0,
  narrow NBSP U+202F, ideographic space, ...) becomes a space, every run of spaces one space
  (mapped to the whole run), and leading/trailing space is stripped.  Characters deleted
  between two spaces do not keep them apart.

The result is idempotent: ``normalize(normalize(x).text).text == normalize(x).text``.

Speed: one ``str.translate`` over a memoized table builds the text; the offset map is built
from ranges between the (usually rare) deleted or expanded characters, found by a regex, or,
when they are dense, from a second ``translate`` giving each character's output length and
C-level iterators.  There is no per-character Python loop.  About 0.2 s per MB of mixed
Arabic/English text; the map costs two tuples of ints, so normalize documents or sentences,
not a whole corpus in one string.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, islice, repeat

import numpy as np

__all__ = ["Normalized", "normalize", "normalize_span", "tokens"]


@dataclass(frozen=True)
class Normalized:
    """Normalized text with its map back to file offsets.

    ``offsets[i]`` is the file offset where the source of normalized char ``i`` starts and
    ``ends[i]`` where it ends; ``offsets[-1]`` (one extra entry) is the end of the source slice.
    """

    text: str
    offsets: tuple[int, ...]
    ends: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.text)
        if len(self.offsets) != n + 1:
            raise ValueError(f"offsets must have len(text)+1 = {n + 1} entries, got {len(self.offsets)}")
        if not self.ends and n:
            # Built by hand without ends: each char ends where the next starts (or covers one
            # code point when the next char comes from the same source char).
            off = self.offsets
            ends = tuple(off[i + 1] if off[i + 1] > off[i] else off[i] + 1 for i in range(n))
            object.__setattr__(self, "ends", ends)
        elif len(self.ends) != n:
            raise ValueError(f"ends must have len(text) = {n} entries, got {len(self.ends)}")

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized span [start,end) to the smallest source span [s,e) covering it.

        ``s = offsets[start]``; ``e`` is the end of the source char(s) that produced
        ``text[end-1]``.  An empty span maps to the empty span at ``offsets[start]``.
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside normalized text of length {len(self.text)}")
        s = self.offsets[start]
        if start == end:
            return s, s
        return s, self.ends[end - 1]


# ---------------------------------------------------------------------------------------------
# The per-character table.

_EXPLICIT: dict[str, str] = {}


def _set(chars: str, repl: str) -> None:
    for ch in chars:
        _EXPLICIT[ch] = repl


# Arabic letter variants and hamza seats.
_set("\u0623\u0625\u0622\u0671\u0672\u0673", "\u0627")  # أ إ آ ٱ ٲ ٳ -> ا
_set("\u0624", "\u0648")  # ؤ -> و
_set("\u0626", "\u064a")  # ئ -> ي (hamza on a yeh seat folds to its seat, like أ and ؤ)
_set("\u0674", "")  # ٴ high hamza (part of ٵ ٶ ٷ ٸ under NFKC)
_set("\u0649", "\u064a")  # ى -> ي
_set("\u0629", "\u0647")  # ة -> ه
_set("\u06a9\u06aa", "\u0643")  # ک ڪ -> ك
_set("\u06cc", "\u064a")  # ی -> ي
_set("\u06c1\u06be\u06c3", "\u0647")  # ہ ھ ۃ -> ه
_set("\u0640", "")  # tatweel
for _i in range(10):
    _EXPLICIT[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _EXPLICIT[chr(0x06F0 + _i)] = str(_i)  # Persian digits
# Arabic punctuation.
_set("\u060c", ",")  # ،
_set("\u061b", ";")  # ؛
_set("\u061f", "?")  # ؟
_set("\u066b", ".")  # ٫ decimal separator
_set("\u066c", ",")  # ٬ thousands separator
_set("\u066a", "%")  # ٪
_set("\u066d", "*")  # ٭
_set("\u06d4", ".")  # ۔ Urdu full stop
# Quranic annotation signs: the whole U+06D6-06ED range.
_set("".join(chr(c) for c in range(0x06D6, 0x06EE)), "")
# Quotes, dashes, ellipsis.
_set("\u2018\u2019\u201a\u201b\u2039\u203a\u00b4\u02bb\u02bc", "'")
_set("\u201c\u201d\u201e\u201f\u00ab\u00bb", '"')
_set("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")
_set("\u2026", "...")
# Latin letters without a canonical decomposition.
_set("\u00f8\u00d8", "o")
_set("\u0142\u0141", "l")
_set("\u0111\u0110", "d")
_set("\u0127\u0126", "h")
_set("\u0131", "i")
_set("\u0167\u0166", "t")
_set("\u00e6\u00c6", "ae")
_set("\u0153\u0152", "oe")

_MARK_RANGES = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
    # Arabic blocks: every combining mark in them.
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x0870, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)


def _is_dropped_mark(ch: str) -> bool:
    if unicodedata.category(ch) not in ("Mn", "Me"):
        return False
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _MARK_RANGES)


def _step(ch: str) -> str:
    """One round of folding for one character."""
    if ch in _EXPLICIT:
        return _EXPLICIT[ch]
    if ch.isspace():
        return " "
    cat = unicodedata.category(ch)
    if cat == "Cf" or cat == "Cc":
        return ""
    if _is_dropped_mark(ch):
        return ""
    out = unicodedata.normalize("NFKC", ch).casefold()
    if out != ch and not out.strip():
        return ""  # a spacing diacritic: NFKC gives a space plus combining marks
    if any(_is_dropped_mark(c) for c in unicodedata.normalize("NFD", out)):
        out = "".join(c for c in unicodedata.normalize("NFD", out) if not _is_dropped_mark(c))
        out = unicodedata.normalize("NFC", out)
    return out


def _fold(ch: str) -> str:
    """Fold one character to a fixed point: every char of the result folds to itself."""
    cur = ch
    for _ in range(10):
        nxt = "".join(_step(c) for c in cur)
        if nxt == cur:
            return cur
        cur = nxt
    raise RuntimeError(f"folding of U+{ord(ch):04X} does not converge")


class _FoldTable(dict):
    """ord -> folded string, filled at import for common blocks and lazily for the rest."""

    def __missing__(self, key: int) -> str:
        value = _fold(chr(key))
        self[key] = value
        _LENGTHS[key] = chr(len(value))
        if len(value) != 1:
            _SPECIAL.add(key)
            _special_regex.cache_clear()
        return value


class _LengthTable(dict):
    """ord -> chr(len(folded string)), for the offset map."""

    def __missing__(self, key: int) -> str:
        _FOLD[key]  # noqa: B018 -- fills both tables
        return self[key]


_FOLD = _FoldTable()
_LENGTHS = _LengthTable()
_SPECIAL: set[int] = set()  # code points whose fold is not exactly one char


@functools.cache
def _special_regex() -> re.Pattern[str]:
    """Runs of characters that are deleted or expanded (rebuilt when the table grows)."""
    parts = []
    cps = sorted(_SPECIAL)
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return re.compile(f"[{''.join(parts)}]+" if parts else r"(?!)")


_PREBUILT = (
    (0x0000, 0x0590),
    (0x0600, 0x0700),
    (0x0750, 0x0780),
    (0x0870, 0x0900),
    (0x1E00, 0x2070),
    (0x20A0, 0x20D0),
    (0x2100, 0x2190),
    (0x2460, 0x2500),
    (0x3000, 0x3040),
    (0xFB00, 0xFB50),
    (0xFB50, 0xFE00),
    (0xFE10, 0xFE70),
    (0xFE70, 0xFF00),
    (0xFF00, 0xFFF0),
)
for _lo, _hi in _PREBUILT:
    for _cp in range(_lo, _hi):
        if not 0xD800 <= _cp <= 0xDFFF:
            _FOLD[_cp]  # noqa: B018 -- builds the entry
for _ch in _EXPLICIT:
    _FOLD[ord(_ch)]  # noqa: B018

_SPACE_RUN = re.compile(r"  +")
_NOT_FIRST_SPACE = re.compile(r"(?<= ) ")
_NOT_LAST_SPACE = re.compile(r" (?= )")
_EXPANDED = re.compile(rb"[\x02-\xff]")
_CLAMP = bytes([0] + [1] * 255)  # bytes.translate table: output length -> 0 (deleted) or 1


def _index_map(lengths: bytes, first: int) -> list[int]:
    """``first + i`` repeated ``lengths[i]`` times, for every i (C-level iterators only)."""
    n = len(lengths)
    expanded = [m.start() for m in _EXPANDED.finditer(lengths)]
    if not expanded:
        if lengths.count(1) == n:
            return list(range(first, first + n))
        return list(compress(range(first, first + n), lengths))
    if len(expanded) * 8 > n:
        return list(chain.from_iterable(map(repeat, range(first, first + n), lengths)))
    clamped = lengths.translate(_CLAMP)
    result: list[int] = []
    prev = 0
    for i in expanded:
        result.extend(compress(range(first + prev, first + i), clamped[prev:i]))
        result.extend(repeat(first + i, lengths[i]))
        prev = i + 1
    result.extend(compress(range(first + prev, first + n), clamped[prev:]))
    return result


def normalize(text: str, lang: str | None = None, base: int = 0) -> Normalized:
    """Normalize ``text`` (a slice of a file's text starting at file offset ``base``).

    ``lang`` is accepted for language-specific extras; the rules in the module docstring are
    applied to every language.  Offsets in the result are file offsets (``base`` added).
    """
    del lang  # every rule applies whatever the language: documents mix scripts
    n = len(text)
    out = text.translate(_FOLD)  # also fills the table for characters seen for the first time
    # Each char of `out` comes from source char i, repeated len(fold(text[i])) times.  Most
    # chars fold to exactly one char: walk only the runs of the others (deleted or expanded).
    limit = n // 16  # beyond this many runs, one more translate is cheaper than a Python loop
    runs = [m.span() for m in islice(_special_regex().finditer(text), limit + 1)]
    if not runs:
        starts = list(range(base, base + n))
    elif len(runs) > limit:
        starts = _index_map(text.translate(_LENGTHS).encode("latin-1"), base)
    else:
        starts = []
        prev = 0
        for i, j in runs:
            starts.extend(range(base + prev, base + i))
            for k in range(i, j):
                size = len(_FOLD[ord(text[k])])
                if size:
                    starts.extend(repeat(base + k, size))
            prev = j
        starts.extend(range(base + prev, base + n))
    # Each char ends one code point after it starts, except a collapsed run of spaces (below).
    patches: list[tuple[int, int]] = []  # (index in the collapsed text, end of the run)

    if "  " in out:
        # Collapse each run of spaces to its first space, which maps to the whole run.
        spaces = [m.span() for m in _SPACE_RUN.finditer(out)]
        if len(spaces) * 16 > len(out):
            keep_first = map("\0".__ne__, _NOT_FIRST_SPACE.sub("\0", out))
            keep_last = map("\0".__ne__, _NOT_LAST_SPACE.sub("\0", out))
            run_ends = list(compress(starts, keep_last))
            starts = list(compress(starts, keep_first))
            patches = [(k, run_ends[k] + 1) for k in range(len(starts)) if run_ends[k] != starts[k]]
        else:
            new_starts: list[int] = []
            prev = 0
            for i, j in spaces:
                new_starts.extend(starts[prev : i + 1])
                patches.append((len(new_starts) - 1, starts[j - 1] + 1))
                prev = j
            new_starts.extend(starts[prev:])
            starts = new_starts
        out = _SPACE_RUN.sub(" ", out)
    ends = list(map((1).__add__, starts))
    for k, e in patches:
        ends[k] = e
    if out.startswith(" "):
        out = out[1:]
        del starts[0], ends[0]
    if out.endswith(" "):
        out = out[:-1]
        del starts[-1], ends[-1]
    starts.append(base + n)
    return Normalized(out, tuple(starts), tuple(ends))


# Folding a long text by a table of code points in numpy (decode, look up, encode) takes a third
# of ``str.translate``'s time over a dict: that looks every character up as an int object.
# Below this length translate is cheaper.
_ARRAY_FOLD_FROM = 512
_CP_UNSEEN, _CP_DELETED, _CP_EXPANDED = np.uint32(0xFFFFFFFF), np.uint32(0xFFFFFFFE), np.uint32(0xFFFFFFFD)
_BMP_FOLD = np.full(0x10000, _CP_UNSEEN, dtype=np.uint32)  # code point -> folded one (or a mark above), as _FOLD


def _folded(text: str) -> str:
    """``text.translate(_FOLD)`` (and the table filled as it fills it)."""
    if len(text) < _ARRAY_FOLD_FROM:
        return text.translate(_FOLD)
    try:
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:  # a lone surrogate
        return text.translate(_FOLD)
    if cps.max() > 0xFFFF:
        return text.translate(_FOLD)
    out = _BMP_FOLD[cps]
    if (out == _CP_UNSEEN).any():
        for cp in np.unique(cps[out == _CP_UNSEEN]).tolist():
            value = _FOLD[cp]
            _BMP_FOLD[cp] = ord(value) if len(value) == 1 else _CP_DELETED if not value else _CP_EXPANDED
        out = _BMP_FOLD[cps]
    if (out >= _CP_EXPANDED).any():
        if (out == _CP_EXPANDED).any():  # rare (an ellipsis, a ligature): translate expands it
            return text.translate(_FOLD)
        out = out[out != _CP_DELETED]
    return out.tobytes().decode("utf-32-le")


def normalize_text(text: str) -> str:
    """``normalize(text).text`` without the offset maps (keys, terms, shingles): the fold and
    the space runs only, several times faster."""
    out = _folded(text)
    if "  " in out:
        out = _SPACE_RUN.sub(" ", out)
    return out.strip(" ")


def fold_text(text: str) -> str:
    """:func:`normalize_text` before its space runs are collapsed and its ends stripped: the same
    words to any tokenizer that splits at spaces, for less (MinHash reads every sentence's words)."""
    return _folded(text)


_PART = "\ue000"  # a private-use character: folds to itself, is no word character


def fold_parts(text: str, parts: Sequence[str]) -> tuple[str, list[str]] | None:
    """``normalize_text(text)`` and the :func:`fold_text` of each of `parts`, substrings of `text`
    in order, from one fold of `text` (a document's terms read the one, its sentences' words the
    others: folding is per character, so the parts' folds are pieces of the text's). None when a
    part is not found after the one before it, or `text` holds the separator."""
    if _PART in text:
        return None
    pieces, at = [], 0
    for part in parts:
        i = text.find(part, at)
        if i < 0:
            return None
        pieces += (text[at:i], part)
        at = i + len(part)
    pieces.append(text[at:])
    folded = _folded(_PART.join(pieces)).split(_PART)
    if len(folded) != len(pieces):  # a character folded to the separator (none does)
        return None
    out = "".join(folded)
    if "  " in out:
        out = _SPACE_RUN.sub(" ", out)
    return out.strip(" "), folded[1::2]


def normalize_span(file_text: str, start: int, end: int, lang: str | None = None) -> Normalized:
    """Normalize ``file_text[start:end]`` with offsets into ``file_text``."""
    return normalize(file_text[start:end], lang, base=start)


# A word: letters/digits (with combining marks that survive normalization, e.g. Devanagari),
# numbers keep their inner separators (3.5, 10,000), words their inner apostrophes (don't).
_WORD = r"[^\W_](?:[^\W_]|[\u0300-\u036f\u0900-\u0dff\u0591-\u05c7])*"
# ``TOKEN.findall(normalize_text(text))`` gives the words of ``tokens(normalize(text))``, without
# the offset maps (quote search's cheap filter before aligning words).
TOKEN = re.compile(rf"\d+(?:[.,]\d+)+(?!\w)|{_WORD}(?:'{_WORD})*")
# What makes TOKEN's words differ from a text's plain ``\w+`` runs: a number with an inner
# separator, an apostrophe, an underscore, a mark that _WORD keeps inside a word.
_JOINED = re.compile(r"[_'\u0300-\u036f\u0900-\u0dff\u0591-\u05c7]|\d[.,]\d")


def token_words(text: str, plain: list[str]) -> list[str]:
    """``TOKEN.findall(text)``, given ``plain``: ``re.findall(r"\\w+", text)``. Most sentences
    hold nothing that joins or splits a word otherwise, and then the two are the same words;
    looking for such a thing costs a fraction of TOKEN's scan (quote search has the plain words
    of fifty sentences a query at hand, and wants their tokens too)."""
    return TOKEN.findall(text) if _JOINED.search(text) else plain


def normalized_tokens(text: str, base: int = 0) -> list[tuple[str, int, int]]:
    """``tokens(normalize(text, base=base))``, without building the offset maps when folding
    keeps every character in place (no character deleted or expanded, no run of spaces, none at
    either end: most sentences), where they map each offset to itself: alignment tokenizes every
    sentence a search compares with its query."""
    out = _folded_in_place(text)
    if out is None:
        return tokens(normalize(text, base=base))
    return [(m.group(), base + m.start(), base + m.end()) for m in TOKEN.finditer(out)]


def _folded_in_place(text: str) -> str | None:
    """``text`` folded, when folding keeps every character in place (no character deleted or
    expanded, no run of spaces, none at either end), so each offset maps to itself; else None."""
    out = text.translate(_FOLD)  # first: it fills the table, and so the special characters, as it goes
    if "  " in out or out[:1] == " " or out[-1:] == " " or _special_regex().search(text):
        return None
    return out


def normalized_token_columns(text: str, base: int = 0) -> tuple[list[str], list[int], list[int]]:
    """:func:`normalized_tokens` as three columns: the words, their starts, their ends. Where
    the offsets map to themselves, each column is made by one C-level pass over the matches, not
    a tuple a word (alignment tokenizes every document it pairs: a tenth of a pair's work)."""
    out = _folded_in_place(text)
    if out is None:
        found = tokens(normalize(text, base=base))
        return [w for w, _, _ in found], [s for _, s, _ in found], [e for _, _, e in found]
    matches = list(TOKEN.finditer(out))
    return (list(map(re.Match.group, matches)), list(map(base.__add__, map(re.Match.start, matches))),
            list(map(base.__add__, map(re.Match.end, matches))))


def tokens(n: Normalized) -> list[tuple[str, int, int]]:
    """Words of the normalized text with their file spans, split on whitespace and punctuation."""
    # to_source inlined (a token is never empty): this runs for every sentence a search aligns
    offsets, ends = n.offsets, n.ends
    return [(m.group(), offsets[m.start()], ends[m.end() - 1]) for m in TOKEN.finditer(n.text)]
