"""relate/direction.py: directions checked against the family (issue 19).

The family of tests/quake.py as records: S the English story, T its Arabic translation, R an
Arabic report of T that changed the death toll, W an English wire excerpt of S that keeps it."""

from __future__ import annotations

from sourcetrace.records import Document, FactDiff, Relation
from sourcetrace.relate.direction import direct

DOCS = [Document("S", "s.txt", 0, 900, "en"), Document("T", "t.txt", 0, 900, "ar"),
        Document("R", "r.txt", 0, 600, "ar"), Document("W", "w.txt", 0, 300, "en")]
# Where each document states the death toll.
TOLL = {"S": (107, 110), "T": (69, 72), "R": (69, 72), "W": (107, 110)}
VALUE = {"S": 384, "T": 384, "R": 420, "W": 384}


def _rel(a: str, b: str, kind: str, source: str | None, cov_a: float = 0.5, cov_b: float = 0.9) -> Relation:
    return Relation(a, b, kind, cov_a, cov_b, 0.95, source=source, evidence=["cue"], passages=8)


def _toll(a: str, b: str) -> FactDiff:
    return FactDiff(a, *TOLL[a], b, *TOLL[b], "number", "same" if VALUE[a] == VALUE[b] else "changed",
                    VALUE[a], VALUE[b])


def _family(translation_source: str | None = None, wire_source: str = "T", report_wire: str | None = "R"
            ) -> list[Relation]:
    return [_rel("S", "T", "translation", translation_source, 0.96, 0.96),
            _rel("T", "R", "derived", "T"), _rel("S", "R", "derived", "S"),
            _rel("S", "W", "derived", "S"), _rel("T", "W", "derived", wire_source),
            _rel("R", "W", "derived", report_wire)]


DIFFS = [_toll(a, b) for a, b in (("S", "T"), ("T", "R"), ("S", "R"), ("S", "W"), ("T", "W"), ("R", "W"))]


def _by_pair(rels: list[Relation]) -> dict[frozenset[str], Relation]:
    return {frozenset((r.a, r.b)): r for r in rels}


def test_a_report_that_changed_a_figure_the_wire_keeps_is_not_the_wires_source():
    out = _by_pair(direct(DOCS, _family(), DIFFS))
    rw = out[frozenset("RW")]
    assert rw.source is None
    assert any("R cannot be W's source" in e for e in rw.evidence)
    assert any("W keeps 384" in e and "R says 420" in e for e in rw.evidence)
    # Directions the facts agree with stay, with the facts added to their evidence.
    tr = out[frozenset("TR")]
    assert tr.source == "T" and any("T keeps 384" in e for e in tr.evidence)


def test_facts_that_point_both_ways_leave_no_direction():
    rels = [_rel("A", "B", "derived", "A"), _rel("A", "C", "derived", "A"), _rel("B", "C", "derived", "B")]
    docs = [Document(i, f"{i}.txt", 0, 900, "en") for i in "ABC"]
    diffs = [FactDiff("A", 10, 13, "B", 10, 13, "number", "changed", 384, 420),  # C keeps A's 384
             FactDiff("A", 10, 13, "C", 10, 13, "number", "same", 384, 384),
             FactDiff("B", 10, 13, "C", 10, 13, "number", "changed", 420, 384),
             FactDiff("A", 50, 54, "B", 50, 54, "number", "changed", 5000, 6000),  # C keeps B's 6000
             FactDiff("A", 50, 54, "C", 50, 54, "number", "changed", 5000, 6000),
             FactDiff("B", 50, 54, "C", 50, 54, "number", "same", 6000, 6000)]
    ab = _by_pair(direct(docs, rels, diffs))[frozenset("AB")]
    assert ab.source is None and "the facts each side kept conflict" in ab.evidence[-1]


def test_names_do_not_direct():
    docs = [Document(i, f"{i}.txt", 0, 900, "en") for i in "ABC"]
    rels = [_rel("A", "B", "derived", "B"), _rel("A", "C", "derived", "C"), _rel("B", "C", "derived", "C")]
    diffs = [FactDiff("A", 10, 13, "B", 10, 13, "person", "changed", "bld", "lgbl"),
             FactDiff("A", 10, 13, "C", 10, 13, "person", "same", "bld", "bld"),
             FactDiff("B", 10, 13, "C", 10, 13, "person", "changed", "lgbl", "bld")]
    assert _by_pair(direct(docs, rels, diffs))[frozenset("AB")].source == "B"


