import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import FLOOD_STORY, flood_corpus
from sourcetrace.candidates.pairs import FEATURES_VERSION
from sourcetrace.engines import local
from sourcetrace.engines.ingest import ingest
from sourcetrace.engines.kept import digest
from sourcetrace.store.sqlite import Store

TEXT = ("Council Statement\nOffice of the Spokesperson\nMarch 3, 2025\n"
        "The council met today. It agreed on a plan of 2.4 million dollars.\n"
        "You may also like\n")


def test_align_all_answers_for_the_current_pairs_only(tmp_path):
    from sourcetrace.align.pair import DEFAULT_THRESHOLD
    from sourcetrace.pipeline import alignment_settings

    body = "The council met today in the capital. It agreed on a plan of 2.4 million dollars for the rivers.\n"
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Breaking news. " + body, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        report = ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], store)
        docs = list(store.documents(report.files))
        pair = [(docs[0].id, docs[1].id)]
        found = local.align_all(store, docs, pairs=pair)
        assert found and all({p.a, p.b} == {docs[0].id, docs[1].id} for p in found)
        # Stored; a later run without the pair must not report it.
        assert len(store.aligned(alignment_settings(None, DEFAULT_THRESHOLD))) == 1
        assert local.align_all(store, docs, pairs=[]) == []
        assert local.align_all(store, docs, pairs=pair) == found  # and nothing was aligned again


def _a_story_and_its_copy(tmp_path, store: Store) -> tuple[list, list[tuple[str, str]]]:
    """Two stored documents, one the other's text under a line of its own, and their pair."""
    body = "The council met today in the capital. It agreed on a plan of 2.4 million dollars for the rivers.\n"
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Breaking news. " + body, encoding="utf-8")
    docs = list(store.documents(ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], store).files))
    return docs, [(docs[0].id, docs[1].id)]


def test_a_new_alignment_version_aligns_stored_pairs_again(tmp_path, monkeypatch):
    from sourcetrace import pipeline
    from sourcetrace.align.pair import DEFAULT_THRESHOLD

    with Store(tmp_path / "s.db") as store:
        docs, pair = _a_story_and_its_copy(tmp_path, store)
        found = local.align_all(store, docs, pairs=pair)
        assert len(store.aligned(pipeline.alignment_settings(None, DEFAULT_THRESHOLD))) == 1
        # Code that aligns differently: the stored answer is not the new code's, so it is not kept.
        monkeypatch.setattr(pipeline, "ALIGNMENT_VERSION", pipeline.ALIGNMENT_VERSION + 1)
        assert not store.aligned(pipeline.alignment_settings(None, DEFAULT_THRESHOLD))
        assert local.align_all(store, docs, pairs=pair) == found
        assert len(store.aligned(pipeline.alignment_settings(None, DEFAULT_THRESHOLD))) == 1


def test_a_pair_on_trial_keeps_only_a_translation_and_is_stored_apart(tmp_path):
    from sourcetrace.align.pair import DEFAULT_THRESHOLD
    from sourcetrace.pipeline import alignment_settings

    with Store(tmp_path / "s.db") as store:
        docs, pair = _a_story_and_its_copy(tmp_path, store)
        # A copy is no translation: on trial it keeps nothing, and is stored under the trial's settings.
        assert local.align_all(store, docs, pairs=pair, trial=pair) == []
        assert len(store.aligned(alignment_settings(None, DEFAULT_THRESHOLD, trial=True))) == 1
        # No longer on trial (a rerun over a changed corpus): aligned again, its passages kept.
        assert local.align_all(store, docs, pairs=pair)


def test_a_pair_on_trial_is_handed_its_alignment_the_other_way_round(tmp_path, monkeypatch):
    from sourcetrace import pipeline

    asked = []

    def on_trial(a, b, passages, other_way):  # pipeline.on_trial decides when to ask (test_pipeline)
        asked.append((a.doc.id, b.doc.id, passages, other_way()))
        return []

    monkeypatch.setattr(pipeline, "on_trial", on_trial)
    with Store(tmp_path / "s.db") as store:
        docs, pair = _a_story_and_its_copy(tmp_path, store)
        assert local.align_all(store, docs, pairs=pair, trial=pair) == []
    (a, b, first, turned), = asked
    assert (a, b) == pair[0] and first and turned
    assert {(p.a, p.b) for p in first} == {(a, b)} and {(p.a, p.b) for p in turned} == {(b, a)}


