"""Writing the output contract (DESIGN.md): one JSON object a line, UTF-8, ensure_ascii=False.

A command's output files are one set: :func:`output_set` stages them in a temporary directory
beside the target (same filesystem) and swaps it into place, so a failure part-way (a full disk,
a kill) leaves the previous set or the new one, never new documents.jsonl beside an old
passages.jsonl. :func:`check_out_dir` refuses an unusable ``--out`` before any work is done.

What happens to a target directory that already exists (DESIGN: the command writes the contract
files "besides anything else it likes", so the directory may hold the user's own files):

- files the new set writes are replaced; files named as sourcetrace outputs (``OUTPUT_NAMES``)
  that the new set does not write are removed, since they describe another run (a set is never
  mixed with a previous run's files); leftovers of an interrupted write (``*.tmp``) go too;
- anything else is the user's and is kept: files (and symlinks) are hard-linked into the staged
  directory before the swap, so they never leave the target; sub-directories are moved over just
  after it (killed at that instant, one stays in the ``.NAME.old-*`` directory beside the target,
  which is then not removed);
- the swap is one atomic ``renameat2(RENAME_EXCHANGE)`` on Linux, else two renames (for that
  instant the target is absent and the old set waits beside it);
- when the directory cannot be swapped (it is the working directory or holds it, its parent is
  not writable, or its filesystem has no hard links for the user's files), the staged files are renamed into it one by one: every file is still whole
  and the old set survives a failure while writing, but a kill between two renames may mix sets.

A run killed while writing leaves its hidden ``.NAME.tmp-*`` staging directory (or, killed during
the swap, the ``.NAME.tmp-*``/``.NAME.old-*`` directory holding the previous set) beside the
target. The next write to the same target finishes what it left: the user's sub-directories still
in it are moved back into the target, then it is removed unless it holds something found nowhere
else (a file that is neither an output nor a hard link of a file in the target, or a folder the
target already has one of). Writers tell a leftover from a live run's directory by a lock on the
folder that holds the staging directories: each write holds it shared, and leftovers are removed
only under the exclusive lock, so never while another write is under way there (it then waits for
a later run). Where locks are not available, leftovers stay.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sourcetrace.records import sentence_lines

OUTPUT_NAMES = frozenset({
    "documents.jsonl", "sentences.jsonl", "passages.jsonl", "relations.jsonl", "families.jsonl",
    "facts.jsonl", "fact_diffs.jsonl", "settings.json", "timeline.json", "texts.jsonl",
})
MIN_FREE_BYTES = 16 * 2**20  # below this much free space on --out's filesystem, refuse up front


class OutputError(Exception):
    """An output directory that cannot be used or written (one line for the user)."""


def _line_encoder() -> Callable[[Any], str]:
    """``json.dumps(row, ensure_ascii=False)``, same text, with one C encoder made once: ``JSONEncoder.encode``
    makes a new one per call, which was half of writing a 25k trace's outputs (a million rows).
    Without the circular-reference check (records hold no cycles); Python's encoder where the C
    one is missing."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(ensure_ascii=False).encode
    # the arguments JSONEncoder.iterencode passes it: no indent, ", " and ": ", NaN allowed
    encode = make(None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ": ", ", ", False, False,
                  True)
    return lambda row: "".join(encode(row, 0))


_JSON = _line_encoder()
_LINES_A_WRITE = 4096  # rows joined into one write


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    return write_lines(path, map(_JSON, rows))


def write_lines(path: Path, encoded: Iterable[str]) -> int:
    """A JSON-lines file of rows already encoded (one JSON text each, no newline), written as
    :func:`write_jsonl` writes: under a temporary name, renamed once whole. Returns the rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8") as fh:
        lines: list[str] = []
        for line in encoded:
            lines.append(line)
            if len(lines) == _LINES_A_WRITE:
                fh.write("\n".join(lines) + "\n")
                n += len(lines)
                lines.clear()
        if lines:
            fh.write("\n".join(lines) + "\n")
            n += len(lines)
    os.replace(tmp, path)
    return n


def write_texts(outdir: Path, texts: Mapping[str, str]) -> None:
    """texts.jsonl: ``{"path", "text"}`` for every file of the set, the text its offsets point
    into (decoded, or extracted from HTML/JSONL), so that every span can be shown from the outputs
    alone (DESIGN.md, "Offsets"); ``path`` is the documents' ``path``."""
    write_jsonl(outdir / "texts.jsonl", ({"path": path, "text": text} for path, text in texts.items()))


