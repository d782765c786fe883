"""`sourcetrace trace`: read, find candidate pairs, align, relate, families, facts; write the outputs."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sourcetrace.cli.common import (
    encoder_or_exit,
    ingest_with_progress,
    open_store,
    report_failures,
    stage_progress,
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
from sourcetrace.cli.paths import check_paths
from sourcetrace.defaults import DEFAULT_MAX_BYTES, DEFAULT_THRESHOLD, DIFFED_FACTS, FACTS_CHOICES

if TYPE_CHECKING:
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
    engine: Annotated[str, typer.Option(
        "--engine", help="local (this machine, a store as cache) or spark (Apache Spark through PySpark: "
                         "pip install 'sourcetrace[spark]').")] = "local",
    master: Annotated[str, typer.Option(
        "--master", help="With --engine spark: the Spark master (local[*], local[2], spark://HOST:7077, yarn).")]
    = "local[*]",
    fmt: Annotated[str, typer.Option(
        "--format", help="With --engine spark: jsonl (JSON-lines part files) or parquet, a directory per table.")]
    = "jsonl",
    conf: Annotated[list[str] | None, typer.Option(
        "--conf", help="With --engine spark: a Spark setting KEY=VALUE (repeatable), e.g. spark.driver.memory=4g.")]
    = None,
    facts: Annotated[str, typer.Option(
        "--facts", help="Whose facts to extract and write to facts.jsonl: diffed (the documents of the pairs "
                        "whose facts are diffed, the only ones a trace reads) or all (every document's).")]
    = DIFFED_FACTS,
) -> None:
    """Read the inputs and find the passages every pair of documents shares.

    Writes the output contract to --out (documents, sentences, passages, relations, families,
    facts and fact_diffs as .jsonl; see DESIGN.md) with a settings.json stamp, and prints the
    pairs of documents that share text. With --engine spark the same stages run on Apache Spark
    and each table is a directory of part files (docs/formats.md, "Spark outputs"); INPUT may
    then also be a URI Spark reads (hdfs://, s3a://).
    """
    if engine not in ("local", "spark"):
        raise typer.BadParameter("local or spark", param_hint="--engine")
    if facts not in FACTS_CHOICES:
        raise typer.BadParameter(" or ".join(FACTS_CHOICES), param_hint="--facts")
    if engine == "spark":
        _trace_spark(inputs, out, db=db, html=html, as_json=as_json, threshold=threshold, encoder=encoder,
                     max_bytes=max_bytes, master=master, fmt=fmt, conf=conf or [], facts=facts)
        return
    from sourcetrace.cli import render
    from sourcetrace.engines import local

    check_paths(out, db, html)
    enc = encoder_or_exit(encoder) if encoder != "default" else None
    with open_store(db) as store:
        report = ingest_with_progress(inputs, store, max_bytes, False, as_json, log=True)
        with stage_progress(as_json) as progress:
            # the corpus's sentences and texts are in the output set and the store: not read back as records
            result = local.trace_documents(store, list(store.documents(report.files)), encoder=enc,
                                           threshold=threshold, progress=progress, facts=facts, out=out, corpus=False)
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
    if as_json:  # the pair table only for it (a second of a 25k trace's tail otherwise spent for nothing)
        dump_json({"documents": len(docs), "passages": len(passages), "pairs": _pair_table(docs, passages),
                   "facts": sum(len(v) for v in facts.values()),
                   "fact_diffs": dict(Counter(d.status for d in diffs)),
                   "relations": [r.to_json() for r in relations], "families": [f.to_json() for f in fams],
                   "out": str(out), "failures": [f.__dict__ for f in report.failures],
                   "skipped": [f.__dict__ for f in report.skipped]})
    else:
        out_console.print(render.trace_summary(docs, passages, relations, fams, out, html))
        out_console.print(render.trace_facts(sum(len(v) for v in facts.values()), len(facts),  # whose were written
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


def _trace_spark(inputs: list[str], out: Path, *, db: Path | None, html: Path | None, as_json: bool,
                 threshold: float, encoder: str, max_bytes: int, master: str, fmt: str, conf: list[str],
                 facts: str = DIFFED_FACTS) -> None:
    """`trace --engine spark`: the stages on Spark, the tables written by its executors."""
    if db is not None or html is not None:
        raise typer.BadParameter("--db and --html are the local engine's: a Spark run keeps no store "
                                 "(`sourcetrace load` reads its outputs into one)", param_hint="--engine spark")
    if fmt not in ("jsonl", "parquet"):
        raise typer.BadParameter("jsonl or parquet", param_hint="--format")
    settings = {}
    for item in conf:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--conf")
        settings[key.strip()] = value.strip()
    enc = encoder_or_exit(encoder) if encoder != "default" else None
    try:
        from sourcetrace.engines.spark import trace_spark
    except ImportError as exc:
        out_console.print(f"--engine spark needs PySpark and Java 17: pip install 'sourcetrace[spark]' ({exc})")
        raise typer.Exit(2) from None
    log = None if as_json else (lambda stage: err_console.print(f"[dim]spark: {stage}[/dim]"))
    summary = trace_spark(inputs, str(out), master=master, fmt=fmt, encoder=enc, threshold=threshold,
                          max_bytes=max_bytes, conf=settings, say=log, facts=facts)
    if as_json:
        dump_json({"engine": "spark", "master": master, "format": fmt, "out": str(out), "counts": summary.counts,
                   "relation_types": summary.relation_types, "fact_diffs_changed": summary.changed_facts,
                   "seconds": {k: round(v, 2) for k, v in summary.seconds.items()},
                   "failures": [f.__dict__ for f in summary.failures], "n_failures": summary.n_failures})
    else:
        from sourcetrace.cli import render

        out_console.print(render.spark_summary(summary))
    if summary.n_failures:
        raise typer.Exit(1)
