"""Outputs written as a set (issue 19): the old set or the new one, never a mix; the user's own
files in --out are kept; an unusable --out is refused before any work."""

from __future__ import annotations

import errno
import os

import pytest

from sourcetrace import outputs
from sourcetrace.outputs import OutputError, check_writable_dir, output_set, write_jsonl, write_settings


def _write_set(out, n: int, fail_at: str | None = None) -> None:
    """A set of three files, each holding `n`; an OSError(ENOSPC) while writing `fail_at`."""
    def rows(name):
        yield {"n": n}
        if name == fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    with output_set(out) as staged:
        for name in ("documents.jsonl", "sentences.jsonl", "passages.jsonl"):
            write_jsonl(staged / name, rows(name))
        write_settings(staged, {"n": n})


def _contents(out) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(out.iterdir()) if p.is_file()}


def test_a_new_directory_gets_the_set(tmp_path):
    _write_set(tmp_path / "out", 1)
    assert sorted(_contents(tmp_path / "out")) == ["documents.jsonl", "passages.jsonl", "sentences.jsonl",
                                                   "settings.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging directory left beside it
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~_umask()  # not mkdtemp's 0700


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_disk_full_mid_write_leaves_the_old_set(tmp_path):
    # The case: the disk filled while the third file was written. Before, the first two
    # files were new, passages.jsonl old, and a passages.jsonl.tmp was left behind.
    out = tmp_path / "out"
    _write_set(out, 1)
    before = _contents(out)
    with pytest.raises(OutputError, match="No space left.*previous outputs there are unchanged"):
        _write_set(out, 2, fail_at="passages.jsonl")
    assert _contents(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_the_users_files_survive_a_new_set(tmp_path, monkeypatch, exchange):
    # DESIGN: the command writes the contract files "besides anything else it likes": a user's
    # files and folders in --out stay (the same files, not copies); an output file the new set
    # does not write is another run's and goes, and so does a leftover .tmp of an output file.
    if not exchange:
        monkeypatch.setattr(outputs, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    _write_set(out, 1)
    (out / "relations.jsonl").write_text("old run\n")
    (out / "passages.jsonl.tmp").write_text("half\n")
    (out / "notes.txt").write_text("mine\n")
    (out / "sub").mkdir()
    (out / "sub" / "keep.txt").write_text("mine too\n")
    (out / "link").symlink_to("notes.txt")
    inode = (out / "notes.txt").stat().st_ino
    _write_set(out, 2)
    assert _contents(out) == {"documents.jsonl": '{"n": 2}\n', "link": "mine\n", "notes.txt": "mine\n",
                              "passages.jsonl": '{"n": 2}\n', "sentences.jsonl": '{"n": 2}\n',
                              "settings.json": '{\n "n": 2\n}\n'}
    assert (out / "notes.txt").stat().st_ino == inode and os.readlink(out / "link") == "notes.txt"
    assert (out / "sub" / "keep.txt").read_text() == "mine too\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_symlinked_out_stays_a_symlink(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to("real")
    _write_set(tmp_path / "out", 1)
    assert (tmp_path / "out").is_symlink() and (tmp_path / "real" / "documents.jsonl").exists()


def test_out_holding_the_working_directory_is_written_file_by_file(tmp_path, monkeypatch):
    # `--out .`: swapping the directory would leave the user's shell in a deleted one.
    out = tmp_path / "out"
    _write_set(out, 1)
    (out / "notes.txt").write_text("mine\n")
    monkeypatch.chdir(out)
    _write_set(out, 2)
    assert _contents(out)["documents.jsonl"] == '{"n": 2}\n' and _contents(out)["notes.txt"] == "mine\n"
    assert sorted(p.name for p in out.iterdir()) == sorted(_contents(out))  # no staging directory left


def test_a_file_in_the_way_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="not a directory"):
        _write_set(tmp_path / "f", 1)
    assert "is a file" in check_writable_dir(tmp_path / "f" / "out", "--out")
    assert "not a directory" in check_writable_dir(tmp_path / "f", "--out")


def test_read_only_and_full_places_are_refused_up_front(tmp_path, monkeypatch):
    # As root every directory is writable, so a read-only filesystem is what os.access says.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert "not writable" in check_writable_dir(tmp_path / "out", "--out")
    monkeypatch.undo()

    class Usage:
        free = 3 * 2**20
    monkeypatch.setattr(outputs.shutil, "disk_usage", lambda path: Usage)
    assert "only 3 MB free" in check_writable_dir(tmp_path / "out", "--out")
    assert check_writable_dir(tmp_path / "out", "--out", min_free=2**20) is None


def test_a_filesystem_without_hard_links_gets_the_set_file_by_file(tmp_path, monkeypatch):
    # vfat and some network filesystems refuse links: the user's files must not stop the write.
    out = tmp_path / "out"
    _write_set(out, 1)
    (out / "notes.txt").write_text("mine\n")

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))
    monkeypatch.setattr(outputs.os, "link", no_links)
    _write_set(out, 2)
    assert _contents(out)["documents.jsonl"] == '{"n": 2}\n' and _contents(out)["notes.txt"] == "mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_killed_write_s_leftovers_go_but_not_a_live_write_s_nor_the_user_s_only_copy(tmp_path):
    import fcntl

    out = tmp_path / "out"
    _write_set(out, 1)
    killed, kept = tmp_path / ".out.tmp-killed", tmp_path / ".out.old-killed"
    killed.mkdir()
    (killed / "documents.jsonl").write_text('{"n": 9}\n')
    (kept / "set").mkdir(parents=True)
    (kept / "set" / "mine.txt").write_text("found nowhere else")
    busy = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(busy, fcntl.LOCK_SH)  # another run is writing here: it may own those directories
    try:
        _write_set(out, 2)
        assert killed.exists()
    finally:
        os.close(busy)
    _write_set(out, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.old-killed", "out"]
    assert (kept / "set" / "mine.txt").read_text() == "found nowhere else"


def test_rows_are_written_as_json_dumps_writes_them(tmp_path):
    """One row a line, each exactly ``json.dumps(row, ensure_ascii=False)`` (the encoder is made once,
    not per row): non-ASCII text, escapes, floats, NaN, nested values; more rows than one write holds."""
    import json

    rows = [{"a": "نص عربي", "b": 'q"\\\n\t\u2028', "c": [1.5, 1e-7, 12345678901234567890, None, True],
             "d": {"x": float("nan"), "y": float("inf"), "z": -0.0}, "e": []}]
    rows += [{"i": i, "s": f"s{i}", "f": i / 7} for i in range(2 * outputs._LINES_A_WRITE + 3)]
    path = tmp_path / "rows.jsonl"
    assert write_jsonl(path, iter(rows)) == len(rows)
    assert path.read_text(encoding="utf-8") == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    assert write_jsonl(path, []) == 0 and path.read_text() == ""
    with pytest.raises(TypeError, match="not JSON serializable"):
        write_jsonl(tmp_path / "bad.jsonl", [{"x": object()}])
