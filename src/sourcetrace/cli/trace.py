"""`sourcetrace trace`: read, find candidate pairs, align, relate, families, facts; write the outputs."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated

import typer

from sourcetrace import pipeline
from sourcetrace.align.pair import DEFAULT_THRESHOLD
from sourcetrace.cli import render
from sourcetrace.cli.common import (
    encoder_or_exit,
    ingest_with_progress,
    open_store,
    report_failures,
    stage_progress,
)
from sourcetrace.cli.console import dump_json, out_console
from sourcetrace.cli.options import (
    DbOption,
    EncoderOption,
    InputsArgument,
    JsonOption,
    MaxBytesOption,
    ThresholdOption,
)
from sourcetrace.cli.paths import check_paths
from sourcetrace.engines import local
from sourcetrace.readers import DEFAULT_MAX_BYTES
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

    Writes the output contract to --out (documents, sentences, passages, relations, families,
    facts and fact_diffs as .jsonl; see DESIGN.md) with a settings.json stamp, and prints the
    pairs of documents that share text.
    """
    check_paths(out, db, html)
    enc = encoder_or_exit(encoder) if encoder != "default" else None
    with open_store(db) as store:
        report = ingest_with_progress(inputs, store, max_bytes, False, as_json, log=True)
        with stage_progress(as_json) as progress:
            result = local.trace_documents(store, list(store.documents(report.files)), encoder=enc,
                                           threshold=threshold, progress=progress)
        pipeline.outputs(result, out)
        docs = result.documents
        if html:
            from sourcetrace.report import render_corpus_html

            page = render_corpus_html(docs, {d.id: store.document_text(d.id) or "" for d in docs},
                                      {d.id: store.sentences(d.id) for d in docs}, result.passages, result.relations,
                                      result.families, settings=result.settings, fact_diffs=result.fact_diffs)
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(page, encoding="utf-8")
    passages, relations, fams, facts, diffs = (result.passages, result.relations, result.families, result.facts,
                                               result.fact_diffs)
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
    from sourcetrace.relate.coverage import merge_spans, orient

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