def test_candidate_features_are_cached_per_document_and_dropped_with_it(tmp_path, monkeypatch):
    from sourcetrace import pipeline
    from sourcetrace.engines import local

    for i in range(3):
        (tmp_path / f"d{i}.txt").write_text(f"Statement {i}. " + TEXT, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        first = local.candidate_features(store, docs)
        assert sorted(f.id for f in first) == sorted(d.id for d in docs)

        def no_recompute(inputs):
            assert not inputs, "cached features were computed again"
            return []

        monkeypatch.setattr(pipeline, "document_features", no_recompute)
        again = {f.id: f for f in local.candidate_features(store, docs)}
        assert all(again[f.id].terms == f.terms for f in first)
        monkeypatch.undo()
        # A changed file is read again: its documents' cache goes with them.
        (tmp_path / "d0.txt").write_text("Another text altogether, on rivers.", encoding="utf-8")
        ingest([str(tmp_path / "d0.txt")], store)
        assert len(store.cached("features", FEATURES_VERSION, [d.id for d in docs])) == 2


def test_sentence_vectors_encode_every_sentence_once(tmp_path, monkeypatch):
    from sourcetrace.encode import get_encoder, vectors
    from sourcetrace.encode.vectors import text_key
    from sourcetrace.engines import local

    # No vectors memoized by earlier tests of this process (TEXT's lines are met elsewhere): a
    # sentence found there is not encoded, so not stored (failed so under xdist, another file order).
    monkeypatch.setattr(vectors, "_memo", {})
    for i in range(3):
        (tmp_path / f"d{i}.txt").write_text(f"Statement number {i} of the council. " + TEXT, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        done: list[int] = []
        local.sentence_vectors(store, docs, done.append)
        assert sum(done) == len(docs)
        enc = get_encoder("use")
        texts = [store.document_text(d.id)[s.start:s.end] for d in docs for s in store.sentences(d.id)]
        assert len(store.get_vectors(enc.name, [text_key(t) for t in texts])) == len(set(texts))

        def no_encoding(*args, **kwargs):
            raise AssertionError("sentences were encoded again")

        monkeypatch.setattr(vectors, "encode_cached", no_encoding)
        again: list[int] = []
        local.sentence_vectors(store, docs, again.append)  # every document is marked as done
        assert again == [len(docs)]


def test_facts_read_each_document_s_own_file_when_two_files_share_a_path_as_typed(tmp_path, monkeypatch):
    # Two `report.txt` read from different folders: the second document's facts must come from its
    # own text (they were taken from the first file's, cached by the path as typed).
    for folder, number in (("x", "384"), ("y", "1,250")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(
            f"Flood report\nThe ministry said {number} people were evacuated from the valley.\n", encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        for folder in ("x", "y"):
            monkeypatch.chdir(tmp_path / folder)
            ingest(["report.txt"], store)
        docs = list(store.documents())
        assert len(docs) == 2
        facts = local.facts_of(docs, local.DocumentTexts(store))
        numbers = {store.document_text(d.id)[f.start:f.end] for d in docs for f in facts[d.id] if f.type == "number"}
        assert numbers == {"384", "1,250"}


def test_trace_stamps_the_encoder_alignment_used(tmp_path, monkeypatch):
    from sourcetrace import pipeline
    from sourcetrace.encode import get_encoder

    # Above LARGE_CORPUS documents alignment uses the fast encoder: settings.json must say so.
    assert pipeline.alignment_encoder(None, pipeline.LARGE_CORPUS + 1) is get_encoder("use")
    assert pipeline.alignment_encoder(None, pipeline.LARGE_CORPUS) is None
    big = pipeline.run_settings("trace", pipeline.alignment_encoder(None, pipeline.LARGE_CORPUS + 1), 0.5)
    assert big["encoder"] == get_encoder("use").name and "long_pair_encoder" not in big
    small = pipeline.run_settings("trace", None, 0.5)
    assert small["encoder"] == get_encoder("default").name
    assert small["long_pair_encoder"] == get_encoder("use").name


def test_facts_are_cached_per_document_and_read_back_the_same(tmp_path, monkeypatch):
    from sourcetrace import pipeline

    (tmp_path / "a.txt").write_text("Flood report\nOn 4 June 2020 the ministry said 2.4 million dollars and 384 "
                                    "people, 12% of the town, were moved by the United Nations.\n", encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        first = local.facts_of(docs, local.DocumentTexts(store), store)
        assert first[docs[0].id] == local.facts_of(docs, local.DocumentTexts(store))[docs[0].id]  # as uncached
        assert {f.type for f in first[docs[0].id]} >= {"date", "money", "number", "percent"}

        def no_extraction(doc, text):
            raise AssertionError("cached facts were extracted again")

        monkeypatch.setattr(pipeline, "document_facts", no_extraction)
        assert local.facts_of(docs, local.DocumentTexts(store), store) == first


@contextmanager
def _voted_once(tmp_path, monkeypatch, vectors: str):
    """The files of ``tmp_path`` ingested and chosen by votes once, the documents each call of
    ``pipeline.<vectors>`` encodes counted: (store, documents, neighbours, chosen, counts, the
    uncounted function)."""
    from sourcetrace import pipeline

    encoded: list[int] = []
    uncounted = getattr(pipeline, vectors)
    monkeypatch.setattr(pipeline, vectors, lambda inputs: encoded.append(len(inputs)) or uncounted(inputs))
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        nb = local.nearest_documents(store, docs, local.topic_vectors(store, docs))
        yield store, docs, nb, local.chosen_by_votes(store, docs, nb), encoded, uncounted


def test_long_documents_cast_stretch_ballots_kept_as_the_sentence_ballots_are(tmp_path, monkeypatch):
    """Documents of more than VOTE_SENTENCES sentences also vote with their stretches: the store's
    ballots choose what a fresh count over both kinds of vectors does, and a rerun encodes nothing."""
    from sourcetrace import pipeline
    from sourcetrace.candidates import votes

    en = ["The council met today and agreed on a plan for the rivers.", "Heavy rain closed the main road.",
          "The minister opened a new school in the town.", "The bank raised its interest rate."]
    ar = ["اجتمع المجلس اليوم واتفق على خطة للأنهار.", "أغلقت الأمطار الغزيرة الطريق الرئيسي.",
          "افتتح الوزير مدرسة جديدة في البلدة.", "رفع البنك سعر الفائدة."]
    n = votes.VOTE_SENTENCES + 4
    for i in range(3):
        (tmp_path / f"e{i}.txt").write_text("\n".join(f"{en[(i + j) % 4]} Day {j}." for j in range(n)) + "\n",
                                            encoding="utf-8")
        (tmp_path / f"a{i}.txt").write_text("\n".join(f"{ar[(i + j) % 4]} اليوم {j}." for j in range(n)) + "\n",
                                            encoding="utf-8")
    (tmp_path / "short.txt").write_text(en[0] + "\n", encoding="utf-8")
    with _voted_once(tmp_path, monkeypatch, "stretch_vectors") as (store, docs, nb, first, encoded, stretch_vectors):
        inputs = local.doc_inputs(store, docs)
        stretches = stretch_vectors(inputs)
        assert sorted(len(v) for v in stretches.values()) == [0] + [votes.VOTE_SENTENCES] * 6
        assert first == pipeline.voted(nb, pipeline.vote_vectors(inputs), stretches)
        assert local.stored_ballots(store, local.STRETCH_BALLOTS)[1]
        encoded.clear()
        assert local.chosen_by_votes(store, docs, nb) == first and sum(encoded) == 0
        # The long documents are named by their stored vectors' sizes; one whose vectors are gone
        # has them computed again.
        long = {d for d, v in stretches.items() if len(v)}
        assert len(long) == 6 and local.long_documents(store, docs) == long and sum(encoded) == 0
        gone = sorted(long)[0]
        store.conn.execute("DELETE FROM doc_cache WHERE kind='stretch votes' AND doc=?", (gone,))
        assert local.long_documents(store, docs) == long and sum(encoded) == 1
        assert gone in store.cached_sizes("stretch votes", local.stretch_version())


def test_documents_of_short_sentences_cast_twin_ballots_kept_as_the_others_are(tmp_path, monkeypatch):
    """Documents of a few short sentences also vote with their twins, among members voting with
    their twins, stretches or sentences: the store's ballots choose what a fresh count over every
    kind of vectors does, and a rerun encodes nothing."""
    from sourcetrace import pipeline
    from sourcetrace.candidates import votes

    en = ["The rain fell.", "The road closed.", "A school opened.", "The bank rose.", "Rivers ran high.", "All slept."]
    ar = ["هطل المطر.", "أغلق الطريق.", "فتحت مدرسة.", "ارتفع البنك.", "فاضت الأنهار.", "نام الجميع."]
    for i in range(3):
        (tmp_path / f"e{i}.txt").write_text("\n".join(en[i:] + en[:i]) + "\n", encoding="utf-8")
        (tmp_path / f"a{i}.txt").write_text("\n".join(ar[i:] + ar[:i]) + "\n", encoding="utf-8")
    n = votes.VOTE_SENTENCES + 4
    (tmp_path / "long_e.txt").write_text("\n".join(f"{en[j % 6]} Day {j} of the long report." for j in range(n)) + "\n",
                                         encoding="utf-8")
    (tmp_path / "long_a.txt").write_text("\n".join(f"{ar[j % 6]} اليوم {j} من التقرير الطويل." for j in range(n)) + "\n",
                                         encoding="utf-8")
    with _voted_once(tmp_path, monkeypatch, "twin_vectors") as (store, docs, nb, first, encoded, twin_vectors):
        inputs = local.doc_inputs(store, docs)
        twins = twin_vectors(inputs)
        assert sorted(len(v) for v in twins.values()) == [0, 0] + [5] * 6
        assert first == pipeline.voted(nb, pipeline.vote_vectors(inputs), pipeline.stretch_vectors(inputs), twins)
        assert len(local.stored_ballots(store, local.TWIN_BALLOTS)[1]) == 6
        encoded.clear()
        assert local.chosen_by_votes(store, docs, nb) == first and sum(encoded) == 0
        assert local.voting_apart(store, docs, local.TWIN_BALLOTS) == {d for d, v in twins.items() if len(v)}


def _news_in_two_languages(root: Path) -> None:
    """Four English reports and their four Arabic translations, a file each."""
    en = ["The council met today and agreed on a plan for the rivers.",
          "The minister opened a new school in the northern town.",
          "Heavy rain closed the main road for two days.",
          "The bank raised its interest rate by half a point."]
    ar = ["اجتمع المجلس اليوم واتفق على خطة للأنهار.",
          "افتتح الوزير مدرسة جديدة في البلدة الشمالية.",
          "أغلقت الأمطار الغزيرة الطريق الرئيسي يومين.",
          "رفع البنك سعر الفائدة نصف نقطة."]
    root.mkdir()
    for i, (e, a) in enumerate(zip(en, ar, strict=True)):
        (root / f"e{i}.txt").write_text(f"{e} It was the news of the day.\n", encoding="utf-8")
        (root / f"a{i}.txt").write_text(f"{a} كان ذلك خبر اليوم.\n", encoding="utf-8")


def test_ballots_are_kept_and_a_rerun_casts_only_those_whose_pool_changed(tmp_path, monkeypatch):
    import marshal

    from sourcetrace import pipeline
    from sourcetrace.candidates import votes

    _news_in_two_languages(tmp_path / "corpus")
    encoded: list[int] = []
    cast: list[int] = []
    whole: list[int] = []  # of those, ballots whose tally read every member again
    vote_vectors, tallies = pipeline.vote_vectors, pipeline.tallies
    monkeypatch.setattr(pipeline, "vote_vectors", lambda inputs: encoded.append(len(inputs)) or vote_vectors(inputs))

    def counted(plans, vectors, keys):
        cast.append(len(plans))
        whole.append(sum(before is None for *_, before in plans))
        return tallies(plans, vectors, keys)

    monkeypatch.setattr(pipeline, "tallies", counted)
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path / "corpus")], store).files))
        topics = local.topic_vectors(store, docs)
        nb = local.nearest_documents(store, docs, topics)
        first = local.chosen_by_votes(store, docs, nb)
        assert sum(encoded) == 0  # documents of few sentences: the topics stage stored their voting vectors
        # As a fresh count over every document's voting vectors gives it.
        assert first == pipeline.voted(nb, vote_vectors(local.doc_inputs(store, docs)))
        encoded.clear()
        assert local.chosen_by_votes(store, docs, nb) == first and sum(encoded) == 0
        # One Arabic document fewer: only the English ballots (whose pool held it) are cast again.
        rest = [d for d in docs if not d.path.endswith("a0.txt")]
        nb = local.nearest_documents(store, rest, {d.id: topics[d.id] for d in rest})
        expected = pipeline.voted(nb, vote_vectors(local.doc_inputs(store, rest)))
        cast.clear()
        whole.clear()
        assert local.chosen_by_votes(store, rest, nb) == expected
        assert cast == [4]
        # Back to every document: the English ballots gain it again, and its own is cast again
        # (the last run's ballots did not hold it); each reads only what is new to the tally it
        # kept where it can (a sentence that chose the departed document is read whole).
        nb = local.nearest_documents(store, docs, topics)
        cast.clear()
        whole.clear()
        encoded.clear()
        assert local.chosen_by_votes(store, docs, nb) == first
        assert cast == [5] and whole[0] < 5 and sum(encoded) == 0
        # Kept as each pool with its ballot and every document's topic fingerprint: a document
        # whose fingerprint moved (read again) has its ballot and those of the pools holding it
        # cast again; kept ballots that cannot be read are all cast again; the same choices.
        keys, kept = local.stored_ballots(store)
        assert set(kept) == {(doc, lang) for doc, lang, _ in votes.cross_lists(nb)} and keys == dict(zip(nb.ids, nb.keys.tolist(), strict=True))
        moved = sorted(keys)[0]
        store.put_corpus_cached("ballots", local.ballots_version(), marshal.dumps(({**keys, moved: keys[moved] + 1}, kept)))
        cast.clear()
        assert local.chosen_by_votes(store, docs, nb) == first
        assert cast == [1 + sum(moved in pool for doc, _, pool in votes.cross_lists(nb) if doc != moved)]
        store.put_corpus_cached("ballots", local.ballots_version(), b"damaged")
        cast.clear()
        assert local.chosen_by_votes(store, docs, nb) == first and cast == [8]
        cast.clear()
        assert local.chosen_by_votes(store, docs, nb) == first and cast == []


