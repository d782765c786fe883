"""Uploads: files checked and kept under the store's upload folder, then read and traced against
the whole store by one worker thread, with progress a page can poll.

The file types taken are those the readers read (:func:`sourcetrace.readers.readers_by_suffix`). The
files of one request are taken one by one: each is checked before anything of it is written,
staged in a hidden folder, and the accepted ones are moved into the upload folder together; a
refused file is reported with its reason and written nowhere."""

from __future__ import annotations

import hashlib
import os
import queue
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcetrace.engines.ingest import ingest
from sourcetrace.engines.local import Progress, trace_documents
from sourcetrace.quotes.search import ensure_indexed
from sourcetrace.readers import readers_by_suffix
from sourcetrace.store.sqlite import Store

if TYPE_CHECKING:
    from sourcetrace.web.app import Context

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
MAX_JOBS_KEPT = 200


class UploadError(Exception):
    """A file the app will not take, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def safe_name(name: str) -> str:
    """The file's own name (no folders), in letters, digits, '.', '-' and '_' only; its suffix must be
    one a reader reads (anything else is refused before it is written)."""
    base = re.split(r"[\\/]", name or "")[-1]
    stem, dot, suffix = base.rpartition(".")
    taken = readers_by_suffix()
    if not dot or f".{suffix.lower()}" not in taken:
        raise UploadError(415, f"{base or 'the file'}: only {', '.join(taken)} files are taken")
    stem = re.sub(r"[^\w-]+", "_", stem).strip("_.")[:80] or "upload"
    return f"{stem}.{suffix.lower()}"


def check_content(name: str, data: bytes) -> None:
    """Text, not a binary file with a text name (a NUL byte outside UTF-16/32)."""
    if not data.strip():
        raise UploadError(422, f"{name}: the file is empty")
    if b"\x00" in data[:65536] and not data.startswith(_BOMS):
        raise UploadError(415, f"{name}: a binary file, not text")


class Staging:
    """The accepted files of one upload request.

    ``add`` checks a file (size, name, content) and only then writes it to a hidden folder of its own
    under the upload folder, so a refused file (:class:`UploadError`) is never written; ``commit``
    moves every staged file to its place, ``<sha256[:16]>/<clean name>``, and returns those paths.
    Leaving the ``with`` block, the staging folder is removed, so any error before ``commit``
    leaves nothing of the request on disk.
    """

    def __init__(self, root: Path, limit: int) -> None:
        self.root, self.limit = root, limit
        self.folder = root / f".staging-{uuid.uuid4().hex}"  # same file system: the moves are renames
        self.staged: list[tuple[Path, Path]] = []  # (staged file, its place)

    def add(self, name: str, data: bytes) -> None:
        if len(data) > self.limit:
            raise UploadError(413, f"{name}: larger than {self.limit} bytes")
        clean = safe_name(name)
        check_content(clean, data)
        path = (self.root / hashlib.sha256(data).hexdigest()[:16] / clean).resolve()
        if self.root not in path.parents:  # cannot happen with a clean name; checked all the same
            raise UploadError(400, f"{name}: not a plain file name")
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f"{len(self.staged)}.part"
        tmp.write_bytes(data)
        self.staged.append((tmp, path))

    def commit(self) -> list[Path]:
        for tmp, path in self.staged:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)  # two uploads of the same bytes write the same file whole
        return [path for _, path in self.staged]

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Job:
    id: str
    files: list[str]
    state: str = "queued"  # queued, running, done, failed
    stage: str = "waiting"
    done: int = 0
    total: int = 0
    documents: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)  # files refused on upload, with why
    facts: int = 0  # facts found in the traced documents
    changed_facts: int = 0  # facts that changed between related documents
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "files": self.files, "accepted": self.files, "refused": self.refused, "state": self.state, "stage": self.stage, "done": self.done,
                "total": self.total, "documents": self.documents, "failures": self.failures, "facts": self.facts,
                "changed_facts": self.changed_facts, "error": self.error}


class Jobs:
    """Upload jobs, run one at a time (tracing writes the store and loads models)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.jobs: dict[str, Job] = {}
        self.queue: queue.Queue[tuple[Job, list[Path]]] = queue.Queue()
        self.lock = threading.Lock()
        self.worker: threading.Thread | None = None

    def staging(self) -> Staging:
        """A new batch of uploaded files (see :class:`Staging`)."""
        return Staging(self.ctx.upload_dir.resolve(), self.ctx.upload_limit)

    def submit(self, paths: list[Path], refused: list[dict[str, Any]] | None = None) -> Job:
        job = Job(uuid.uuid4().hex[:12], [p.name for p in paths], refused=list(refused or []))
        with self.lock:
            self.jobs[job.id] = job
            for old in list(self.jobs)[:-MAX_JOBS_KEPT]:
                del self.jobs[old]
            if self.worker is None or not self.worker.is_alive():
                self.worker = threading.Thread(target=self._work, name="sourcetrace-uploads", daemon=True)
                self.worker.start()
        self.queue.put((job, paths))
        return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def _work(self) -> None:
        store = Store(self.ctx.db_path)  # the worker's own connection
        while True:
            job, paths = self.queue.get()
            try:
                self._run(store, job, paths)
            except Exception as exc:  # a job fails alone; the worker goes on with the next
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
            finally:
                self.queue.task_done()

    def _run(self, store: Store, job: Job, paths: list[Path]) -> None:
        job.state, job.stage, job.total = "running", "reading", len(paths)
        report = ingest([str(p) for p in paths], store, progress=lambda _: setattr(job, "done", job.done + 1))
        job.failures = [f"{Path(f.path).name}: {f.reason}" for f in report.failures]
        job.documents = [d.id for d in store.documents(report.files)]
        if job.documents:
            def stage(name: str) -> None:
                job.stage, job.done, job.total = name, 0, 0

            # The same run as `sourcetrace trace`, over the whole store (uploads join the corpus).
            result = trace_documents(store, list(store.documents()),
                            progress=Progress(stage=stage, total=lambda n: setattr(job, "total", n),
                                              advance=lambda n: setattr(job, "done", job.done + n)))
            job.facts = sum(len(v) for v in result.facts.values())
            job.changed_facts = sum(d.status == "changed" for d in result.fact_diffs)
            stage("quote index")  # here, not in the next user's search
            ensure_indexed(store, progress=lambda n: setattr(job, "done", job.done + n))
        job.state, job.stage = ("done" if job.documents else "failed"), "done"
        if not job.documents:
            job.error = "no document could be read"
