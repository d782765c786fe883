"""The `sourcetrace` command: a thin layer over the library (pipeline, store, outputs)."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sourcetrace import __version__, pipeline
from sourcetrace.align.pair import DEFAULT_THRESHOLD
from sourcetrace.encode import get_encoder
from sourcetrace.engines import local
from sourcetrace.engines.ingest import ReadReport, ingest
from sourcetrace.engines.lookup import Comparison, NotFound, compare, resolve
from sourcetrace.outputs import write_jsonl, write_settings
from sourcetrace.pipeline import reading_settings, run_settings, write_facts
from sourcetrace.read import DEFAULT_MAX_BYTES, ReadError, discover
from sourcetrace.records import Document, Fact, FactDiff
from sourcetrace.search.index import update_index
from sourcetrace.store.sqlite import Store, StoreError, default_db_path, file_key

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
        update_index(store, vectors=False)  # words now; vectors at the first search
        docs = list(store.documents(report.files))
        rows = _document_rows(store, docs)
        if out:
            write_jsonl(out / "documents.jsonl", (d.to_json() for d in docs))
            write_jsonl(out / "sentences.jsonl",
                        (s.to_json() for d in docs for s in store.sentences(d.id)))
            write_settings(out, {"command": "read", "settings": json.loads(reading_settings())})
    _report_failures(report)
    if as_json:
        _dump_json({"documents": rows, "read": report.read, "unchanged": report.unchanged,
                   "failures": [f.__dict__ for f in report.failures]})
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


ThresholdOption = Annotated[float, typer.Option(
    "--threshold", min=0.0, max=1.0,
    help="Minimum passage score in [0,1] for meaning-based passages: higher trades recall for precision.")]
EncoderOption = Annotated[str, typer.Option(
    "--encoder", help="Sentence encoder: default (e5+USE), e5, use, or st:/path/to/local/sentence-transformers/model.")]


def _settings(command: str, encoder: str, threshold: float) -> dict:
    return run_settings(command, get_encoder(encoder), threshold)


@app.command("compare")
def compare_cmd(
    a: Annotated[str, typer.Argument(help="A document id in the store, a file, or FILE#N (its N-th document).")],
    b: Annotated[str, typer.Argument(help="The other document, named the same ways.")],
    db: DbOption = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write a self-contained side-by-side HTML report.")]
    = None,
    out: OutOption = None,
    as_json: JsonOption = False,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    encoder: EncoderOption = "default",
    bidi: Annotated[bool | None, typer.Option(
        "--bidi/--no-bidi",
        help="Reorder Arabic for display (for terminals without bidi support). Default: on in a terminal, "
             "off when the output is piped.")] = None,
) -> None:
    """Show which parts of one document carry which parts of the other, and how.

    Passages are verbatim, near-verbatim, paraphrase, translation or translated-paraphrase, with
    exact spans on both sides; sentences that match nothing are listed as omissions or additions.
    A file holding several documents contributes the one that shares most with the other side.
    """
    from sourcetrace.report import render_compare_terminal, summarize

    result = _compare_or_exit(a, b, db, encoder, threshold)
    sa, sb = result.a, result.b
    settings = _settings("compare", encoder, threshold)
    summary = summarize(sa.doc, sb.doc, result.passages, sa.sentences, sb.sentences)
    diffs = _write_pair_outputs(result, settings, out, html)
    if as_json:
        payload = {"a": sa.doc.to_json(), "b": sb.doc.to_json(), "passages": [p.to_json() for p in result.passages],
                   "summary": {k: (dict(v) if k == "kinds" else v) for k, v in summary.items()},
                   "fact_diffs": [d.to_json() for d in diffs], "settings": settings}
        _dump_json(payload)
    else:
        reorder = sys.stdout.isatty() if bidi is None else bidi
        out_console.print(render_compare_terminal(sa.doc, sa.text, sb.doc, sb.text, result.passages,
                                                  sa.sentences, sb.sentences, reorder_rtl=reorder, fact_diffs=diffs))
        if html:
            out_console.print(f"HTML report: {html}", highlight=False)


def _compare_or_exit(a: str, b: str, db: Path | None, encoder: str, threshold: float) -> Comparison:
    with _open_store(db) as store:
        try:
            return compare(a, b, store, encoder=get_encoder(encoder), threshold=threshold)
        except (NotFound, ValueError) as exc:
            err_console.print(f"[red]error[/red]: {exc}", highlight=False)
            raise typer.Exit(2) from None


def _write_pair_outputs(result: Comparison, settings: dict, out: Path | None, html: Path | None) -> list[FactDiff]:
    """The fact diff of a comparison, and its --out files and --html page when asked for."""
    from sourcetrace.report import render_compare_html

    sa, sb = result.a, result.b
    facts, diffs = _pair_facts(result)
    if html:
        page = render_compare_html(sa.doc, sa.text, sb.doc, sb.text, result.passages, sa.sentences, sb.sentences,
                                   settings=settings, fact_diffs=diffs)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(page, encoding="utf-8")
    if out:
        write_jsonl(out / "documents.jsonl", (d.to_json() for d in (sa.doc, sb.doc)))
        write_jsonl(out / "sentences.jsonl", (s.to_json() for side in (sa, sb) for s in side.sentences))
        write_jsonl(out / "passages.jsonl", (p.to_json() for p in result.passages))
        write_facts(out, facts, diffs)
        write_settings(out, settings)
    return diffs


def _pair_facts(result: Comparison) -> tuple[list[Fact], list[FactDiff]]:
    """Both documents' facts and their diff over the passages of a comparison."""
    from sourcetrace.facts import document_facts
    from sourcetrace.facts.diff import diff_pair

    sa, sb = result.a, result.b
    fa, fb = document_facts(sa.doc, sa.text), document_facts(sb.doc, sb.text)
    return fa + fb, diff_pair(sa.doc, sa.text, fa, sb.doc, sb.text, fb, result.passages)


