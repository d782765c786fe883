"""How relations read in pages (report/wording.py): never a direction the relation does not have."""

from __future__ import annotations

import pytest

from sourcetrace.records import Relation
from sourcetrace.report.wording import what_a_is


@pytest.mark.parametrize(("relation", "words"), [
    (Relation("r", "s", "derived", 0.5, 0.8, 0.7, source="s"), "derived from"),
    (Relation("s", "r", "derived", 0.8, 0.5, 0.7, source="s"), "source of"),
    (Relation("ar", "en", "translation", 0.9, 0.9, 0.9, source="en"), "translation of"),
    (Relation("ar", "en", "translation", 0.9, 0.9, 0.9), "translation, direction unknown"),
    (Relation("x", "y", "derived", 0.6, 0.6, 0.6), "derived, direction unknown"),
    (Relation("x", "y", "related", 0.0, 0.0, 0.3), "related"),
])
def test_what_a_document_is_to_the_other(relation: Relation, words: str) -> None:
    assert what_a_is(relation) == words
