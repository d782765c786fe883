"""The contract tables as JSON lines, narrowed by a selection and, with ``with_text``, carrying each
sentence's and passage's text: ``documents.jsonl`` … ``texts.jsonl``, the lines ``trace --out``
writes (see :mod:`.rows`)."""

from __future__ import annotations

from pathlib import Path

from sourcetrace.export.rows import rows
from sourcetrace.export.tables import Tables
from sourcetrace.outputs import write_jsonl


def write(tables: Tables, outdir: Path, with_text: bool = False) -> dict[str, int]:
    """One ``NAME.jsonl`` per table into ``outdir``; rows written, by table."""
    return {name: write_jsonl(outdir / f"{name}.jsonl", table_rows)
            for name, table_rows in rows(tables, with_text).items()}
