"""`sourcetrace search`: every stored document that carries a quote, the earliest, the origin."""

from __future__ import annotations

from typing import Annotated

import typer

from sourcetrace.cli import render
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
    origin of its family. The first search of a store indexes it (and loads the encoder).
    """
    from sourcetrace.quotes.search import QueryError, earliest, search

    with reading_store(db) as store:
        try:
            hits = search(store, text, lang=lang, limit=limit)
        except QueryError as exc:
            fail(str(exc))
    first = earliest(hits)
    if as_json:
        dump_json({"query": text, "lang": lang, "hits": [h.to_json() for h in hits],
                   "earliest": first.doc if first else None, "origin": hits[0].origin if hits else None})
        return
    out_console.print(render.search_hits(hits, first), highlight=False)
