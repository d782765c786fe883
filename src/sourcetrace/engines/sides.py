"""Documents read from the store as :class:`~sourcetrace.align.pair.Side` records for alignment.

The alignment stage is pure (two sides and a vector function in, passages out); this is the
local engine's edge that builds its inputs from the store, keeping the most recently used ones
(consecutive candidate pairs share documents).
"""

from __future__ import annotations

from collections import OrderedDict

from sourcetrace.align.pair import Side
from sourcetrace.records import Document
from sourcetrace.store.sqlite import Store

SIDES_KEPT = 2048  # documents each process keeps prepared for alignment


def side_of(store: Store, doc: Document) -> Side:
    """The document as the store holds it: its file's text and its sentences."""
    return Side(doc, store.document_text(doc.id) or "", store.sentences(doc.id))


class Sides:
    """Documents prepared for alignment, the most recently used kept (bounded memory)."""

    def __init__(self, store: Store, limit: int = SIDES_KEPT) -> None:
        self.store, self.limit = store, limit
        self.kept: OrderedDict[str, Side] = OrderedDict()

    def __call__(self, doc: Document) -> Side:
        side = self.kept.get(doc.id)
        if side is None:
            side = side_of(self.store, doc)
            self.kept[doc.id] = side
            if len(self.kept) > self.limit:
                self.kept.popitem(last=False)
        else:
            self.kept.move_to_end(doc.id)
        return side