@app.command()
def trace(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories (read recursively) and globs.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for documents, sentences and passages JSONL.")],
    db: DbOption = None,
    html: Annotated[Path | None, typer.Option(
        "--html", help="Write a self-contained corpus report: families as graphs, documents, side-by-side views.")]
    = None,
    as_json: JsonOption = False,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    encoder: EncoderOption = "default",
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Refuse files larger than this many bytes.")]
    = DEFAULT_MAX_BYTES,
) -> None:
    """Read the inputs and find the passages every pair of documents shares.

    Writes documents.jsonl, sentences.jsonl and passages.jsonl (see DESIGN.md) and a settings.json
    stamp to --out, and prints the pairs of documents that share text.
    """
    try:
        enc = get_encoder(encoder) if encoder != "default" else None
    except ValueError as exc:
        err_console.print(f"[red]error[/red]: {exc}", highlight=False)
        raise typer.Exit(2) from None
    with _open_store(db) as store:
        report = _ingest_with_progress(inputs, store, max_bytes, False, as_json)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=err_console, transient=True, disable=as_json) as progress:
            task = progress.add_task("topics and candidates", total=None)
            result = local.trace_documents(
                store, list(store.documents(report.files)), encoder=enc, threshold=threshold,
                progress=local.Progress(
                    stage=lambda name: progress.update(task, description=name, completed=0, total=None),
                    total=lambda n: progress.update(task, total=n), advance=lambda n: progress.update(task, advance=n)))
        pipeline.outputs(result, out)
        if html:
            from sourcetrace.report import render_corpus_html

            docs = result.documents
            page = render_corpus_html(docs, {d.id: store.document_text(d.id) or "" for d in docs},
                                      {d.id: store.sentences(d.id) for d in docs}, result.passages, result.relations,
                                      result.families, settings=result.settings, fact_diffs=result.fact_diffs)
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(page, encoding="utf-8")
    docs, passages, relations, fams = result.documents, result.passages, result.relations, result.families
    facts, diffs = result.facts, result.fact_diffs
    _report_failures(report)
    pairs = _pair_table(docs, passages)
    if as_json:
        _dump_json({"documents": len(docs), "passages": len(passages), "pairs": pairs,
                    "facts": sum(len(v) for v in facts.values()),
                    "fact_diffs": dict(Counter(d.status for d in diffs)),
                   "relations": [r.to_json() for r in relations], "families": [f.to_json() for f in fams],
                   "out": str(out), "failures": [f.__dict__ for f in report.failures]})
    else:
        _print_trace(docs, passages, relations, fams, out, html)
        changed = sum(d.status == "changed" for d in diffs)
        out_console.print(f"facts: {sum(len(v) for v in facts.values())} in {len(docs)} documents; "
                          f"{changed} changed between related documents (facts.jsonl, fact_diffs.jsonl)",
                          highlight=False)
    if report.failures:
        raise typer.Exit(1)


def _require_document(store: Store, doc: str) -> Document:
    document = store.document(doc)
    if document is None:
        err_console.print(f"[red]error[/red]: {doc}: no such document in the store", highlight=False)
        raise typer.Exit(2)
    return document


def _dump_json(payload: object) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=1, default=list)
    sys.stdout.write("\n")


