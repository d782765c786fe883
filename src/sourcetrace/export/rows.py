"""The contract tables as rows: what ``trace --out`` writes for each record (DESIGN.md), the
files' texts as the ``texts`` table, and, with ``with_text``, each sentence's ``text`` and each
passage's ``text_a`` and ``text_b`` (the spans of those texts). Parquet (:mod:`.parquet`) and
JSON lines (:mod:`.jsonl`) write these rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sourcetrace.export.tables import Tables

TABLES = ("documents", "sentences", "passages", "relations", "families", "texts")


def rows(tables: Tables, with_text: bool = False) -> dict[str, Iterator[dict[str, Any]]]:
    """Each table's rows, by table name (:data:`TABLES`), in the tables' order."""
    docs = tables.by_id()

    def span(doc: str, start: int, end: int) -> str:
        return tables.doc_text(docs[doc])[start:end]

    def sentences() -> Iterator[dict[str, Any]]:
        for s in tables.sentences:
            yield {**s.to_json(), "text": span(s.doc, s.start, s.end)} if with_text else s.to_json()

    def passages() -> Iterator[dict[str, Any]]:
        for p in tables.passages:
            row = p.to_json()
            if with_text:
                row.update(text_a=span(p.a, p.a_start, p.a_end), text_b=span(p.b, p.b_start, p.b_end))
            yield row

    def texts() -> Iterator[dict[str, Any]]:
        for path in dict.fromkeys(d.path for d in tables.documents):  # each file once, in order
            yield {"path": path, "text": tables.text(path)}

    return {"documents": (d.to_json() for d in tables.documents), "sentences": sentences(),
            "passages": passages(), "relations": (r.to_json() for r in tables.relations),
            "families": (f.to_json() for f in tables.families), "texts": texts()}
