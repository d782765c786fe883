"""What an export reads: the contract tables of a trace and each file's text, and the filters
that pick the passages (and the documents) to export.

The tables come from a store (:func:`sourcetrace.engines.stored.stored_tables`) or from a
``trace --out`` directory (:func:`read_outputs`); both give the records ``trace`` wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sourcetrace import output_tables
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
    """The tables an output directory holds: ``trace --out``'s JSON lines, or the part files of
    a run on Spark (see :mod:`sourcetrace.output_tables`). File texts come from its ``texts``
    table; an output set written before texts.jsonl existed falls back to reading each file again
    from its ``path`` (the same text, if the file and sourcetrace's readers are unchanged)."""
    outdir = Path(outdir)
    try:
        if output_tables.parts(outdir, "documents") is None:
            raise ExportError(f"--from {outdir}: no documents.jsonl there, nor documents/ part files "
                              "(not a `sourcetrace trace --out` directory)")
        return Tables(*(list(output_tables.records(outdir, name))
                        for name in ("documents", "sentences", "passages", "relations", "families")),
                      _Texts(outdir))
    except output_tables.TablesError as exc:
        raise ExportError(str(exc)) from exc


class _Texts:
    """File texts by path from the texts table, loaded on first use; else read again from the file."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.texts: dict[str, str] | None = None

    def __call__(self, path: str) -> str:
        if self.texts is None:
            try:
                self.texts = dict(output_tables.records(self.outdir, "texts"))
            except output_tables.TablesError as exc:
                raise ExportError(str(exc)) from exc
        if path not in self.texts:
            self.texts[path] = _read_again(path, self.outdir / "texts.jsonl")
        return self.texts[path]


def _read_again(path: str, texts_file: Path) -> str:
    from sourcetrace.readers import ReadError, read_file

    try:
        return read_file(path).text
    except (ReadError, OSError) as exc:
        raise ExportError(f"{path}: its text is not in {texts_file} and the file cannot be read ({exc})") from exc
