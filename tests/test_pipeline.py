from sourcetrace.pipeline import ingest, read_documents, split_document
from sourcetrace.records import Document, SourceFile
from sourcetrace.store.sqlite import Store

TEXT = ("Council Statement\nOffice of the Spokesperson\nMarch 3, 2025\n"
        "The council met today. It agreed on a plan of 2.4 million dollars.\n"
        "You may also like\n")


def test_read_documents_gives_sentences_outside_boilerplate():
    source = SourceFile("x.txt", TEXT, "utf-8", "text", "h", len(TEXT))
    docs, sentences = read_documents(source, "x")
    assert [d.id for d in docs] == ["x#1"]
    texts = [TEXT[s.start:s.end] for s in sentences]
    assert texts == ["Council Statement", "Office of the Spokesperson", "March 3, 2025", "The council met today.",
                     "It agreed on a plan of 2.4 million dollars."]
    assert all(s.doc == "x#1" and s.lang == "en" for s in sentences)


def test_split_document_skips_inner_boilerplate():
    text = "First sentence here. Caption\nSecond one here."
    doc = Document("d", "p", 0, len(text), "en", boilerplate=[(21, 28)])
    assert [text[s.start:s.end] for s in split_document(text, doc)] == ["First sentence here.", "Second one here."]


def test_ingest_is_idempotent_and_rereads_changed_files(tmp_path):
    (tmp_path / "in").mkdir()
    f = tmp_path / "in" / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    with Store(tmp_path / "s.db") as store:
        first = ingest([str(tmp_path / "in")], store)
        assert (first.read, first.unchanged) == (1, 0)
        assert [x.reason for x in first.failures] == ["empty file"]
        again = ingest([str(tmp_path / "in")], store)
        assert (again.read, again.unchanged) == (0, 1)
        f.write_text(TEXT.replace("2.4", "3.1"), encoding="utf-8")
        changed = ingest([str(f)], store)
        assert (changed.read, changed.unchanged) == (1, 0)
        assert store.counts()["documents"] == 1
        assert "3.1" in store.document_text("a#1")


def test_align_all_answers_for_the_current_pairs_only(tmp_path):
    from sourcetrace.align.pair import DEFAULT_THRESHOLD
    from sourcetrace.pipeline import align_all, alignment_settings

    body = "The council met today in the capital. It agreed on a plan of 2.4 million dollars for the rivers.\n"
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Breaking news. " + body, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        report = ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], store)
        docs = list(store.documents(report.files))
        pair = [(docs[0].id, docs[1].id)]
        found = align_all(store, docs, pairs=pair)
        assert found and all({p.a, p.b} == {docs[0].id, docs[1].id} for p in found)
        # Stored; a later run without the pair must not report it.
        assert len(store.aligned(alignment_settings(None, DEFAULT_THRESHOLD))) == 1
        assert align_all(store, docs, pairs=[]) == []
        assert align_all(store, docs, pairs=pair) == found  # and nothing was aligned again


def test_only_candidates_with_evidence_of_shared_text_are_aligned():
    from sourcetrace.candidates.pairs import Candidate
    from sourcetrace.pipeline import ALIGN_MARGIN, _worth_aligning

    assert _worth_aligning(Candidate("a", "b", ["minhash"], 0.3), cross=False)
    assert not _worth_aligning(Candidate("a", "b", ["vectors", "anchors"], 0.9, 1.2), cross=False)
    assert _worth_aligning(Candidate("a", "b", ["vectors"], 0.9, ALIGN_MARGIN), cross=True)
    assert not _worth_aligning(Candidate("a", "b", ["vectors"], 0.9, 1.01), cross=True)
    assert _worth_aligning(Candidate("a", "b", ["vectors", "anchors"], 0.9, 1.01), cross=True)
    assert not _worth_aligning(Candidate("a", "b", ["anchors"], 0.9), cross=True)


def test_candidate_features_are_cached_per_document_and_dropped_with_it(tmp_path, monkeypatch):
    from sourcetrace import pipeline

    for i in range(3):
        (tmp_path / f"d{i}.txt").write_text(f"Statement {i}. " + TEXT, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        first = pipeline.candidate_features(store, docs)
        assert sorted(f.id for f in first) == sorted(d.id for d in docs)

        def no_recompute(inputs):
            assert not inputs, "cached features were computed again"
            return []

        monkeypatch.setattr(pipeline, "document_features", no_recompute)
        again = {f.id: f for f in pipeline.candidate_features(store, docs)}
        assert all(again[f.id].terms == f.terms for f in first)
        monkeypatch.undo()
        # A changed file is read again: its documents' cache goes with them.
        (tmp_path / "d0.txt").write_text("Another text altogether, on rivers.", encoding="utf-8")
        ingest([str(tmp_path / "d0.txt")], store)
        assert len(store.cached("features", pipeline.FEATURES_VERSION, [d.id for d in docs])) == 2


def test_sentence_vectors_encode_every_sentence_once(tmp_path, monkeypatch):
    from sourcetrace import pipeline
    from sourcetrace.encode import get_encoder
    from sourcetrace.encode.vectors import text_key

    for i in range(3):
        (tmp_path / f"d{i}.txt").write_text(f"Statement number {i} of the council. " + TEXT, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        done: list[int] = []
        pipeline.sentence_vectors(store, docs, done.append)
        assert sum(done) == len(docs)
        enc = get_encoder("use")
        texts = [store.document_text(d.id)[s.start:s.end] for d in docs for s in store.sentences(d.id)]
        assert len(store.get_vectors(enc.name, [text_key(t) for t in texts])) == len(set(texts))

        def no_encoding(*args, **kwargs):
            raise AssertionError("sentences were encoded again")

        monkeypatch.setattr(pipeline, "encode_cached", no_encoding)
        again: list[int] = []
        pipeline.sentence_vectors(store, docs, again.append)  # every document is marked as done
        assert again == [len(docs)]