# The files a corpus's reading decides: final before any later stage, so they can be written
# beside those stages (engines/corpus_files.py) from the store.
CORPUS_FILES = ("documents.jsonl", "sentences.jsonl", "texts.jsonl")


def write_corpus_files(out: Path, documents: Iterable[Any], sentences: Iterable[Any], texts: Mapping[str, str],
                       names: Collection[str] = CORPUS_FILES) -> None:
    """documents.jsonl, sentences.jsonl and texts.jsonl (:data:`CORPUS_FILES`; those of `names`)
    of a set into `out`: its documents and sentences (records with ``to_json``) and its files'
    texts by path."""
    if "documents.jsonl" in names:
        write_jsonl(out / "documents.jsonl", (d.to_json() for d in documents))
    if "sentences.jsonl" in names:
        write_lines(out / "sentences.jsonl", sentence_lines(sentences))
    if "texts.jsonl" in names:
        write_texts(out, texts)


def write_settings(outdir: Path, settings: dict[str, Any]) -> None:
    """Stamp the output with the versions and settings that produced it (sacrebleu-style)."""
    outdir.mkdir(parents=True, exist_ok=True)
    tmp = outdir / "settings.json.tmp"
    tmp.write_text(json.dumps(settings, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, outdir / "settings.json")


# -- checks before the work ----------------------------------------------------------------------
def existing_ancestor(path: Path) -> Path:
    """The nearest ancestor of `path` (itself included) that exists."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_writable_dir(path: Path, what: str, min_free: int = MIN_FREE_BYTES) -> str | None:
    """Why `path` cannot be (or be made) a writable directory with `min_free` bytes free, or
    None. Only what can be known beforehand: exists-and-not-a-directory, a file in the way,
    permissions and read-only filesystems (``os.access``), free space (``shutil.disk_usage``)."""
    path = Path(os.path.abspath(path))
    if path.exists() and not path.is_dir():
        return f"{what} {path} is not a directory"
    base = existing_ancestor(path)
    if not base.is_dir():
        return f"{what} {path} cannot be created: {base} is a file"
    if not os.access(base, os.W_OK | os.X_OK):
        return f"{what} {path} is not writable ({base}: permission denied or read-only filesystem)"
    try:
        free = shutil.disk_usage(base).free
    except OSError:
        return None  # free space cannot be known here: the write itself will tell
    if free < min_free:
        return f"{what} {path}: only {free // 2**20} MB free on its filesystem (at least {min_free // 2**20} MB needed)"
    return None


def check_out_dir(out: Path) -> None:
    """Raise :class:`OutputError` when `out` cannot take an output set (see check_writable_dir)."""
    problem = check_writable_dir(out, "--out")
    if problem:
        raise OutputError(problem)


# -- the set: staged, then swapped into place ----------------------------------------------------
@contextlib.contextmanager
def output_set(out: Path) -> Iterator[Path]:
    """Yield a staging directory to write a whole output set into; when the block ends, the set
    replaces `out` as a whole (see the module docstring). If the block raises, `out` is left as
    it was, the staging directory is removed, and an ``OSError`` becomes an :class:`OutputError`."""
    target = Path(os.path.realpath(out))  # a symlinked --out: swap the directory it points to
    if target.exists() and not target.is_dir():
        raise OutputError(f"--out {out} is not a directory")
    swap = os.access(target.parent, os.W_OK | os.X_OK) and not _holds_cwd(target)
    where = target.parent if swap else target  # the folder the staging directory goes in
    with contextlib.ExitStack() as held:
        try:
            where.mkdir(parents=True, exist_ok=True)
            held.enter_context(_writing_in(where, target))
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=where))
        except OSError as exc:
            raise OutputError(f"cannot write to --out {out}: {exc.strerror or exc}") from exc
        try:
            yield staging
            if swap:
                swap = _prepare_swap(staging, target)
        except BaseException as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write to --out {out}: {exc.strerror or exc}; "
                                  "the previous outputs there are unchanged") from exc
            raise
        try:
            _swap_in(staging, target) if swap else _rename_in(staging, target)
        except OSError as exc:  # the staging directory may now hold the old set: it is left for the user
            raise OutputError(f"cannot finish writing --out {out}: {exc.strerror or exc} "
                              f"(what was there before is kept beside it, in {target.parent})") from exc


@contextlib.contextmanager
def _writing_in(where: Path, target: Path) -> Iterator[None]:
    """Hold the lock of a write into `where` (shared), first removing the leftovers of killed
    writes to `target` if no other write holds it (see the module docstring)."""
    try:
        import fcntl

        fd = os.open(where, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (ImportError, OSError):  # no locks here (Windows), or the folder cannot be opened
        fd = None
    if fd is None:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another write is under way there: its directories are not leftovers
            pass
        else:
            _finish_leftovers(where, target)
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def _finish_leftovers(where: Path, target: Path) -> None:
    """Finish what killed writes to `target` left in `where`: the user's sub-directories go back
    into the target, then each leftover is removed unless it holds something found nowhere else."""
    for entry in os.scandir(where):
        if not (entry.name.startswith((f".{target.name}.tmp-", f".{target.name}.old-"))
                and entry.is_dir(follow_symlinks=False)):
            continue
        left = Path(entry.path)
        held = left / "set" if entry.name.startswith(f".{target.name}.old-") and (left / "set").is_dir() else left
        try:
            if target.is_dir():
                _move_subdirs(held, target)
            if held != left and len(os.listdir(left)) > 1:  # something beside the old set
                continue
            if all(_elsewhere(e) for e in os.scandir(held)):
                shutil.rmtree(left)
        except OSError:  # a leftover that cannot be finished now stays for the user, as before
            continue


def _elsewhere(entry: os.DirEntry) -> bool:
    """Whether a leftover's entry is safe to remove: an output (or a piece of one), or a hard
    link of a file that is also somewhere else (the user's files are linked into the target)."""
    if entry.is_dir(follow_symlinks=False):
        return False
    return _ours(entry.name) or entry.stat(follow_symlinks=False).st_nlink > 1


def _move_subdirs(old: Path, target: Path) -> None:
    """The user's sub-directories of the previous set `old` into the new set `target`."""
    for entry in os.scandir(old):
        if entry.is_dir(follow_symlinks=False) and not (target / entry.name).exists():
            os.rename(entry.path, target / entry.name)


def _holds_cwd(target: Path) -> bool:
    cwd = Path(os.path.realpath(os.getcwd()))
    return cwd == target or target in cwd.parents


def _ours(name: str) -> bool:
    """A name an output set owns in the target: an output file or a leftover of writing one."""
    return name in OUTPUT_NAMES or (name.endswith(".tmp") and name[:-4] in OUTPUT_NAMES)


def _prepare_swap(staging: Path, target: Path) -> bool:
    """Before the swap: the user's files in `target` linked into `staging` (so they never leave
    the target), its mode on `staging`. Sub-directories are moved just after the swap. False on a
    filesystem without hard links: the set is then renamed in file by file."""
    if not target.exists():
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it 0700; a new --out gets the usual mode
        return True
    written = set(os.listdir(staging))
    try:
        for entry in os.scandir(target):
            if entry.name not in written and not _ours(entry.name) and not entry.is_dir(follow_symlinks=False):
                os.link(entry.path, staging / entry.name, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EXDEV):
            raise
        for name in set(os.listdir(staging)) - written:
            os.remove(staging / name)
        return False
    shutil.copystat(target, staging)
    return True


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        aside = old = staging  # the old set is now where the staging directory was
    else:
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old = aside / "set"
        os.rename(target, old)
        os.rename(staging, target)
    _move_subdirs(old, target)  # the user's sub-directories come along
    shutil.rmtree(aside)


def _rename_in(staging: Path, target: Path) -> None:
    written = set(os.listdir(staging))
    for name in sorted(written):
        os.replace(staging / name, target / name)
    os.rmdir(staging)
    for name in os.listdir(target):
        if _ours(name) and name not in written:
            os.remove(target / name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # old kernel or a filesystem without it
        return False
    raise OSError(err, os.strerror(err), str(b))
