"""`sourcetrace compare` and `sourcetrace diff`: two documents aligned, their passages or their facts."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sourcetrace.cli.common import run_settings
from sourcetrace.cli.console import dump_json, fail, out_console, say
from sourcetrace.cli.options import DbOption, EncoderOption, JsonOption, OutOption, ThresholdOption
from sourcetrace.cli.paths import check_html, check_out, store_for
from sourcetrace.defaults import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from sourcetrace.engines.lookup import Comparison
    from sourcetrace.records import FactDiff


#: How `compare` says where its passages come from (its last line but --html's; ``passages_from``
#: in --json: engines.lookup.Comparison.source).
SAID = {
    "store": "passages: the store's, from a trace that aligned this pair with the same settings (not aligned again)",
    "store-reversed": "passages: the store's, from a trace that aligned this pair the other way round, turned "
                      "round (not aligned again; --realign aligns it this way round)",
    "aligned": "passages: aligned now (the store holds no alignment of this pair with these settings)",
}
RealignOption = Annotated[bool, typer.Option(
    "--realign", help="Align the pair now even when a trace stored its alignment with the same settings.")]


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
    realign: RealignOption = False,
) -> None:
    """Show which parts of one document carry which parts of the other, and how.

    Passages are verbatim, near-verbatim, paraphrase, translation or translated-paraphrase, with
    exact spans on both sides; sentences that match nothing are listed as omissions or additions.
    A file holding several documents contributes the one that shares most with the other side.
    After a trace into the same store, the pair's passages are the trace's (said at the end).
    """
    from sourcetrace.relate.coverage import summarize
    from sourcetrace.report import render_compare_terminal

    check_out(out)
    check_html(html)
    result = _compare_or_exit(a, b, db, encoder, threshold, realign)
    sa, sb = result.a, result.b
    settings = run_settings("compare", encoder, threshold)
    summary = summarize(sa.doc, sb.doc, result.passages, sa.sentences, sb.sentences)
    diffs = _write_pair_outputs(result, settings, out, html)
    if as_json:
        payload = {"a": sa.doc.to_json(), "b": sb.doc.to_json(), "passages": [p.to_json() for p in result.passages],
                   "summary": {k: (dict(v) if k == "kinds" else v) for k, v in summary.items()},
                   "fact_diffs": [d.to_json() for d in diffs], "settings": settings,
                   "passages_from": result.source}
        dump_json(payload)
    else:
        reorder = sys.stdout.isatty() if bidi is None else bidi
        out_console.print(render_compare_terminal(sa.doc, sa.text, sb.doc, sb.text, result.passages,
                                                  sa.sentences, sb.sentences, reorder_rtl=reorder, fact_diffs=diffs))
        say(SAID[result.source])
        if html:
            say("HTML report: {html}", html=str(html))


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
    from sourcetrace.cli import render

    check_out(out)
    check_html(html)
    result = _compare_or_exit(a, b, db, encoder, threshold)
    sa, sb = result.a, result.b
    diffs = _write_pair_outputs(result, run_settings("diff", encoder, threshold), out, html)
    if as_json:
        dump_json({"a": sa.doc.id, "b": sb.doc.id, "counts": dict(Counter(d.status for d in diffs)),
                   "fact_diffs": [{**d.to_json(),
                                   "text_a": sa.text[d.a_start:d.a_end] if d.a_start is not None else None,
                                   "text_b": sb.text[d.b_start:d.b_end] if d.b_start is not None else None}
                                  for d in diffs]})
        return
    out_console.print(render.fact_diff(sa.doc, sb.doc, len(result.passages), diffs, sa.text, sb.text,
                                       reorder=sys.stdout.isatty(), show_same=show_same))


def _compare_or_exit(a: str, b: str, db: Path | None, encoder: str, threshold: float,
                     realign: bool = False) -> Comparison:
    from sourcetrace.encode import get_encoder
    from sourcetrace.engines.lookup import NotFound, compare

    with store_for(db, (a, b)) as store:
        try:
            # "default" lets the pair pick as a trace does (USE for two books: with E5+USE on every
            # unit, `compare` of two 11 MB editions ran past 15 minutes, bench/huge.py)
            return compare(a, b, store, encoder=get_encoder(encoder) if encoder != "default" else None,
                           threshold=threshold, realign=realign)
        except (NotFound, ValueError) as exc:
            fail(str(exc))


def _write_pair_outputs(result: Comparison, settings: dict, out: Path | None, html: Path | None) -> list[FactDiff]:
    """The fact diff of a comparison, and its --out files and --html page when asked for."""
    from sourcetrace.engines.lookup import pair_fact_diff
    from sourcetrace.outputs import output_set, write_jsonl, write_settings, write_texts
    from sourcetrace.pipeline import write_facts
    from sourcetrace.report import render_compare_html

    sa, sb = result.a, result.b
    facts, diffs = pair_fact_diff(result)
    if html:
        page = render_compare_html(sa.doc, sa.text, sb.doc, sb.text, result.passages, sa.sentences, sb.sentences,
                                   settings=settings, fact_diffs=diffs)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(page, encoding="utf-8")
    if out:
        with output_set(out) as staged:
            write_jsonl(staged / "documents.jsonl", (d.to_json() for d in (sa.doc, sb.doc)))
            write_jsonl(staged / "sentences.jsonl", (s.to_json() for side in (sa, sb) for s in side.sentences))
            write_jsonl(staged / "passages.jsonl", (p.to_json() for p in result.passages))
            write_facts(staged, facts, diffs)
            write_texts(staged, {side.doc.path: side.text for side in (sa, sb)})
            write_settings(staged, settings)
    return diffs
