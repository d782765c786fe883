"""What several commands do the same way: open the store, read inputs with a progress bar (or
log lines when standard error is not a terminal), report unreadable files, find a document or
exit, the settings stamp, the facts files."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from sourcetrace.cli.console import err_console, error, fail, markup

# What the commands run is imported by the command that runs it (numpy, the models' code, the
# store: ~0.8 CPU s, which `sourcetrace --help` paid before printing a line).
if TYPE_CHECKING:
    from rich.progress import TaskID

    from sourcetrace.encode import Encoder
    from sourcetrace.engines import local
    from sourcetrace.engines.ingest import ReadReport
    from sourcetrace.records import Document
    from sourcetrace.store.sqlite import Store


def open_store(db: Path | None) -> Store:
    from sourcetrace.store.sqlite import Store, default_db_path

    return Store(db or default_db_path())


#: Seconds between two log lines of one stage when standard error is not a terminal.
LOG_SECONDS = float(os.environ.get("SOURCETRACE_PROGRESS_SECONDS", "") or 10)


class StageLog:
    """Progress as plain lines on standard error, for output that is piped or logged (a terminal
    gets a bar instead): ``sourcetrace: encode 120/500 documents, 31.0 s``, one when a stage
    starts, then one every ``every`` seconds while it runs, from a timer thread so that a stage
    stuck on one long step still shows it is alive (rich's bar is transient or off there, and a
    long run looked exactly like a hung one)."""

    def __init__(self, every: float = LOG_SECONDS, write: Callable[[str], None] | None = None) -> None:
        self.every = every
        self.write = write or _stderr_line
        self.name: str | None = None
        self.done, self.total_n = 0, None
        self.pairs: dict[tuple[str, str], tuple[str, int, int]] = {}  # long pairs under way: where each is
        self.began = self.stage_began = self.last = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    def start(self, name: str, total: int | None = None) -> None:
        with self._lock:
            self.name, self.done, self.total_n = name, 0, total
            self.pairs.clear()
            self.stage_began = time.monotonic()
            if name == "done":
                self._say(f"done in {self.stage_began - self.began:.1f} s")
            else:
                self._line()

    def set_total(self, n: int) -> None:
        with self._lock:
            self.total_n = n

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n

    def inside(self, a: str, b: str, what: str | None, done: int = 0, total: int = 0) -> None:
        """Where a long pair's alignment is (``what`` None: it is done), shown on the stage's lines."""
        with self._lock:
            if what is None:
                self.pairs.pop((a, b), None)
                return
            before = self.pairs.get((a, b))
            self.pairs[(a, b)] = (what, done, total)
            if before is None or before[0] != what:  # a line as each phase begins: a log shows their times
                self._line()

    def progress(self) -> local.Progress:
        """The engine's callbacks (:class:`sourcetrace.engines.local.Progress`) onto this log."""
        from sourcetrace.engines import local  # deferred: numpy, faiss; most commands never trace

        log = self

        class Logged(local.Progress):
            def start(self, name: str, total: int | None = None) -> None:  # one line with its total
                log.start(name, total)

        return Logged(advance=self.advance, inside=self.inside)

    def _line(self) -> None:
        count = f" {self.done}/{self.total_n}" if self.total_n is not None else f" {self.done}" if self.done else ""
        within = "".join(f"; {a} ~ {b}: {_where(*at)}" for (a, b), at in self.pairs.items())
        self._say(f"{self.name}{count}, {time.monotonic() - self.stage_began:.1f} s{within}")

    def _say(self, message: str) -> None:
        self.last = time.monotonic()
        self.write(f"sourcetrace: {message}")

    def _tick(self) -> None:
        while not self._stop.wait(min(self.every, 1.0)):
            with self._lock:
                if self.name and self.name != "done" and time.monotonic() - self.last >= self.every:
                    self._line()

    def __enter__(self) -> StageLog:
        self._timer = threading.Thread(target=self._tick, name="sourcetrace-progress", daemon=True)
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._timer:
            self._timer.join()


def _where(what: str, done: int, total: int) -> str:
    """A long pair's phase and count as shown: ``encode 12,000/80,000``."""
    return f"{what} {done:,}/{total:,}" if total else what


