"""An output set read back: the contract tables of a directory, row by row, whichever way a run
wrote them (DESIGN.md's output contract; :mod:`sourcetrace.outputs` writes the local engine's).

A table ``NAME`` (documents, sentences, passages, relations, families, facts, fact_diffs, texts)
is found as, in this order:

- ``NAME.jsonl``: one JSON-lines file (``sourcetrace trace --out``, ``export jsonl``);
- ``NAME/`` or ``NAME.jsonl/`` or ``NAME.parquet/``: a directory of part files, as Spark writes
  a DataFrame (``part-00000-….json``, ``….json.gz``, ``….snappy.parquet``); names starting with
  ``_`` or ``.`` are Hadoop's markers and checksums (``_SUCCESS``, ``.part-….crc``) and are not
  read, and a ``_temporary`` folder inside means the job that wrote it never committed;
- ``NAME.parquet``: one Parquet file (``export parquet``).

Rows come as dicts shaped like the JSON lines: a Parquet null is a key left out, as Spark's JSON
writer leaves it out. :func:`record` turns a row into its record, checking what it must hold;
anything wrong is a :class:`TablesError` naming the part and line (or row) it is in.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sourcetrace.records import Document, Family, Passage, Relation, Sentence

TABLES = ("documents", "sentences", "passages", "relations", "families", "facts", "fact_diffs", "texts")


class TablesError(Exception):
    """A table that is missing, incomplete or malformed (one line for the user)."""


@dataclass(frozen=True)
class Part:
    """One file holding (some of) a table's rows."""

    path: Path
    parquet: bool

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def parts(outdir: Path, name: str) -> list[Part] | None:
    """The files that hold table `name` in `outdir`, in name order (Spark numbers its parts);
    None when the table is not there at all. Raises :class:`TablesError` for a part-file
    directory whose job did not finish."""
    single = outdir / f"{name}.jsonl"
    if single.is_file():
        return [Part(single, False)]
    for folder in (outdir / name, outdir / f"{name}.jsonl", outdir / f"{name}.parquet"):
        if folder.is_dir():
            if (folder / "_temporary").exists():
                raise TablesError(f"{folder}: holds _temporary, the files of a Spark job that did not "
                                  "finish writing (run it again, or wait for it)")
            return [Part(p, _is_parquet(p)) for p in sorted(folder.iterdir())
                    if p.is_file() and not p.name.startswith(("_", "."))]
    single = outdir / f"{name}.parquet"
    if single.is_file():
        return [Part(single, True)]
    return None


def _is_parquet(path: Path) -> bool:
    if path.suffix == ".parquet":
        return True
    with open(path, "rb") as fh:  # a part named without a suffix: Parquet files start with PAR1
        return fh.read(4) == b"PAR1"


def describe(name: str) -> str:
    """How a table may be found, for an error saying it is not there."""
    return f"{name}.jsonl, {name}/ part files or {name}.parquet"


