"""records.py: the plain records' JSON shape and the bulk context."""

import gc

import pytest

from sourcetrace.records import Relation, in_bulk


def test_in_bulk_pauses_the_cycle_collector_and_restores_it():
    assert gc.isenabled()
    with in_bulk():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_in_bulk_restores_after_an_error_and_keeps_a_disabled_collector_disabled():
    with pytest.raises(ValueError), in_bulk():
        raise ValueError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with in_bulk():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_in_bulk_as_a_decorator():
    @in_bulk()
    def inside() -> bool:
        return gc.isenabled()

    assert inside() is False
    assert gc.isenabled()


def test_relation_json_rounds_coverage():
    r = Relation("a", "b", "copy", 0.123456, 1.0, 0.9, source="a", evidence=["x"], passages=2)
    out = r.to_json()
    assert out["coverage_a"] == 0.1235 and out["source"] == "a" and out["type"] == "copy"


def test_fact_diff_json_is_every_field_in_order_and_relation_json_keeps_its_key_order():
    from dataclasses import asdict

    from sourcetrace.records import FactDiff

    diff = FactDiff("a#1", 3, 9, "b#1", None, None, "money", "dropped", "5000000 USD", None)
    assert list(diff.to_json().items()) == list(asdict(diff).items())
    related = Relation("a#1", "b#1", "related", 0.123456, 0.5, 0.33333, evidence=["same topic"])
    assert list(related.to_json()) == ["a", "b", "type", "coverage_a", "coverage_b", "score", "passages", "evidence"]
    copy = Relation("a#1", "b#1", "copy", 0.9, 0.8, 0.95, source="a#1", passages=2)
    assert list(copy.to_json())[:4] == ["a", "b", "type", "source"]
    assert list(Relation("a#1", "b#1", "copy", 0.9, 0.8, 0.95).to_json())[3] == "direction"


def test_relation_lines_are_the_encoder_s_text_of_to_json():
    import math

    import numpy as np

    from sourcetrace.outputs import _JSON
    from sourcetrace.records import relation_lines

    shared = ["shared wording", "dates agree"]
    relations = [
        Relation("a", "b", "copy", 0.123456, 1.0, 0.99995, source="a", evidence=shared, passages=3),
        Relation("a", "c", "translation", 1, 0, 0.5, evidence=["قال \"الوزير\"", "tab\there", "é\u2028"], passages=0),
        Relation("b", "c", "related", np.float64(0.3333333), 0.25, np.float64(2 / 3), evidence=list(shared)),
        Relation("c", "d", "derived", 0.1, 0.2, 0.3, source="", evidence=[], passages=7),
        Relation("d\\e", "f\"g", "revision", 1e-9, 123456789.123, -0.0, source="f\"g", evidence=shared),
        Relation("x", "y", "related", math.nan, math.inf, -math.inf),
        Relation("x", "z", "related", 0.0, -0.0, 0.0), Relation("y", "z", "related", 0, np.float64(-0.0), 1e-5),
    ]
    assert list(relation_lines(relations)) == [_JSON(r.to_json()) for r in relations]


def test_fact_and_fact_diff_lines_are_the_encoder_s_text_of_to_json():
    import numpy as np

    from sourcetrace.outputs import _JSON
    from sourcetrace.records import Fact, FactDiff, fact_diff_lines, fact_lines

    # the usual types (str, int, none) and every other the fast path must hand to the encoder
    values = ["2025-03-22", "263000000 USD", "قال \"الوزير\"", "tab\there\u2028", "", 52, 0, -7, 10**30, None,
              True, False, 2.5, float("nan"), -0.0, np.float64(0.1), [1, 2], {"k": 1}]
    facts = [Fact("d\\1", 4, 24, "org", v) for v in values] + [Fact("d#1", True, 3, "date", "x"),
                                                                 Fact("d#1", 0, 3.0, "date", "x")]
    assert list(fact_lines(facts)) == [_JSON(f.to_json()) for f in facts]
    diffs = [FactDiff("a#1", 4, 24, "b\"1", None, None, "org", "dropped", v, None) for v in values]
    diffs += [FactDiff("a#1", None, None, "b#1", 1, 2, "percent", "added", None, v) for v in values]
    diffs += [FactDiff("a#1", 1, 2, "b#1", 3, 4, "number", "changed", 5, 6),
              FactDiff("a#1", False, 2, "b#1", 3, 4, "number", "same", 5, 5),
              FactDiff("a#1", 1, 2.0, "b#1", 3, 4, "number", "same", 5, 5), FactDiff(1, 1, 2, "b#1", 3, 4, "number", "same", 5, 5)]
    assert list(fact_diff_lines(diffs)) == [_JSON(d.to_json()) for d in diffs]


def test_sentence_lines_are_the_encoder_s_text_of_to_json():
    from sourcetrace.outputs import _JSON
    from sourcetrace.records import Sentence, sentence_lines

    sentences = [Sentence("d#1", 0, 5), Sentence("d#1", 5, 9, "ar"), Sentence("قال\"\\#2", 0, 10**20),
                 Sentence("e#1", True, 3), Sentence("e#1", 0, 3.0), Sentence(7, 1, 2), Sentence("e#1", 2, 4)]
    assert list(sentence_lines(sentences)) == [_JSON(s.to_json()) for s in sentences]
