"""Reading files into the store: the read, segment and split stages at the edge where files
come in. Each file is stored in one transaction with its documents and sentences (in batches of
files, and a failed file never rolls back another), so a killed run keeps what it read and a
rerun skips files already current.

Many new files are read by worker processes, each storing what it reads (SQLite in WAL mode takes
one writer at a time, each for a batch): reading is per file, and a second core would otherwise
idle through it. This module imports only the readers, segmentation and the store, which is what
a reading worker loads; the pipeline's other stages stay out of its start-up."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from sourcetrace.engines.parent import end_with_parent
from sourcetrace.readers import DEFAULT_MAX_BYTES, NotDocuments, ReadError, discover, read_file
from sourcetrace.records import ReadFailure
from sourcetrace.segment.documents import segment_and_split
from sourcetrace.store.sqlite import Store, file_key

# Files written to the store per transaction: a killed run redoes at most this many.
BATCH_FILES = 200
BATCH_CHARS = 20_000_000
# New files from which reading goes to worker processes: each worker's start-up (its imports, a
# second or so) must be worth it. Files per task: one progress step each.
PARALLEL_FILES = 4000
CHUNK_FILES = 100
# A file whose every line is boilerplate (a caption repeated, share and cookie lines) holds no document.
ONLY_BOILERPLATE = "no document: every line is boilerplate (repeated captions, share or cookie lines)"


@dataclass
class ReadReport:
    """What a reading run did: for the terminal, JSON output and the exit code."""

    files: list[str] = field(default_factory=list)  # keys of every file now in the store from the inputs
    read: int = 0  # files read this run
    unchanged: int = 0  # files skipped because the store already had them
    failures: list[ReadFailure] = field(default_factory=list)
    skipped: list[ReadFailure] = field(default_factory=list)  # files holding no document (not failures)


def ingest(inputs: Sequence[str], store: Store, *, max_bytes: int = DEFAULT_MAX_BYTES,
           strict: bool = False, progress: Callable[[str], None] | None = None, workers: int = 1) -> ReadReport:
    """Read the inputs (files, directories, globs) into the store; skip files already current.

    Each file is stored in one transaction with its documents and sentences. With ``strict`` the
    first failure raises :class:`ReadError`; otherwise failures are collected and reading goes on.
    With ``workers`` over 1 and at least :data:`PARALLEL_FILES` new files (never with ``strict``),
    that many worker processes read and store them, with the same ids and rows as one would.
    """
    from sourcetrace.pipeline import reading_settings  # here, not at import: see the module's doc

    report = ReadReport()
    paths, failures = discover(inputs)
    report.failures += failures
    if strict and failures:
        raise ReadError(failures[0].path, failures[0].reason)
    job = _Reading(reading_settings(), store.file_states(), max_bytes, strict)
    given: dict[str, str] = {}  # key -> the path as given this run
    try:
        keys = [file_key(p) for p in paths]
        if workers > 1 and not strict and sum(k not in job.known for k in keys) >= PARALLEL_FILES:
            _read_in_workers(store, paths, keys, job, workers, progress, report, given)
        else:
            job.read(store, paths, progress, report, given, keys)
    finally:  # each file's path is the one given now, distinct from every other file's
        store.name_files(given)
    return report


@dataclass
class _Reading:
    """What reading a file needs besides its path: the same in this process and in a worker."""

    settings: str
    known: dict[str, tuple[str, str]]  # stored files' (sha256, settings), by key
    max_bytes: int
    strict: bool

    def read(self, store: Store, paths: Sequence[str], progress: Callable[[str], None] | None,
             report: ReadReport, given: dict[str, str], keys: Sequence[str] | None = None) -> None:
        """Read ``paths`` in order into ``store``, adding to ``report`` and ``given``; ``keys``:
        their :func:`file_key`, when the caller has them (a rerun's 9,000 known paths: made once)."""
        prefixes: set[str] = set()  # id prefixes given by this reading
        batch: list = []
        batch_chars = 0

        def flush() -> None:
            nonlocal batch_chars
            failed = store.put_files(batch)  # a file that cannot be stored fails alone
            for key, source, *_ in batch:
                if key in failed:
                    report.failures.append(ReadFailure(source.path, f"cannot store: {failed[key]}"))
                    continue
                report.read += 1
                report.files.append(key)
                given[key] = source.path
                if progress:
                    progress(source.path)
            batch.clear()
            batch_chars = 0
            if self.strict and failed:
                raise ReadError(report.failures[-1].path, report.failures[-1].reason)

        for path, key in zip(paths, map(file_key, paths) if keys is None else keys, strict=True):
            try:
                # Hash first only files the store already knows: a new file is read either way.
                if key in self.known and self.known[key] == (_sha256_of(path), self.settings):
                    report.unchanged += 1
                    report.files.append(key)
                    given[key] = path
                    if progress:
                        progress(path)
                    continue
                source = read_file(path, max_bytes=self.max_bytes, display_path=path)
            except NotDocuments as exc:
                report.skipped.append(ReadFailure(exc.path, exc.reason))
                continue
            except ReadError as exc:
                if self.strict:
                    raise
                report.failures.append(ReadFailure(exc.path, exc.reason))
                continue
            except OSError as exc:
                failure = ReadFailure(path, f"cannot read: {exc.strerror or exc}")
                if self.strict:
                    raise ReadError(failure.path, failure.reason) from exc
                report.failures.append(failure)
                continue
            report.failures += source.problems
            prefix = store.id_prefix(key, Path(path).stem, source.sha256, prefixes)
            prefixes.add(prefix)
            docs, sentences = segment_and_split(source, prefix)
            if not docs:
                # Stored, such a file vanished without a word (exit code 0) and every rerun skipped it.
                prefixes.discard(prefix)
                if self.strict:
                    raise ReadError(path, ONLY_BOILERPLATE)
                report.failures.append(ReadFailure(path, ONLY_BOILERPLATE))
                continue
            batch.append((key, source, self.settings, docs, sentences))
            batch_chars += len(source.text)
            if len(batch) >= BATCH_FILES or batch_chars >= BATCH_CHARS:
                flush()
        if batch:
            flush()


def _read_in_workers(store: Store, paths: Sequence[str], keys: Sequence[str], job: _Reading, workers: int,
                     progress: Callable[[str], None] | None, report: ReadReport, given: dict[str, str]) -> None:
    """:meth:`_Reading.read` over chunks of ``paths`` in worker processes; the report as one
    reading in order would give. A file's id prefix depends on the files of the same name read
    before it (:meth:`Store.id_prefix`), so every file of a name goes to one chunk, in order."""
    chunks = _chunks_by_name(paths, CHUNK_FILES)
    order = {key: i for i, key in enumerate(keys)}
    key_of = dict(zip(paths, keys, strict=True))

    def known(chunk: list[str]) -> dict[str, tuple[str, str]]:  # a chunk's own stored states, not the corpus's
        return {key_of[p]: job.known[key_of[p]] for p in chunk if key_of[p] in job.known}

    with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=get_context("spawn"),
                             initializer=_open_store, initargs=(str(store.path),)) as pool:
        futures = [pool.submit(_read_chunk, chunk, _Reading(job.settings, known(chunk), job.max_bytes, False))
                   for chunk in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            part, part_given = future.result()
            report.files += part.files
            report.read += part.read
            report.unchanged += part.unchanged
            report.failures += part.failures
            report.skipped += part.skipped
            given.update(part_given)
            if progress:
                for path in chunk:
                    progress(path)
    report.files.sort(key=order.__getitem__)


def _chunks_by_name(paths: Sequence[str], size: int) -> list[list[str]]:
    """``paths`` in chunks of about ``size``, every path of one name key (the stem up to a first
    "~", which is all an id prefix can add to it) in the chunk of its first, in order."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(Path(path).stem.split("~")[0], []).append(path)
    chunks: list[list[str]] = [[]]
    for group in groups.values():
        if len(chunks[-1]) >= size:
            chunks.append([])
        chunks[-1] += group
    return [c for c in chunks if c]


_worker_store: list[Store] = []


def _open_store(db_path: str) -> None:
    end_with_parent()
    _worker_store.append(Store(db_path))


def _read_chunk(paths: list[str], job: _Reading) -> tuple[ReadReport, dict[str, str]]:
    report, given = ReadReport(), {}
    job.read(_worker_store[0], paths, None, report, given)
    return report, given


def _sha256_of(path: str) -> str:
    # By descriptor: a file object's buffers were 40% of hashing a rerun's 9,000 known files.
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
    finally:
        os.close(fd)
    return h.hexdigest()