def _stderr_line(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def logs_progress() -> bool:
    """Whether progress goes to standard error as log lines (it is not a terminal) or as a bar."""
    return not err_console.is_terminal


@contextmanager
def stage_progress(quiet: bool) -> Iterator[local.Progress]:
    """The engine's progress for a command: log lines when standard error is not a terminal
    (also with ``--json``: standard output keeps only the JSON), else a transient bar unless
    ``quiet``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from sourcetrace.engines import local

    if logs_progress():
        with StageLog() as log:
            yield log.progress()
        return
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("encode", total=None)
        pairs: dict[tuple[str, str], TaskID] = {}

        def inside(a: str, b: str, what: str | None, done: int = 0, total: int = 0) -> None:
            # a long pair's own bar under the stage's, gone when the pair is done
            line = pairs.get((a, b))
            if what is None:
                if line is not None:
                    bar.remove_task(pairs.pop((a, b)))
                return
            label = escape(f"  {a} ~ {b}: {what}")
            if line is None:
                pairs[(a, b)] = bar.add_task(label, total=total or None, completed=done)
            else:
                bar.update(line, description=label, total=total or None, completed=done)

        yield local.Progress(stage=lambda name: bar.update(task, description=escape(name), completed=0, total=None),
                             total=lambda n: bar.update(task, total=n), advance=lambda n: bar.update(task, advance=n),
                             inside=inside)


def ingest_with_progress(inputs: list[str], store: Store, max_bytes: int, strict: bool,
                         quiet: bool, log: bool = False) -> ReadReport:
    """:func:`sourcetrace.engines.ingest.ingest` with a progress bar on standard error (two files
    or more); with ``log``, log lines instead when standard error is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from sourcetrace.engines.ingest import ingest
    from sourcetrace.engines.workers import default_workers
    from sourcetrace.readers import discover

    paths, _ = discover(inputs)
    if log and logs_progress():
        with StageLog() as lines:
            lines.start("read", len(paths))
            return ingest(inputs, store, max_bytes=max_bytes, strict=strict, progress=lambda _p: lines.advance(),
                          workers=default_workers())
    with Progress(TextColumn("[bold]reading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  TextColumn("{task.description}"), console=err_console, transient=True,
                  disable=quiet or len(paths) < 2) as progress:
        task = progress.add_task("", total=len(paths))
        return ingest(inputs, store, max_bytes=max_bytes, strict=strict, workers=default_workers(),
                      progress=lambda p: progress.update(task, advance=1, description=escape(Path(p).name)))


def index_with_progress(store: Store, quiet: bool) -> int:
    """Bring the quote index up to date (:func:`sourcetrace.quotes.search.ensure_indexed`) with
    progress on standard error: `trace` leaves the index to the first search, which on a large
    corpus takes a while and must not look hung. Returns how many documents were indexed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from sourcetrace.quotes.index import needs_index, unindexed_count
    from sourcetrace.quotes.search import ensure_indexed

    if not needs_index(store):
        return 0
    total = unindexed_count(store)
    if logs_progress():
        with StageLog() as lines:
            lines.start("quote index", total)
            return ensure_indexed(store, progress=lines.advance)
    with Progress(TextColumn("[bold]indexing for search"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("", total=total or None)
        return ensure_indexed(store, progress=lambda n: bar.update(task, advance=n))


def report_failures(report: ReadReport) -> None:
    for skipped in report.skipped:
        err_console.print(markup("skipped {path}: {reason}", path=skipped.path, reason=skipped.reason),
                          highlight=False)
    for failure in report.failures:
        error(f"{failure.path}: {failure.reason}")


def require_document(store: Store, doc: str) -> Document:
    document = store.document(doc)
    if document is None:
        fail(f"{doc}: no such document in the store")
    return document


def resolve_or_exit(store: Store, ref: str) -> list[Document]:
    from sourcetrace.engines.lookup import NotFound, resolve

    try:
        return resolve(ref, store)
    except NotFound as exc:
        fail(str(exc))


def encoder_or_exit(name: str) -> Encoder:
    from sourcetrace.encode import get_encoder

    try:
        return get_encoder(name)
    except ValueError as exc:
        fail(str(exc))


def run_settings(command: str, encoder: str, threshold: float) -> dict:
    """The settings.json stamp of a command that aligns with the encoder named."""
    from sourcetrace.encode import get_encoder
    from sourcetrace.pipeline import run_settings as stamp

    return stamp(command, get_encoder(encoder), threshold)
