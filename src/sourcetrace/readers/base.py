"""The reader protocol and how a file's format is chosen.

One reader per format (text, HTML, JSONL), each small and behind the same protocol, so a new
format is one new module and one line in :func:`default_readers`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import PurePath
from typing import Protocol, runtime_checkable

from sourcetrace.records import Part, SourceFile

# Characters of decoded text handed to ``sniff``: enough for a doctype or a few JSON lines.
HEAD_CHARS = 8192


class ReadError(Exception):
    """A file that cannot be read; ``reason`` is a sentence a user can act on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class NotDocuments(ReadError):
    """A file that reads but holds no document to trace (JSON with no ``text`` field: settings,
    annotations): skipped with a note, not a failure of the run."""


@runtime_checkable
class Reader(Protocol):
    """Turns one decoded file into a :class:`SourceFile`.

    ``name`` is the ``SourceFile.format`` it produces; ``suffixes`` (lower-case, with the dot)
    select it by file name; ``sniff`` recognises its content when the suffix says nothing.
    ``read`` raises :class:`ReadError` when the file holds nothing usable.
    """

    name: str
    suffixes: tuple[str, ...]

    def sniff(self, raw: bytes, text_head: str) -> bool: ...

    def read(self, path_display: str, raw: bytes, text: str, encoding: str) -> SourceFile: ...


@lru_cache(maxsize=1)  # readers are stateless: build them once, not once per file
def default_readers() -> tuple[Reader, ...]:
    """Readers in sniffing order: the most specific first, plain text (accepts anything) last."""
    # Imported here because the format modules import this one.
    from sourcetrace.readers.html import HtmlReader
    from sourcetrace.readers.jsonl import JsonlReader
    from sourcetrace.readers.text import TextReader

    return (HtmlReader(), JsonlReader(), TextReader())


def reader_for_suffix(path: str, readers: Sequence[Reader] | None = None) -> Reader | None:
    """The reader a file name asks for (case-insensitive suffix), or None if the suffix is unknown."""
    suffix = PurePath(path).suffix.lower()
    if not suffix:
        return None
    for reader in readers or default_readers():
        if suffix in reader.suffixes:
            return reader
    return None


def sniff_reader(raw: bytes, text_head: str, readers: Sequence[Reader] | None = None) -> Reader:
    """The first reader that recognises the content; the last reader is the catch-all."""
    candidates = tuple(readers or default_readers())
    for reader in candidates:
        if reader.sniff(raw, text_head):
            return reader
    return candidates[-1]


def choose_reader(path: str, raw: bytes, text: str, readers: Sequence[Reader] | None = None) -> Reader:
    """By suffix (``.txt .md .markdown .text`` / ``.html .htm .xhtml`` / ``.jsonl .ndjson .json``), else by content."""
    readers = tuple(readers or default_readers())
    return reader_for_suffix(path, readers) or sniff_reader(raw, text[:HEAD_CHARS], readers)


def looks_like_html(head: str) -> bool:
    """Starts (after whitespace) with ``<!doctype html`` or ``<html``."""
    start = head.lstrip("\ufeff \t\r\n").lower()
    return start.startswith(("<!doctype html", "<html"))


def make_source(path_display: str, raw: bytes, text: str, encoding: str, fmt: str,
                parts: list[Part] | None = None) -> SourceFile:
    """A SourceFile with the raw-bytes fields (sha256, size) filled in the same way for every format."""
    return SourceFile(
        path=path_display,
        text=text,
        encoding=encoding,
        format=fmt,
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        parts=parts or [],
    )
