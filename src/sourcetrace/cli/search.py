"""`sourcetrace search`: every stored document that carries a quote, the earliest, the origin."""

from __future__ import annotations

from typing import Annotated

import typer

from sourcetrace.cli.common import index_with_progress
from sourcetrace.cli.console import dump_json, fail, out_console
from sourcetrace.cli.options import DbOption, JsonOption
from sourcetrace.cli.paths import reading_store


def search_cmd(
    text: Annotated[str, typer.Argument(help="The quote: a sentence or part of one, Arabic or English.")],
    db: DbOption = None,
    lang: Annotated[str, typer.Option("--lang", help="Hits in this language only: ar, en or any.")] = "any",
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="Most hits to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Find every stored document that carries a quote: verbatim, reworded or translated.

    Each hit gives the document, the span, how it carries the quote, a score, the date and the
    origin of its family. The first search after a trace indexes what is new (and loads the
    encoder); `sourcetrace index` does it beforehand.
    """
    from sourcetrace.cli import render
    from sourcetrace.quotes.search import QueryError, check_query, earliest, search

    with reading_store(db) as store:
        try:
            check_query(text, lang)
            index_with_progress(store, quiet=as_json)
            hits = search(store, text, lang=lang, limit=limit)
        except QueryError as exc:
            fail(str(exc))
    first = earliest(hits)
    if as_json:
        dump_json({"query": text, "lang": lang, "hits": [h.to_json() for h in hits],
                   "earliest": first.doc if first else None, "origin": hits[0].origin if hits else None})
        return
    out_console.print(render.search_hits(hits, first), highlight=False)


def index_cmd(
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build the quote index of the store's new documents now, so that the next search answers
    at once. `trace` leaves this to the first search; a server or a script that searches right
    after a large trace runs this first."""
    with reading_store(db) as store:
        added = index_with_progress(store, quiet=as_json)
        sentences = store.counts().get("sentences", 0)
    if as_json:
        dump_json({"indexed": added, "sentences": sentences})
    else:
        out_console.print(f"quote index: {added} new documents indexed; {sentences} sentences searchable",
                          highlight=False)
