"""Arabic words: a light normalisation, digits, and clitics.

This is the one place that knows how an Arabic word is spelt and what can be glued to it. Two
normalisations exist on purpose:

* :func:`sourcetrace.text.normalize.normalize` is the full fold used to *match text* (case, every
  hamza seat, ة -> ه, ى -> ي, punctuation, digits), with a map back to file offsets;
* :func:`normalize_arabic` here is the light fold used to *look words up in tables* (number words,
  titles, gazetteers, negation words): only diacritics, tatweel and the hamza on an alif go, so
  «مائة» and «مئة», «إحدى» and «احدى» meet, while ة, ى and the hamza on و/ي stay as the tables
  write them. Callers fold both the table and the text with it, so the two always agree.

Clitics: Arabic writes the conjunctions و/ف, the prepositions ب/ل/ك and the article ال as part of
the next word («وبالعراق» = and + in + the + Iraq). Callers differ in how much they may take off,
because a wrong cut costs each of them differently; each passes its own prefixes and minimum stem
(see :func:`strip_proclitic`), and the readings of :func:`clitic_readings` are there for callers
that try every reading against a table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "ARABIC_LETTER",
    "ARABIC_WORD",
    "ARTICLE",
    "CONJUNCTIONS",
    "DIGITS",
    "ascii_digits",
    "PREPOSITIONS",
    "PRONOUN_SUFFIXES",
    "arabic_words",
    "clitic_readings",
    "has_arabic",
    "normalize_arabic",
    "starts_arabic",
    "strip_enclitic",
    "strip_proclitic",
]

# Arabic-Indic and Persian digits to ASCII, one code point for one (offsets do not move).
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_OTHER_DIGIT = re.compile("[٠-٩۰-۹]")


def ascii_digits(text: str) -> str:
    """``text.translate(DIGITS)``, and ``text`` itself when it has no such digit: a regex scan for
    one is many times cheaper than translate's look-up of every character (which was a tenth of
    fact extraction, most texts having none)."""
    return text.translate(DIGITS) if _OTHER_DIGIT.search(text) else text

# The basic Arabic letters (hamza to yeh), as a character class body: "is this text Arabic?".
ARABIC_LETTER = "\u0621-\u064a"
# An Arabic word as written: letters with their diacritics, superscript alif and tatweel.
ARABIC_WORD = "[\u0621-\u064a\u064b-\u065f\u0670\u0640]+"
_ANY_LETTER = re.compile(f"[{ARABIC_LETTER}]")

CONJUNCTIONS: tuple[str, ...] = ("و", "ف")
PREPOSITIONS: tuple[str, ...] = ("ب", "ل", "ك")
ARTICLE = "ال"
# Attached pronouns, longest first (them two, you two, them, them f., you, you f., us, her, him,
# you, me/my).
PRONOUN_SUFFIXES: tuple[str, ...] = ("هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ه", "ك", "ي")

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, Quranic signs, tatweel
_LETTERS = re.compile("[\u0621-\u064a\u067e\u0686\u06a4\u06af\u0671]+")
_HAMZA_ALIF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})


def has_arabic(text: str) -> bool:
    """Does ``text`` hold an Arabic letter?"""
    return _ANY_LETTER.search(text) is not None


def starts_arabic(word: str) -> bool:
    """Does ``word`` begin with an Arabic letter (is it an Arabic token)?"""
    return "\u0621" <= word[:1] <= "\u064a"


def normalize_arabic(text: str) -> str:
    """Drop diacritics and tatweel, and write every hamza-carrying alif as a bare alif (the light
    fold for table look-ups; see the module docstring)."""
    return _MARKS.sub("", text).translate(_HAMZA_ALIF)


def arabic_words(text: str) -> list[str]:
    """The Arabic words of ``text`` (normalised; punctuation, digits and Latin dropped)."""
    return _LETTERS.findall(normalize_arabic(text))


def clitic_readings(word: str, *, min_stem: int = 2) -> list[str]:
    """The word and its readings without proclitics: conjunction و/ف, preposition ب/ل/ك, article
    ال (and ل + ال written لل). The word itself comes first, then shorter readings whose stem keeps
    at least ``min_stem`` letters, in the order conjunction, preposition, article: the last
    reading is the barest.

    >>> clitic_readings("والكتاب")
    ['والكتاب', 'الكتاب', 'كتاب']
    """
    out = [word]

    def add(w: str) -> None:
        if len(w) >= min_stem and w not in out:
            out.append(w)

    for conj in ("", *CONJUNCTIONS):
        if conj and not word.startswith(conj):
            continue
        w1 = word[len(conj):]
        add(w1)
        for prep in ("", *PREPOSITIONS):
            if prep and not w1.startswith(prep):
                continue
            w2 = w1[len(prep):]
            add(w2)
            if w2.startswith(ARTICLE):
                add(w2[2:])
            if prep == "ل" and w2.startswith("ل"):  # لل = ل + ال
                add(w2[1:])
    return out


def strip_proclitic(word: str, prefixes: Sequence[str], *, min_stem: int) -> str:
    """``word`` without the first of ``prefixes`` (in the order given: put longer ones first) that
    it starts with and that leaves at least ``min_stem`` letters; ``word`` itself when none does.

    One cut only: callers that need every reading use :func:`clitic_readings`.
    """
    for pre in prefixes:
        if word.startswith(pre) and len(word) - len(pre) >= min_stem:
            return word[len(pre):]
    return word


def strip_enclitic(word: str, suffixes: Sequence[str], *, min_stem: int) -> str:
    """``word`` without the first of ``suffixes`` (in the order given) that it ends with and that
    leaves at least ``min_stem`` letters; ``word`` itself when none does."""
    for suf in suffixes:
        if word.endswith(suf) and len(word) - len(suf) >= min_stem:
            return word[: -len(suf)]
    return word
