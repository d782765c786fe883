"""Which way a document's text runs, and the ``dir``/``lang`` attributes that tell a browser.

Browsers apply the Unicode bidi algorithm themselves: a page only has to say the direction of
each block of a document's text (``dir``), and use ``dir="auto"`` (an isolate) for short strings
such as titles whose language is not known, so that they never pull neighbouring text into their run.
"""

from __future__ import annotations

import re

RTL_LANGS = frozenset({"ar", "fa", "ur", "he", "ps", "ckb", "yi", "dv"})
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def is_rtl(lang: str | None) -> bool:
    """True for a language written right to left (``ar``, ``ar-EG``, ``fa`` …)."""
    return (lang or "").split("-")[0].lower() in RTL_LANGS


def lang_tag(lang: str | None) -> str | None:
    """``lang`` when it is a plausible BCP-47 tag: "und" or junk would mislead screen readers."""
    return lang if lang and _LANG_TAG.fullmatch(lang) else None


def dir_attrs(lang: str | None) -> dict[str, str | None]:
    """``dir`` and (when plausible) ``lang`` of a block of the document's text, for ``xmlattr``."""
    return {"dir": "rtl" if is_rtl(lang) else "ltr", "lang": lang_tag(lang)}
