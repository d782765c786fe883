"""What an export reads: the contract tables of a trace and each file's text, and the filters
that pick the passages (and the documents) to export.

The tables come from a store (:func:`sourcetrace.engines.stored.stored_tables`) or from a
``trace --out`` directory (:func:`read_outputs`); both give the records ``trace`` wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sourcetrace.records import Document, Family, Passage, Relation, Sentence

#: Passage kinds that cross languages: what TMX and TSV export unless told otherwise.
TRANSLATION_KINDS = ("translation", "translated-*")


class ExportError(Exception):
    """Tables that cannot be read or a selection that names nothing (one line for the user)."""


@dataclass
class Tables:
    """The contract tables of one trace, and ``text(path)``: the text a file's offsets point into."""

    documents: list[Document]
    sentences: list[Sentence]
    passages: list[Passage]
    relations: list[Relation]
    families: list[Family]
    text: Callable[[str], str]

    def by_id(self) -> dict[str, Document]:
        return {d.id: d for d in self.documents}

    def doc_text(self, doc: Document) -> str:
        return self.text(doc.path)


@dataclass
class Selection:
    """Which passages to export: between two documents (``pair``), within one family, of some
    kinds (``"translated-*"`` matches every kind that starts so), at or above a score. ``pair``
    and ``family`` also narrow the documents, sentences, relations and families exported."""

    pair: tuple[str, str] | None = None
    family: str | None = None
    kinds: Sequence[str] = ()
    min_score: float | None = None

    def apply(self, tables: Tables) -> Tables:
        """The tables narrowed to this selection; raises :class:`ExportError` for an unknown
        document or family."""
        ids = {d.id for d in tables.documents}
        keep: set[str] | None = None
        if self.pair:
            unknown = [x for x in self.pair if x not in ids]
            if unknown:
                raise ExportError(f"--pair: no document {unknown[0]!r} in these tables")
            keep = set(self.pair)
        if self.family:
            fam = next((f for f in tables.families if f.id == self.family), None)
            if fam is None:
                raise ExportError(f"--family: no family {self.family!r} in these tables")
            keep = set(fam.documents) if keep is None else keep & set(fam.documents)

        def inside(*docs: str) -> bool:
            return keep is None or all(d in keep for d in docs)

        passages = [p for p in tables.passages if inside(p.a, p.b) and self.kind_ok(p.kind)
                    and (self.min_score is None or p.score >= self.min_score)]
        return Tables(
            [d for d in tables.documents if inside(d.id)],
            [s for s in tables.sentences if inside(s.doc)],
            passages,
            [r for r in tables.relations if inside(r.a, r.b)],
            [f for f in tables.families if keep is None or keep & set(f.documents)],
            tables.text)

    def kind_ok(self, kind: str) -> bool:
        return not self.kinds or any(kind == k or (k.endswith("*") and kind.startswith(k[:-1]))
                                     for k in self.kinds)


# -- a trace --out directory ----------------------------------------------------------------------
def read_outputs(outdir: str | Path) -> Tables:
    """The tables a ``trace --out`` directory holds. File texts come from its ``texts.jsonl``;
    an output set written before texts.jsonl existed falls back to reading each file again from
    its ``path`` (the same text, if the file and sourcetrace's readers are unchanged)."""
    outdir = Path(outdir)
    if not (outdir / "documents.jsonl").is_file():
        raise ExportError(f"--from {outdir}: no documents.jsonl there (not a `sourcetrace trace --out` directory)")
    texts = _TextsFile(outdir / "texts.jsonl")
    return Tables(_records(outdir / "documents.jsonl", _document),
                  _records(outdir / "sentences.jsonl", Sentence),
                  _records(outdir / "passages.jsonl", Passage),
                  _records(outdir / "relations.jsonl", Relation),
                  _records(outdir / "families.jsonl", Family),
                  texts)


def _document(**row: Any) -> Document:
    return Document(**{**row, "boilerplate": [tuple(s) for s in row.get("boilerplate", [])]})


def _records(path: Path, make: Callable[..., Any]) -> list:
    """The records of one JSON-lines file (none when it is absent); a line that is not one is an
    :class:`ExportError` naming it."""
    out = []
    for n, row in _rows(path):
        try:
            out.append(make(**row))
        except TypeError as exc:
            raise ExportError(f"{path}:{n}: not a record of this file ({exc})") from exc
    return out


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of each non-empty line of a JSON-lines file, if it exists."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ExportError(f"{path}:{n}: not JSON ({exc.msg})") from exc


class _TextsFile:
    """File texts by path from texts.jsonl, loaded on first use; else read again from the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.texts: dict[str, str] | None = None

    def __call__(self, path: str) -> str:
        if self.texts is None:
            self.texts = {row["path"]: row["text"] for _, row in _rows(self.path)}
        if path not in self.texts:
            self.texts[path] = _read_again(path, self.path)
        return self.texts[path]


def _read_again(path: str, texts_file: Path) -> str:
    from sourcetrace.readers import ReadError, read_file

    try:
        return read_file(path).text
    except (ReadError, OSError) as exc:
        raise ExportError(f"{path}: its text is not in {texts_file} and the file cannot be read ({exc})") from exc