@app.command()
def show(
    doc: Annotated[str, typer.Argument(help="A document id in the store (see `sourcetrace read`).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a document's relations with their evidence (after `sourcetrace trace`)."""
    from sourcetrace.relate.lineage import relations_of

    with _open_store(db) as store:
        document = _require_document(store, doc)
        relations = relations_of(doc, store.relations(doc))
    if as_json:
        _dump_json({"document": document.to_json(), "relations": [r.to_json() for r in relations]})
        return
    out_console.print(f"[bold]{doc}[/bold]  {document.lang}  {document.date or ''}  {document.title or ''}",
                      highlight=False)
    if not relations:
        out_console.print("no relations (run `sourcetrace trace` over the files first)")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("other", "type", "source", "cov this", "cov other", "passages", "evidence"):
        table.add_column(col, overflow="fold", no_wrap=col in ("other", "type"))
    for r in relations:
        table.add_row(r.b, r.type, r.source or "", f"{r.coverage_a:.0%}", f"{r.coverage_b:.0%}", str(r.passages),
                      "; ".join(r.evidence))
    out_console.print(table)


@app.command()
def origin(
    doc: Annotated[str, typer.Argument(help="A document id in the store.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print a document's inferred origin chain: its closest source, that one's source, … the origin."""
    from sourcetrace.relate.lineage import origin_chain

    with _open_store(db) as store:
        _require_document(store, doc)
        relations = store.relations()
        all_docs = list(store.documents())
    chain = origin_chain(doc, relations, {d.id: d.date for d in all_docs}, {d.id: d.lang for d in all_docs})
    if as_json:
        _dump_json([{"document": d, "relation": r.to_json() if r else None} for d, r in chain])
        return
    for i, (d, rel) in enumerate(chain):
        label = "origin" if rel is None else f"{rel.type} of ↓ ({'; '.join(rel.evidence[:2])})"
        out_console.print(f"{'  ' * i}{d}  [dim]{label}[/dim]", highlight=False)


def _resolve_or_exit(store: Store, ref: str) -> list[Document]:
    try:
        return resolve(ref, store)
    except NotFound as exc:
        err_console.print(f"[red]error[/red]: {exc}", highlight=False)
        raise typer.Exit(2) from None


@app.command("facts")
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
    from sourcetrace.facts import FACT_TYPES, document_facts

    bad = [k for k in kind or [] if k not in FACT_TYPES]
    if bad:
        err_console.print(f"[red]error[/red]: unknown fact type {bad[0]!r}; one of {', '.join(FACT_TYPES)}",
                          highlight=False)
        raise typer.Exit(2)
    with _open_store(db) as store:
        docs = _resolve_or_exit(store, doc)
        texts = {d.id: store.document_text(d.id) or "" for d in docs}
    facts = [f for d in docs for f in document_facts(d, texts[d.id]) if not kind or f.type in kind]
    if out:
        write_jsonl(out / "facts.jsonl", (f.to_json() for f in facts))
    if as_json:
        _dump_json([{**f.to_json(), "text": texts[f.doc][f.start:f.end]} for f in facts])
        return
    from sourcetrace.report.bidi import visual

    reorder = sys.stdout.isatty()
    table = Table(title=f"{len(facts)} facts in {', '.join(d.id for d in docs)}", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("doc", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("span", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("value", overflow="fold", max_width=24)
    table.add_column("text", overflow="fold", min_width=16)
    for f in facts:
        text = " ".join(texts[f.doc][f.start:f.end].split())
        table.add_row(f.doc, f"{f.start}-{f.end}", f.type, str(f.value), visual(text) if reorder else text)
    out_console.print(table)


@app.command("diff")
def diff_cmd(
    a: Annotated[str, typer.Argument(help="The older or source document: an id in the store, a file, or FILE#N.")],
    b: Annotated[str, typer.Argument(help="The newer or derived document, named the same ways.")],
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write documents, passages, facts.jsonl and fact_diffs.jsonl into this directory.")] = None,
    html: Annotated[Path | None, typer.Option(
        "--html", help="Write the side-by-side HTML report with the fact table.")] = None,
    as_json: JsonOption = False,
    show_same: Annotated[bool, typer.Option("--all", help="List the facts kept as well.")] = False,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    encoder: EncoderOption = "default",
) -> None:
    """Show which figures, dates and names B kept, changed, dropped or added from A.

    The two documents are aligned first; facts are compared passage by passage, across languages
    too. Changed facts show old → new.
    """
    from sourcetrace.report.facts import fact_diff_table

    result = _compare_or_exit(a, b, db, encoder, threshold)
    sa, sb = result.a, result.b
    diffs = _write_pair_outputs(result, _settings("diff", encoder, threshold), out, html)
    if as_json:
        _dump_json({"a": sa.doc.id, "b": sb.doc.id, "counts": dict(Counter(d.status for d in diffs)),
                    "fact_diffs": [{**d.to_json(),
                                    "text_a": sa.text[d.a_start:d.a_end] if d.a_start is not None else None,
                                    "text_b": sb.text[d.b_start:d.b_end] if d.b_start is not None else None}
                                   for d in diffs]})
        return
    out_console.print(f"[bold]A[/bold] {sa.doc.id} ({sa.doc.lang})  →  [bold]B[/bold] {sb.doc.id} ({sb.doc.lang}): "
                      f"{len(result.passages)} passages", highlight=False)
    out_console.print(fact_diff_table(diffs, sa.text, sb.text, reorder_rtl=sys.stdout.isatty(), show_same=show_same,
                                      title="facts" if show_same else "facts (kept ones not listed; --all)"))


@app.command()
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
    from sourcetrace.engines.lookup import timeline_of
    from sourcetrace.report.facts import fact_diff_table

    with _open_store(db) as store:
        docs: list[Document] = []
        for ref in inputs:
            found = store.document(ref)
            if found is None:
                report = _ingest_with_progress([ref], store, DEFAULT_MAX_BYTES, False, True)
                _report_failures(report)
                found_docs = list(store.documents(report.files))
            else:
                found_docs = [found]
            docs += [d for d in found_docs if d.id not in {x.id for x in docs}]
        if len(docs) < 2:
            err_console.print("[red]error[/red]: a timeline needs at least two documents", highlight=False)
            raise typer.Exit(2)
        try:
            enc = get_encoder(encoder)
        except ValueError as exc:
            err_console.print(f"[red]error[/red]: {exc}", highlight=False)
            raise typer.Exit(2) from None
        tl = timeline_of(store, docs, encoder=enc, threshold=threshold)
    vs, result, texts = tl.versions, tl.steps, tl.texts
    if out:
        write_jsonl(out / "documents.jsonl", (v.doc.to_json() for v in vs))
        write_jsonl(out / "passages.jsonl", (p.to_json() for st in result for p in st.passages))
        write_facts(out, [f for v in vs for f in tl.facts[v.doc.id]], [d for st in result for d in st.facts])
        (out / "timeline.json").write_text(json.dumps([st.to_json() for st in result], ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    if as_json:
        _dump_json({"versions": [{"id": v.doc.id, "date": v.date} for v in vs],
                    "left_out": [d.id for d in tl.left_out], "steps": [st.to_json() for st in result]})
        return
    reorder = sys.stdout.isatty()
    from sourcetrace.report.compare_terminal import fit

    out_console.print("[bold]versions[/bold]: " + " → ".join(f"{v.doc.id} ({v.date or 'no date'})" for v in vs),
                      highlight=False)
    if tl.left_out:
        out_console.print("left out (share no text with another input): " + ", ".join(d.id for d in tl.left_out),
                          highlight=False)
    for st in result:
        a, b = st.old.doc, st.new.doc
        out_console.print(f"\n[bold]{a.id} → {b.id}[/bold]: {len(st.dropped)} sentences dropped, "
                          f"{len(st.added)} added, {len(st.reworded)} reworded", highlight=False)
        for label, spans, text, lang in (("dropped", st.dropped, texts[a.id], a.lang),
                                         ("added", st.added, texts[b.id], b.lang)):
            for s_, e_ in spans[:MAX_ROWS]:
                line = fit(text[s_:e_], 100, 1, rtl=lang == "ar", reorder=reorder)
                out_console.print(f"  {'-' if label == 'dropped' else '+'} [{s_}, {e_}) {line}", highlight=False,
                                  markup=False)
        out_console.print(fact_diff_table(st.facts, texts[a.id], texts[b.id], reorder_rtl=reorder,
                                          title="facts (kept ones not listed)"))


@app.command("search")
def search_cmd(
    text: Annotated[str, typer.Argument(help="The quote: a sentence or part of one, Arabic or English.")],
    db: DbOption = None,
    lang: Annotated[str, typer.Option("--lang", help="Hits in this language only: ar, en or any.")] = "any",
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="Most hits to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Find every stored document that carries a quote: verbatim, reworded or translated.

    Each hit gives the document, the span, how it carries the quote, a score, the date and the
    origin of its family. The first search of a store indexes it (and loads the encoder).
    """
    from rich.text import Text

    from sourcetrace.search.query import QueryError, earliest, search

    with _open_store(db) as store:
        try:
            hits = search(store, text, lang=lang, limit=limit)
        except QueryError as exc:
            err_console.print(f"[red]error[/red]: {exc}", highlight=False)
            raise typer.Exit(2) from None
    first = earliest(hits)
    if as_json:
        _dump_json({"query": text, "lang": lang, "hits": [h.to_json() for h in hits],
                    "earliest": first.doc if first else None, "origin": hits[0].origin if hits else None})
        return
    if not hits:
        out_console.print("no document carries this text")
        return
    for i, h in enumerate(hits, 1):
        head = Text(f"{i:>2}. ")
        head.append(h.doc, style="bold")
        head.append(f"  {h.kind} {h.score:.2f}  [{h.start}, {h.end})  {h.date or 'undated'}"
                    + (f"  origin {h.origin}" if h.origin else "") + (f"  via {h.via}" if h.via else ""))
        snippet = Text("    ")
        for piece, marked in h.parts():  # matching words in bold; whitespace runs folded
            snippet.append(re.sub(r"\s+", " ", piece), style="bold yellow" if marked else "")
        out_console.print(head, highlight=False)
        out_console.print(snippet, highlight=False)
    if first:
        out_console.print(f"earliest: {first.doc} ({first.date})", highlight=False)
    if hits[0].origin:
        out_console.print(f"origin: {hits[0].origin}", highlight=False)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind. Anything but loopback needs a token.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8765,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="SOURCETRACE_TOKEN",
        help="Access token (required off loopback; one is made up and printed when not given).")] = None,
) -> None:
    """Run the local web app: quote search, documents, side-by-side views, families, uploads."""
    import secrets

    import uvicorn

    from sourcetrace.web import create_app, is_loopback
    from sourcetrace.web.app import LOOPBACK_NAMES

    loopback = is_loopback(host)
    if not loopback and not token:
        token = secrets.token_urlsafe(24)
    path = db or default_db_path()
    app_ = create_app(path, token=token, allowed_hosts=[*LOOPBACK_NAMES, host] if loopback else None)
    shown = f"[{host}]" if ":" in host else host
    suffix = f"/?token={token}" if token else "/"
    err_console.print(f"sourcetrace serving {path} at http://{shown}:{port}{suffix}", highlight=False)
    uvicorn.run(app_, host=host, port=port, log_level="warning")


MAX_ROWS = 40  # rows of a terminal table; the JSONL files hold everything


def _print_trace(docs: list[Document], passages: list, relations: list, fams: list, out: Path,
                 html: Path | None) -> None:
    directed = [r for r in relations if r.type != "related"]
    out_console.print(f"[bold]{len(docs)} documents[/bold], {len(passages)} passages, "
                      f"{len(relations)} relations ({', '.join(f'{k} {v}' for k, v in Counter(r.type for r in relations).most_common())}), "
                      f"{len(fams)} families", highlight=False)
    if directed:
        table = Table(title="who took from whom", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        id_width = max(len(d.id) for d in docs)
        table.add_column("source", no_wrap=True, min_width=min(id_width, 30))
        table.add_column("type", no_wrap=True)
        table.add_column("document", no_wrap=True, min_width=min(id_width, 30))
        table.add_column("covers", justify="right", no_wrap=True)
        for r in sorted(directed, key=lambda r: -r.score)[:MAX_ROWS]:
            src = r.source or r.a
            other = r.b if src == r.a else r.a
            cov = r.coverage_b if src == r.a else r.coverage_a
            table.add_row(src, r.type, other, f"{cov:.0%}")
        out_console.print(table)
        if len(directed) > MAX_ROWS:
            out_console.print(f"… {len(directed) - MAX_ROWS} more in relations.jsonl")
    for fam in fams[:MAX_ROWS]:
        out_console.print(f"family of {len(fam.documents)}, origin [bold]{fam.origin or '?'}[/bold]: "
                          + ", ".join(fam.documents[:12]) + (" …" if len(fam.documents) > 12 else ""),
                          highlight=False)
    out_console.print(f"wrote {out}/: documents, sentences, passages, relations, families (.jsonl)", highlight=False)
    if html:
        out_console.print(f"corpus report: {html}", highlight=False)


_KIND_CODES = {"verbatim": "V", "near-verbatim": "NV", "paraphrase": "P", "translation": "T",
               "translated-near-verbatim": "TNV", "translated-paraphrase": "TP"}


def _pair_table(docs: list[Document], passages: list) -> list[dict]:
    from collections import defaultdict

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
