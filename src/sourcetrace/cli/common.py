"""What several commands do the same way: open the store, read inputs with a progress bar,
report unreadable files, find a document or exit, the settings stamp, the facts files."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sourcetrace.cli.console import err_console, error, fail
from sourcetrace.encode import Encoder, get_encoder
from sourcetrace.engines.ingest import ReadReport, ingest
from sourcetrace.engines.lookup import NotFound, resolve
from sourcetrace.pipeline import run_settings as stamp
from sourcetrace.readers import discover
from sourcetrace.records import Document
from sourcetrace.store.sqlite import Store, default_db_path


def open_store(db: Path | None) -> Store:
    return Store(db or default_db_path())


def ingest_with_progress(inputs: list[str], store: Store, max_bytes: int, strict: bool,
                         quiet: bool) -> ReadReport:
    """:func:`sourcetrace.engines.ingest.ingest` with a progress bar on standard error (two files or more)."""
    paths, _ = discover(inputs)
    with Progress(TextColumn("[bold]reading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  TextColumn("{task.description}"), console=err_console, transient=True,
                  disable=quiet or len(paths) < 2) as progress:
        task = progress.add_task("", total=len(paths))
        return ingest(inputs, store, max_bytes=max_bytes, strict=strict,  # descriptions are markup
                      progress=lambda p: progress.update(task, advance=1, description=escape(Path(p).name)))


def report_failures(report: ReadReport) -> None:
    for failure in report.failures:
        error(f"{failure.path}: {failure.reason}")


def require_document(store: Store, doc: str) -> Document:
    document = store.document(doc)
    if document is None:
        fail(f"{doc}: no such document in the store")
    return document


def resolve_or_exit(store: Store, ref: str) -> list[Document]:
    try:
        return resolve(ref, store)
    except NotFound as exc:
        fail(str(exc))


def encoder_or_exit(name: str) -> Encoder:
    try:
        return get_encoder(name)
    except ValueError as exc:
        fail(str(exc))


def run_settings(command: str, encoder: str, threshold: float) -> dict:
    """The settings.json stamp of a command that aligns with the encoder named."""
    return stamp(command, get_encoder(encoder), threshold)