@pytest.mark.parametrize("child", ["works", "fails", "hangs"])
def test_a_recast_split_with_a_forked_child_gives_the_ballots_tallies_and_kept_ballots_of_one_process(
        tmp_path, monkeypatch, child):
    """A rerun's recast made in two parts, one in a forked child (_tallied_in_two), stores the
    same tallies (bytes), keeps the same ballots (the same bytes: marshal writes a name met again
    as a reference) and chooses the same pairs as made in this process alone; and so when the
    child fails or hangs (its part then made here)."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    _news_in_two_languages(tmp_path / "corpus")
    forks: list[int] = []
    fork, cast, tallied = os.fork, local.cast_ballots, local._tallied
    parent = os.getpid()

    def rerun(db: Path, split: bool) -> tuple:
        """Every document, then one Arabic document fewer, then every document again (its own
        ballot cast whole, the English ones brought up): that last recast split or not."""
        with Store(db) as store:
            docs = list(store.documents(ingest([str(tmp_path / "corpus")], store).files))
            topics = local.topic_vectors(store, docs)
            local.chosen_by_votes(store, docs, local.nearest_documents(store, docs, topics))
            rest = [d for d in docs if not d.path.endswith("a0.txt")]
            local.chosen_by_votes(store, rest, local.nearest_documents(store, rest, {d.id: topics[d.id] for d in rest}))
            nb = local.nearest_documents(store, docs, topics)
            monkeypatch.setattr(local, "cast_ballots", lambda *a: cast(*a[:6], split=split))
            chosen = local.chosen_by_votes(store, docs, nb)
            monkeypatch.setattr(local, "cast_ballots", cast)
            version = local.tally_version()
            rows = {lang: store.cached(f"tally {lang}", version, [d.id for d in docs]) for lang in ("ar", "en")}
            return chosen, rows, local.stored_ballots(store), store.corpus_cached("ballots", local.ballots_version())

    alone = rerun(tmp_path / "alone.db", False)
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or fork())
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)  # two cores, wherever run
    if child == "fails":  # the child's part raises in the child only: made here instead
        monkeypatch.setattr(local, "_tallied", lambda *a: tallied(*a)
                            if os.getpid() == parent else 1 / 0)
    elif child == "hangs":  # the child never answers: stopped after the wait, its part made here
        monkeypatch.setattr(local, "_tallied", lambda *a: tallied(*a)
                            if os.getpid() == parent else time.sleep(600))
        monkeypatch.setattr(local, "CHILD_WAIT", 0.5)
    began = time.monotonic()
    split = rerun(tmp_path / "split.db", True)
    assert time.monotonic() - began < 60
    assert forks == [1]  # the last recast's only: five pools, in two parts
    assert split[0] == alone[0] and split[0]
    assert split[1] == alone[1] and all(split[1].values())
    assert split[2] == alone[2] and split[3] == alone[3]  # the kept ballots' values and bytes
    assert any(b is not None for _, b in split[2][1].values())


def test_the_topics_stage_stores_the_voting_vectors_of_documents_of_few_sentences(tmp_path):
    """What votes_ahead leaves to the topics stage (documents of no more sentences than vote) is
    stored by it, the same bytes the voting vectors' job stores; a long document is not."""
    from sourcetrace.candidates import votes

    (tmp_path / "short.txt").write_text("The council met today. It agreed on a plan of 2.4 million dollars.\n",
                                        encoding="utf-8")
    (tmp_path / "long.txt").write_text(" ".join(f"The council met on day {i} and agreed on plan {i}." for i in range(40)),
                                       encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path / "short.txt"), str(tmp_path / "long.txt")], store).files))
        short, long = sorted(docs, key=lambda d: len(store.sentences(d.id)))
        assert len(store.sentences(long.id)) > votes.VOTE_SENTENCES
        assert local.topics_give_votes(store, docs) == {short.id}
        local.topic_vectors(store, docs)
        stored = store.cached("votes", local.votes_version(), [d.id for d in docs])
        assert stored == {short.id: local.vote_bytes(local.doc_inputs(store, [short]))[short.id]}
        assert store.cached("stretch votes", local.stretch_version(), [d.id for d in docs]) == {short.id: b""}
        assert local.topics_give_votes(store, docs) == set()  # topics stored: nothing left to give


