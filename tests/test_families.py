from sourcetrace.records import Document, Relation
from sourcetrace.relate.families import families, origin_of, revision_chain


def _doc(i: str, date: str | None = None) -> Document:
    return Document(i, f"{i}.txt", 0, 10, "en", date=date)


def _rel(a: str, b: str, kind: str, source: str | None = None, passages: int = 3) -> Relation:
    return Relation(a, b, kind, 0.5, 0.5, 0.9, source=source, passages=passages)


def test_family_origin_is_the_root_that_reaches_most():
    docs = [_doc("ar"), _doc("en"), _doc("report"), _doc("other")]
    rels = [_rel("ar", "en", "translation", "en"), _rel("ar", "report", "derived", "ar"),
            _rel("en", "report", "derived", "en")]
    (fam,) = families(docs, rels)
    assert fam.documents == ["ar", "en", "report"]
    assert fam.origin == "en"
    assert fam.to_json() == {"id": "family:en", "documents": ["ar", "en", "report"], "origin": "en"}


def test_topic_only_relations_do_not_join_families():
    docs = [_doc("a"), _doc("b"), _doc("c")]
    rels = [_rel("a", "b", "related", passages=0), _rel("b", "c", "related", passages=2)]
    (fam,) = families(docs, rels)
    assert fam.documents == ["b", "c"]
    assert fam.origin is None


def test_origin_ties_break_on_date_and_revisions_are_ordered():
    dates = {"v1": "2023-03-01", "v2": "2024-03-01", "v3": "2025-03-01"}
    rels = [_rel("v2", "v3", "revision", "v2"), _rel("v1", "v2", "revision", "v1")]
    assert origin_of(["v1", "v2", "v3"], rels, dates) == "v1"
    assert revision_chain(["v3", "v1", "v2"], rels, dates) == ["v1", "v2", "v3"]


def test_component_walks_the_family_through_a_lookup():
    from sourcetrace.relate.families import component

    rels = [_rel("ar", "en", "translation", "en"), _rel("ar", "report", "derived", "ar"),
            _rel("report", "topic", "related", passages=0), _rel("x", "y", "copy", "x")]
    asked: list[str] = []

    def lookup(doc_id: str) -> list[Relation]:
        asked.append(doc_id)
        return [r for r in rels if doc_id in (r.a, r.b)]

    members, found = component("report", lookup)
    assert members == ["report", "ar", "en"]  # nearest first; a topic-only relation joins nothing
    assert {(r.a, r.b) for r in found} == {("ar", "en"), ("ar", "report")}
    assert "x" not in asked
    assert origin_of(members, found, {}) == "en"
    assert component("report", lookup, limit=2)[0] == ["report", "ar"]


def test_families_are_components_in_document_order():
    # Two chains whose edges arrive out of order, a relation to a document not in the corpus, and
    # one about no family: components keep the documents' order, families their first document's.
    docs = [_doc(i) for i in ("e", "b", "d", "a", "c", "f", "g")]
    rels = [_rel("c", "a", "copy", "a"), _rel("g", "b", "derived", "b"), _rel("a", "e", "copy", "e"),
            _rel("x", "f", "copy", "x"), _rel("d", "f", "related", passages=0)]
    fams = families(docs, rels)
    assert [f.documents for f in fams] == [["e", "a", "c"], ["b", "g"]]
    assert [f.origin for f in fams] == ["e", "b"]
    assert families(docs, []) == []


def test_no_origin_when_the_direction_between_the_roots_is_unknown():
    """An original and its translation, no evidence of which came first, each the source of one
    report: naming either as the origin (by its id) would be a guess."""
    rels = [_rel("ar", "en", "translation"), _rel("ar", "r1", "derived", "ar"), _rel("en", "w1", "derived", "en")]
    (fam,) = families([_doc("ar"), _doc("en"), _doc("r1"), _doc("w1")], rels)
    assert fam.origin is None and fam.id == "family:ar"
    assert origin_of(["ar", "en", "r1", "w1"], rels, {"en": "2024-01-01"}) == "en"  # a date decides
