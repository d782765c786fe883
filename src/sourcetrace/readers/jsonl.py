"""JSON Lines: one document per line, ``{"text": ..., "id"?, "title"?, "date"?, "url"?, "lang"?}``.

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
from typing import Any

from sourcetrace.readers.base import ReadError, make_source
from sourcetrace.records import Part, ReadFailure, SourceFile

SEPARATOR = "\n\n"
_SNIFF_LINES = 5
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}.*)?$")


class JsonlReader:
    name = "jsonl"
    suffixes: tuple[str, ...] = (".jsonl", ".ndjson")

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
        # split("\n"), not splitlines(): U+2028 and friends may sit unescaped inside JSON strings.
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue  # blank lines (and a final newline) are not records
            record, problem = _parse(line, lineno)
            if problem is not None:
                problems.append(ReadFailure(path=f"{path_display}:{lineno}", reason=problem))
                continue
            assert record is not None
            body = record["text"]
            if pieces:
                pos += len(SEPARATOR)
            pieces.append(body)
            parts.append(Part(start=pos, end=pos + len(body), **_metadata(record)))
            pos += len(body)
        if not parts:
            first = f": {problems[0].reason}" if problems else ""
            raise ReadError(path_display, f"no usable JSON line with a \"text\" field{first}")
        source = make_source(path_display, raw, SEPARATOR.join(pieces), encoding, self.name, parts)
        source.problems = problems
        return source


def _parse(line: str, lineno: int) -> tuple[dict[str, Any] | None, str | None]:
    """The record on one line, or a reason (starting ``line N:``) why it cannot be used."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        return None, f"line {lineno}: invalid JSON ({err.msg} at column {err.colno})"
    if not isinstance(value, dict):
        return None, f"line {lineno}: not a JSON object (got {_json_type(value)})"
    if "text" not in value:
        return None, f'line {lineno}: no "text" field'
    if not isinstance(value["text"], str):
        return None, f'line {lineno}: "text" is {_json_type(value["text"])}, not a string'
    if not value["text"].strip():
        return None, f'line {lineno}: "text" is empty'
    return value, None


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
