"""The `sourcetrace` command: a thin layer over the library (pipeline, store, outputs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__
from .output import write_jsonl, write_settings
from .pipeline import DEFAULT_MAX_BYTES, ReadReport, ingest, reading_settings
from .readers import ReadError, discover
from .records import Document
from .store import Store, StoreError, default_db_path, file_key

app = typer.Typer(
    name="sourcetrace",
    help="Trace where a text came from: originals, translations, copies and revisions (Arabic and English).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[Path | None, typer.Option(
    "--db", help="Store file (SQLite). Default: $SOURCETRACE_DB, ./sourcetrace.db if present, else the user data dir.")]
OutOption = Annotated[Path | None, typer.Option("--out", help="Write the contract JSONL files into this directory.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _version(value: bool) -> None:
    if value:
        out_console.print(f"sourcetrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Show the version and exit.")] = False) -> None:
    """Trace where a text came from."""


def _open_store(db: Path | None) -> Store:
    return Store(db or default_db_path())


def _ingest_with_progress(inputs: list[str], store: Store, max_bytes: int, strict: bool,
                          quiet: bool) -> ReadReport:
    paths, _ = discover(inputs)
    with Progress(TextColumn("[bold]reading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  TextColumn("{task.description}"), console=err_console, transient=True,
                  disable=quiet or len(paths) < 2) as progress:
        task = progress.add_task("", total=len(paths))
        return ingest(inputs, store, max_bytes=max_bytes, strict=strict,
                      progress=lambda p: progress.update(task, advance=1, description=Path(p).name))


def _report_failures(report: ReadReport) -> None:
    for failure in report.failures:
        err_console.print(f"[red]error[/red]: {failure.path}: {failure.reason}", highlight=False)


def _document_rows(store: Store, docs: list[Document]) -> list[dict]:
    rows = []
    for d in docs:
        sentences = store.sentences(d.id)
        info = store.file_info(file_key(d.path)) or {}
        row = d.to_json()
        row.update({
            "chars": d.end - d.start,
            "boilerplate_chars": sum(e - s for s, e in d.boilerplate),
            "sentences": len(sentences),
            "encoding": info.get("encoding"),
            "format": info.get("format"),
        })
        rows.append(row)
    return rows


@app.command()
def read(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories (read recursively) and globs.")],
    out: OutOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first file that cannot be read.")] = False,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Refuse files larger than this many bytes.")]
    = DEFAULT_MAX_BYTES,
) -> None:
    """Read files into documents and sentences, keep them in the store, and show what was found.

    Reading the same files again does nothing (content hash); changed files are read again.
    The exit code is 1 when any input could not be read (the rest is still read and stored).
    """
    with _open_store(db) as store:
        try:
            report = _ingest_with_progress(inputs, store, max_bytes, strict, as_json)
        except ReadError as exc:
            err_console.print(f"[red]error[/red]: {exc.path}: {exc.reason} (--strict: stopped)", highlight=False)
            raise typer.Exit(1) from None
        docs = list(store.documents(report.files))
        rows = _document_rows(store, docs)
        if out:
            write_jsonl(out / "documents.jsonl", (d.to_json() for d in docs))
            write_jsonl(out / "sentences.jsonl",
                        (s.to_json() for d in docs for s in store.sentences(d.id)))
            write_settings(out, {"command": "read", "settings": json.loads(reading_settings(max_bytes))})
    _report_failures(report)
    if as_json:
        json.dump({"documents": rows, "read": report.read, "unchanged": report.unchanged,
                   "failures": [f.__dict__ for f in report.failures]}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        _print_documents(rows, report)
    if report.failures:
        raise typer.Exit(1)


def _print_documents(rows: list[dict], report: ReadReport) -> None:
    table = Table(title=f"{len(rows)} documents", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    cells = [(r["id"], f"{r['start']}-{r['end']}", r["lang"], r.get("date") or "",
              str(r["boilerplate_chars"]), str(r["sentences"]), r.get("title") or "") for r in rows]
    headers = ("id", "span", "lang", "date", "boiler", "sent", "title")
    for i, head in enumerate(headers):
        if head == "title":  # the one column that gives way in a narrow terminal
            table.add_column(head, no_wrap=True, overflow="ellipsis", min_width=10)
        else:
            width = max([len(head)] + [len(c[i]) for c in cells])
            table.add_column(head, no_wrap=True, min_width=width,
                             justify="right" if head in ("span", "boiler", "sent") else "left")
    for c in cells:
        table.add_row(*c)
    out_console.print(table)
    out_console.print(f"read {report.read} file(s), {report.unchanged} unchanged, "
                      f"{len(report.failures)} problem(s)", highlight=False)


def main() -> None:
    """Entry point: user errors become one clear line, never a traceback."""
    try:
        app()
    except StoreError as exc:
        err_console.print(f"[red]error[/red]: {exc}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted: the store keeps every file completed so far")
        sys.exit(130)


if __name__ == "__main__":
    main()
