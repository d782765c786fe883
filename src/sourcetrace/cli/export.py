"""`sourcetrace export`: what a trace found as TMX, TSV bitext, passim records, Parquet or JSON lines."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from sourcetrace.cli.console import err_console, fail, markup
from sourcetrace.cli.options import DbOption
from sourcetrace.cli.paths import check_file, check_out, reading_store

_WHAT = {"tmx": "translation units", "tsv": "bitext lines", "passim": "passim records",
         "parquet": "passages (with every table)", "jsonl": "passages (with every table)"}


def export(
    fmt: Annotated[str, typer.Argument(
        metavar="FORMAT",
        help="tmx (TMX 1.4b), tsv (src, tgt, score, doc_a, doc_b), passim (its align.json records), "
             "parquet or jsonl (a directory of the contract tables and the files' texts).")],
    db: DbOption = None,
    from_dir: Annotated[Path | None, typer.Option(
        "--from", help="Read a `sourcetrace trace --out` directory instead of the store.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="File to write (tmx, tsv, passim; standard output if left out), or directory "
                      "(parquet, jsonl).")] = None,
    pair: Annotated[tuple[str, str] | None, typer.Option(
        "--pair", help="Only passages between these two documents (ids).")] = None,
    family: Annotated[str | None, typer.Option("--family", help="Only the documents of this family (its id).")]
    = None,
    kinds: Annotated[list[str] | None, typer.Option(
        "--kind", help="Only passages of this kind (repeat for several; 'translated-*' for every translated "
                       "kind). tmx and tsv default to translation and translated-*.")] = None,
    min_score: Annotated[float | None, typer.Option("--min-score", help="Only passages scored at least this.")]
    = None,
    with_text: Annotated[bool, typer.Option(
        "--with-text", help="parquet, jsonl: add each sentence's text and each passage's text_a and text_b.")]
    = False,
) -> None:
    """Export what a trace found, for the tools that read these formats.

    TMX and TSV hold the passages between documents of two languages, source side first; passim's
    records and the tables hold every passage. Reads the store (never creating one) or, with
    --from, a `trace --out` directory; the files' texts come from there, so spans show exact text.
    """
    from sourcetrace.export import FORMATS, ExportError, Selection, read_outputs, write

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    if db is not None and from_dir is not None:
        fail("--db and --from name two sources: give one")
    _check_out(fmt, out, from_dir)
    selection = Selection(pair=pair, family=family, kinds=kinds or (), min_score=min_score)
    try:
        if from_dir is not None:
            tables = read_outputs(from_dir)
            n = write(fmt, tables, out, selection, with_text=with_text)
        else:
            from sourcetrace.engines.stored import stored_tables

            with reading_store(db) as store:
                n = write(fmt, stored_tables(store), out, selection, with_text=with_text)
    except ExportError as exc:
        fail(str(exc))
    err_console.print(markup("{n:,} {what} written to {out}", n=n, what=_WHAT[fmt],
                             out=str(out) if out else "standard output"), highlight=False)


def _check_out(fmt: str, out: Path | None, from_dir: Path | None) -> None:
    """--out before any work: a directory for the table formats (not the one read), a file whose
    folder can be written for the others."""
    from sourcetrace.export import DIR_FORMATS

    if fmt in DIR_FORMATS:
        if out is None:
            fail(f"{fmt} writes a directory of tables: name it with --out")
        if from_dir is not None and os.path.realpath(out) == os.path.realpath(from_dir):
            fail(f"--out {out} is the --from directory: write the export elsewhere")
        check_out(out)
        return
    check_file(out, "--out", fmt)
