"""Sentence splitting for Arabic and English text, in file offsets.

``split_sentences(text, start, end, lang)`` splits the region ``[start, end)`` of a file's text
into sentence spans ``(s, e)`` that are offsets into ``text`` itself (Unicode code points), in
order, non-overlapping, never empty, and trimmed of surrounding whitespace (and of invisible
marks such as RLM/LRM/ZWSP/BOM).

Rules, briefly:

* A line break (``\\n``, ``\\r``, ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028/9) is
  always a hard boundary; a headline line is a sentence without a full stop. Blank lines give
  nothing.
* Inside a line a sentence ends at ``. ! ? …`` or Arabic ``؟`` / ``۔`` (a run of them), plus any
  closing quotes/brackets (``” " ’ ' » ) ]``), when whitespace and more text follow. Arabic
  ``،`` and ``؛`` and ``;`` never end a sentence.
* Never a boundary when the next word (past opening quotes/brackets) starts with a lowercase
  letter (``"Why?" he asked``, ``wait … then``, ``e.g. apples``).
* A line that is one verse of Arabic poetry (two hemistichs of 2-9 words around an ellipsis, then
  nothing but marks and a verse number) is one sentence: a hemistich is half a unit of sense.
* ``؟`` and ``۔`` always end a sentence; ``!``/``?``/ellipsis end one before a non-lowercase word.
* A single ``.`` is not a boundary after: a title or abbreviation (``Mr. Dr. St. Jan. Gen. Sen.
  Rep. vs. …``); ``No./Nos./Fig./Art./p./pp.`` before a number; a single-letter initial in any
  script (``Michael R. Pompeo``, ``مايكل ر. بومبيو``, ``هـ.``); dotted abbreviations
  (``U.S. U.N. Ph.D. a.m. أ.د.``) unless the next word is a common sentence opener
  (``the U.S. The …``); ``e.g.``/``i.e.`` ever; a list marker that is the first token of its
  line (``1.``, ``١.``, ``2.3.``, ``iv.``, ``a.``).
* Decimals (``7.7``, ``3.5%``, ``٣٫٥``), dates (``4.6.2020``), URLs and e-mail addresses never
  split because a boundary needs whitespace right after the terminator.

``lang`` (``"ar"``, ``"en"``, anything else) is accepted as a hint; the rules are keyed on the
script of the characters involved, so mixed text is handled the same way whatever it says.
The splitter is pure Python over precompiled regular expressions (tens of MB/s).

* A sentence longer than :data:`MAX_SENTENCE` characters (text with no sentence punctuation, a
  pasted table, a whole JSONL record on one line) is cut into pieces of at most that length: after
  the last clause mark (``، ؛ , ; : — –``) followed by whitespace in the second half of the
  window, else at the last whitespace there, else hard at the bound. Such a "sentence" otherwise
  went whole to the encoders (megabytes: a hang). The longest real sentences of the seeds are
  475 characters (73 words, English) and 415 (70 words, Arabic); 1,000 characters is about twice
  that, and about as much as the encoders read anyway (e5 truncates at 512 tokens).
"""

from __future__ import annotations

import re

__all__ = ["split_sentences", "unwrapped", "wrapped", "run_on", "NEWLINES", "MAX_SENTENCE"]

#: Characters that always break a line (the same set as ``str.splitlines``).
NEWLINES = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"

# Invisible format characters trimmed from sentence edges, besides whitespace.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c\u202a\u202b\u202c\u202d\u202e"

_TERMS = ".!?\u2026\u061f\u06d4"  # . ! ? … ؟ ۔
_CLOSERS = "\u201d\"\u2019'\u00bb)\\]}\u203a\u201c"  # ” " ’ ' » ) ] } › “
_OPENERS = "\"'\u201c\u2018\u00ab([{\u2039\u00bf\u00a1"  # " ' “ ‘ « ( [ { ‹ ¿ ¡

_NL = re.escape(NEWLINES)

