"""Bytes to text: the one place where a file's encoding is decided.

Offsets everywhere in sourcetrace are code points of the text returned here, so this module
keeps that text *exactly as decoded*:

* A byte-order mark is consumed by the codec and never counted (``utf-8-sig``, ``utf-16``,
  ``utf-32``). For every result, ``raw.decode(encoding) == text`` holds, so a span can always be
  checked against the original bytes.
* Line endings are **not** normalised: ``"\\r\\n"`` stays two code points and a lone ``"\\r"``
  stays one. Normalising here would silently shift every offset after the first CRLF; matching
  code that wants ``"\\n"`` builds its own normalised string with a map back to these offsets.

Order of decisions: empty → BOM → binary check → (HTML only) a declared charset that fits →
strict UTF-8 → Arabic code pages (Windows-1256, ISO-8859-6) → Western pages (Windows-1252,
ISO-8859-1, ISO-8859-15) when they read as clean text → charset-normalizer.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

__all__ = ["DecodeError", "decode", "declared_charset", "normalise_encoding"]

# Checked longest first: the UTF-32 LE BOM starts with the UTF-16 LE BOM.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_ARABIC_PAGES = ("cp1256", "iso8859-6")
# Statistics alone pick any 8-bit page for a short Western text (a Latin-1 "Café naïve, déjà vu"
# came out cp1257 "naļve", another cp775): for a tool that reads Arabic and English, the Western
# pages are the ones that make sense after the Arabic ones, tried in order while the text they
# give reads clean. Cyrillic, Greek or Central European bytes read through them score a mess
# ratio of 1.0 or more (clean Western text 0.0-0.1), so those still go to the detector.
_WESTERN_PAGES = ("cp1252", "iso8859-1", "iso8859-15")
_MAX_WESTERN_MESS = 0.2
# Control characters that plain text legitimately contains.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")
_SAMPLE = 65_536  # bytes looked at for the binary check: enough to judge, cheap on big files
_MAX_CONTROL_SHARE = 0.10
# Unicode category Cc (C0, DEL, C1) minus the controls that ordinary text files contain.
_CONTROL_BYTES = bytes(b for b in range(0x80) if (b < 0x20 and chr(b) not in _TEXT_CONTROLS) or b == 0x7F)
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")

_DECLARED_RE = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""  # <meta charset> and http-equiv
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",  # XHTML's XML declaration
    re.IGNORECASE,
)

MSG_EMPTY = "empty file"
MSG_BINARY = "binary file (not text)"
MSG_UNDECODABLE = "cannot decode: not UTF-8 and no known encoding fits"


class DecodeError(ValueError):
    """The bytes are not text we can read; ``str(err)`` is the reason shown to the user."""


def normalise_encoding(name: str) -> str:
    """Python's canonical lower-case codec name: ``windows-1256`` → ``cp1256``, ``iso_8859_6`` → ``iso8859-6``."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.strip().lower().replace("_", "-")


def declared_charset(raw: bytes) -> str | None:
    """The charset an HTML/XHTML head declares (``<meta charset>``, http-equiv, ``<?xml encoding>``)."""
    match = _DECLARED_RE.search(raw[:4096])  # HTML requires the declaration in the first 1024 bytes
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # WHATWG: "iso-8859-1" and "ascii" labels mean windows-1252 on the web.
    if name in ("iso8859-1", "ascii"):
        return "cp1252"
    return name


def decode(raw: bytes, *, html: bool = False) -> tuple[str, str]:
    """Decode a file's bytes; return ``(text, encoding)``.

    ``text`` is exactly what ``raw.decode(encoding)`` gives: BOM not counted, line endings kept
    (``"\\r\\n"`` counts as 2 code points). ``encoding`` is a normalised codec name such as
    ``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1256`` or ``iso8859-6``.

    With ``html=True`` a charset declared in the page head is used when it decodes the bytes
    cleanly and is not contradicted by them (valid UTF-8 wins over a stale ``iso-8859-1`` label).

    Raises :class:`DecodeError` for an empty, binary or undecodable file.
    """
    if not raw:
        raise DecodeError(MSG_EMPTY)

    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                raise DecodeError(f"cannot decode: starts with a {codec.upper()} byte-order mark "
                                  "but is not valid " + codec.upper()) from None
            return _checked(text), codec

    if b"\x00" in raw:
        # NUL bytes never occur in 8-bit text; they do in BOM-less UTF-16 of mostly-ASCII text.
        found = _bomless_utf16(raw)
        if found is None:
            raise DecodeError(MSG_BINARY)
        return _checked(found[0]), found[1]

    if _control_share(raw[:_SAMPLE]) > _MAX_CONTROL_SHARE:
        raise DecodeError(MSG_BINARY)

    utf8: str | None
    try:
        utf8 = raw.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None

    if html:
        declared = declared_charset(raw)
        if declared and not declared.startswith(("utf-16", "utf-32")):
            # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the label says (a common mistake).
            if utf8 is not None and declared != "utf-8" and not raw.isascii():
                return _checked(utf8), "utf-8"
            text = _try_declared(raw, declared)
            if text is not None:
                return _checked(text), declared

    if utf8 is not None:
        return _checked(utf8), "utf-8"

    arabic = _arabic_page(raw)
    if arabic is not None:
        return _checked(arabic[0]), arabic[1]

    western = _western_page(raw)
    if western is not None:
        return western

    return _checked_guess(raw)


