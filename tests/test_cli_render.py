"""Terminal views (cli/render.py): what they claim must be what the records say."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from sourcetrace.cli import render
from sourcetrace.records import Document, Relation


def _text(renderable) -> str:
    console = Console(width=160, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_who_took_from_whom_never_prints_a_direction_the_relation_does_not_have():
    docs = [Document("x.ar#1", "x.ar", 0, 10, "ar"), Document("x.en#1", "x.en", 0, 10, "en"),
            Document("r#1", "r", 0, 10, "en")]
    undirected = Relation("x.ar#1", "x.en#1", "translation", 0.9, 0.95, 0.9)
    directed = Relation("x.en#1", "r#1", "derived", 0.4, 0.8, 0.7, source="x.en#1")
    out = _text(render.trace_summary(docs, [], [undirected, directed], [], Path("out"), None))
    line = next(ln for ln in out.splitlines() if "x.ar#1" in ln)
    assert "direction unknown" in line and line.split()[0] == "?"  # neither in the source column
    assert next(ln for ln in out.splitlines() if "r#1" in ln and "derived" in ln).split()[0] == "x.en#1"
    assert "facts, fact_diffs" in out


def test_show_and_origin_say_direction_unknown_where_no_source_is_known():
    doc = Document("w#1", "w", 0, 10, "en")
    undirected = Relation("w#1", "t#1", "derived", 0.9, 0.4, 0.9, evidence=["direction unknown: no cue"])
    related = Relation("w#1", "u#1", "related", 0.0, 0.0, 0.5)
    out = _text(render.relations(doc, [undirected, related]))
    assert "direction unknown" in next(ln for ln in out.splitlines() if "t#1" in ln)
    assert "direction unknown" not in next(ln for ln in out.splitlines() if "u#1" in ln)
    chain = _text(render.origin_chain([("w#1", None)], [undirected, related]))
    assert "direction unknown with t#1" in chain and "origin" not in chain
    assert "origin" in _text(render.origin_chain([("w#1", None)], [related]))


def test_a_trace_summary_of_relations_in_columns_is_that_of_their_records():
    """render.trace_summary of a trace's Relations (topic relations in columns) prints what it
    prints of the same relations as records, counts tied or not, wherever the topic ones fall;
    the topic relations' records are not made."""
    import numpy as np

    from sourcetrace.relate.columns import Relations, TopicColumns

    names = [f"d{i}#1" for i in range(8)]
    docs = [Document(n, n[:-2], 0, 10, "en") for n in names]
    copy = Relation("d0#1", "d1#1", "copy", 0.9, 0.9, 0.95, source="d0#1")
    derived = Relation("d2#1", "d3#1", "derived", 0.4, 0.8, 0.7)
    related = Relation("d1#1", "d2#1", "related", 0.2, 0.1, 0.6)
    topic = [(4, 5, 0.5), (4, 6, 0.75), (6, 7, 0.625)]
    for records, n_topic, positions in (
            ([copy, derived], 2, [0, 3]),  # copy and related tied at 2: the first met first
            ([copy, derived], 2, [2, 3]),  # related met first
            ([related, copy, copy], 1, [0, 1, 2]),  # related first, by a record, tied with copy
            ([copy, copy, related], 1, [0, 1, 3]),
            ([derived], 3, [3]), ([], 3, []), ([copy], 0, [0])):
        cols = TopicColumns(names, np.array([x for x, _, _ in topic[:n_topic]], dtype=np.int64),
                            np.array([y for _, y, _ in topic[:n_topic]], dtype=np.int64),
                            np.array([c for _, _, c in topic[:n_topic]], dtype=np.float32))
        got = Relations(records, np.array(positions, dtype=np.int64), cols)
        text = _text(render.trace_summary(docs, [], got, [], Path("out"), None))
        assert got._all is None  # no record made of a topic relation
        assert text == _text(render.trace_summary(docs, [], list(got), [], Path("out"), None))
        assert f"{len(records) + n_topic} relations" in text
