"""Uploads: files checked and kept under the store's upload folder, then read and traced against
the whole store, one job at a time, with progress a page can poll.

Jobs are kept as files beside the uploads (``.jobs/<id>.json``), not in a process's memory: the
app may run as several worker processes, and the worker that answers a poll is not the one that
took the upload. Whichever process holds the job lock beside the store runs the queued jobs of
every process, oldest first, one at a time (tracing writes the store and loads models); a process
that takes an upload while another holds the lock waits its turn for the lock and then finds the
job done. A job still marked running when a process takes the lock lost its runner (the process
stopped); it is run again from where the store's checkpoints left it, once.

The file types taken are those the readers read (:func:`sourcetrace.readers.readers_by_suffix`). The
files of one request are taken one by one: each is checked before anything of it is written,
staged in a hidden folder, and the accepted ones are moved into the upload folder together; a
refused file is reported with its reason and written nowhere."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcetrace.engines.ingest import ingest
from sourcetrace.engines.local import Progress, trace_documents
from sourcetrace.quotes.search import ensure_indexed
from sourcetrace.readers import readers_by_suffix
from sourcetrace.store.locks import held, lock_path
from sourcetrace.store.sqlite import Store

if TYPE_CHECKING:
    from sourcetrace.web.app import Context

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
MAX_JOBS_KEPT = 200
SAVE_EVERY = 0.3  # seconds between two writes of a running job's progress
RUNS = 2  # a job whose runner stopped is run again once
_JOB_ID = re.compile(r"[0-9a-f]{12}")


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
    paths: list[str] = field(default_factory=list)  # the uploaded files to trace (never shown)
    created: float = 0.0
    runs: int = 0  # times a runner started it

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "files": self.files, "accepted": self.files, "refused": self.refused, "state": self.state, "stage": self.stage, "done": self.done,
                "total": self.total, "documents": self.documents, "failures": self.failures, "facts": self.facts,
                "changed_facts": self.changed_facts, "error": self.error}


class Jobs:
    """Upload jobs of one store, shared by every process serving it (see the module docstring)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.lock = threading.Lock()
        self.worker: threading.Thread | None = None
        self.again = False  # a job was submitted while this process's runner was looking
        self.saved = 0.0
        if any(j.state in ("queued", "running") for j in self.all()):  # left by an earlier run of the app
            self._start()

    @property
    def folder(self) -> Path:
        return self.ctx.upload_dir / ".jobs"

    def staging(self) -> Staging:
        """A new batch of uploaded files (see :class:`Staging`)."""
        return Staging(self.ctx.upload_dir.resolve(), self.ctx.upload_limit)

    def submit(self, paths: list[Path], refused: list[dict[str, Any]] | None = None) -> Job:
        job = Job(uuid.uuid4().hex[:12], [p.name for p in paths], refused=list(refused or []),
                  paths=[str(p) for p in paths], created=time.time())
        self._save(job)
        self._start()
        return job

    def get(self, job_id: str) -> Job | None:
        if not _JOB_ID.fullmatch(job_id):  # an id names a file: nothing else is looked up
            return None
        try:
            data = json.loads((self.folder / f"{job_id}.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return Job(**data)

    def all(self) -> list[Job]:
        """Every job kept, oldest first."""
        if not self.folder.is_dir():
            return []
        jobs = [job for p in self.folder.glob("*.json") if (job := self.get(p.stem)) is not None]
        return sorted(jobs, key=lambda j: (j.created, j.id))

    def _start(self) -> None:
        with self.lock:
            if self.worker is not None and self.worker.is_alive():
                self.again = True
                return
            self.again = False
            self.worker = threading.Thread(target=self._work, name="sourcetrace-uploads", daemon=True)
            self.worker.start()

    def _work(self) -> None:
        store: Store | None = None
        while True:
            with held(lock_path(self.ctx.db_path, "jobs")):
                while (job := self._next()) is not None:
                    store = store or Store(self.ctx.db_path)  # the runner's own connection
                    try:
                        self._run(store, job)
                    except Exception as exc:  # a job fails alone; the runner goes on with the next
                        job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
                    self._save(job)
                    self._prune()
            with self.lock:
                if not self.again:  # nothing came in while looking: the next submit starts a runner
                    self.worker = None
                    if store is not None:
                        store.close()
                    return
                self.again = False

    def _next(self) -> Job | None:
        """The oldest job to run, marked running (only the lock's holder calls this)."""
        for job in self.all():
            if job.state == "running" and job.runs >= RUNS:  # its runner stopped, every time
                job.state, job.error = "failed", "the server stopped while running this job, twice"
                self._save(job)
            elif job.state in ("queued", "running"):
                job.runs += 1
                job.state, job.stage, job.done, job.total = "running", "starting", 0, 0
                self._save(job)
                return job
        return None

    def _save(self, job: Job, *, progress: bool = False) -> None:
        """Write the job's file whole (a reader never sees half of it); progress at most every
        SAVE_EVERY seconds."""
        now = time.monotonic()
        if progress and now - self.saved < SAVE_EVERY:
            return
        self.saved = now
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{job.id}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps(job.__dict__, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.folder / f"{job.id}.json")

    def _prune(self) -> None:
        finished = [j for j in self.all() if j.state in ("done", "failed")]
        for old in finished[:-MAX_JOBS_KEPT]:
            (self.folder / f"{old.id}.json").unlink(missing_ok=True)

    def _run(self, store: Store, job: Job) -> None:
        def advance(n: int) -> None:
            job.done += n
            self._save(job, progress=True)

        def stage(name: str) -> None:
            job.stage, job.done, job.total = name, 0, 0
            self._save(job)

        def total(n: int) -> None:
            job.total = n
            self._save(job, progress=True)

        stage("reading")
        job.total = len(job.paths)
        report = ingest(job.paths, store, progress=lambda _: advance(1))
        # A skipped file (JSON holding no document) is not traced either: the uploader is told why.
        job.failures = [f"{Path(f.path).name}: {f.reason}" for f in [*report.failures, *report.skipped]]
        job.documents = [d.id for d in store.documents(report.files)]
        if job.documents:
            # The same run as `sourcetrace trace`, over the whole store (uploads join the corpus).
            result = trace_documents(store, list(store.documents()), corpus=False,  # only its facts are read
                                     progress=Progress(stage=stage, total=total, advance=advance))
            job.facts = sum(len(v) for v in result.facts.values())
            job.changed_facts = sum(d.status == "changed" for d in result.fact_diffs)
            stage("quote index")  # here, not in the next user's search
            ensure_indexed(store, progress=advance)
        job.state, job.stage = ("done" if job.documents else "failed"), "done"
        if not job.documents:
            job.error = "no document could be read"
