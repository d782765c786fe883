"""What a traced store holds, as the tables ``trace --out`` writes (for ``sourcetrace export``).

The store keeps documents, sentences, each aligned pair's direct passages and the relations of
the last trace; passages through a translation (``compose``) and families are not stored, and
are computed here by the same stages ``trace`` runs. A pair aligned by an earlier trace that the
last one no longer related is left out, as ``trace`` leaves it out of its outputs.
"""

from __future__ import annotations

from sourcetrace import pipeline
from sourcetrace.engines.local import DocumentTexts
from sourcetrace.export.tables import Tables
from sourcetrace.records import in_bulk
from sourcetrace.store.sqlite import Store


def stored_tables(store: Store) -> Tables:
    """The store's documents, sentences, passages, relations and families, and file texts by path."""
    with in_bulk():
        docs = list(store.documents())
        relations = store.relations()
        related = {frozenset((r.a, r.b)) for r in relations}
        direct = [p for p in store.passages() if frozenset((p.a, p.b)) in related]
        passages = pipeline.compose(docs, direct)
        sentences = [s for d in docs for s in store.sentences(d.id)]
    first_doc = {}
    for d in docs:
        first_doc.setdefault(d.path, d)
    texts = DocumentTexts(store)
    return Tables(docs, sentences, passages, relations, pipeline.families(docs, relations),
                  lambda path: texts(first_doc[path]))