#: The longest sentence (characters) handed on; longer ones are cut (see the module's notes).
MAX_SENTENCE = 1000
_MIN_PIECE = MAX_SENTENCE // 2  # a cut is never earlier than this in its window: linear work
# Clause marks a long sentence is cut after: , ; : ، ؛ — – (and their full-width forms).
_CLAUSE_RE = re.compile(r"[,;:\u060c\u061b\u2014\u2013\uff0c\uff1b\uff1a](?=\s)")
_SPACE_RE = re.compile(r"\s")

# A line, already trimmed of whitespace at both ends (leading whitespace incl. blank lines is
# skipped by finditer; the optional tail backtracks to the last non-space character).
_LINE_RE = re.compile(r"\S(?:[^" + _NL + r"]*\S)?")
# A candidate boundary inside a line: terminators, closers, whitespace, then more text. Only at
# the start of a run of terminators: otherwise each position of a long run ("!!!…") would rescan
# the rest of it (quadratic); a match from inside a run could never differ from one at its start.
_CAND_RE = re.compile(r"(?<![" + _TERMS + r"])([" + _TERMS + r"]+)([" + re.escape(_CLOSERS) + r"]*)[" + _INVISIBLE + r"]*\s+(?=\S)")


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


_ALWAYS_ABBR = _words(
    """Mr Mrs Ms Mssrs Messrs Mmes Mme Mlle Dr Drs St Ste Mt Ft Prof Gen Sen Rep Reps Gov Lt Col Maj
    Capt Cpt Sgt Adm Cmdr Cdr Brig Hon Amb Pres Sec Supt Rev Fr Jan Feb Mar Apr Jun Jul Aug Sep
    Sept Oct Nov Dec vs v cf viz approx ca esp Vs Cf Approx"""
)
_NUM_ABBR = _words("No Nos no nos Fig Figs fig Art Arts art Para para Vol vol Vols p pp Ch ch")
_NEVER_ACRONYM = frozenset(["e.g", "i.e", "E.g", "I.e"])  # the final period is not part of the token
# After a dotted abbreviation (U.S., a.m.) these words start a new sentence.
_STARTERS = _words(
    """The This That These Those There Then It Its We Our Us He She His Her They Their I In On At As
    After Before During When While But And However Meanwhile Today Tomorrow Yesterday A An
    According Also Moreover Furthermore Since If Yet So Still Such To For With Some Many Most All
    Both Each Under Over Following Earlier Later Last Next Now"""
)

_LETTER = r"[^\W\d_]"
# A single letter (any script; Arabic may carry a tatweel, as in هـ) — an initial.
_INITIAL_RE = re.compile(_LETTER + r"\u0640?")
# Dotted abbreviations, the final period excluded: U.S, e.g, Ph.D, أ.د
_DOTTED_RE = re.compile(r"(?:" + _LETTER + r"{1,2}\u0640?\.)+" + _LETTER + r"{1,2}\u0640?")
# First token of a line that is a list marker: 1, ١, 2.3, iv, IV, a, B
_MARKER_RE = re.compile(r"\(?(?:\d+(?:\.\d+)*|[ivxlcIVXLC]{1,6}|" + _LETTER + r")\)?")
_WORD_RE = re.compile(r"\w+")

_STRIP_LEAD = _OPENERS + "*_-\u2013\u2014<"
_STRIP_TOKEN_TAIL = _CLOSERS


def _next_is_lower(text: str, pos: int, end: int) -> bool:
    """Whether the first letter-like character at ``pos`` (past openers) is lowercase."""
    while pos < end and (text[pos] in _OPENERS or text[pos] in _INVISIBLE):
        pos += 1
    return pos < end and text[pos].islower()


