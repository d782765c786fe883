"""Boilerplate: lines of a file that belong to no document's content.

Scraped pages carry captions repeated as lines, "you may also like" blocks, cookie banners,
share and read-more lines, and lines of bare non-breaking spaces. They are found line by line,
recorded as spans, excluded from sentences, and never deleted from the stored text.

A line is boilerplate when it is

* a known boilerplate phrase (Arabic or English) on a short line — short because the same words
  inside a real paragraph are content;
* a short, unpunctuated line that repeats the line next to it (a photo caption scraped twice);
* only spaces, of which at least one is not a plain space (NBSP, zero-width …): an editor's
  empty paragraph, not a line break;
* part of the file's metadata header (front matter): its opening lines when they are
  ``MIN_FRONT_FIELDS`` or more fields ``key: value`` / ``key :: value`` behind a marker
  (``#META# 020.BookTITLE :: …``, a digital library's header) or fenced by one marker line (YAML's
  ``---``), with marker lines and blank lines between. It describes the text and is none of it
  (OpenITI's Latin-script header before an Arabic book read as a document of its own, the change of
  script a boundary: 49 of 51 raw OpenITI files two documents or more, bench/huge.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sourcetrace.records import Span

MAX_BOILERPLATE_LINE = 240  # chars; a longer line is a paragraph, whatever it mentions
MAX_CAPTION_LINE = 120
MIN_FRONT_FIELDS = 3  # marked fields a metadata header opens with (a dateline and a byline are not one)

# Phrases seen on news and government sites. Matched on a lower-cased line.
_PHRASES = [
    # English
    r"you may (?:also )?like", r"read (?:more|also)\b", r"related (?:articles|stories|news|posts)",
    r"recommended (?:for you|stories)", r"share (?:this|on)\b", r"^share$", r"follow us",
    r"subscribe to (?:our|the) newsletter", r"sign up for", r"all rights reserved", r"^advertisement$",
    r"this (?:web)?site uses cookies", r"we use cookies", r"cookie (?:policy|settings)",
    r"accept (?:all )?cookies", r"click here", r"^(?:tags|keywords):", r"print this page",
    r"^copyright\b", r"^©", r"skip to (?:main )?content", r"^(?:home|menu|search)$",
    # Arabic
    r"قد يعجبك (?:ايضا|أيضا|أيضًا)", r"اقرأ (?:أيضا|ايضا|أيضًا|المزيد)", r"إقرأ (?:أيضا|ايضا|المزيد)",
    r"قراءة المزيد", r"مواضيع ذات صلة", r"أخبار ذات صلة", r"مقالات ذات صلة", r"شارك (?:هذا|على|المقال)",
    r"^شارك$", r"تابعونا", r"تابعنا على", r"جميع الحقوق محفوظة", r"ملفات تعريف الارتباط",
    r"ملفات الكوكيز", r"اشترك في (?:النشرة|نشرتنا)", r"^إعلان$", r"^الكلمات المفتاحية",
    r"^(?:وسوم|الوسوم)\s*:", r"اضغط هنا", r"انقر هنا",
]
_PHRASE_RE = re.compile("|".join(f"(?:{p})" for p in _PHRASES))
_SPACES_ONLY = re.compile(r"^\s+$")
_END_PUNCT = re.compile(r"[.!?؟:؛;…\"”»]\s*$")
# A metadata line's marker (punctuation around at most one word: "#META#", "%%", "//") and a field:
# a key of at most 40 characters with a letter, then one or two colons ("10:30" is no field).
_MARKED = re.compile(r"^([^\w\s]+\w*[^\w\s]+|[^\w\s]{2,})\s+")
_FIELD = re.compile(r"^[\d.\s]*[^\W\d_][\w .\-()]{0,40}?\s*::?")
_MARKER = re.compile(r"^[^\w\s]+(?:\s*\w+\s*[^\w\s]+)*$")


def lines_of(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Spans of the lines in text[start:end], without their line breaks (empty lines included)."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        if nl < 0:
            if pos < end:
                spans.append((pos, end))
            break
        spans.append((pos, nl))
        pos = nl + 1
    return spans


def is_boilerplate_phrase(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_BOILERPLATE_LINE:
        return False
    return _PHRASE_RE.search(stripped.lower()) is not None


def boilerplate_lines(text: str, lines: Sequence[Span]) -> list[bool]:
    """For each line span, whether it is boilerplate (see the module docstring)."""
    flags = [False] * len(lines)
    stripped = [text[s:e].strip() for s, e in lines]
    for i, (s, e) in enumerate(lines):
        raw = text[s:e]
        if raw and _SPACES_ONLY.match(raw) and raw.strip(" \t\r") != "":
            flags[i] = True  # NBSP / zero-width-only line
        elif is_boilerplate_phrase(raw):
            flags[i] = True
    # Repeated captions: short unpunctuated lines equal to their neighbour (blank lines between allowed).
    prev = None
    for i, line in enumerate(stripped):
        if not line:
            continue
        if (prev is not None and stripped[prev] == line and len(line) <= MAX_CAPTION_LINE
                and not _END_PUNCT.search(line)):
            flags[prev] = flags[i] = True
        prev = i
    for i in range(front_matter(stripped)):
        flags[i] = bool(stripped[i])
    return flags


def front_matter(lines: Sequence[str]) -> int:
    """How many of the file's first lines (stripped) are its metadata header (see the module
    docstring); 0 when it opens with none. Behind a marker, a line that is no field belongs to the
    header too (a note, a value of its own: OpenITI's headers hold both) when half its lines are
    fields; the marker may change on a field (OpenITI's older headers: "#000000#" then "#NewRec#")."""
    fields = marked = lines_in = end = 0
    closed = False  # a marker line after the fields: the header says where it ends
    fence: str | None = None
    last = ""  # the marker of the last marked line
    for i, line in enumerate(lines):
        if not line:
            continue
        m = _MARKED.match(line)
        field = _FIELD.match(line[m.end():] if m else line) is not None
        if _MARKER.match(line) and not (m and field):  # "######OpenITI#", "#META#Header#End#", YAML's "---"
            end = i + 1
            if not lines_in:
                fence = fence or line
            elif line == fence:
                return end if fields >= MIN_FRONT_FIELDS else 0
            else:
                closed = True
            continue
        # past the header: a line neither marked nor a field, marked lines then one not (or the
        # reverse), a marked line no field behind another marker (a heading "### |" after "#META#")
        if not (m or field) or lines_in and bool(m) != (marked == lines_in) or m and not field and last and m.group(1) != last:
            break
        last = m.group(1) if m else last
        lines_in, marked, fields = lines_in + 1, marked + bool(m), fields + field
        end = i + 1
    # A header closed by its own end marker keeps its notes however many (OpenITI's list of
    # manuscript witnesses, "#META# * CB1 = ...", outnumbers its fields in some files).
    return end if marked == lines_in and fields >= MIN_FRONT_FIELDS and (closed or 2 * fields >= lines_in) else 0


def merge_spans(spans: Sequence[Span], text: str) -> list[Span]:
    """Merge spans that only whitespace separates, so a block of boilerplate is one span."""
    merged: list[Span] = []
    for s, e in sorted(spans):
        if merged and not text[merged[-1][1]:s].strip():
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