def test_an_english_excerpt_of_the_english_story_does_not_take_from_its_arabic_translation():
    # Which of S and T is the original is not known: neither is whether T is W's source.
    unknown = _by_pair(direct(DOCS, _family(), DIFFS))[frozenset("TW")]
    assert (unknown.type, unknown.source) == ("derived", None)
    assert "W keeps the wording of S in its language" in unknown.evidence[-1]
    # T translates S: W and T both take from S.
    siblings = _by_pair(direct(DOCS, _family("S"), DIFFS))[frozenset("TW")]
    assert (siblings.type, siblings.source) == ("related", None)
    assert "T cannot be W's source" in siblings.evidence[-1]
    # S translates T: T is W's source, through S.
    through = _by_pair(direct(DOCS, _family("T"), DIFFS))[frozenset("TW")]
    assert (through.type, through.source) == ("derived", "T")
    assert "through S" in through.evidence[-1]


def test_a_translation_is_directed_only_by_evidence():
    docs = [Document("en", "en.txt", 0, 900, "en"), Document("ar", "ar.txt", 0, 900, "ar")]
    rel = Relation("ar", "en", "translation", 0.95, 0.95, 0.9, evidence=["direction unknown: no marker"],
                   passages=20)
    assert direct(docs, [rel], [])[0].source is None
    # "met today" where the translation writes out Thursday 4 June: the translation resolved it.
    today = FactDiff("ar", 174, 190, "en", 211, 216, "date", "same", "--06-04", "-D+0")
    (got,) = direct(docs, [rel], [today])
    assert got.source == "en" and not any(e.startswith("direction unknown") for e in got.evidence)
    # "This year" against the year written out moves both ways between languages' styles.
    year = FactDiff("ar", 174, 178, "en", 211, 220, "date", "same", "2024", "-Y+0")
    assert direct(docs, [rel], [year])[0].source is None
    # Each side resolving a date the other left relative: no direction.
    other = FactDiff("ar", 300, 305, "en", 400, 416, "date", "same", "-D-1", "--06-03")
    assert direct(docs, [rel], [today, other])[0].source is None


def test_direct_changes_no_input_record():
    rels = _family()
    before = [(r.type, r.source, list(r.evidence)) for r in rels]
    direct(DOCS, rels, DIFFS)
    assert [(r.type, r.source, list(r.evidence)) for r in rels] == before


def test_relations_by_topic_around_the_family_pass_unchanged_and_the_family_answers_as_alone():
    # Most of a corpus's relations are topic neighbours: the rules leave them as they are, in place,
    # and they change nothing of the family's directions.
    topic = [Relation("R", "X", "related", 0.0, 0.0, 0.7, evidence=["no shared text"]),
             Relation("A", "S", "related", 0.0, 0.0, 0.6, evidence=["no shared text"]),
             Relation("T", "Y", "revision", 0.9, 0.9, 0.9, source="T", evidence=["dates"], passages=3)]
    docs = [*DOCS, Document("X", "x.txt", 0, 90, "ar"), Document("A", "a.txt", 0, 90, "en"),
            Document("Y", "y.txt", 0, 90, "ar")]
    family = _family(wire_source="S")
    alone = direct(DOCS, family, DIFFS)
    mixed = [topic[0], *family[:3], topic[1], *family[3:], topic[2]]
    got = direct(docs, mixed, DIFFS)
    assert got[0] is topic[0] and got[4] is topic[1] and got[-1] is topic[2]
    assert [got[i] for i in (1, 2, 3, 5, 6, 7)] == alone
    assert alone != family  # the family's rules did change something


def test_a_topic_relation_between_the_wording_s_source_and_the_other_side_counts_as_one():
    # W keeps S's English wording, and is derived from T in Arabic: whether S and T came in either
    # order is asked only when S and T relate at all, a topic relation too (walked apart from the
    # relations on shared text, which the rest of the rules read).
    by_topic = Relation("S", "T", "related", 0.0, 0.0, 0.8, evidence=["no shared text"])
    rels = [by_topic, *_family()[1:]]
    got = _by_pair(direct(DOCS, rels, DIFFS))[frozenset("TW")]
    assert (got.type, got.source) == ("derived", None)
    assert "W keeps the wording of S in its language" in got.evidence[-1]
    unrelated = _by_pair(direct(DOCS, _family()[1:], DIFFS))[frozenset("TW")]
    assert unrelated.source == "T" and not any("wording of S" in e for e in unrelated.evidence)
