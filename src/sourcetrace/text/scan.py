"""A pattern's matches found by trying it only where one can begin.

Python's ``re`` tries a pattern that opens with a lookbehind (``(?<![\\d.,])\\d{1,2}...``) at every
position of the text: it cannot skip ahead to the characters a match starts with. When every match
of a pattern begins at a place a cheap scan finds (the first digit of a run of digits, a literal
word), :func:`matches_at` tries it at those places alone and gives what ``pattern.finditer`` gives
(``pattern.match`` at a position sees the text before it, so a lookbehind reads the same). The fact
layer's dates and clock times begin with a digit or a word of a short list: scanned so, the facts
of 10,000 planted documents took a quarter less CPU, the same facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import accumulate

__all__ = ["CASE_FOLDS", "digit_starts", "folded", "match_starts", "matches_at", "word_starts"]

_DIGITS = re.compile(r"(\d+)")  # opens with a character class: re skips ahead to each digit


# What re, ignoring case, takes for a lower-case ASCII letter: its capital, and four letters of other
# scripts (tests/test_scan.py asks re about every code point). ``folded`` maps each to it, one code
# point for one: a case-blind pattern's words are found in the folded text at their own offsets.
CASE_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}  # İ ı ſ, the Kelvin sign
_FOLDED_APART = re.compile(f"[{''.join(CASE_FOLDS)}]")  # what str.lower does not write as ASCII
_FOLD = str.maketrans({**{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}, **CASE_FOLDS})


def folded(text: str) -> str:
    """``text`` with every letter re's IGNORECASE reads as an ASCII letter written as that letter in
    lower case (other letters may be lower-cased too); offsets do not move. ``str.lower`` does it,
    many times faster than a translation, in a text without one of CASE_FOLDS (İ is the one code
    point it writes as two)."""
    return text.lower() if _FOLDED_APART.search(text) is None else text.translate(_FOLD)


def match_starts(pattern: re.Pattern[str], text: str) -> list[int]:
    """Where each match of ``pattern`` in ``text`` begins (as ``pattern.finditer`` finds them), without
    a match object each: ``pattern`` is one group around the whole and matches no empty string, so
    that its split gives gap, match, gap, ..., gap, and the running sum of their lengths the starts."""
    return list(accumulate(map(len, pattern.split(text)), initial=0))[1:-1:2]


def digit_starts(text: str) -> list[int]:
    """Where each run of digits (``\\d``, any script) of ``text`` begins."""
    return match_starts(_DIGITS, text)


def word_starts(text: str, word: re.Pattern[str], before: str = "") -> list[int]:
    """Where each match of ``word`` (a literal: re finds it fast) begins, and the place before it
    too when the character there is one of ``before`` (a proclitic a pattern may open with)."""
    out: list[int] = []
    for m in word.finditer(text):
        s = m.start()
        if s and text[s - 1] in before:
            out.append(s - 1)
        out.append(s)
    return out


def matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` when every match of ``pattern`` begins at one of ``starts``
    (ascending; more places are harmless) and none is empty: tried at each place from the end of
    the last match on."""
    pos = 0
    for s in starts:
        if s < pos:
            continue
        m = pattern.match(text, s)
        if m is not None:
            yield m
            pos = m.end()
