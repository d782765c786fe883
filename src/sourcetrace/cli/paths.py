"""Where a command writes and which store it opens, checked before any work is done: an
unusable ``--out``, ``--html`` or ``--db`` is one line and exit code 2, not a traceback after the
whole pipeline ran; a command that only reads a store never creates one."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sourcetrace.cli.console import fail

# The store and the outputs' checks are imported when a command checks (numpy comes with them:
# not for `sourcetrace --help`).
if TYPE_CHECKING:
    from sourcetrace.store.sqlite import Store


def check_writable_dir(path: Path, what: str) -> str | None:
    from sourcetrace.outputs import check_writable_dir as check

    return check(path, what)


def default_db_path() -> Path:
    from sourcetrace.store.sqlite import default_db_path as default

    return default()


def check_out(out: Path | None) -> None:
    """``--out``: a directory that is (or can be made) writable, with some free space."""
    if out is not None:
        _fail_if(check_writable_dir(out, "--out"))


def check_html(html: Path | None) -> None:
    """``--html``: a file whose folder is (or can be made) writable."""
    check_file(html, "--html", "HTML")


def check_file(path: Path | None, option: str, what: str) -> None:
    """A file option (``--html``, ``export --out``): not a directory, in a folder that is (or
    can be made) writable."""
    if path is not None:
        if path.is_dir():
            fail(f"{option} {path} is a directory; name the {what} file to write")
        _fail_if(check_writable_dir(Path(os.path.abspath(path)).parent, f"{option} {path}: its folder"))


def check_db(db: Path | None) -> None:
    """``--db`` for a command that writes the store: a file (or one that can be made) in a
    writable folder with some free space (SQLite writes its journal beside the store)."""
    path = db or default_db_path()
    if path.is_dir():
        fail(f"--db {path} is a directory; name the store file")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        fail(f"--db {path} is not writable (permission denied or read-only filesystem)")
    _fail_if(check_writable_dir(Path(os.path.abspath(path)).parent, f"--db {path}: its folder"))


def check_paths(out: Path | None = None, db: Path | None = None, html: Path | None = None) -> None:
    """The checks of a command that reads files into the store and writes outputs."""
    check_db(db)
    check_out(out)
    check_html(html)


def reading_store(db: Path | None) -> Store:
    """The store of a command that only reads one: it must exist (never created here)."""
    from sourcetrace.store.sqlite import Store

    return Store(db or default_db_path(), create=False)


def store_for(db: Path | None, refs: Iterable[str]) -> Store:
    """The store of a command over documents named by id or by file: reading a file writes the
    store (checked first, created if missing); ids alone only read an existing one."""
    from sourcetrace.store.sqlite import Store

    if any(_names_file(ref) for ref in refs):
        check_db(db)
        return Store(db or default_db_path())
    return reading_store(db)


def _names_file(ref: str) -> bool:
    """Whether `ref` names files (a path, a glob, ``FILE#N``: see engines.lookup.resolve), not a store id."""
    return (Path(ref).exists() or ("#" in ref and Path(ref.rpartition("#")[0]).exists())
            or bool(glob.has_magic(ref) and glob.glob(ref, recursive=True)))


def _fail_if(problem: str | None) -> None:
    if problem:
        fail(problem)