def _checked(text: str) -> str:
    """Reject text that decoded but is mostly control characters (a binary file in disguise)."""
    sample = text[:_SAMPLE]
    if sample:
        controls = len(_CONTROL_CHARS.findall(sample))
        if controls / len(sample) > _MAX_CONTROL_SHARE:
            raise DecodeError(MSG_BINARY)
    return text


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    # Deleting the control bytes in C and comparing lengths beats a Python loop by far.
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample)


def _bomless_utf16(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: its NULs (high bytes of ASCII) all fall on one byte parity.

    Arabic UTF-16 has NULs only at spaces and punctuation, so parity alone decides the byte
    order; the decoded text must then look like writing, which random binary never does.
    """
    if len(raw) % 2 or len(raw) < 4:
        return None
    sample = raw[:_SAMPLE]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if even == 0 and odd:
        codec = "utf-16-le"  # ASCII 'a' is 61 00
    elif odd == 0 and even:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return None
    head = text[: _SAMPLE // 2]
    writing = sum(1 for ch in head if ch in _TEXT_CONTROLS or unicodedata.category(ch)[0] in "LZPNM")
    return (text, codec) if writing >= 0.95 * len(head) else None


def _try_declared(raw: bytes, declared: str) -> str | None:
    """The text under a declared charset, or None if the bytes contradict the declaration."""
    try:
        text = raw.decode(declared)
    except (UnicodeDecodeError, LookupError):
        return None
    # Arabic bytes under a wrong label (cp1252, or the other Arabic page) show as stray Latin
    # letters; genuine Western text never passes the Arabic probe, so this cannot misfire on it.
    arabic = _arabic_page(raw)
    if arabic is not None and arabic[1] != declared:
        return None
    if mess_ratio(text[:_SAMPLE], 0.2) >= 0.2:
        return None
    return text


def _is_arabic(ch: str) -> bool:
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF


def _arabic_share(text: str) -> float:
    """Share of non-ASCII letters that are Arabic, or 0 if they sit inside Latin words.

    Latin text read through an Arabic page turns its accents into Arabic letters ("Café" →
    "Cafى"); real Arabic letters almost never touch an ASCII letter, so that is the tell.
    """
    sample = text[:_SAMPLE]
    letters = arabic = touching = 0
    for i, ch in enumerate(sample):
        if ord(ch) <= 0x7F or not ch.isalpha():
            continue
        letters += 1
        if _is_arabic(ch):
            arabic += 1
            before = sample[i - 1] if i else ""
            after = sample[i + 1] if i + 1 < len(sample) else ""
            if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
                touching += 1
    if not arabic or touching > 0.05 * arabic:
        return 0.0
    return arabic / letters


def _arabic_page(raw: bytes) -> tuple[str, str] | None:
    """Windows-1256 or ISO-8859-6, when one of them turns the bytes into Arabic text.

    Tried before the general detector because our inputs are Arabic official texts, and short
    Arabic snippets are otherwise easily mistaken for UTF-16 or Thai (cp874) by statistics alone.
    """
    fits: list[tuple[float, str, str]] = []
    for codec in _ARABIC_PAGES:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue  # ISO-8859-6 leaves many bytes undefined: cp1256 text usually fails here
        share = _arabic_share(text)
        if share >= 0.8:
            fits.append((share, codec, text))
    if not fits:
        return None
    if len(fits) == 2:
        if fits[0][0] != fits[1][0]:
            fits.sort(key=lambda f: -f[0])  # fewer stray Latin letters wins
        else:
            # All letters Arabic both ways (short texts): let the detector judge coherence.
            best = from_bytes(raw, cp_isolation=list(_ARABIC_PAGES)).best()
            if best is not None and normalise_encoding(best.encoding) == fits[1][1]:
                fits.reverse()
    _share, codec, text = fits[0]
    return text, codec


def _western_page(raw: bytes) -> tuple[str, str] | None:
    """The first Western page that decodes the bytes into clean text (no C1 controls, low mess)."""
    for codec in _WESTERN_PAGES:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue  # cp1252 leaves five bytes undefined
        sample = text[:_SAMPLE]
        if _CONTROL_CHARS.search(sample) or mess_ratio(sample, 1.0) >= _MAX_WESTERN_MESS:
            continue
        return text, codec
    return None


def _checked_guess(raw: bytes) -> tuple[str, str]:
    """charset-normalizer's best guess, re-decoded strictly so that ``raw.decode(enc) == text``.

    Among guesses as good as the best, Windows-1252 wins: statistics alone cannot tell it from
    cp1250/cp1257 on short Western text, and it is by far the likelier page for English/French.
    """
    matches = [m for m in from_bytes(raw)
               # without a BOM or NULs these are statistical accidents on 8-bit text
               if not normalise_encoding(m.encoding).startswith(("utf-16", "utf-32"))]
    if matches:
        best = matches[0].chaos
        if any(m.chaos <= best + 0.01 and "cp1252" in m.could_be_from_charset for m in matches):
            matches.insert(0, _Guess("cp1252"))
    for match in matches:
        codec = normalise_encoding(match.encoding)
        try:
            return _checked(raw.decode(codec)), codec
        except (UnicodeDecodeError, LookupError):
            continue
    raise DecodeError(MSG_UNDECODABLE)


class _Guess:
    """A codec to try first, shaped like a charset-normalizer match."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