def _is_boundary(text: str, line_start: int, m: re.Match[str], line_end: int) -> bool:
    term = m.group(1)
    nxt = m.end()
    if "\u061f" in term or "\u06d4" in term:  # Arabic question mark / full stop
        return True
    if _next_is_lower(text, nxt, line_end):
        return False
    if term != ".":  # ! ? … ... ?! etc.
        return True
    if m.group(2):  # sentence-ending period inside closing quotes/brackets
        return True
    # The token just before the period.
    p = m.start()
    lo = p - 40 if p - 40 > line_start else line_start
    window = text[lo:p]
    if not window or window[-1].isspace():
        return True  # a lone " . "
    parts = window.split()
    tok = parts[-1]
    first_in_line = lo == line_start and len(parts) == 1
    tok = tok.lstrip(_STRIP_LEAD).rstrip(_STRIP_TOKEN_TAIL)
    if not tok:
        return True
    if tok in _ALWAYS_ABBR:
        return False
    if tok in _NUM_ABBR:
        c = text[nxt] if nxt < line_end else ""
        if c.isdigit() or c == "#":
            return False
    if _INITIAL_RE.fullmatch(tok):
        return False
    if first_in_line and _MARKER_RE.fullmatch(tok):
        return False
    if _DOTTED_RE.fullmatch(tok):
        if tok in _NEVER_ACRONYM:
            return False
        w = _WORD_RE.match(text, nxt + 1 if text[nxt] in _OPENERS else nxt, line_end)
        return w is not None and w.group() in _STARTERS
    return True


# A line of Arabic verse as plain-text editions print it: two hemistichs of a few words around an
# ellipsis ("رماني الدهر بالأرزاء حتى ... فؤادي في غشاء من نبال"), maybe a closing mark and the
# verse number after it. The verse is the unit of sense: a hemistich of four or five words is too
# short to align or to count as shared text (OpenITI's diwans and commentaries, bench/realtext.py).
_HEMISTICH_WORDS = (2, 9)
_ELLIPSES = ("...", "\u2026")
_TERM_RE = re.compile(f"[{_TERMS}]")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")


def _hemistichs(text: str, line_start: int, m: re.Match[str], line_end: int) -> bool:
    """Whether the ellipsis ``m`` parts the two hemistichs of a line that is one verse in Arabic."""
    if m.group(1) not in _ELLIPSES or m.group(2):
        return False
    first = text[line_start:m.start()]
    rest = text[m.end():line_end]
    cut = _TERM_RE.search(rest)
    second, tail = (rest[:cut.start()], rest[cut.start():]) if cut else (rest, "")
    lo, hi = _HEMISTICH_WORDS
    return (not _TERM_RE.search(first) and lo <= len(first.split()) <= hi and lo <= len(second.split()) <= hi
            and bool(_ARABIC_LETTER.search(first)) and bool(_ARABIC_LETTER.search(second))
            and not any(ch.isalpha() for ch in tail))


def is_verse_line(line: str) -> bool:
    """Whether a line (stripped) is one verse of Arabic poetry, as :func:`split_sentences` reads it:
    two hemistichs around an ellipsis."""
    m = next((m for m in _CAND_RE.finditer(line) if m.group(1) in _ELLIPSES), None)
    return m is not None and _hemistichs(line, 0, m, len(line))


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop invisible marks (and any whitespace they hide) from both ends."""
    while s < e and (text[s] in _INVISIBLE or text[s].isspace()):
        s += 1
    while e > s and (text[e - 1] in _INVISIBLE or text[e - 1].isspace()):
        e -= 1
    return s, e


def _cut(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """``[s, e)``, a trimmed sentence longer than MAX_SENTENCE, in trimmed pieces of at most that."""
    out = []
    while e - s > MAX_SENTENCE:
        lo, hi = s + _MIN_PIECE, s + MAX_SENTENCE
        cut = -1
        for m in _CLAUSE_RE.finditer(text, lo, hi):  # the last clause mark in [lo, hi)
            cut = m.end()
        if cut < 0:
            for m in _SPACE_RE.finditer(text, lo, hi + 1):  # the last whitespace: a piece ends before it
                cut = m.start()
        if cut <= s:
            cut = hi  # one enormous token: hard at the bound
        ps, pe = _trim(text, s, cut)
        if ps < pe:
            out.append((ps, pe))
        s, e = _trim(text, cut, e)
    if s < e:
        out.append((s, e))
    return out


def split_sentences(
    text: str, start: int = 0, end: int | None = None, lang: str | None = None
) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences; return ``(start, end)`` spans in file offsets.

    Spans are in order, non-overlapping, non-empty, trimmed of whitespace and never cross a
    line break. ``lang`` is a hint ("ar", "en" or None); both scripts are always handled.
    """
    n = len(text)
    if end is None or end > n:
        end = n
    if start < 0:
        start = 0
    if start >= end:
        return []
    out: list[tuple[int, int]] = []
    append = out.append
    cand_finditer = _CAND_RE.finditer
    invisible = _INVISIBLE

    def emit(s: int, e: int) -> None:
        if text[s] in invisible or text[e - 1] in invisible:
            s, e = _trim(text, s, e)
        if e - s > MAX_SENTENCE:
            out.extend(_cut(text, s, e))
        elif s < e:
            append((s, e))

    for lm in _LINE_RE.finditer(text, start, end):
        ls, le = lm.span()
        s = ls
        for m in cand_finditer(text, ls, le):
            if _is_boundary(text, ls, m, le) and not (s == ls and _hemistichs(text, ls, m, le)):
                emit(s, m.end(2))
                s = m.end()
        emit(s, le)
    return out


