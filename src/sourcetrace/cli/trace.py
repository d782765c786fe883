"""`sourcetrace trace`: read, find candidate pairs, align, relate, families, facts; write the outputs."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sourcetrace.align.pair import DEFAULT_THRESHOLD
from sourcetrace.cli import render
from sourcetrace.cli.common import (
    encoder_or_exit,
    ingest_with_progress,
    open_store,
    report_failures,
    run_settings,
    write_facts,
)
from sourcetrace.cli.console import dump_json, err_console, out_console
from sourcetrace.cli.options import (
    DbOption,
    EncoderOption,
    InputsArgument,
    JsonOption,
    MaxBytesOption,
    ThresholdOption,
)
from sourcetrace.outputs import write_jsonl, write_settings
from sourcetrace.pipeline import DEFAULT_MAX_BYTES, fact_diffs, facts_of, trace_documents
from sourcetrace.records import Document


def trace(
    inputs: InputsArgument,
    out: Annotated[Path, typer.Option("--out", help="Directory for documents, sentences and passages JSONL.")],
    db: DbOption = None,
    html: Annotated[Path | None, typer.Option(
        "--html", help="Write a self-contained corpus report: families as graphs, documents, side-by-side views.")]
    = None,
    as_json: JsonOption = False,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    encoder: EncoderOption = "default",
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
) -> None:
    """Read the inputs and find the passages every pair of documents shares.

    Writes documents.jsonl, sentences.jsonl and passages.jsonl (see DESIGN.md) and a settings.json
    stamp to --out, and prints the pairs of documents that share text.
    """
    with open_store(db) as store:
        report = ingest_with_progress(inputs, store, max_bytes, False, as_json)
        docs = list(store.documents(report.files))
        enc = encoder_or_exit(encoder)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=err_console, transient=True, disable=as_json) as progress:
            task = progress.add_task("topics and candidates", total=None)
            passages, relations, fams = trace_documents(
                store, docs, encoder=enc if encoder != "default" else None, threshold=threshold,
                stage=lambda name: progress.update(task, description=name, completed=0, total=None),
                progress=lambda n: progress.update(task, advance=n), on_total=lambda n: progress.update(task, total=n))
            progress.update(task, description="facts", total=None)
            facts = facts_of(store, docs)
            diffs = fact_diffs(store, docs, passages, [(r.a, r.b) for r in relations], facts)
        write_jsonl(out / "documents.jsonl", (d.to_json() for d in docs))
        write_jsonl(out / "sentences.jsonl", (s.to_json() for d in docs for s in store.sentences(d.id)))
        write_jsonl(out / "passages.jsonl", (p.to_json() for p in passages))
        write_jsonl(out / "relations.jsonl", (r.to_json() for r in relations))
        write_jsonl(out / "families.jsonl", (f.to_json() for f in fams))
        write_facts(out, [f for d in docs for f in facts[d.id]], diffs)
        settings = run_settings("trace", encoder, threshold)
        write_settings(out, settings)
        if html:
            from sourcetrace.report import render_corpus_html

            page = render_corpus_html(docs, {d.id: store.document_text(d.id) or "" for d in docs},
                                      {d.id: store.sentences(d.id) for d in docs}, passages, relations, fams,
                                      settings=settings, fact_diffs=diffs)
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(page, encoding="utf-8")
    report_failures(report)
    pairs = _pair_table(docs, passages)
    if as_json:
        dump_json({"documents": len(docs), "passages": len(passages), "pairs": pairs,
                   "facts": sum(len(v) for v in facts.values()),
                   "fact_diffs": dict(Counter(d.status for d in diffs)),
                   "relations": [r.to_json() for r in relations], "families": [f.to_json() for f in fams],
                   "out": str(out), "failures": [f.__dict__ for f in report.failures]})
    else:
        out_console.print(render.trace_summary(docs, passages, relations, fams, out, html))
        out_console.print(render.trace_facts(sum(len(v) for v in facts.values()), len(docs),
                                             sum(d.status == "changed" for d in diffs)))
    if report.failures:
        raise typer.Exit(1)


def _pair_table(docs: list[Document], passages: list) -> list[dict]:
    """One row per pair of documents sharing passages (``trace --json``'s ``pairs``): counts by
    kind and the share of each document they cover, most passages first."""
    from sourcetrace.report.summary import merge_spans, orient

    by_id = {d.id: d for d in docs}
    order = {d.id: i for i, d in enumerate(docs)}
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for p in passages:  # one row per pair of documents, whichever way round a passage names them
        a, b = sorted((p.a, p.b), key=order.__getitem__)
        grouped[(a, b)].append(p if p.a == a else orient(by_id[a], by_id[b], [p])[0])
    rows = []
    for (a, b), ps in sorted(grouped.items(), key=lambda kv: -len(kv[1])):
        da, db = by_id[a], by_id[b]
        cov_a = sum(e - s for s, e in merge_spans((p.a_start, p.a_end) for p in ps)) / max(da.end - da.start, 1)
        cov_b = sum(e - s for s, e in merge_spans((p.b_start, p.b_end) for p in ps)) / max(db.end - db.start, 1)
        rows.append({"a": a, "b": b, "passages": len(ps), "kinds": dict(Counter(p.kind for p in ps)),
                     "coverage_a": round(cov_a, 3), "coverage_b": round(cov_b, 3)})
    return rows