def test_topics_stored_beside_in_batches_are_those_of_one_batch(tmp_path, monkeypatch):
    """The topics stage stores each batch from a thread of its own while the next is computed,
    and keeps rows of texts met again (a line atop several documents) across batches: every
    batch's topic, voting and twin vectors stored, the same bytes as in one batch."""
    from sourcetrace import pipeline

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = ["For immediate release", "Press office of the council"]
    for i in range(7):
        body = " ".join(f"The council met on day {i} and agreed on plan {i * 10 + j}." for j in range(8))
        (corpus / f"d{i}.txt").write_text("\n".join(lines) + "\n" + body + "\n", encoding="utf-8")
    kinds = {"topic": pipeline.topic_version(), "votes": local.votes_version(), "twin votes": local.twin_version(),
             "stretch votes": local.stretch_version()}
    stored = []
    for batch in (local.DOC_BATCH, 2):
        monkeypatch.setattr(local, "DOC_BATCH", batch)
        with Store(tmp_path / f"s{batch}.db") as store:
            docs = list(store.documents(ingest([str(corpus)], store).files))
            got = local.topic_vectors(store, docs)
            assert sorted(got) == sorted(d.id for d in docs)
            stored.append({k: store.cached(k, v, [d.id for d in docs]) for k, v in kinds.items()})
            assert all(len(rows) == len(docs) for rows in stored[-1].values())
    assert stored[0] == stored[1]


def test_candidate_features_computed_ahead_in_workers_are_those_computed_here(tmp_path, monkeypatch):
    from sourcetrace import pipeline
    from sourcetrace.candidates.pairs import features_to_bytes
    from sourcetrace.engines.workers import DocumentWork

    monkeypatch.setattr(pipeline, "ALL_PAIRS_UP_TO", 1)
    monkeypatch.setattr(local, "MIN_FACT_DOCS", 2)
    with Store(tmp_path / "s.db") as store:
        docs, _ = _a_story_and_its_copy(tmp_path, store)
        ids = [d.id for d in docs]
        work = DocumentWork(store, 2)
        try:
            local.features_ahead(store, docs, work)
            assert work.submitted("features")
            work.wait("features")
        finally:
            work.close()
        want = {f.id: features_to_bytes(f) for f in pipeline.features(local.doc_inputs(store, docs))}
        assert store.cached("features", FEATURES_VERSION, ids) == want
        again = DocumentWork(store, 2)
        # every document's features stored: no job, and no document's id read to know it
        monkeypatch.setattr(store, "cached_ids", lambda *args: pytest.fail("ids read"))
        local.features_ahead(store, docs, again)
        assert not again.submitted("features") and again.pool is None


def test_a_rerun_types_and_diffs_again_only_pairs_whose_inputs_or_code_changed(tmp_path, monkeypatch):
    from sourcetrace import pipeline
    from sourcetrace.engines import kept
    from sourcetrace.relate import relations

    body = "The council met today in the capital. It agreed on a plan of {} million dollars for the rivers.\n"
    (tmp_path / "a.txt").write_text(body.format("2.4"), encoding="utf-8")
    (tmp_path / "b.txt").write_text("Breaking news. " + body.format("3.1"), encoding="utf-8")
    calls = {"relate": 0, "diff": 0}

    def counted(name, f):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return f(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(relations, "relate", counted("relate", relations.relate))
    monkeypatch.setattr(pipeline, "diff_pair", counted("diff", pipeline.diff_pair))

    def run(store):
        docs = list(store.documents(ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], store).files))
        pair = [(docs[0].id, docs[1].id)]
        passages = local.align_all(store, docs, pairs=pair)
        typed = local.relate_all(store, docs, passages, {}, pair)
        facts = local.facts_of(docs, local.DocumentTexts(store), store)
        return typed, local.fact_diffs_of(store, docs, passages, [(r.a, r.b) for r in typed], facts)

    with Store(tmp_path / "s.db") as store:
        first = run(store)
        assert first[0] and any(d.status == "changed" for d in first[1]) and calls == {"relate": 1, "diff": 1}
        assert run(store) == first and calls == {"relate": 1, "diff": 1}  # kept: neither computed again
        # Another code's results are stale (a digest of the source: no version to forget to bump).
        monkeypatch.setattr(kept, "code_version", lambda: "other code")
        assert run(store) == first and calls == {"relate": 2, "diff": 2}
        assert run(store) == first and calls == {"relate": 2, "diff": 2}
        # A document's file changed: its pair is typed and diffed again, from its new text.
        (tmp_path / "b.txt").write_text("Breaking news. " + body.format("2.4"), encoding="utf-8")
        again = run(store)
        assert calls == {"relate": 3, "diff": 3} and not any(d.status == "changed" for d in again[1])


def _three_translated(corpus: Path) -> Path:
    """A folder of three one-sentence English files and their Arabic translations."""
    corpus.mkdir()
    for i, (en, ar) in enumerate([("The council met today.", "اجتمع المجلس اليوم."),
                                  ("Heavy rain closed the road.", "أغلقت الأمطار الطريق."),
                                  ("The bank raised its rate.", "رفع البنك سعر الفائدة.")]):
        (corpus / f"e{i}.txt").write_text(en + "\n", encoding="utf-8")
        (corpus / f"a{i}.txt").write_text(ar + "\n", encoding="utf-8")
    return corpus


def test_neighbours_searched_beside_document_workers_in_one_thread_are_the_same(tmp_path, monkeypatch):
    """With document workers holding the other cores (``beside``), faiss searches in one thread
    (its threads only took turns with them): the same lists, bit for bit."""
    import faiss

    from sourcetrace.candidates import neighbours

    corpus = _three_translated(tmp_path / "c")
    threads: list[int] = []
    search = neighbours._searched_both  # a fresh search: its products and faiss's heaps
    monkeypatch.setattr(neighbours, "_searched_both",
                        lambda *a, **k: threads.append(faiss.omp_get_max_threads()) or search(*a, **k))
    found = {}
    for beside in (False, True):
        threads.clear()
        with Store(tmp_path / f"{beside}.db") as store:  # a store each: no lists of a last run to start from
            docs = list(store.documents(ingest([str(corpus)], store).files))
            found[beside] = neighbours.to_bytes(local.nearest_documents(store, docs, local.topic_vectors(store, docs),
                                                                        beside=beside))
        assert threads and set(threads) == ({1} if beside else {faiss.omp_get_max_threads()})
    assert found[True] == found[False]


def test_candidate_sets_search_the_topics_in_a_thread_of_their_own_in_one_faiss_thread(tmp_path, monkeypatch):
    """The candidates stage searches the topic neighbours in a thread beside its MinHash (faiss lets
    go of the GIL), faiss in one thread there (set in that thread: its OpenMP limit is per thread);
    the lists it keeps for the next run are nearest_documents' own, bit for bit."""
    import threading

    import faiss

    from sourcetrace import pipeline
    from sourcetrace.candidates import neighbours

    corpus = _three_translated(tmp_path / "c")
    monkeypatch.setattr(pipeline, "ALL_PAIRS_UP_TO", 0)  # searched, not every pair
    searches: list[tuple[bool, int]] = []
    search = neighbours._searched_both  # a fresh search: its products and faiss's heaps
    monkeypatch.setattr(neighbours, "_searched_both", lambda *a, **k: searches.append(
        (threading.current_thread() is threading.main_thread(), faiss.omp_get_max_threads())) or search(*a, **k))
    kept = {}
    for name in ("stage", "alone"):
        with Store(tmp_path / f"{name}.db") as store:  # a store each: no lists of a last run to start from
            docs = list(store.documents(ingest([str(corpus)], store).files))
            topics = local.topic_vectors(store, docs)
            if name == "stage":
                local.candidate_sets(store, docs, topics)
                assert searches and set(searches) == {(False, 1)}
            else:
                local.nearest_documents(store, docs, topics)
            kept[name] = store.corpus_cached("neighbours", pipeline.topic_version())
    assert kept["stage"] is not None and kept["stage"] == kept["alone"]