def rows(table: list[Part], progress: Callable[[int], None] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, row) of every row of a table's parts, in part order; `where` is ``part:line`` (or
    ``part:row N`` for Parquet). ``progress`` hears the bytes of the parts as they are read."""
    for part in table:
        yield from (_parquet_rows if part.parquet else _json_rows)(part.path, progress)


def _json_rows(path: Path, progress: Callable[[int], None] | None) -> Iterator[tuple[str, dict[str, Any]]]:
    compressed = path.suffix == ".gz"
    with (gzip.open(path, "rb") if compressed else open(path, "rb")) as fh:
        for n, line in enumerate(fh, 1):
            if progress and not compressed:
                progress(len(line))
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
                raise TablesError(f"{path}:{n}: not JSON ({detail})") from exc
            if not isinstance(row, dict):
                raise TablesError(f"{path}:{n}: not a record of this table (a JSON {type(row).__name__}, "
                                  "not an object)")
            yield f"{path}:{n}", row
    if progress and compressed:
        progress(path.stat().st_size)


def _parquet_rows(path: Path, progress: Callable[[int], None] | None) -> Iterator[tuple[str, dict[str, Any]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise TablesError(f"{path}: not a Parquet file ({exc})") from exc
    total = max(pf.metadata.num_rows, 1)
    size = path.stat().st_size
    n = heard = 0
    try:
        for batch in pf.iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                n += 1
                yield f"{path}:row {n}", {k: v for k, v in row.items() if v is not None}
            if progress:  # the file's bytes in proportion to its rows read
                progress(size * n // total - heard)
                heard = size * n // total
    except pa.ArrowException as exc:
        raise TablesError(f"{path}: unreadable Parquet data ({exc})") from exc
    if progress:
        progress(size - heard)


# -- rows into records -----------------------------------------------------------------------------
_STR, _INT, _NUM = (str,), (int,), (int, float)
# Each table's fields (DESIGN.md): the required ones, then those a row may leave out.
_FIELDS: dict[str, tuple[dict[str, tuple[type, ...]], dict[str, tuple[type, ...]]]] = {
    "documents": ({"id": _STR, "path": _STR, "start": _INT, "end": _INT, "lang": _STR},
                  {"title": _STR, "date": _STR, "url": _STR, "boilerplate": (list,)}),
    "sentences": ({"doc": _STR, "start": _INT, "end": _INT}, {}),
    "passages": ({"a": _STR, "a_start": _INT, "a_end": _INT, "b": _STR, "b_start": _INT, "b_end": _INT,
                  "kind": _STR, "score": _NUM}, {}),
    "relations": ({"a": _STR, "b": _STR, "type": _STR, "coverage_a": _NUM, "coverage_b": _NUM, "score": _NUM},
                  {"source": _STR, "passages": _INT, "evidence": (list,)}),
    "families": ({"id": _STR, "documents": (list,)}, {"origin": _STR}),
    "texts": ({"path": _STR, "text": _STR}, {}),
}
_MAKE: dict[str, Callable[..., Any]] = {
    "documents": lambda boilerplate=(), **row: Document(**row, boilerplate=[tuple(s) for s in boilerplate]),
    "sentences": Sentence, "passages": Passage, "relations": Relation, "families": Family,
    "texts": lambda **row: (row["path"], row["text"]),
}


def record(name: str, where: str, row: dict[str, Any]) -> Any:
    """The record of one row of table `name` (texts: a (path, text) pair). Fields a record does
    not have (a derived ``direction``, an export's ``text_a``) are left aside; a field missing or
    of the wrong type is a :class:`TablesError` at `where`."""
    required, optional = _FIELDS[name]
    picked: dict[str, Any] = {}
    for fields, needed in ((required, True), (optional, False)):
        for key, types in fields.items():
            value = row.get(key)
            if value is None:
                if needed:
                    raise TablesError(f"{where}: not a record of this table (no {key!r})")
                continue
            if not isinstance(value, types) or isinstance(value, bool) or (
                    isinstance(value, float) and not math.isfinite(value)):
                raise TablesError(f"{where}: not a record of this table ({key!r} is {value!r}, "
                                  f"not {' or '.join(t.__name__ for t in types)})")
            picked[key] = value
    if name == "documents" and not all(_is_span(s) for s in picked.get("boilerplate", ())):
        raise TablesError(f"{where}: not a record of this table (boilerplate is not a list of [start, end])")
    for start, end in _spans(name, picked):
        if not 0 <= start <= end:
            raise TablesError(f"{where}: not a record of this table (span [{start}, {end}) is not one)")
    return _MAKE[name](**picked)


def _is_span(value: Any) -> bool:
    return (isinstance(value, list | tuple) and len(value) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in value) and 0 <= value[0] <= value[1])


def _spans(name: str, row: dict[str, Any]) -> list[tuple[int, int]]:
    if name in ("documents", "sentences"):
        return [(row["start"], row["end"])]
    if name == "passages":
        return [(row["a_start"], row["a_end"]), (row["b_start"], row["b_end"])]
    return []


def records(outdir: Path, name: str, progress: Callable[[int], None] | None = None) -> Iterator[Any]:
    """The records of table `name` in `outdir` (none when it is not there)."""
    table = parts(outdir, name)
    for where, row in rows(table or [], progress):
        yield record(name, where, row)
