from sourcetrace.pipeline import ingest, read_documents, split_document
from sourcetrace.records import Document, SourceFile
from sourcetrace.store import Store

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
