"""Language identification for documents and sentences.

Two tools, each for what it is good at:

* :func:`script_profile` counts letters by script. It is exact and costs one pass, so the
  segmenter uses it on every line to see where a file switches between Arabic and Latin text.
* :func:`detect` asks lingua (models shipped inside the wheel, no network) for the language of a
  document, so that Persian or Urdu in Arabic script, and French or Spanish in Latin script, are
  not mislabelled. Only a sample of the text is passed: lingua's cost grows with the input and a
  few hundred letters decide a document's language.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

# Languages a newsroom archive of Arabic/English material plausibly holds. A restricted set keeps
# lingua fast and stops rare look-alikes (e.g. Malay for short English) from winning.
_LANGUAGES = ("ARABIC", "ENGLISH", "FRENCH", "SPANISH", "GERMAN", "PERSIAN", "URDU", "TURKISH",
              "HEBREW", "RUSSIAN", "ITALIAN", "PORTUGUESE")
_SAMPLE_CHARS = 400

_lock = threading.Lock()


@dataclass(frozen=True)
class ScriptProfile:
    arabic: int
    latin: int
    other: int

    @property
    def letters(self) -> int:
        return self.arabic + self.latin + self.other

    @property
    def dominant(self) -> str | None:
        """"arabic", "latin", "other", or None for text without letters."""
        if not self.letters:
            return None
        best = max(("arabic", self.arabic), ("latin", self.latin), ("other", self.other),
                   key=lambda kv: kv[1])
        return best[0]


_LATIN_LETTERS = re.compile("[A-Za-z\u00C0-\u024F]")
_ARABIC_LETTERS = re.compile("[\u0620-\u064A\u066E-\u06D3\u06D5\u06EE-\u06FF\u0750-\u077F\u08A0-\u08C9"
                             "\uFB50-\uFDFB\uFE70-\uFEFC]")
# One byte-translation classifies every UTF-8 lead byte (and ASCII letter) by script; counting the
# class bytes then runs in C. The profiler showed this function on every line of every file.
_LATIN_LEADS = (0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9)  # U+00C0-U+027F: accented Latin letters
_ARABIC_LEADS = (0xD8, 0xD9, 0xDA, 0xDB, 0xDD)  # U+0600-U+06FF, U+0740-U+077F
_OTHER_LEADS = (0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xDC,  # Greek … Hebrew, Syriac
                0xE0, 0xE1, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED)  # Indic, CJK …
_CLASS = bytearray(b"-" * 256)
for _b in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + bytes(_LATIN_LEADS):
    _CLASS[_b] = ord("L")
for _b in _ARABIC_LEADS:
    _CLASS[_b] = ord("A")
for _b in _OTHER_LEADS:
    _CLASS[_b] = ord("O")
_CLASS_TABLE = bytes(_CLASS)
# Arabic-block code points that are not letters: comma, semicolon, question mark, tatweel,
# Arabic-Indic digits and separators. Subtracted where few Arabic letters make them matter.
_ARABIC_NON_LETTER_BYTES = tuple(chr(c).encode("utf-8") for c in (0x060C, 0x061B, 0x061F, 0x0640, *range(0x0660, 0x066D)))


def script_profile(text: str) -> ScriptProfile:
    """Letters by script, approximately: code points of each script's main blocks.

    Arabic counts the Arabic blocks (diacritics included; digits and punctuation excluded where
    they could change the verdict, i.e. below 50 Arabic characters), Latin the ASCII letters and
    the Latin-1/Extended letters, other the main blocks of other scripts. So a line of numbers and
    punctuation has no dominant script.
    """
    classes = text.encode("utf-8").translate(_CLASS_TABLE)
    arabic = classes.count(b"A")
    if 0 < arabic < 50:
        raw = text.encode("utf-8")
        arabic -= sum(map(raw.count, _ARABIC_NON_LETTER_BYTES))
    return ScriptProfile(arabic, classes.count(b"L"), classes.count(b"O"))


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    langs = [getattr(Language, name) for name in _LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*langs).build()


def _sample(text: str) -> str:
    if len(text) <= _SAMPLE_CHARS:
        return text
    # Middle of the text: first lines are often headlines or datelines in another script.
    mid = len(text) // 2
    return text[max(0, mid - _SAMPLE_CHARS // 2): mid + _SAMPLE_CHARS // 2]


# Letters that Persian, Urdu, Pashto or Kurdish use and Arabic does not: their absence in a long
# Arabic-script text makes it Arabic without asking lingua.
_NON_ARABIC_LETTERS = re.compile("[\u067E\u0686\u0698\u06AF\u06A9\u06CC\u0679\u0688\u0691\u06BA\u06BE"
                                 "\u06C1\u06D2\u06C0\u06B5\u06A4\u06CE]")
# The commonest English words: their density in a Latin-script text makes it English.
_ENGLISH_WORDS = frozenset(["the", "of", "and", "to", "in", "is", "that", "for", "it", "with", "as", "was", "on", "are", "be", "by", "this", "have", "from"])
_PUNCT = ".,;:!?\"'()[]“”‘’«»"


def detect(text: str) -> str:
    """ISO 639-1 code of the text's language, or "und" when there is nothing to tell.

    Unambiguous cases are settled by script and function words (one regex pass each); lingua
    decides the rest. Both fast paths require enough text that lingua would agree.
    """
    sample = _sample(text)
    profile = script_profile(sample)
    if profile.letters < 3:
        return "und"
    if profile.letters >= 40:
        if profile.arabic >= 0.9 * profile.letters and not _NON_ARABIC_LETTERS.search(sample):
            return "ar"
        if profile.latin >= 0.9 * profile.letters:
            words = sample.lower().split()
            if len(words) >= 12 and sum(w.strip(_PUNCT) in _ENGLISH_WORDS for w in words) >= 0.2 * len(words):
                return "en"
    with _lock:
        lang = _detector().detect_language_of(sample)
    if lang is None:
        return {"arabic": "ar", "latin": "en"}.get(profile.dominant or "", "und")
    return lang.iso_code_639_1.name.lower()


def _is_arabic_script(lang: str) -> bool:
    return lang in ("ar", "fa", "ur", "ps", "ku")


def mixed_script(text: str, document_lang: str) -> bool:
    """Whether `text` holds letters of the script the document's language is not written in."""
    other = _LATIN_LETTERS if _is_arabic_script(document_lang) else _ARABIC_LETTERS
    return other.search(text) is not None


def sentence_language(text: str, document_lang: str) -> str:
    """A sentence's language: the document's unless its script says otherwise.

    Cheap on purpose (runs on every sentence): only a sentence with letters of the other script
    is looked at closely.
    """
    if not mixed_script(text, document_lang):
        return document_lang
    arabic_doc = _is_arabic_script(document_lang)
    dominant = script_profile(text).dominant
    if dominant is None or dominant == "other" or dominant == ("arabic" if arabic_doc else "latin"):
        return document_lang
    return detect(text) if len(text) > 20 else ("ar" if dominant == "arabic" else "en")