# -- hard wraps ------------------------------------------------------------------------------------
_BREAK = re.compile(f"[{_NL}]")
_SENTENCE_END = ".!?\u2026\u061f\u06d4:;\"'\u201d\u2019\u00bb)]"  # what a line may end a sentence with


_COMMAS = ",\u060c"  # , ،


def _open_break(text: str, end: int, start: int) -> bool:
    """Whether ``text[end:start]`` is one line break (spaces aside) after a line that ends
    without a sentence end."""
    stretch = text[end:start]
    return (len(_BREAK.findall(stretch)) == 1 and not stretch.strip() and end > 0
            and text[end - 1] not in _SENTENCE_END and start < len(text))


def wrapped(text: str, end: int, start: int) -> bool:
    """Whether the stretch ``text[end:start]`` between two words is a hard wrap: one line break,
    spaces only, the line before it ending without a sentence end and the next one going on in
    lowercase or after a comma (a text wrapped at a fixed width continues its sentence on the
    next line; a blank line, a full stop or a capital starts a new paragraph or heading, unless
    the line ends with a comma, which no paragraph or heading ends with: "Letterlike Symbols,
    Number Forms,\nArrows, Mathematical Operators" in a list wrapped at a fixed width)."""
    if end < start and text[end] in _COMMAS:
        end += 1  # between two words (the reuse matcher's tokens) the comma lies in the stretch
    return _open_break(text, end, start) and (text[start].islower() or text[end - 1] in _COMMAS)


def unwrapped(text: str, spans: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Sentence spans joined across the hard wraps between them (:func:`wrapped`): the splitter cuts
    at every line break, so a sentence of a text wrapped at a fixed width comes in pieces that a
    copy wrapped elsewhere does not share (PAN's web texts, bench/realtext.py)."""
    return _joined(text, spans, wrapped)


def run_on(text: str, spans: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Sentence spans joined across every single line break after a line that ends without a
    sentence end, whatever the next line starts with: units that do not depend on where a text's
    lines break. Web text wrapped at a fixed width goes on in capitals as often as not (a name,
    "Company Inc", a list of products), and a copy wrapped elsewhere has other lines (PAN's web
    texts, bench/realtext.py); :func:`unwrapped`, which needs a lowercase word after the break,
    keeps those lines apart. A heading joined to its first sentence is the price: this is for
    matching units (candidate search), never for the sentences shown or aligned."""
    return _joined(text, spans, _open_break)


def _joined(text: str, spans, joins) -> list[tuple[int, int]]:
    """Consecutive spans joined wherever ``joins(text, end, start)`` holds between them."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and joins(text, out[-1][1], s):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out
