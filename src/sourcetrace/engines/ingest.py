"""Reading files into the store: the read, segment and split stages at the edge where files
come in. Each file is stored in one transaction with its documents and sentences (in batches of
files, and a failed file never rolls back another), so a killed run keeps what it read and a
rerun skips files already current."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sourcetrace import pipeline
from sourcetrace.readers import DEFAULT_MAX_BYTES, NotDocuments, ReadError, discover
from sourcetrace.records import ReadFailure
from sourcetrace.store.sqlite import Store, file_key

# Files written to the store per transaction: a killed run redoes at most this many.
BATCH_FILES = 200
BATCH_CHARS = 20_000_000
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
           strict: bool = False, progress: Callable[[str], None] | None = None) -> ReadReport:
    """Read the inputs (files, directories, globs) into the store; skip files already current.

    Each file is stored in one transaction with its documents and sentences. With ``strict`` the
    first failure raises :class:`ReadError`; otherwise failures are collected and reading goes on.
    """
    report = ReadReport()
    paths, failures = discover(inputs)
    report.failures += failures
    if strict and failures:
        raise ReadError(failures[0].path, failures[0].reason)
    settings = pipeline.reading_settings()
    known = store.file_states()
    prefixes: set[str] = set()  # id prefixes given this run
    given: dict[str, str] = {}  # key -> the path as given this run
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
        if strict and failed:
            raise ReadError(report.failures[-1].path, report.failures[-1].reason)

    try:
        for path in paths:
            key = file_key(path)
            try:
                # Hash first only files the store already knows: a new file is read either way.
                if key in known and known[key] == (_sha256_of(path), settings):
                    report.unchanged += 1
                    report.files.append(key)
                    given[key] = path
                    if progress:
                        progress(path)
                    continue
                source = pipeline.read(path, max_bytes=max_bytes, display_path=path)
            except NotDocuments as exc:
                report.skipped.append(ReadFailure(exc.path, exc.reason))
                continue
            except ReadError as exc:
                if strict:
                    raise
                report.failures.append(ReadFailure(exc.path, exc.reason))
                continue
            except OSError as exc:
                failure = ReadFailure(path, f"cannot read: {exc.strerror or exc}")
                if strict:
                    raise ReadError(failure.path, failure.reason) from exc
                report.failures.append(failure)
                continue
            report.failures += source.problems
            prefix = store.id_prefix(key, Path(path).stem, source.sha256, prefixes)
            prefixes.add(prefix)
            docs, sentences = pipeline.segment(source, prefix)
            if not docs:
                # Stored, such a file vanished without a word (exit code 0) and every rerun skipped it.
                prefixes.discard(prefix)
                if strict:
                    raise ReadError(path, ONLY_BOILERPLATE)
                report.failures.append(ReadFailure(path, ONLY_BOILERPLATE))
                continue
            batch.append((key, source, settings, docs, sentences))
            batch_chars += len(source.text)
            if len(batch) >= BATCH_FILES or batch_chars >= BATCH_CHARS:
                flush()
        if batch:
            flush()
    finally:  # each file's path is the one given now, distinct from every other file's
        store.name_files(given)
    return report


def _sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
