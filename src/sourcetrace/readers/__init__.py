"""Reading layer: paths → decoded :class:`~sourcetrace.records.SourceFile` records.

* :func:`discover` expands what the user typed (files, directories, globs) into file paths.
* :func:`read_file` reads one file: size check, decoding (:mod:`.decoding`), then the reader for
  its format (:mod:`.text`, :mod:`.html`, :mod:`.jsonl`) chosen by suffix or content (:mod:`.base`).
* :func:`readers_by_suffix` is the registry of the formats read by file name (suffix → reader):
  whatever filters files by name (the web app's uploads) asks it instead of keeping its own list.

Offsets into ``SourceFile.text`` are code points of the decoded text, BOM not counted, line
endings kept as they are in the file ("\\r\\n" counts as 2). For HTML and JSONL the text is the
extracted text; see ``docs/formats.md``.
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from sourcetrace.defaults import DEFAULT_MAX_BYTES
from sourcetrace.readers.base import (
    HEAD_CHARS,
    NotDocuments,
    Reader,
    ReadError,
    default_readers,
    reader_for_suffix,
    sniff_reader,
)
from sourcetrace.readers.decoding import DecodeError, decode
from sourcetrace.records import ReadFailure, SourceFile

__all__ = ["DEFAULT_MAX_BYTES", "NotDocuments", "ReadError", "Reader", "default_readers", "discover", "read_bytes", "read_file",
           "readers_by_suffix"]


# Our own stores often live next to the inputs; never read them back: SQLite and its side files,
# and the store's own beside it (store/locks.py's "X.db.NAME.lock", the quote index's
# "X.db.quotes.faiss" and its ".tmp" while written, the web app's "X.db.uploads" folder).
_OWN_STORE = re.compile(r"\.db(-journal|-wal|-shm|\.quotes\.faiss(\.tmp)?|\.\w+\.lock|\.uploads)?$", re.IGNORECASE)


@lru_cache(maxsize=1)
def readers_by_suffix() -> Mapping[str, Reader]:
    """Every suffix a reader claims (lower-case, with the dot, e.g. ``.ndjson``) → that reader, in
    :func:`default_readers` order: the one list of the file types sourcetrace reads by name."""
    return MappingProxyType({suffix: r for r in default_readers() for suffix in r.suffixes})


def read_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
              display_path: str | None = None) -> SourceFile:
    """Read, decode and extract one file.

    ``display_path`` (default: ``path`` as given) is what ``SourceFile.path`` and every error
    carry, so relative paths stay relative. Raises :class:`ReadError` with a reason a user can
    act on: missing, a directory, unreadable, too large, empty, binary, undecodable, or (HTML,
    JSONL) holding no text.
    """
    shown = display_path if display_path is not None else os.fspath(path)
    try:
        size = os.stat(path).st_size
        if os.path.isdir(path):
            raise ReadError(shown, "is a directory")
        if size > max_bytes:
            raise ReadError(shown, _too_large(size, max_bytes))
        with open(path, "rb") as handle:
            # Read one byte past the limit: stat can lie (pipes, files still growing).
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ReadError(shown, "no such file") from None
    except PermissionError:
        raise ReadError(shown, "permission denied") from None
    except IsADirectoryError:
        raise ReadError(shown, "is a directory") from None
    except OSError as err:
        raise ReadError(shown, f"cannot read: {err.strerror or err}") from None
    return read_bytes(raw, shown, name=os.fspath(path), max_bytes=max_bytes)


def read_bytes(raw: bytes, shown: str, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile:
    """Decode and extract a file's bytes read elsewhere (a distributed engine's file system);
    ``name`` (default ``shown``) picks the reader by suffix. Raises :class:`ReadError` as
    :func:`read_file` does."""
    if len(raw) > max_bytes:
        raise ReadError(shown, _too_large(len(raw), max_bytes))

    readers = default_readers()
    by_suffix = reader_for_suffix(name if name is not None else shown, readers)
    # The charset a page declares only matters for HTML, so tell the decoder when it is one.
    html_hint = (by_suffix.name == "html") if by_suffix else _html_bytes(raw)
    try:
        text, encoding = decode(raw, html=html_hint)
    except DecodeError as err:
        raise ReadError(shown, str(err)) from None
    if not text.strip():
        raise ReadError(shown, "empty file (only whitespace)")

    reader = by_suffix or sniff_reader(raw, text[:HEAD_CHARS], readers)
    return reader.read(shown, raw, text, encoding)


def discover(inputs: Sequence[str]) -> tuple[list[str], list[ReadFailure]]:
    """Expand files, directories and glob patterns into file paths, in a stable order.

    Paths come back as given (a relative input yields relative paths). Directories are walked
    recursively in sorted order, skipping hidden files and directories (``.git``), our own
    ``*.db`` stores and their side files, and the output sets of earlier runs (:func:`is_output_set`); globs support ``*``, ``?``, ``[...]`` and ``**`` (a path that exists is taken
    as it is, whatever its name holds). A file reached twice is
    listed once. A missing path, a glob matching nothing or a directory with no files is a
    :class:`ReadFailure`.
    """
    files: list[str] = []
    failures: list[ReadFailure] = []
    seen: set[str] = set()

    outputs: dict[str, bool] = {}  # folder -> is an output set (a glob's matches share a few)

    def in_output_set(path: str) -> bool:
        folder = os.path.dirname(path) or "."
        if folder not in outputs:
            outputs[folder] = is_output_set(folder)
        return outputs[folder]

    real_dirs: dict[str, str] = {}  # folder -> its real path: a corpus's files share a few folders

    def real(path: str, link: bool | None = None) -> str:
        # os.path.realpath(path) itself, resolving each folder once: realpath walks every component
        # of every path (an lstat each), a tenth of a +1% rerun's reading at 10,000 files.
        # ``link``: whether the path is a link, when a walk saw it.
        if os.path.islink(path) if link is None else link:
            return os.path.realpath(path)
        folder, name = os.path.split(path)
        if not name or name in (".", ".."):
            return os.path.realpath(path)
        if folder not in real_dirs:
            real_dirs[folder] = os.path.realpath(folder or ".")
        return os.path.join(real_dirs[folder], name)

    def add(found: str, link: bool | None = None) -> None:
        key = real(found, link)
        if key not in seen:
            seen.add(key)
            files.append(found)

    for item in inputs:
        # A file that exists is itself, even when its name holds glob characters ("[b]joint.txt").
        if glob.has_magic(item) and not os.path.exists(item):
            # glob's own rule skips names starting with "." for wildcards, like a shell.
            matches = sorted(glob.glob(item, recursive=True))
            # A folder matched is walked (which skips output sets); a file matched, by its folder.
            found = [f for m in matches for f in ([f for f, _ in _walk(m)] if os.path.isdir(m) else []
                                                  if in_output_set(m) else [m])
                     if os.path.isfile(f) and not _is_own_store(f)]
            if not found:
                failures.append(ReadFailure(item, "no files match this pattern"))
            for f in found:
                add(f)
        elif os.path.isdir(item):
            if is_output_set(item):
                failures.append(ReadFailure(item, "is the output of a sourcetrace run (its settings.json), "
                                                  "not input: `sourcetrace load` brings it into a store"))
                continue
            found = list(_walk(item))
            if not found:
                failures.append(ReadFailure(item, "directory holds no readable files (hidden files and *.db are skipped)"))
            for f, link in found:
                add(f, link)
        elif os.path.exists(item):
            add(item)  # named explicitly: taken even if hidden; read_file judges the content
        else:
            failures.append(ReadFailure(item, "no such file or directory"))
    return files, failures


def _walk(root: str) -> Iterator[tuple[str, bool]]:
    """Files under ``root`` (``os.walk``'s, links to folders not followed), each with whether it
    is a link, depth-first in sorted name order, hidden entries, stores and output sets skipped.
    The folder's listing tells what each entry is (no stat a file: two a file were a sixth of a
    +1% rerun's reading at 10,000 files)."""
    try:
        with os.scandir(root) as listing:
            entries = list(listing)
    except OSError:  # as os.walk: a folder that cannot be listed holds nothing
        return
    dirs, files = [], []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        (dirs if is_dir else files).append(entry)
    if is_output_set(root, [e.name for e in (*dirs, *files)]):
        return
    for entry in sorted(files, key=_name):
        name = entry.name
        if not name.startswith(".") and not _is_own_store(name) and entry.is_file():
            yield os.path.join(root, name), entry.is_symlink()
    for entry in sorted(dirs, key=_name):
        if not entry.name.startswith(".") and not _is_own_store(entry.name) and not entry.is_symlink():
            yield from _walk(os.path.join(root, entry.name))


def _name(entry: os.DirEntry) -> str:
    return entry.name


def is_output_set(path: str, names: Sequence[str] | None = None) -> bool:
    """Whether the directory `path` (holding `names`) is a run's ``--out`` set: its stamp,
    ``settings.json`` (a file naming the command, or Spark's folder of parts), beside its
    documents table. Read back, its ``texts.jsonl`` made a copy of every document traced."""
    names = os.listdir(path) if names is None else names
    if "settings.json" not in names or not {"documents.jsonl", "documents"} & set(names):
        return False
    stamp = os.path.join(path, "settings.json")
    if os.path.isdir(stamp):
        return True
    try:
        with open(stamp, encoding="utf-8") as fh:
            settings = json.loads(fh.read(1 << 16))
    except (OSError, ValueError):
        return False
    return isinstance(settings, dict) and "command" in settings


def _is_own_store(name: str) -> bool:
    return _OWN_STORE.search(name) is not None


def _html_bytes(raw: bytes) -> bool:
    """Byte-level twin of the HTML sniff, used before decoding to decide on ``<meta charset>``."""
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml"))


def _too_large(size: int, limit: int) -> str:
    return f"file is {_human(size)}, over the {_human(limit)} limit (--max-bytes)"


def _human(n: int) -> str:
    """``123.4 MB``, ``50 MB``, ``12.5 kB``, ``40 bytes``: short and exact enough to act on."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            value = f"{n / scale:.1f}".removesuffix(".0")
            return f"{value} {unit}"
    return f"{n} bytes"
