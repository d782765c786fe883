"""Versions of a recurring statement in date order, and what each changed (timeline.py)."""

from __future__ import annotations

from sourcetrace.factcheck import extract
from sourcetrace.records import Document, Passage, Sentence
from sourcetrace.relate.timeline import steps, version_date, versions


def _doc(doc_id: str, text: str, date: str | None = None) -> Document:
    return Document(doc_id, f"{doc_id}.txt", 0, len(text), "en", date=date)


def test_version_date_prefers_the_documents_own_then_the_latest_stated():
    text = "The ministers met on 14 November 2019, recalling their statement of 6 February 2019."
    assert version_date(_doc("a", text), extract(text, "en")) == "2019-11-14"
    assert version_date(_doc("a", text, "2019-11-15"), extract(text, "en")) == "2019-11-15"
    # its own day without a year: in the latest year named, after the latest full date
    text = "The ministers met on 4 June, recalling their statement of 6 February 2019."
    assert version_date(_doc("a", text), extract(text, "en")) == "2019-06-04"
    text = "The ministers met on 4 June, recalling their statement of 9 September 2019."
    assert version_date(_doc("a", text), extract(text, "en")) == "2020-06-04"
    text = "The ministers met on 4 June and launched the campaign for 2021."
    assert version_date(_doc("a", text), extract(text, "en")) == "2021-06-04"
    assert version_date(_doc("a", "No date here."), []) is None


def test_versions_in_date_order_and_the_unrelated_left_out():
    texts = {"v2021": "The ministers met on 30 March 2021.", "v2019": "The ministers met on 14 November 2019.",
             "nodate": "The ministers met again.", "other": "A football match on 1 May 2020."}
    docs = [_doc(k, t) for k, t in texts.items()]
    facts = {d.id: extract(texts[d.id], "en") for d in docs}
    shared = {frozenset(("v2021", "v2019")), frozenset(("v2019", "nodate"))}
    vs, left = versions(docs, facts, lambda a, b: 0.5 if frozenset((a, b)) in shared else 0.0)
    assert [v.doc.id for v in vs] == ["v2019", "v2021", "nodate"]
    assert [d.id for d in left] == ["other"]


def test_steps_list_dropped_added_reworded_sentences_and_fact_changes():
    old = "The ministers met on 14 November 2019. They pledged $5 million. They thanked Italy."
    new = "The ministers met on 30 March 2021. They pledged $7 million. They welcomed Belgium."
    a, b = _doc("old", old), _doc("new", new)
    sents = {"old": [Sentence("old", 0, 38), Sentence("old", 39, 64), Sentence("old", 65, len(old))],
             "new": [Sentence("new", 0, 35), Sentence("new", 36, 61), Sentence("new", 62, len(new))]}
    ps = [Passage("old", 0, 38, "new", 0, 35, "paraphrase", 0.9), Passage("old", 39, 64, "new", 36, 61, "paraphrase", 0.9)]
    facts = {"old": extract(old, "en"), "new": extract(new, "en")}
    vs, _ = versions([b, a], facts)
    (step,) = steps(vs, {"old": old, "new": new}, sents, lambda x, y: ps, facts)
    assert (step.old.doc.id, step.new.doc.id) == ("old", "new")
    assert step.dropped == [(65, len(old))] and step.added == [(62, len(new))]
    assert len(step.reworded) == 2
    changed = {(d.type, d.value_a, d.value_b) for d in step.facts if d.status == "changed"}
    assert changed == {("date", "2019-11-14", "2021-03-30"), ("money", "5000000 USD", "7000000 USD")}
    assert step.to_json()["new_date"] == "2021-03-30"


def test_version_date_skips_relative_dates_kept_as_written():
    # An undated text keeps "yesterday" and "on Thursday" as written (-D-1, -W-4): not a calendar date.
    text = "The ministers met yesterday and again on Thursday; they first met on 4 June 2020."
    assert version_date(_doc("a", text), extract(text, "en")) == "2020-06-04"
    assert version_date(_doc("b", "They met yesterday."), extract("They met yesterday.", "en")) is None
