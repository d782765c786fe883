"""The contract tables as Parquet: a directory of ``documents.parquet``, ``sentences.parquet``,
``passages.parquet``, ``relations.parquet``, ``families.parquet`` and ``texts.parquet``, one
row per JSON line of the same name, for pandas, polars, DuckDB and Spark.

Each table has a fixed schema (so an empty table, or one where no row has a ``title``, still has
every column, typed): a field a JSON line leaves out (``title``, ``date``, ``url``,
``boilerplate``, ``source``, ``origin``) is null. Offsets are int64, scores float64, spans
``list<list<int64>>``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sourcetrace.export.rows import rows
from sourcetrace.export.tables import Tables

_STR, _INT, _FLOAT = pa.string(), pa.int64(), pa.float64()
SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([("id", _STR), ("path", _STR), ("start", _INT), ("end", _INT), ("lang", _STR),
                            ("title", _STR), ("date", _STR), ("url", _STR),
                            ("boilerplate", pa.list_(pa.list_(_INT)))]),
    "sentences": pa.schema([("doc", _STR), ("start", _INT), ("end", _INT)]),
    "passages": pa.schema([("a", _STR), ("a_start", _INT), ("a_end", _INT), ("b", _STR), ("b_start", _INT),
                           ("b_end", _INT), ("kind", _STR), ("score", _FLOAT)]),
    "relations": pa.schema([("a", _STR), ("b", _STR), ("type", _STR), ("source", _STR), ("coverage_a", _FLOAT),
                            ("coverage_b", _FLOAT), ("score", _FLOAT), ("passages", _INT),
                            ("evidence", pa.list_(_STR))]),
    "families": pa.schema([("id", _STR), ("documents", pa.list_(_STR)), ("origin", _STR)]),
    "texts": pa.schema([("path", _STR), ("text", _STR)]),
}
_WITH_TEXT = {"sentences": [("text", _STR)], "passages": [("text_a", _STR), ("text_b", _STR)]}


def write(tables: Tables, outdir: Path, with_text: bool = False) -> dict[str, int]:
    """One Parquet file per table into ``outdir`` (an existing directory); rows written, by table."""
    counts = {}
    for name, table_rows in rows(tables, with_text).items():
        schema = schema_of(name, with_text)
        table = pa.Table.from_pylist(list(table_rows), schema=schema)
        pq.write_table(table, outdir / f"{name}.parquet")
        counts[name] = table.num_rows
    return counts


def schema_of(name: str, with_text: bool = False) -> pa.Schema:
    """The schema of table ``name`` (one of :data:`~sourcetrace.export.rows.TABLES`)."""
    schema = SCHEMAS[name]
    for field in _WITH_TEXT.get(name, []) if with_text else []:
        schema = schema.append(pa.field(*field))
    return schema

