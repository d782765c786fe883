"""Reading files into the store (engines/ingest.py): what is read again, which id and which path each
file's documents get (issue 16, bugs 2 and 4), through `ingest` and through the command line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sourcetrace.engines import ingest as ingest_module
from sourcetrace.engines.ingest import ONLY_BOILERPLATE, ingest
from sourcetrace.readers import ReadError
from sourcetrace.store.sqlite import Store

BODY = "The council met today in the capital. It agreed on a plan of 2.4 million dollars for the rivers.\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sourcetrace", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def documents_out(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]


def _mirrors(root: Path, folders: str = "xyz", name: str = "foo.txt") -> list[str]:
    """The same bytes under the same name in several folders (mirrored copies)."""
    paths = []
    for folder in folders:
        (root / folder).mkdir(exist_ok=True)
        (root / folder / name).write_text(BODY, encoding="utf-8")
        paths.append(f"{folder}/{name}")
    return paths


# -- bug 2: copies with one name and the same bytes --------------------------------------------
def test_mirrored_copies_get_distinct_ids_through_the_cli(tmp_path):
    res = run("read", *_mirrors(tmp_path), "--db", "s.db", "--out", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "IntegrityError" not in res.stderr
    docs = documents_out(tmp_path / "out")
    assert sorted(d["path"] for d in docs) == ["x/foo.txt", "y/foo.txt", "z/foo.txt"]
    assert len({d["id"] for d in docs}) == 3


def test_mirrored_copies_read_in_separate_runs_get_distinct_ids(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "s.db") as store:
        for path in _mirrors(tmp_path, "xyzw"):
            report = ingest([path], store)
            assert (report.read, report.failures) == (1, [])
        assert store.counts()["files"] == 4
        assert len({d.id for d in store.documents()}) == 4


def test_ids_are_the_same_in_a_fresh_run_and_a_rerun(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = _mirrors(tmp_path)
    with Store(tmp_path / "a.db") as fresh, Store(tmp_path / "b.db") as grown:
        ingest(paths, fresh)
        ingest(paths[:2], grown)
        ingest(paths, grown)
        assert {d.path: d.id for d in fresh.documents()} == {d.path: d.id for d in grown.documents()}


def test_a_file_that_cannot_be_stored_leaves_the_rest_of_its_batch(tmp_path, monkeypatch):
    """One file's failure to be written is that file's failure: the others of its batch are stored."""
    monkeypatch.chdir(tmp_path)
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(BODY.replace("council", f"council {name}"), encoding="utf-8")
    write = Store._write_file

    def refuse_b(cur, key, source, *rest):
        write(cur, key, source, *rest)
        if source.path == "b.txt":
            raise sqlite3.IntegrityError("refused for the test")

    monkeypatch.setattr(Store, "_write_file", staticmethod(refuse_b))
    with Store(tmp_path / "s.db") as store:
        report = ingest(["a.txt", "b.txt", "c.txt"], store)
        assert sorted(d.path for d in store.documents()) == ["a.txt", "c.txt"]
        assert store.counts()["files"] == 2
        assert report.read == 2 and [f.path for f in report.failures] == ["b.txt"]
        assert "cannot store" in report.failures[0].reason and "refused for the test" in report.failures[0].reason


# -- bug 4: each document's path is its own file's, as given -------------------------------------
def _two_reports(root: Path) -> None:
    for folder, body in (("x", BODY), ("y", "Officials announced a new budget for the northern province.\n")):
        (root / folder).mkdir()
        (root / folder / "report.txt").write_text(body, encoding="utf-8")


def test_trace_gives_each_document_its_own_files_path(tmp_path):
    _two_reports(tmp_path)
    # Read once from inside each folder: stored as "report.txt" twice, as typed there.
    for folder in ("x", "y"):
        res = run("read", "report.txt", "--db", "../s.db", cwd=tmp_path / folder)
        assert res.returncode == 0, res.stderr
    res = run("trace", "x/report.txt", "y/report.txt", "--db", "s.db", "--out", "D", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert sorted(d["path"] for d in documents_out(tmp_path / "D")) == ["x/report.txt", "y/report.txt"]
    res = run("trace", "x", "y", "--db", "s.db", "--out", "E", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert sorted(d["path"] for d in documents_out(tmp_path / "E")) == ["x/report.txt", "y/report.txt"]


def test_stored_paths_are_distinct_for_distinct_files(tmp_path, monkeypatch):
    """Two files read as "report.txt" from two folders: the one not given last keeps a path that
    opens it (its absolute path), so no two files share a path."""
    _two_reports(tmp_path)
    with Store(tmp_path / "s.db") as store:
        for folder in ("x", "y"):
            monkeypatch.chdir(tmp_path / folder)
            ingest(["report.txt"], store)
        paths = {d.path for d in store.documents()}
        assert paths == {str(tmp_path / "x" / "report.txt"), "report.txt"}
        monkeypatch.chdir(tmp_path)
        ingest(["x"], store)  # unchanged, given again from elsewhere: its path follows
        assert {d.path for d in store.documents()} == {"x/report.txt", "report.txt"}


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


# -- issue 19: a file of boilerplate lines only ---------------------------------------------------
def test_a_file_of_only_boilerplate_is_a_failure_every_time_and_not_stored(tmp_path):
    (tmp_path / "captions.txt").write_text("Photo: the council in session\n" * 50, encoding="utf-8")
    (tmp_path / "body.txt").write_text(BODY, encoding="utf-8")
    store = Store(tmp_path / "s.db")
    for _ in range(2):  # a rerun reports it again: it was never stored as read
        report = ingest([str(tmp_path)], store)
        assert [(Path(f.path).name, f.reason) for f in report.failures] == [("captions.txt", ONLY_BOILERPLATE)]
        assert [d.id for d in store.documents(report.files)] == ["body#1"]
    with pytest.raises(ReadError, match="boilerplate"):
        ingest([str(tmp_path / "captions.txt")], store, strict=True)


def test_an_annotation_json_beside_the_texts_is_skipped_not_traced_nor_failed(tmp_path):
    """A corpus's gold.json (valid JSON, no "text" anywhere) is no document: a note, exit code 0;
    a .json of records is read; a broken .json still fails."""
    (tmp_path / "body.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "gold.json").write_text(json.dumps({"documents": [{"id": "body", "span": [0, 90]}]}, indent=2),
                                        encoding="utf-8")
    (tmp_path / "feed.json").write_text(json.dumps([{"id": "f1", "text": BODY.replace("council", "board")}]),
                                        encoding="utf-8")
    res = run("read", ".", "--db", "s.db", "--out", "out", "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "skipped ./gold.json: JSON holding no document" in res.stderr.replace("\n", " ")
    answer = json.loads(res.stdout)
    assert answer["failures"] == [] and [Path(s["path"]).name for s in answer["skipped"]] == ["gold.json"]
    assert sorted(Path(d["path"]).name for d in documents_out(tmp_path / "out")) == ["body.txt", "feed.json"]
    (tmp_path / "broken.json").write_text('{"text": "cut off', encoding="utf-8")
    report = ingest([str(tmp_path / name) for name in ("body.txt", "gold.json", "feed.json", "broken.json")],
                    Store(tmp_path / "s.db"))
    assert [Path(f.path).name.split(":")[0] for f in report.failures] == ["broken.json"]
    assert [Path(f.path).name for f in report.skipped] == ["gold.json"]


# -- reading workers -------------------------------------------------------------------------------
def _stored(store: Store, keys: list[str]) -> tuple[list, list, list]:
    docs = list(store.documents(keys))
    return ([(d.id, d.path, d.start, d.end, d.lang, d.title, d.date) for d in docs],
            [(s.doc, s.start, s.end, s.lang) for d in docs for s in store.sentences(d.id)],
            sorted(store.conn.execute("SELECT key, path, sha256, settings, text FROM files")))


def test_workers_read_what_one_process_reads_with_the_same_ids(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "PARALLEL_FILES", 1)
    monkeypatch.setattr(ingest_module, "CHUNK_FILES", 2)  # many chunks: names meet across them
    monkeypatch.chdir(tmp_path)
    paths = _mirrors(tmp_path, "xyzw")  # one name in four folders: ids foo, foo~hash, foo~hash~2 ...
    for i in range(7):
        (tmp_path / f"n{i}.txt").write_text(f"Report number {i} on the rivers. " + BODY, encoding="utf-8")
        paths.append(f"n{i}.txt")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 8)
    paths += ["empty.txt", "blob.txt"]
    with Store(tmp_path / "one.db") as one, Store(tmp_path / "two.db") as two:
        alone = ingest(paths, one, workers=1)
        shared = ingest(paths, two, workers=2)
        assert shared.files == alone.files and (shared.read, shared.unchanged) == (alone.read, alone.unchanged) == (11, 0)
        assert sorted(f.path for f in shared.failures) == sorted(f.path for f in alone.failures) == ["blob.txt", "empty.txt"]
        assert _stored(two, shared.files) == _stored(one, alone.files)
        assert len({d.id for d in two.documents()}) == 11
        again = ingest(paths, two, workers=2)  # a rerun finds them current, in the workers too
        assert (again.read, again.unchanged, again.files) == (0, 11, shared.files)


def test_chunks_keep_every_file_of_a_name_together_in_order():
    paths = ["a/x.txt", "b/y.txt", "c/x.txt", "d/x~1a2b3c4d.txt", "e/z.txt", "f/y.txt"]
    chunks = ingest_module._chunks_by_name(paths, 1)
    assert chunks == [["a/x.txt", "c/x.txt", "d/x~1a2b3c4d.txt"], ["b/y.txt", "f/y.txt"], ["e/z.txt"]]
    assert sorted(p for c in ingest_module._chunks_by_name(paths, 4) for p in c) == sorted(paths)
