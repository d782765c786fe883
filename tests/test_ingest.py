from sourcetrace.engines.ingest import ingest
from sourcetrace.store.sqlite import Store

TEXT = ("Council Statement\nOffice of the Spokesperson\nMarch 3, 2025\n"
        "The council met today. It agreed on a plan of 2.4 million dollars.\n"
        "You may also like\n")


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
