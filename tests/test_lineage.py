from __future__ import annotations

from sourcetrace.records import Relation
from sourcetrace.relate.lineage import chain_ends_in_cycle, closest_source, origin_chain, relations_of

# A statement in English (st), its Arabic translation (tr), and an Arabic report written from the
# translation (rep); an unrelated note (note) on the same topic.
DATES = {"st": "2020-06-04", "tr": "2020-06-04", "rep": "2020-06-05", "note": "2020-06-06"}
LANGS = {"st": "en", "tr": "ar", "rep": "ar", "note": "ar"}


def rel(a: str, b: str, type_: str, source: str | None, cov_a: float, cov_b: float, score: float = 0.9) -> Relation:
    return Relation(a=a, b=b, type=type_, coverage_a=cov_a, coverage_b=cov_b, score=score, source=source,
                    evidence=[f"{type_} cue"], passages=3)


STATEMENT_CHAIN = [
    rel("st", "tr", "translation", "st", 0.97, 0.98),
    # recorded with the derived document as `a`: direction comes from `source`, not from order
    rel("rep", "tr", "derived", "tr", 0.81, 0.55),
    rel("rep", "note", "related", None, 0.05, 0.04, score=0.3),
]


def test_statement_translation_report_chain():
    chain = origin_chain("rep", STATEMENT_CHAIN, DATES)
    assert [d for d, _ in chain] == ["rep", "tr", "st"]
    assert [r.type if r else None for _, r in chain] == ["derived", "translation", None]
    assert not chain_ends_in_cycle(chain, STATEMENT_CHAIN)
    # the origin's chain is itself alone
    assert origin_chain("st", STATEMENT_CHAIN, DATES) == [("st", None)]
    # a related document is not a source
    assert origin_chain("note", STATEMENT_CHAIN, DATES) == [("note", None)]


def test_report_with_two_sources_prefers_same_language():
    rels = [
        rel("st", "tr", "translation", "st", 0.97, 0.98),
        rel("tr", "rep", "derived", "tr", 0.55, 0.70),
        # the report also qualifies as derived (across languages) from the English statement,
        # with higher coverage: the Arabic text it quotes is still its closer source
        rel("st", "rep", "derived", "st", 0.50, 0.80),
    ]
    chain = origin_chain("rep", rels, DATES, LANGS)
    assert [d for d, _ in chain] == ["rep", "tr", "st"]
    # without languages a translation is the only cue that crosses them: coverage decides here
    assert closest_source("rep", rels, DATES).source == "st"


def test_same_language_ties_broken_by_coverage_then_date():
    rels = [
        rel("a", "rep", "derived", "a", 0.5, 0.6),
        rel("b", "rep", "derived", "b", 0.5, 0.7),
    ]
    assert closest_source("rep", rels, {}).source == "b"
    rels[1].coverage_b = 0.6
    assert closest_source("rep", rels, {"a": "2021-01-01", "b": "2020-01-01"}).source == "b"
    assert closest_source("rep", rels, {"a": "2020-01-01", "b": None}).source == "a"  # undated last


def test_revisions_chain_back_to_the_first_version():
    dates = {"v2019": "2019-11-20", "v2020": "2020-06-04", "v2021": "2021-04-07"}
    rels = [
        rel("v2020", "v2021", "revision", "v2020", 0.6, 0.7),
        rel("v2019", "v2020", "revision", "v2019", 0.4, 0.5),
        rel("v2019", "v2021", "revision", "v2019", 0.2, 0.3),
    ]
    chain = origin_chain("v2021", rels, dates)
    # v2020 covers more of v2021 than v2019 does: the chain goes through the middle version
    assert [d for d, _ in chain] == ["v2021", "v2020", "v2019"]
    assert all(r is not None and r.type == "revision" for _, r in chain[:-1])


def test_cycle_stops():
    rels = [
        rel("x", "y", "derived", "x", 0.5, 0.9),
        rel("y", "z", "derived", "y", 0.5, 0.9),
        rel("z", "x", "copy", "z", 0.9, 0.9),
    ]
    chain = origin_chain("y", rels, {})
    assert [d for d, _ in chain] == ["y", "x", "z"]
    assert chain[-1][1] is None
    assert chain_ends_in_cycle(chain, rels)
    # a relation whose source is neither side is ignored rather than followed
    odd = [Relation("p", "q", "derived", 0.5, 0.5, 0.5, source="elsewhere")]
    assert origin_chain("p", odd, {}) == [("p", None)]


def test_no_relations():
    assert origin_chain("alone", [], {}) == [("alone", None)]
    assert relations_of("alone", STATEMENT_CHAIN) == []
    assert relations_of("alone", []) == []


def test_relations_of_orders_and_orients():
    rs = relations_of("tr", STATEMENT_CHAIN)
    assert [(r.a, r.b, r.type) for r in rs] == [("tr", "st", "translation"), ("tr", "rep", "derived")]
    # swapped relation keeps its source and swaps coverages with the documents
    assert rs[1].source == "tr" and (rs[1].coverage_a, rs[1].coverage_b) == (0.55, 0.81)
    assert rs[0].source == "st" and (rs[0].coverage_a, rs[0].coverage_b) == (0.98, 0.97)
    rep = relations_of("rep", STATEMENT_CHAIN)
    assert [(r.b, r.type) for r in rep] == [("tr", "derived"), ("note", "related")]
    assert all(r.a == "rep" for r in rep)
    # the inputs are not modified
    assert STATEMENT_CHAIN[0].a == "st" and STATEMENT_CHAIN[0].coverage_a == 0.97


def test_a_chain_that_stops_for_want_of_evidence_says_so():
    """A translation of unknown direction: the report's chain stops at the translation, which is
    not an origin but a document whose relation to the statement no evidence directed."""
    from sourcetrace.relate.lineage import chain_json, unknown_direction

    rels = [rel("st", "tr", "translation", None, 0.97, 0.98), *STATEMENT_CHAIN[1:]]
    chain = origin_chain("rep", rels, DATES, LANGS)
    assert [d for d, _ in chain] == ["rep", "tr"]
    assert unknown_direction("tr", rels) == ["st"] and unknown_direction("rep", rels) == []
    as_json = chain_json(chain, rels)
    assert as_json[-1] == {"document": "tr", "relation": None, "direction_unknown_with": ["st"]}
    assert as_json[0]["relation"]["source"] == "tr"
    assert chain_json(origin_chain("rep", STATEMENT_CHAIN, DATES), STATEMENT_CHAIN)[-1] == {
        "document": "st", "relation": None}
