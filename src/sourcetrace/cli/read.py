"""`sourcetrace read`: files into documents and sentences in the store."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from sourcetrace.cli.common import ingest_with_progress, open_store, report_failures
from sourcetrace.cli.console import dump_json, fail, out_console
from sourcetrace.cli.options import DbOption, InputsArgument, JsonOption, MaxBytesOption, OutOption
from sourcetrace.cli.paths import check_paths
from sourcetrace.defaults import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from sourcetrace.records import Document
    from sourcetrace.store.sqlite import Store


def read(
    inputs: InputsArgument,
    out: OutOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first file that cannot be read.")] = False,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
) -> None:
    """Read files into documents and sentences, keep them in the store, and show what was found.

    Reading the same files again does nothing (content hash); changed files are read again.
    The exit code is 1 when any input could not be read (the rest is still read and stored).
    """
    from sourcetrace.cli import render
    from sourcetrace.outputs import output_set, write_jsonl, write_settings, write_texts
    from sourcetrace.pipeline import reading_settings
    from sourcetrace.quotes.index import update_index
    from sourcetrace.readers import ReadError

    check_paths(out, db)
    with open_store(db) as store:
        try:
            report = ingest_with_progress(inputs, store, max_bytes, strict, as_json, log=True)
        except ReadError as exc:
            fail(f"{exc.path}: {exc.reason} (--strict: stopped)", 1)
        update_index(store, vectors=False)  # words now; vectors at the first search
        docs = list(store.documents(report.files))
        rows = _document_rows(store, docs)
        if out:
            with output_set(out) as staged:
                write_jsonl(staged / "documents.jsonl", (d.to_json() for d in docs))
                write_jsonl(staged / "sentences.jsonl",
                            (s.to_json() for d in docs for s in store.sentences(d.id)))
                texts: dict[str, str] = {}
                for d in docs:  # a file's text once, however many documents it holds
                    if d.path not in texts:
                        texts[d.path] = store.document_text(d.id) or ""
                write_texts(staged, texts)
                write_settings(staged, {"command": "read", "settings": json.loads(reading_settings())})
    report_failures(report)
    if as_json:
        dump_json({"documents": rows, "read": report.read, "unchanged": report.unchanged,
                   "failures": [f.__dict__ for f in report.failures],
                   "skipped": [f.__dict__ for f in report.skipped]})
    else:
        out_console.print(render.documents(rows, report.read, report.unchanged, len(report.failures)))
    if report.failures:
        raise typer.Exit(1)


def _document_rows(store: Store, docs: list[Document]) -> list[dict]:
    """Each document's contract record with its size, boilerplate, sentence count, encoding and format."""
    from sourcetrace.store.sqlite import file_key

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
