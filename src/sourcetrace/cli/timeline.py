"""`sourcetrace timeline`: the versions of a recurring statement in date order, and what each changed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sourcetrace.cli.common import (
    encoder_or_exit,
    ingest_with_progress,
    report_failures,
)
from sourcetrace.cli.console import dump_json, fail, out_console
from sourcetrace.cli.options import DbOption, EncoderOption, JsonOption, ThresholdOption
from sourcetrace.cli.paths import check_out, store_for
from sourcetrace.defaults import DEFAULT_MAX_BYTES, DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from sourcetrace.records import Document


def timeline(
    inputs: Annotated[list[str], typer.Argument(
        help="The versions of one recurring statement: files, directories, globs (or document ids).")],
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write documents, passages, facts.jsonl, fact_diffs.jsonl and timeline.json here.")] = None,
    as_json: JsonOption = False,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    encoder: EncoderOption = "default",
) -> None:
    """Order the versions of a recurring statement by date and show what each one changed.

    For each version: the sentences it added, dropped and reworded, and the facts it changed.

    Documents that share no text with another input are left out (not versions). A version's date
    is its own, else the latest date it states (see sourcetrace.relate.timeline).
    """
    from sourcetrace.cli import render
    from sourcetrace.engines.lookup import timeline_of
    from sourcetrace.outputs import output_set, write_jsonl
    from sourcetrace.pipeline import write_facts

    check_out(out)
    with store_for(db, inputs) as store:
        docs: list[Document] = []
        for ref in inputs:
            found = store.document(ref)
            if found is None:
                report = ingest_with_progress([ref], store, DEFAULT_MAX_BYTES, False, True)
                report_failures(report)
                found_docs = list(store.documents(report.files))
            else:
                found_docs = [found]
            docs += [d for d in found_docs if d.id not in {x.id for x in docs}]
        if len(docs) < 2:
            fail("a timeline needs at least two documents")
        enc = encoder_or_exit(encoder)
        tl = timeline_of(store, docs, encoder=enc, threshold=threshold)
    vs, result = tl.versions, tl.steps
    if out:
        with output_set(out) as staged:
            write_jsonl(staged / "documents.jsonl", (v.doc.to_json() for v in vs))
            write_jsonl(staged / "passages.jsonl", (p.to_json() for st in result for p in st.passages))
            write_facts(staged, [f for v in vs for f in tl.facts[v.doc.id]], [d for st in result for d in st.facts])
            (staged / "timeline.json").write_text(json.dumps([st.to_json() for st in result], ensure_ascii=False,
                                                             indent=1), encoding="utf-8")
    if as_json:
        dump_json({"versions": [{"id": v.doc.id, "date": v.date} for v in vs],
                   "left_out": [d.id for d in tl.left_out], "steps": [st.to_json() for st in result]})
        return
    out_console.print(render.timeline(tl, reorder=sys.stdout.isatty()))
