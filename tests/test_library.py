"""The library's face (sourcetrace.read, trace, compare, facts, diff, search) on texts written here."""

from __future__ import annotations

import json

import pytest

import sourcetrace

STATEMENT = ("Joint statement on the river basin\nJune 4, 2020\n"
             "The ministers agreed to spend 2.4 million dollars on new flood barriers this year.\n"
             "They said the work would start in March and end before the rains.\n"
             "The council will meet again in the capital in September.\n")
REPORT = ("Ministers back flood barriers\n"
          "The ministers agreed to spend 3.1 million dollars on new flood barriers this year, officials said.\n"
          "They said the work would start in March and end before the rains.\n")


@pytest.fixture
def corpus(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    (tmp_path / "in" / "report.txt").write_text(REPORT, encoding="utf-8")
    return tmp_path


def test_the_facade_names_exist_and_nothing_else_is_invented():
    assert set(sourcetrace.__all__) == {"__version__", "compare", "diff", "facts", "load", "read", "search", "trace"}
    with pytest.raises(AttributeError):
        sourcetrace.nonexistent  # noqa: B018


@pytest.mark.slow
def test_trace_read_compare_facts_diff_and_search_through_the_facade(corpus):
    db, out = corpus / "s.db", corpus / "out"
    docs, report = sourcetrace.read([corpus / "in"], db=db)
    assert len(docs) == 2 and not report.failures
    result = sourcetrace.trace([corpus / "in"], db=db, out=out)
    assert {d.id for d in result.documents} == {d.id for d in docs}
    assert [r for r in result.relations if r.type == "derived"]
    assert json.loads((out / "relations.jsonl").read_text().splitlines()[0])["type"]
    report_id = next(d.id for d in docs if d.path.endswith("report.txt"))
    cmp = sourcetrace.compare(str(corpus / "in" / "report.txt"), str(corpus / "in" / "statement.txt"), db=db)
    # The report's two sentences run on as in the statement: one block taken word for word (the
    # changed figure inside it is the fact diff's to report, below)
    kept = REPORT.index("They said")
    assert cmp.a.doc.id == report_id and any(p.word_for_word and p.a_start <= kept < p.a_end for p in cmp.passages)
    money = [f for f in sourcetrace.facts(report_id, db=db) if f.type == "money"]
    assert [f.value for f in money] == ["3100000 USD"]
    changed = [d for d in sourcetrace.diff(report_id, str(corpus / "in" / "statement.txt"), db=db)
               if d.status == "changed"]
    assert changed and {changed[0].value_a, changed[0].value_b} == {"3100000 USD", "2400000 USD"}
    hits = sourcetrace.search("the work would start in March and end before the rains", db=db)
    assert {h.doc for h in hits} == {d.id for d in docs}


def test_load_through_the_facade(tmp_path):
    from export_samples import TEXTS, sample_tables
    from sourcetrace.engines.load import LoadError
    from sourcetrace.outputs import write_jsonl, write_texts

    tables = sample_tables()
    for name in ("documents", "sentences", "passages", "relations"):
        write_jsonl(tmp_path / "out" / f"{name}.jsonl", (r.to_json() for r in getattr(tables, name)))
    write_texts(tmp_path / "out", TEXTS)
    report = sourcetrace.load(tmp_path / "out", db=tmp_path / "s.db")
    assert report.counts == {"files": 3, "documents": 3, "sentences": 5, "passages": 3, "relations": 2}
    (tmp_path / "out" / "relations.jsonl").write_text("{oops\n", encoding="utf-8")
    with pytest.raises(LoadError, match="relations.jsonl:1: not JSON"):
        sourcetrace.load(tmp_path / "out", db=tmp_path / "s.db")
