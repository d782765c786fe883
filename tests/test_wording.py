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


def test_a_chain_ends_at_an_origin_a_cycle_or_an_unknown_direction() -> None:
    from sourcetrace.report.wording import chain_steps

    known = [Relation("r", "s", "derived", 0.8, 0.5, 0.7, source="s")]
    unknown = [*known, Relation("s", "t", "translation", 0.9, 0.9, 0.9)]
    chain = [("r", known[0]), ("s", None)]
    assert chain_steps(chain, known) == ([("r", "derived from"), ("s", None)], "origin")
    assert chain_steps(chain, unknown)[1] == "no known source: direction unknown with t"
