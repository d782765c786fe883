"""JSON Lines: one document per line, ``{"text": ..., "id"?, "title"?, "date"?, "url"?, "lang"?}``.

A ``.json`` file may hold the same records as one JSON value instead: one such object, or a list
of them. Valid JSON with no ``text`` field anywhere (a configuration, an annotation file such as a
corpus's ``gold.json``) is no text to trace: :class:`NotDocuments`, which the engines skip with a
note instead of failing the run.

The file's text is the usable lines' ``text`` values, exactly as given, joined by ``"\\n\\n"``
in file order; each becomes a :class:`Part` whose span covers its text. Offsets therefore point
into that joined text, not into the JSON (where escapes would make them meaningless).

A malformed line is skipped and reported in ``SourceFile.problems`` as
``ReadFailure(path="file.jsonl:7", reason="line 7: ...")``; the file fails only when no line
is usable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sourcetrace.readers.base import NotDocuments, ReadError, make_source
from sourcetrace.records import Part, ReadFailure, SourceFile

SEPARATOR = "\n\n"
_SNIFF_LINES = 5
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}.*)?$")


class JsonlReader:
    name = "jsonl"
    suffixes: tuple[str, ...] = (".jsonl", ".ndjson", ".json")

    def sniff(self, raw: bytes, text_head: str) -> bool:
        """True if each of the first non-empty lines (at least one) is a JSON object."""
        from sourcetrace.readers.base import HEAD_CHARS

        lines = text_head.split("\n")
        if len(text_head) >= HEAD_CHARS and len(lines) > 1:
            lines = lines[:-1]  # the head may end mid-line
        seen = 0
        for line in lines:
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError:
                return False
            if not isinstance(value, dict):
                return False
            seen += 1
            if seen >= _SNIFF_LINES:
                break
        return seen > 0

    def read(self, path_display: str, raw: bytes, text: str, encoding: str) -> SourceFile:
        pieces: list[str] = []
        parts: list[Part] = []
        problems: list[ReadFailure] = []
        pos = 0
        parsed = True  # every line (or the one value) is JSON
        texts = False  # some object has a "text" field
        for where, value, problem in _records(text):
            parsed &= value is not _INVALID
            texts |= isinstance(value, dict) and "text" in value
            if problem is not None:
                problems.append(ReadFailure(path=f"{path_display}:{where}", reason=problem))
                continue
            record = value
            assert isinstance(record, dict)
            body = record["text"]
            if pieces:
                pos += len(SEPARATOR)
            pieces.append(body)
            parts.append(Part(start=pos, end=pos + len(body), **_metadata(record)))
            pos += len(body)
        if not parts:
            first = f": {problems[0].reason}" if problems else ""
            if parsed and not texts:
                raise NotDocuments(path_display, "JSON holding no document (no \"text\" field anywhere)")
            raise ReadError(path_display, f"no usable JSON record with a \"text\" field{first}")
        source = make_source(path_display, raw, SEPARATOR.join(pieces), encoding, self.name, parts)
        source.problems = problems
        return source


_INVALID = object()  # a line that is not JSON


def _records(text: str) -> Iterator[tuple[int, object, str | None]]:
    """(where, record, None) for each usable record, (where, value, reason) for each other (the
    value `_INVALID` where it is not JSON); where is a line number, or an item's number in a JSON
    list (``item N:``)."""
    try:
        whole = json.loads(text)  # one JSON value (a .json file); JSON lines fail at line 2
    except json.JSONDecodeError:
        whole = None
    else:
        if isinstance(whole, list):
            for number, value in enumerate(whole, start=1):
                yield number, value, _unusable(value, f"item {number}")
        else:  # one record (a one-line JSON Lines file too), which starts on line 1
            yield 1, whole, _unusable(whole, "line 1")
        return
    # split("\n"), not splitlines(): U+2028 and friends may sit unescaped inside JSON strings.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue  # blank lines (and a final newline) are not records
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            yield lineno, _INVALID, f"line {lineno}: invalid JSON ({err.msg} at column {err.colno})"
            continue
        yield lineno, value, _unusable(value, f"line {lineno}")


def _unusable(value: object, where: str) -> str | None:
    """Why a JSON value is no record (a reason starting with `where`), or None."""
    if not isinstance(value, dict):
        return f"{where}: not a JSON object (got {_json_type(value)})"
    if "text" not in value:
        return f'{where}: no "text" field'
    if not isinstance(value["text"], str):
        return f'{where}: "text" is {_json_type(value["text"])}, not a string'
    if not value["text"].strip():
        return f'{where}: "text" is empty'
    return None


def _metadata(record: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key in ("id", "title", "date", "url", "lang"):
        value = record.get(key)
        # Numbers are common as ids; containers and null carry no usable value.
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            out[key] = None
            continue
        value = str(value).strip()
        out[key] = value or None
    if out["date"]:
        match = _ISO_DATETIME.match(out["date"])
        if match:
            out["date"] = match.group(1)  # "2020-06-04T10:00:00Z" → "2020-06-04", like HTML dates
    return out


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
