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
_SAMPLE_CHARS = 600

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


# Letters only (no Arabic digits or punctuation), counted with regexes: one C-level pass each.
_ARABIC_LETTERS = re.compile("[\u0620-\u064A\u066E-\u06D3\u06D5\u06EE-\u06FF\u0750-\u077F\u08A0-\u08C9"
                             "\uFB50-\uFDFB\uFE70-\uFEFC]")
_LATIN_LETTERS = re.compile("[A-Za-z\u00C0-\u024F]")
_ANY_LETTER = re.compile(r"[^\W\d_]")


def script_profile(text: str) -> ScriptProfile:
    arabic = len(_ARABIC_LETTERS.findall(text))
    latin = len(_LATIN_LETTERS.findall(text))
    other = len(_ANY_LETTER.findall(text)) - arabic - latin
    return ScriptProfile(arabic, latin, max(0, other))


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


def detect(text: str) -> str:
    """ISO 639-1 code of the text's language, or "und" when there is nothing to tell."""
    sample = _sample(text)
    profile = script_profile(sample)
    if profile.letters < 3:
        return "und"
    with _lock:
        lang = _detector().detect_language_of(sample)
    if lang is None:
        return {"arabic": "ar", "latin": "en"}.get(profile.dominant or "", "und")
    return lang.iso_code_639_1.name.lower()


def sentence_language(text: str, document_lang: str) -> str:
    """A sentence's language: the document's unless its script says otherwise.

    Cheap on purpose (runs on every sentence): a Latin-script sentence in an Arabic document is
    English-or-other and is sent to lingua; otherwise the document's language stands.
    """
    dominant = script_profile(text).dominant
    if dominant is None:
        return document_lang
    doc_script = "arabic" if document_lang in ("ar", "fa", "ur") else "latin"
    if dominant == doc_script or dominant == "other":
        return document_lang
    return detect(text) if len(text) > 20 else ("ar" if dominant == "arabic" else "en")
