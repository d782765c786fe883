"""--out and --db checked before the work, in one line (issue 19), and a command that only reads a
store never creates one. Running as root, an unwritable place is a path under a regular file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sourcetrace.store import schema
from sourcetrace.store.sqlite import Store, StoreError
from test_cli import run


def _one_line_error(res, *expected: str) -> None:
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    for text in expected:
        assert text in res.stderr, res.stderr


@pytest.fixture
def text(tmp_path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text("The ministry said on Monday that 384 people died. Rescue teams kept searching.\n")
    return path


def test_trace_out_pointing_at_a_file_fails_before_the_work(tmp_path, text):
    # Before: the whole pipeline ran (the store filled), then a 40-line traceback.
    (tmp_path / "f").write_text("x")
    res = run("trace", str(text), "--db", str(tmp_path / "s.db"), "--out", str(tmp_path / "f"))
    _one_line_error(res, "--out", "is not a directory")
    assert not (tmp_path / "s.db").exists()  # nothing was read
    res = run("trace", str(text), "--db", str(tmp_path / "s.db"), "--out", str(tmp_path / "f" / "out"))
    _one_line_error(res, "cannot be created", "is a file")
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize("command", ["read", "facts", "compare", "diff", "timeline"])
def test_every_out_is_checked(tmp_path, text, command):
    (tmp_path / "f").write_text("x")
    inputs = [str(text)] if command in ("read", "facts") else [str(text), str(text)]
    res = run(command, *inputs, "--db", str(tmp_path / "s.db"), "--out", str(tmp_path / "f"))
    _one_line_error(res, "--out", "is not a directory")


def test_db_in_an_unwritable_place_is_refused_in_one_line(tmp_path, text):
    (tmp_path / "f").write_text("x")
    for db in (tmp_path / "f" / "s.db", tmp_path):  # under a file; a directory
        res = run("trace", str(text), "--db", str(db), "--out", str(tmp_path / "out"))
        _one_line_error(res, f"--db {db}")
        assert "not a sourcetrace store" not in res.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [["origin", "X"], ["show", "X"], ["search", "some words"], ["facts", "X"]])
def test_a_command_that_reads_a_store_never_creates_one(tmp_path, args):
    # Before: `origin X --db missing.db` made an empty store and said "no such document".
    res = run(*args, "--db", str(tmp_path / "missing.db"))
    _one_line_error(res, f"no store at {tmp_path / 'missing.db'}", "sourcetrace trace")
    assert list(tmp_path.iterdir()) == []


def test_serve_needs_a_store(tmp_path):
    res = run("serve", "--db", str(tmp_path / "missing.db"), "--port", "0")
    _one_line_error(res, "no store at")
    assert list(tmp_path.iterdir()) == []


def test_a_full_trace_replaces_its_outputs_as_a_set(tmp_path, text):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    (out / "passages.jsonl.tmp").write_text("left by a killed run\n")
    res = run("trace", str(text), "--db", str(tmp_path / "s.db"), "--out", str(out), "--json")
    assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in out.iterdir())
    assert "notes.txt" in names and "documents.jsonl" in names and "passages.jsonl.tmp" not in names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no staging left


def test_a_missing_store_is_not_created_by_the_store_itself(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "missing.db", create=False)
    assert list(tmp_path.iterdir()) == []
    Store(tmp_path / "s.db").close()
    Store(tmp_path / "s.db", create=False).close()


def test_a_read_only_store_says_so(tmp_path, monkeypatch):
    # A read-only filesystem, which root cannot make here: SQLite opening the file read-only
    # fails the same way (SQLITE_READONLY). Before: "not a sourcetrace store".
    (tmp_path / "s.db").touch()
    real = sqlite3.connect
    monkeypatch.setattr(schema.sqlite3, "connect", lambda path, **kw: real(
        f"{Path(path).absolute().as_uri()}?mode=ro", timeout=1, isolation_level=None, uri=True))
    with pytest.raises(StoreError, match="read-only") as err:
        Store(tmp_path / "s.db")
    assert "not a sourcetrace store" not in str(err.value)


def test_not_a_store_still_says_so(tmp_path):
    (tmp_path / "notes.db").write_text("just text, long enough to be read as a header " * 4)
    with pytest.raises(StoreError, match="not a sourcetrace store"):
        Store(tmp_path / "notes.db")


def test_files_named_by_a_glob_may_start_a_store(tmp_path, text):
    from sourcetrace.cli.paths import store_for

    with store_for(tmp_path / "new.db", [str(tmp_path / "*.txt")]):  # timeline's inputs may be globs
        pass
    assert (tmp_path / "new.db").exists()
    with pytest.raises(StoreError, match="no store at"):
        store_for(tmp_path / "other.db", ["some-id#1"])
