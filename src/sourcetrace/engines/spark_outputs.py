"""The Spark engine's outputs: one directory per contract table, written by the executors.

``OUT/documents/part-00000`` … hold the lines ``documents.jsonl`` holds (the same JSON objects,
fields and values as the local engine writes, in no particular order), likewise ``sentences``,
``passages``, ``relations``, ``families``, ``facts``, ``fact_diffs`` and ``texts``; ``failures``
holds the inputs that could not be read (``{"path", "reason"}``) and ``settings.json`` the stamp.
With ``parquet`` each directory holds Parquet part files instead, with the fixed schemas of
``sourcetrace export parquet`` (export/parquet.py); a fact's value, which may be a number or a
string, is its JSON text there. docs/formats.md, "Spark outputs", is the reader's description.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

from pyspark import RDD, AccumulatorParam, SparkContext
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from sourcetrace.outputs import write_settings

TABLES = ("documents", "sentences", "passages", "relations", "families", "facts", "fact_diffs", "texts", "failures")
SETTINGS = "settings.json"

_S, _I, _F = T.StringType(), T.LongType(), T.DoubleType()


def _fields(*pairs: tuple[str, T.DataType]) -> T.StructType:
    return T.StructType([T.StructField(name, kind, True) for name, kind in pairs])


# The fields of each table's JSON lines, typed (export/parquet.py's schemas, and the facts').
SCHEMAS: dict[str, T.StructType] = {
    "documents": _fields(("id", _S), ("path", _S), ("start", _I), ("end", _I), ("lang", _S), ("title", _S),
                         ("date", _S), ("url", _S), ("boilerplate", T.ArrayType(T.ArrayType(_I)))),
    "sentences": _fields(("doc", _S), ("start", _I), ("end", _I)),
    "passages": _fields(("a", _S), ("a_start", _I), ("a_end", _I), ("b", _S), ("b_start", _I), ("b_end", _I),
                        ("kind", _S), ("score", _F)),
    "relations": _fields(("a", _S), ("b", _S), ("type", _S), ("source", _S), ("direction", _S),
                         ("coverage_a", _F), ("coverage_b", _F), ("score", _F), ("passages", _I),
                         ("evidence", T.ArrayType(_S))),
    "families": _fields(("id", _S), ("documents", T.ArrayType(_S)), ("origin", _S)),
    "facts": _fields(("doc", _S), ("start", _I), ("end", _I), ("type", _S), ("value", _S)),
    "fact_diffs": _fields(("a", _S), ("a_start", _I), ("a_end", _I), ("b", _S), ("b_start", _I), ("b_end", _I),
                          ("type", _S), ("status", _S), ("value_a", _S), ("value_b", _S)),
    "texts": _fields(("path", _S), ("text", _S)),
    "failures": _fields(("path", _S), ("reason", _S)),
}
_AS_JSON = {"facts": ("value",), "fact_diffs": ("value_a", "value_b")}  # any JSON value: its text


def _is_local(out: str) -> bool:
    return "://" not in out and not out.startswith("file:")


def write_tables(sc: SparkContext, tables: dict[str, RDD], out: str, fmt: str, settings: dict,
                 tallies: dict[str, Callable[[dict], Hashable]] | None = None) -> tuple[dict[str, int], dict[str, dict]]:
    """Every table of ``tables`` (rows as the JSON objects of the contract) into ``out``; the rows
    written, by table, and ``tallies``: for a table named there, its rows counted by what the
    function gives of each (None: not counted). A local ``out`` loses the tables of an earlier
    run first (its other files stay); elsewhere Spark refuses a table directory that exists.
    Rows are counted as they are written (an accumulator, added once per partition), not by a
    job of their own: a count persisted every row and read it again (the facts' count took as
    long as their write). Parquet starts a SQL session on ``sc`` (JSON lines need none)."""
    if _is_local(out):
        out = os.path.abspath(out)
        os.makedirs(out, exist_ok=True)
        for name in (*TABLES, SETTINGS):
            path = os.path.join(out, name)
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
    counts: dict[str, int] = {}
    tallied: dict[str, dict] = {}
    for name, rows in tables.items():
        seen = sc.accumulator({}, Tally())
        tally = (tallies or {}).get(name)
        target = f"{out.rstrip('/')}/{name}"
        if fmt == "jsonl":
            rows.mapPartitions(lambda rs, s=seen, t=tally: _counted(rs, s, t, _line)).saveAsTextFile(target)
        else:
            schema = SCHEMAS[name]
            as_json = _AS_JSON.get(name, ())
            spark = SparkSession.builder.getOrCreate()  # on the running context
            spark.createDataFrame(rows.mapPartitions(lambda rs, s=seen, t=tally, sc=schema, j=as_json: _counted(
                rs, s, t, lambda r: _row(r, sc, j))), schema).write.parquet(target)
        found = dict(seen.value)
        counts[name] = found.pop(ROWS, 0)
        if tally is not None:
            tallied[name] = found
    if _is_local(out):
        from pathlib import Path

        write_settings(Path(out), settings)
    else:
        sc.parallelize([json.dumps(settings, ensure_ascii=False, sort_keys=True)], 1) \
            .saveAsTextFile(f"{out.rstrip('/')}/{SETTINGS}")
    return counts, tallied


ROWS = ("rows",)  # a tally's key for every row (a tuple: no tally function gives one)


class Tally(AccumulatorParam):
    """Counts by key, added up across tasks."""

    def zero(self, value: dict) -> dict:
        return {}

    def addInPlace(self, value1: dict, value2: dict) -> dict:
        for key, n in value2.items():
            value1[key] = value1.get(key, 0) + n
        return value1


def _counted(rows: Iterable[dict], seen, tally: Callable[[dict], Hashable] | None, row: Callable[[dict], Any]
             ) -> Iterator[Any]:
    """``row(r)`` of each row, counted in ``seen`` (once, when the partition is written)."""
    found: dict = {}
    n = 0
    for r in rows:
        n += 1
        if tally is not None and (key := tally(r)) is not None:
            found[key] = found.get(key, 0) + 1
        yield row(r)
    found[ROWS] = n
    seen.add(found)


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def _row(record: dict[str, Any], schema: T.StructType, as_json: tuple[str, ...]) -> tuple:
    return tuple(json.dumps(record.get(f.name), ensure_ascii=False) if f.name in as_json and record.get(f.name) is not None
                 else record.get(f.name) for f in schema.fields)
