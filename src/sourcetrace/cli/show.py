"""`sourcetrace show` and `sourcetrace origin`: what the store knows of one document's relations."""

from __future__ import annotations

from typing import Annotated

import typer

from sourcetrace.cli.common import require_document
from sourcetrace.cli.console import dump_json, out_console
from sourcetrace.cli.options import DbOption, JsonOption
from sourcetrace.cli.paths import reading_store


def show(
    doc: Annotated[str, typer.Argument(help="A document id in the store (see `sourcetrace read`).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a document's relations with their evidence (after `sourcetrace trace`)."""
    from sourcetrace.cli import render
    from sourcetrace.relate.lineage import relations_of

    with reading_store(db) as store:
        document = require_document(store, doc)
        relations = relations_of(doc, store.relations(doc))
    if as_json:
        dump_json({"document": document.to_json(), "relations": [r.to_json() for r in relations]})
        return
    out_console.print(render.relations(document, relations))


def origin(
    doc: Annotated[str, typer.Argument(help="A document id in the store.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print a document's inferred origin chain: its closest source, that one's source, … the origin."""
    from sourcetrace.cli import render
    from sourcetrace.relate.lineage import chain_json, origin_chain

    with reading_store(db) as store:
        require_document(store, doc)
        relations = store.relations()
        all_docs = list(store.documents())
    chain = origin_chain(doc, relations, {d.id: d.date for d in all_docs}, {d.id: d.lang for d in all_docs})
    if as_json:
        dump_json(chain_json(chain, relations))
        return
    out_console.print(render.origin_chain(chain, relations))
