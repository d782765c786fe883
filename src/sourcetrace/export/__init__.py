"""Exports: what a trace found, in the formats other tools read. One module per format:

``tmx``      TMX 1.4b translation units of cross-language passages (translate-toolkit)
``tsv``      bitext lines ``src<TAB>tgt<TAB>score<TAB>doc_a<TAB>doc_b`` (vecalign, Bertalign)
``passim``   passim's pairwise alignment records (its ``align.json``), JSON lines
``parquet``  the contract tables and the files' texts, one Parquet file per table
``jsonl``    the same tables as JSON lines (narrowed by the selection; ``with_text`` adds texts)

Library use::

    from sourcetrace import export

    tables = export.from_store("sourcetrace.db")          # or export.read_outputs("out/")
    export.write("tmx", tables, "pairs.tmx", export.Selection(pair=("000#1", "002#1")))

TMX and TSV export passages between documents of two languages, of the translation kinds
(``translation``, ``translated-*``) unless ``Selection.kinds`` names others; passim, parquet and
jsonl export every passage the selection keeps.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sourcetrace.export import bitext, jsonl, passim, tmx, tsv
from sourcetrace.export.tables import TRANSLATION_KINDS, ExportError, Selection, Tables, read_outputs
from sourcetrace.outputs import OutputError, output_set

if TYPE_CHECKING:
    from sourcetrace.store.sqlite import Store

__all__ = ["FORMATS", "ExportError", "Selection", "Tables", "from_store", "read_outputs", "write"]

#: Formats written to one file (or standard output), and formats written as a directory of tables.
FILE_FORMATS = ("tmx", "tsv", "passim")
DIR_FORMATS = ("parquet", "jsonl")
FORMATS = FILE_FORMATS + DIR_FORMATS


def from_store(db: str | Path | None = None, *, store: Store | None = None) -> Tables:
    """The tables of a traced store (``db``, default as every command; or an open ``store``)."""
    from sourcetrace.engines.stored import stored_tables
    from sourcetrace.store.sqlite import Store, default_db_path

    if store is not None:
        return stored_tables(store)
    with Store(Path(db) if db else default_db_path(), create=False) as opened:
        return _loaded(stored_tables(opened))


def write(fmt: str, tables: Tables, out: str | Path | None = None, selection: Selection | None = None, *,
          with_text: bool = False) -> int:
    """Export ``tables``, narrowed by ``selection``, as ``fmt`` (one of :data:`FORMATS`) to ``out``:
    a file for tmx, tsv and passim (standard output when None), a directory for parquet and jsonl
    (written as one set, see :func:`sourcetrace.outputs.output_set`). Returns the number of units,
    records or (for a directory) passages written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    selection = selection or Selection()
    if fmt in ("tmx", "tsv") and not selection.kinds:
        selection = replace(selection, kinds=TRANSLATION_KINDS)
    chosen = selection.apply(tables)
    if fmt in DIR_FORMATS:
        if out is None:
            raise ExportError(f"{fmt} writes a directory of tables: name it with --out")
        with output_set(Path(out)) as staged:
            if fmt == "parquet":
                from sourcetrace.export import parquet  # pyarrow: loaded only for Parquet

                return parquet.write(chosen, staged, with_text)["passages"]
            return jsonl.write(chosen, staged, with_text)["passages"]
    with _opened(out, binary=fmt == "tmx") as fh:
        if fmt == "passim":
            return passim.write(chosen, fh)
        return (tmx if fmt == "tmx" else tsv).write(bitext.units(chosen), fh)


@contextlib.contextmanager
def _opened(out: str | Path | None, binary: bool) -> Iterator[IO]:
    """``out`` for writing, replaced only once it is whole (a temporary file beside it, renamed);
    standard output when None."""
    if out is None:
        yield sys.stdout.buffer if binary else sys.stdout
        return
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)  # passim's layout: DIR/align.json/part-00000.json
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _loaded(tables: Tables) -> Tables:
    """``tables`` with every file text read now, so they outlive the store they came from."""
    texts = {d.path: tables.text(d.path) for d in tables.documents}
    return replace(tables, text=texts.__getitem__)