_FRESH_THREADS = """
import sys, threadpoolctl
from pathlib import Path
from sourcetrace import pipeline
from sourcetrace.candidates import neighbours
from sourcetrace.engines import local
from sourcetrace.engines.ingest import ingest
from sourcetrace.store.sqlite import Store

assert "faiss" not in sys.modules  # as in a trace: loaded by the candidates stage
neighbours.FEW_QUERIES = 0  # every search by faiss, as a fresh large run's
pipeline.ALL_PAIRS_UP_TO = 0
seen = {}
for name in ("neighbours", "candidates"):  # the search thread's and this thread's, each at its work
    def watched(*a, _name=name, _f=getattr(pipeline, name), **k):
        out = _f(*a, **k)
        seen[_name] = sorted({(i["internal_api"], i["num_threads"]) for i in threadpoolctl.threadpool_info()})
        return out
    setattr(pipeline, name, watched)
with Store(Path(sys.argv[2])) as store:
    docs = list(store.documents(ingest([sys.argv[1]], store).files))
    local.candidate_sets(store, docs, local.topic_vectors(store, docs))
print(seen)
"""


def test_candidate_sets_in_a_fresh_process_hold_faiss_too_to_one_thread(tmp_path):
    """In a fresh process, as a trace's, faiss is loaded by the candidates stage with an OpenMP
    and an OpenBLAS of its own: the stage's thread limits reach them too (taken before faiss was
    loaded, they left its two threads spinning beside the workers), in the search thread and in
    the thread casting the ballots."""
    import ast
    import subprocess
    import sys

    corpus = _three_translated(tmp_path / "c")
    src = str(Path(local.__file__).resolve().parents[2])
    run = subprocess.run([sys.executable, "-c", _FRESH_THREADS, str(corpus), str(tmp_path / "s.db")],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": src}, check=True)
    seen = ast.literal_eval(run.stdout.strip().splitlines()[-1])
    for name in ("neighbours", "candidates"):
        assert ("openmp", 1) in seen[name], seen  # faiss's, loaded and held
        assert {threads for _, threads in seen[name]} == {1}, seen


def test_the_votes_run_reaches_relate_and_a_rerun_whose_run_changed_types_the_pair_again(tmp_path, monkeypatch):
    """A pair whose ballots hold a run (pipeline.Pairs.ran) is typed with it (relations.relate's
    ``ran``), from the candidates stage through a trace; the kept relation's key holds it, so a
    rerun whose votes changed types the pair again."""
    from sourcetrace import pipeline
    from sourcetrace.relate import relations

    body = "The council met today in the capital. It agreed on a plan of {} million dollars for the rivers.\n"
    (tmp_path / "a.txt").write_text(body.format("2.4"), encoding="utf-8")
    (tmp_path / "b.txt").write_text("Breaking news. " + body.format("3.1"), encoding="utf-8")
    seen: list[bool] = []

    def watched(*args, ran=False, **kwargs):
        seen.append(ran)
        return relate(*args, **kwargs)

    relate = relations.relate
    monkeypatch.setattr(relations, "relate", watched)
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        pair = [(docs[0].id, docs[1].id)]
        passages = local.align_all(store, docs, pairs=pair)
        first = local.relate_all(store, docs, passages, {}, pair)
        assert seen == [False]
        assert local.relate_all(store, docs, passages, {}, pair) == first and seen == [False]  # kept
        assert local.relate_all(store, docs, passages, {}, pair, ran=pair) == first and seen == [False, True]
        assert local.relate_all(store, docs, passages, {}, pair, ran=pair) == first and seen == [False, True]
        # A trace hands relate the runs the candidates stage found.
        monkeypatch.setattr(local, "candidate_sets", lambda store, docs, vectors=None, work=None, ahead=None:
                            pipeline.Pairs(pair, pair, [], pair))
    with Store(tmp_path / "t.db") as store:
        local.trace([str(tmp_path)], store)
        assert seen == [False, True, True]


def test_stored_facts_are_made_records_when_asked_and_answer_as_extracted(tmp_path):
    (tmp_path / "a.txt").write_text("Flood report\nOn 4 June 2020 the ministry said 2.4 million dollars and 384 "
                                    "people were moved.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Rain fell on 3 May 2021 over 12% of the town.\n", encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        extracted = local.facts_of(docs, local.DocumentTexts(store))
        local.facts_of(docs[:1], local.DocumentTexts(store), store)  # the first document's facts stored
        both = local.facts_of(docs, local.DocumentTexts(store), store)  # the first read back, the second extracted
        assert isinstance(both, local.StoredFacts) and list(both) == [d.id for d in docs] and len(both) == 2
        assert not both.made.get(docs[0].id)  # read back as stored: no record made yet
        assert both[docs[0].id] == extracted[docs[0].id] and both[docs[0].id] is both[docs[0].id]
        again = local.facts_of(docs, local.DocumentTexts(store), store)
        assert dict(again.items()) == extracted and again == extracted and list(again.values()) == list(extracted.values())
        assert docs[1].id in again and "nope" not in again and again.get("nope") is None


def test_a_trace_s_texts_read_at_once_are_those_read_one_by_one(tmp_path):
    (tmp_path / "a.txt").write_text("Flood report\nThe river rose.\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "One story."}\n{"text": "Another story."}\n', encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        one_by_one = local.DocumentTexts(store).of(docs)
        texts = local.DocumentTexts(store)
        texts.read_all(docs)
        assert len(docs) == 3 and len(texts.by_file) == 2
        assert texts.of(docs) == one_by_one and set(one_by_one.values()) >= {"Flood report\nThe river rose.\n"}


def test_a_rerun_over_a_grown_corpus_answers_as_a_fresh_run(tmp_path):
    corpus = tmp_path / "corpus"
    story = flood_corpus(corpus, FLOOD_STORY.rstrip("\n")
                         + " The council will meet again on Thursday to count the damage in the valley.\n")
    with Store(tmp_path / "rerun.db") as store:
        local.trace([str(corpus)], store)
        (corpus / "d.txt").write_text("Digest. " + story.split(". ", 1)[1], encoding="utf-8")  # a new document
        _, rerun = local.trace([str(corpus)], store)
    with Store(tmp_path / "fresh.db") as store:
        _, fresh = local.trace([str(corpus)], store)

    def answers(t):
        return ([d.to_json() for d in t.documents], [s.to_json() for s in t.sentences],
                sorted(json.dumps(p.to_json(), sort_keys=True) for p in t.passages),
                [r.to_json() for r in t.relations], [f.to_json() for f in t.families],
                {k: [f.to_json() for f in v] for k, v in t.facts.items()}, [d.to_json() for d in t.fact_diffs],
                t.texts)

    assert len(rerun.documents) == 4 and rerun.relations and rerun.fact_diffs
    assert answers(rerun) == answers(fresh)


def test_topic_cosines_are_kept_between_runs_and_a_store_without_them_reruns_to_the_same_answers(tmp_path, monkeypatch):
    """relate/columns.py KeptCosines through the engine: a rerun over the same files computes no
    cosine, and a store whose kept cosines are gone (as main's code left it) computes them all
    and answers the same, score for score."""
    from sourcetrace.relate.columns import KeptCosines

    corpus = tmp_path / "corpus"
    flood_corpus(corpus)
    computed = []
    was = KeptCosines.cosines

    def counted(self, *args):
        out = was(self, *args)
        computed.append(self.computed)
        return out

    monkeypatch.setattr(KeptCosines, "cosines", counted)
    with Store(tmp_path / "s.db") as store:
        _, first = local.trace([str(corpus)], store)
        _, again = local.trace([str(corpus)], store)
        with store.conn:
            store.conn.execute("DELETE FROM corpus_cache WHERE kind=?", (local.TOPIC_COSINES,))
        _, without = local.trace([str(corpus)], store)
        rows = store.relations()
    assert computed[0] > 0 and computed[1] == 0 and computed[2] == computed[0]
    lines = [r.to_json() for r in first.relations]
    assert lines and [r.to_json() for r in again.relations] == lines == [r.to_json() for r in without.relations]
    assert rows == sorted(first.relations, key=lambda r: (r.a, r.b))


def test_relations_stored_beside_the_rest_are_the_trace_s_and_a_failed_write_is_raised(tmp_path):
    """The trace's relations are written in a thread over a connection of its own while this one reads
    on (engines/local.py _store_beside): stored once the trace returns; a write that fails raises."""
    from concurrent.futures import ThreadPoolExecutor

    import pytest

    with Store(tmp_path / "s.db") as store:
        docs, _ = _a_story_and_its_copy(tmp_path, store)
        result = local.trace_documents(store, docs)
        assert result.relations and store.relations() == sorted(result.relations, key=lambda r: (r.a, r.b))
        with ThreadPoolExecutor(1) as beside:
            seen = local._store_beside(beside, store, lambda own: (own is not store, own.conn is not store.conn))
            assert seen.result() == (True, True)
            failed = local._store_beside(beside, store, lambda own: own.conn.execute("SELECT nope FROM relations"))
            with pytest.raises(Exception, match="nope"):
                failed.result()


@pytest.mark.parametrize("corpus_process", [False, True, "failing"])
def test_a_trace_given_out_writes_the_set_its_result_gives_and_stores_its_relations_even_when_the_write_fails(
        tmp_path, monkeypatch, corpus_process):
    """With ``out`` the output set is written while the relations are stored (engines/local.py), by
    a process of their own on a corpus large enough, which writes some of the corpus files too
    (engines/corpus_files.py): byte for byte the files pipeline.outputs writes of the result; a write that fails raises, and the
    store still gets the trace's relations."""
    from sourcetrace import pipeline
    from sourcetrace.engines import corpus_files
    from sourcetrace.outputs import OutputError

    started = []
    monkeypatch.setattr(corpus_files, "MIN_DOCS", 0 if corpus_process else 10**9)
    if corpus_process == "failing":  # then the trace writes the corpus files and stores the relations itself
        monkeypatch.setattr(corpus_files, "_CHILD", "import sys; sys.exit(3)")
    monkeypatch.setattr(corpus_files.CorpusFiles, "stop", lambda self, was=corpus_files.CorpusFiles.stop:
                        started.append(self.proc is not None) or was(self))
    with Store(tmp_path / "s.db") as store:
        docs, _ = _a_story_and_its_copy(tmp_path, store)
        result = local.trace_documents(store, docs, out=tmp_path / "beside")
        pipeline.outputs(result, tmp_path / "after")
        names = sorted(p.name for p in (tmp_path / "after").iterdir())
        assert "relations.jsonl" in names and sorted(p.name for p in (tmp_path / "beside").iterdir()) == names
        for name in names:
            assert (tmp_path / "beside" / name).read_bytes() == (tmp_path / "after" / name).read_bytes(), name
        assert set(started) == {bool(corpus_process)}
        # Without the corpus's sentences and texts as records (the command line's): the same set,
        # those files written from the store by whichever process writes them.
        lean = local.trace_documents(store, docs, out=tmp_path / "lean", corpus=False)
        assert lean.sentences == [] and lean.texts == {} and result.sentences and result.texts
        assert sorted(p.name for p in (tmp_path / "lean").iterdir()) == names
        for name in names:
            assert (tmp_path / "lean" / name).read_bytes() == (tmp_path / "after" / name).read_bytes(), name
        assert result.relations
        # stored by the corpus files' process when there is one, else by a thread of the trace's
        assert store.relations() == sorted(result.relations, key=lambda r: (r.a, r.b))
        with store.conn:
            store.conn.execute("DELETE FROM relations")
        (tmp_path / "a file").write_text("not a directory")
        with pytest.raises(OutputError, match="not a directory"):
            local.trace_documents(store, docs, out=tmp_path / "a file")
        assert store.relations() == sorted(result.relations, key=lambda r: (r.a, r.b))


def test_a_trace_extracts_and_gives_only_the_facts_of_documents_in_fact_diffs_unless_all_are_asked(tmp_path):
    from sourcetrace import pipeline

    flood_corpus(tmp_path)
    with Store(tmp_path / "diffed.db") as store:
        _, diffed = local.trace([str(tmp_path)], store)
        ids = [d.id for d in diffed.documents]
        weather = next(d.id for d in diffed.documents if d.path.endswith("c.txt"))
        in_diffs = {x for d in diffed.fact_diffs for x in (d.a, d.b)}
        assert diffed.fact_diffs and weather not in in_diffs
        assert list(diffed.facts) == [i for i in ids if i != weather]  # in the documents' order
        # never extracted: the store holds no facts of it
        assert store.cached_ids("facts", pipeline.facts_version(), ids) == set(ids) - {weather}
    with Store(tmp_path / "all.db") as store:
        _, every = local.trace([str(tmp_path)], store, facts=pipeline.ALL_FACTS)
    assert list(every.facts) == ids and every.facts[weather]
    assert {k: v for k, v in every.facts.items() if k != weather} == dict(diffed.facts.items())
    assert every.fact_diffs == diffed.fact_diffs and every.relations == diffed.relations


def test_a_rerun_s_candidates_band_only_the_new_quote_units_and_equal_a_fresh_run_s(tmp_path, monkeypatch):
    import random

    from sourcetrace.candidates import pairs as cp

    words = ["river", "bridge", "council", "water", "farmers", "harvest", "budget", "school", "clinic", "road",
             "port", "grid", "wages", "court", "voters", "trade", "prices", "rain", "drought", "fuel"]

    def line(r: random.Random) -> str:
        return " ".join(r.choice(words) for _ in range(14)).capitalize() + "."

    stock = line(random.Random(1))  # a formula in more documents than a bucket pairs whole
    quoted = [line(random.Random(100 + k)) for k in range(8)]

    def write(i: int) -> None:
        r = random.Random(i)
        text = [line(r) for _ in range(4)] + [stock] + quoted[i % 6:i % 6 + 2]
        (corpus / f"d{i:03d}.txt").write_text(" ".join(text) + "\n", encoding="utf-8")

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(0, 140, 2):  # 70 documents: more than every pair is aligned for, and than a bucket pairs whole
        write(i)
    with Store(tmp_path / "rerun.db") as store:
        local.candidate_sets(store, list(store.documents(ingest([str(corpus)], store).files)))
        assert store.corpus_cached("quote bands", cp.quote_bands_version())
        for i in range(1, 40, 4):  # new documents between the old ones
            write(i)
        docs = list(store.documents(ingest([str(corpus)], store).files))
        whole = cp._band_pairs
        banded: list[int] = []
        monkeypatch.setattr(cp, "_band_pairs", lambda sig, rows, *a: banded.append(rows) or whole(sig, rows, *a))
        rerun = local.candidate_sets(store, docs)
        assert cp.QUOTE_ROWS not in banded  # the quote units were not banded whole
        monkeypatch.undo()
    with Store(tmp_path / "fresh.db") as store:
        fresh = local.candidate_sets(store, list(store.documents(ingest([str(corpus)], store).files)))
    assert len(docs) > 60 and rerun.related and rerun == fresh


# -- pairs aligned ahead, while the ballots are cast (AlignAhead) ----------------------------------
def _copies_corpus(folder) -> None:
    """34 reworded copies of one report (561 same-language pairs to align: more than the workers
    take, workers.MIN_PAIRS) and 30 unrelated notes: more documents than every pair is aligned for."""
    import random

    lines = ["The council met on Monday in the capital to discuss the river plan.",
             "It agreed to spend 2.4 million dollars on new flood barriers this year.",
             "The minister said the work would start in March and end before the rains.",
             "Farmers in the valley asked for help after the harvest was lost to the water.",
             "Engineers will inspect every bridge along the river before the summer."]
    words = ["market", "school", "clinic", "road", "port", "grid", "wages", "court", "voters", "trade",
             "prices", "rain", "drought", "fuel", "budget", "harbour", "museum", "library", "train", "garden"]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(34):
        r = random.Random(i)
        text = [f"Report {i} from the {r.choice(words)} desk."] + lines + [f"The {r.choice(words)} office said {i + 3} more."]
        (folder / f"copy{i:02d}.txt").write_text(" ".join(text) + "\n", encoding="utf-8")
    for i in range(30):
        r = random.Random(1000 + i)
        text = [" ".join(r.choice(words) for _ in range(12)).capitalize() + "." for _ in range(4)]
        (folder / f"note{i:02d}.txt").write_text(" ".join(text) + "\n", encoding="utf-8")


def _answers(t) -> tuple:
    return ([d.to_json() for d in t.documents], sorted(json.dumps(p.to_json(), sort_keys=True) for p in t.passages),
            [r.to_json() for r in t.relations], [f.to_json() for f in t.families],
            {k: [f.to_json() for f in v] for k, v in t.facts.items()}, [d.to_json() for d in t.fact_diffs])


class _Ahead:
    """A trace's AlignAhead seen from a test: the ballots wait until it has aligned every pair it
    was given (ballots long enough for all of them), or ``off`` aligns nothing ahead."""

    def __init__(self, monkeypatch, off: bool = False) -> None:
        self.started: list[local.AlignAhead] = []
        self.totals: list[int] = []
        start, ballots = local.AlignAhead.start, local.chosen_by_votes

        def started(ahead, pairs):
            if not off:
                start(ahead, pairs)
            self.started.append(ahead)

        def slow_ballots(*args, **kwargs):
            if self.started and self.started[-1].thread is not None:
                self.started[-1].thread.join()
            return ballots(*args, **kwargs)

        monkeypatch.setattr(local.AlignAhead, "start", started)
        monkeypatch.setattr(local, "chosen_by_votes", slow_ballots)
        monkeypatch.setenv("SOURCETRACE_WORKERS", "2")

    def progress(self) -> local.Progress:
        stage: list[str] = []
        return local.Progress(stage=stage.append, total=lambda n: stage[-1] == "align" and self.totals.append(n))


def _traced_copies(folder, store: Store, monkeypatch, off: bool) -> tuple[_Ahead, object]:
    """_copies_corpus in ``folder`` traced into ``store`` with facts in the workers too, as at scale,
    seen by an _Ahead (``off``: nothing aligned ahead)."""
    from sourcetrace.encode import get_encoder

    monkeypatch.setattr(local, "MIN_FACT_DOCS", 10)
    seen = _Ahead(monkeypatch, off=off)
    _, run = local.trace([str(folder)], store, encoder=get_encoder("use"), progress=seen.progress())
    return seen, run


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """_copies_corpus and its trace without pairs aligned ahead, made once for the three tests
    below (a trace of it starts two workers loading USE): each compares its own run with it."""
    root = tmp_path_factory.mktemp("copies")
    _copies_corpus(root / "corpus")
    with pytest.MonkeyPatch.context() as m, Store(root / "without.db") as store:
        seen, run = _traced_copies(root / "corpus", store, m, off=True)
    return root / "corpus", seen, run


@pytest.mark.slow  # worker processes loading USE
def test_pairs_aligned_ahead_of_the_ballots_give_the_trace_a_trace_without_them_gives(copies, tmp_path, monkeypatch):
    corpus, *without = copies
    with Store(tmp_path / "ahead.db") as store:
        ahead = _traced_copies(corpus, store, monkeypatch, off=False)
    for seen, run in (without, ahead):
        assert seen.totals == [len(run.pairs.aligned)]  # the align stage counts the pairs aligned ahead too
    assert ahead[0].started[0].aligned >= 561 and ahead[0].started[0].stopped.is_set()
    assert ahead[0].started[0].error is None
    assert ahead[1].passages and ahead[1].fact_diffs
    assert _answers(ahead[1]) == _answers(without[1])


KILLED_IN_THE_BALLOTS = """
import os, signal, sys
from sourcetrace.encode import get_encoder
from sourcetrace.engines import local
from sourcetrace.store.sqlite import Store

started = []
start = local.AlignAhead.start


def started_ahead(ahead, pairs):
    start(ahead, pairs)
    started.append(ahead)


def killed(*args, **kwargs):  # the ballots, killed once every pair given ahead is stored
    started[0].thread.join()
    print(started[0].aligned, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


local.AlignAhead.start, local.chosen_by_votes = started_ahead, killed
with Store(sys.argv[2]) as store:
    local.trace([sys.argv[1]], store, encoder=get_encoder("use"))
"""


@pytest.mark.slow  # worker processes loading USE
def test_a_trace_killed_in_the_ballots_keeps_the_pairs_aligned_ahead_and_reruns_to_a_fresh_run_s_answers(
        copies, tmp_path, monkeypatch):
    import contextlib
    import os
    import signal
    import subprocess
    import sys

    from sourcetrace import pipeline
    from sourcetrace.align.pair import DEFAULT_THRESHOLD
    from sourcetrace.encode import get_encoder

    (corpus, _, fresh), db = copies, tmp_path / "killed.db"
    env = {**os.environ, "SOURCETRACE_WORKERS": "2"}
    # A session of its own: its workers, orphaned by the kill (they hold their queues' both ends), go with it.
    proc = subprocess.Popen([sys.executable, "-c", KILLED_IN_THE_BALLOTS, str(corpus), str(db)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        said = proc.stdout.readline()
        assert proc.wait(timeout=300) == -signal.SIGKILL
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
    settings = pipeline.alignment_settings(get_encoder("use"), DEFAULT_THRESHOLD)
    with Store(db) as store:
        kept = store.aligned(settings)
    assert len(kept) == int(said) >= 561  # stored as aligned, before the kill
    rerun = _Ahead(monkeypatch)
    with Store(db) as store:
        _, again = local.trace([str(corpus)], store, encoder=get_encoder("use"), progress=rerun.progress())
    assert rerun.started[0].thread is None  # nothing left to align ahead
    assert rerun.totals == [len(again.pairs.aligned) - len(kept)]  # only the pairs not kept are aligned
    assert again.passages and _answers(again) == _answers(fresh)


@pytest.mark.slow  # worker processes loading USE
def test_a_store_too_busy_for_the_pairs_aligned_ahead_leaves_them_to_the_align_stage(copies, tmp_path, monkeypatch):
    import sqlite3
    import threading

    from sourcetrace.encode import get_encoder

    corpus, _, without = copies
    put = Store.put_alignment

    def busy_ahead(store, *args):  # the third pair aligned ahead finds the store locked past its wait
        if threading.current_thread().name == "align ahead" and len(stored) == 2:
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorname = "SQLITE_BUSY"
            raise error
        put(store, *args)
        if threading.current_thread().name == "align ahead":
            stored.append(args[:2])

    stored: list = []
    seen = _Ahead(monkeypatch)
    monkeypatch.setattr(Store, "put_alignment", busy_ahead)
    with Store(tmp_path / "busy.db") as store:
        _, busy = local.trace([str(corpus)], store, encoder=get_encoder("use"), progress=seen.progress())
    ahead = seen.started[0]
    assert ahead.aligned == 2 and ahead.error is None and seen.totals == [len(busy.pairs.aligned)]
    assert _answers(busy) == _answers(without)


@pytest.mark.slow  # the fixture's trace: worker processes loading USE
def test_a_rerun_s_few_new_pairs_aligned_ahead_by_the_thread_itself_give_the_answers_the_align_stage_gives(
        copies, tmp_path, monkeypatch):
    """Fewer same-language pairs than the workers take (a rerun's new documents'): the AlignAhead
    thread aligns them itself beside the ballots, no worker started; the same answers as the same
    rerun with nothing aligned ahead (the align stage aligning them)."""
    import shutil

    from sourcetrace.encode import get_encoder

    corpus, _, _ = copies
    extra = tmp_path / "extra"
    extra.mkdir()
    text = (corpus / "copy00.txt").read_text(encoding="utf-8")
    for i in (34, 35):  # two more reworded copies: ~70 new same-language pairs
        (extra / f"copy{i}.txt").write_text(text.replace("Report 0 ", f"Report {i} ").replace(" 3 more", f" {i + 3} more"),
                                            encoding="utf-8")
    runs, totals = {}, {}
    for off in (True, False):
        db = tmp_path / f"rerun-{off}.db"
        shutil.copyfile(corpus.parent / "without.db", db)
        with pytest.MonkeyPatch.context() as m:
            seen = _Ahead(m, off=off)
            with Store(db) as store:
                _, runs[off] = local.trace([str(corpus), str(extra)], store, encoder=get_encoder("use"),
                                           progress=seen.progress())
        totals[off] = seen.totals
        if not off:
            ahead = seen.started[0]
            assert ahead.here and ahead.error is None and ahead.stopped.is_set()
            assert 2 <= ahead.aligned < local.MIN_PAIRS
    assert totals[False] == totals[True]  # the align stage counts the pairs aligned ahead too
    assert runs[False].passages and _answers(runs[False]) == _answers(runs[True])


def test_align_ahead_sends_a_few_heavy_pairs_to_the_workers_and_aligns_a_few_light_ones_itself(tmp_path, monkeypatch):
    """AlignAhead decides as align_pairs does (workers.in_workers): a rerun's few short pairs in
    its own thread, a few long books' pairs in the workers (one core idled through them)."""
    from sourcetrace.encode import get_encoder
    from sourcetrace.engines import workers
    from sourcetrace.records import Document

    monkeypatch.setattr(local.AlignAhead, "_run", lambda self, todo: None)  # the decision alone
    short = [Document(f"s{i}", f"s{i}.txt", 0, 3_000, "en") for i in range(12)]
    long = [Document(f"b{i}", f"b{i}.txt", 0, 400_000, "ar") for i in range(4)]
    with Store(tmp_path / "s.db") as store, workers.PairWork(store, get_encoder("use"), 0.5, 2) as pool:
        for docs, here in ((short, True), (long, False)):
            ahead = local.AlignAhead(store, docs, get_encoder("use"), 0.5, pool)
            ahead.start([(x.id, y.id) for i, x in enumerate(docs) for y in docs[i + 1:]])
            assert ahead.thread is not None and ahead.here is here
            ahead.join()
        assert not pool.running()


def test_the_documents_sources_are_read_once_for_both_kinds_of_kept_keys(tmp_path, monkeypatch):
    """DocumentTexts.sources: the store's document_sources, read once for the relations' and the
    fact diffs' keys (engines/kept.py), which hold each document's file as read."""
    from sourcetrace.engines.document_texts import DocumentTexts

    with Store(tmp_path / "s.db") as store:
        docs, _ = _a_story_and_its_copy(tmp_path, store)
        want = store.document_sources()
        assert set(want) == {d.id for d in docs}
        texts = DocumentTexts(store)
        assert texts.sources() == want
        monkeypatch.setattr(store, "document_sources", lambda: pytest.fail("read again"))
        assert texts.sources() == want
        parts = [local._DocumentParts(texts.sources(), {d.id: d for d in docs}, lambda d: None) for _ in range(2)]
        for part, doc in zip(parts, docs, strict=True):  # a digest of its file as read, its record, the extra
            record = {k: v for k, v in doc.to_json().items() if k != "path"}
            assert part(doc.id) == digest(want[doc.id], record, None)
            assert part(doc.id) != digest(want[doc.id] + " ", record, None)


def test_kept_features_are_the_rows_after_a_rerun_and_any_other_write_drops_them(tmp_path, monkeypatch):
    """candidate_features keeps every document's features in one blob; a rerun over a grown corpus
    reads it and the new documents' rows, the same features as the rows alone give, and keeps the
    blob (the store's own insert of new rows). An update, a delete or a replace of a features row
    by anything else, or a document read again, drops it."""
    from sourcetrace.candidates.pairs import features_from_bytes
    from sourcetrace.store.schema import FEATURES_KEPT

    def as_rows(store, docs):
        rows = store.cached("features", FEATURES_VERSION, [d.id for d in docs])
        return {k: (f.lang, f.terms, None if f.doc_sig is None else f.doc_sig.tolist(), f.quote_sigs.tolist())
                for k, f in ((k, features_from_bytes(k, v)) for k, v in rows.items())}

    def as_found(found):
        return {f.id: (f.lang, f.terms, None if f.doc_sig is None else f.doc_sig.tolist(), f.quote_sigs.tolist())
                for f in found}

    def kept(store):
        return store.conn.execute("SELECT 1 FROM corpus_cache WHERE kind=?", (FEATURES_KEPT,)).fetchone() is not None

    for i in range(20):
        (tmp_path / f"d{i:02d}.txt").write_text(f"Statement {i} on the river number {i * 7}. " + TEXT, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        assert as_found(local.candidate_features(store, docs)) == as_rows(store, docs) and kept(store)
        (tmp_path / "new.txt").write_text("A new statement, on the Tigris in Basra. " + TEXT, encoding="utf-8")
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        assert len(docs) == 21
        found = local.candidate_features(store, docs)
        assert kept(store) and len(local.kept_features(store)) == 20  # one new of 21: not written again
        assert as_found(found) == as_rows(store, docs)
        assert as_found(local.candidate_features(store, docs)) == as_rows(store, docs)
        some = docs[3].id
        for change in ("UPDATE doc_cache SET data=data WHERE kind='features' AND doc=?",
                       "DELETE FROM doc_cache WHERE kind='features' AND doc=?",
                       "INSERT OR REPLACE INTO doc_cache SELECT kind, doc, version, data FROM doc_cache "
                       "WHERE kind='features' AND doc=?"):
            local.candidate_features(store, docs)
            assert kept(store)
            store.conn.execute(change, (some,))
            assert not kept(store), change
            assert as_found(local.candidate_features(store, docs)) == as_rows(store, docs)
        # Other kinds' rows leave it; a document read again drops it.
        store.put_cached("topic", "v", [(some, b"x")])
        store.conn.execute("UPDATE doc_cache SET data=data WHERE kind='topic'")
        assert kept(store)
        (tmp_path / "d03.txt").write_text("Another text altogether, on rivers and their floods.", encoding="utf-8")
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        assert not kept(store)
        assert as_found(local.candidate_features(store, docs)) == as_rows(store, docs) and kept(store)
