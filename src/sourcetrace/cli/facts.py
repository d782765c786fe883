"""`sourcetrace facts`: the figures, money, dates and names a document states, with their spans."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sourcetrace.cli.common import resolve_or_exit
from sourcetrace.cli.console import dump_json, fail, out_console
from sourcetrace.cli.options import DbOption, JsonOption
from sourcetrace.cli.paths import check_out, store_for


def facts_cmd(
    doc: Annotated[str, typer.Argument(help="A document id in the store, a file (all its documents), or FILE#N.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write facts.jsonl into this directory.")] = None,
    kind: Annotated[list[str] | None, typer.Option(
        "--type", help="Only facts of this type (number, money, percent, date, person, org, place); repeatable.")]
    = None,
) -> None:
    """List the facts of a document: figures, money, percentages, dates, people, organisations, places.

    Each fact has its span in the file and a normalized value: integers, "5000000 USD", ISO dates
    ("--06-04" when the text gives no year), and name keys that meet across Arabic and English.
    """
    from sourcetrace.cli import render
    from sourcetrace.factcheck import FACT_TYPES, document_facts
    from sourcetrace.outputs import output_set, write_jsonl

    bad = [k for k in kind or [] if k not in FACT_TYPES]
    if bad:
        fail(f"unknown fact type {bad[0]!r}; one of {', '.join(FACT_TYPES)}")
    check_out(out)
    with store_for(db, [doc]) as store:
        docs = resolve_or_exit(store, doc)
        texts = {d.id: store.document_text(d.id) or "" for d in docs}
    facts = [f for d in docs for f in document_facts(d, texts[d.id]) if not kind or f.type in kind]
    if out:
        with output_set(out) as staged:
            write_jsonl(staged / "facts.jsonl", (f.to_json() for f in facts))
    if as_json:
        dump_json([{**f.to_json(), "text": texts[f.doc][f.start:f.end]} for f in facts])
        return
    out_console.print(render.facts(facts, docs, texts, reorder=sys.stdout.isatty()))
