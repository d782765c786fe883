"""Aligning pairs in worker processes: the per-pair stage spread over the machine's cores.

Aligning a pair is a pure function of its two documents (their texts and sentences, read from
the store here, engines/sides.py) and the sentence vectors (cached in the store), so pairs
partition freely, as they do on a cluster. Each worker opens the store itself (SQLite in WAL mode lets readers run beside the
writer) and returns the passages; the calling process alone records alignments, so a pair is
still stored with its passages in one transaction. Workers start with ``spawn``: a fork of a
process whose OpenMP (faiss) or BLAS threads have run can hang.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import suppress
from multiprocessing import get_context

import numpy as np

from sourcetrace.align.pair import align, align_many, prepare
from sourcetrace.encode import Encoder, get_encoder, spec_of
from sourcetrace.encode.base import BatchRunner, LazyBatchEncoder
from sourcetrace.encode.vectors import StoreVectors
from sourcetrace.engines.kept import fact_diff_rows, keepable, row_of
from sourcetrace.engines.parent import end_with_parent
from sourcetrace.engines.sides import Sides
from sourcetrace.factcheck.diff import diff_pair
from sourcetrace.progress import Throttled, noting
from sourcetrace.records import Document, Fact, Passage
from sourcetrace.store.sqlite import Store

CHUNK = 48  # pairs per task: consecutive pairs share documents, which a worker keeps at hand
MIN_PAIRS = 400  # fewer pairs than this are aligned in the calling process (start-up costs more)...
# ...unless they hold this much work (characters of both documents, summed over the pairs): ~5 CPU s
# of alignment at long books' ~2.5 us a character with USE (bench/books.py, 0.1 cut: 18 s for 7.3
# million), twice the workers' start-up (2-3 s of each core); planted news pairs cost half as much a
# character (1,914 pairs of 3,300 at 10,000 documents: 7.8 s), a rerun's ~50 new pairs ~0.2 million.
MIN_WORK = 2_000_000
FACT_CHUNK = 100  # documents per facts task
MIN_FACT_DOCS = 1000  # fewer documents than this have their facts extracted here (2-3 ms each)
VOTE_CHUNK = 200  # documents per voting vectors task (about 1 ms a document)
FEATURE_CHUNK = 200  # documents per candidate features task (about 1 ms a document)
# Documents whose voting vectors are computed here below this: a worker loads the static encoder
# first (2-3 s, 270 MB).
MIN_VOTE_DOCS = 2000
# A pair of this many characters (both documents) or more reports how far its alignment has got
# (sourcetrace/progress.py): ~2.5 s of alignment and up (two books: minutes to hours). A planted
# corpus's pairs are a few thousand characters: none reports, none pays a note.
LONG_PAIR = 1_000_000
#: How a caller hears about a long pair's alignment: (a, b, what, done, total); ``what`` None once
#: the pair is done.
Within = Callable[[str, str, "str | None", int, int], None]
DOCUMENT_WORK_NICE = 5  # :class:`DocumentWork`'s workers' priority below the calling process (a third of its CPU share)

_state: dict = {}


def default_workers() -> int:
    """``$SOURCETRACE_WORKERS``, else the cores this process may use."""
    env = os.environ.get("SOURCETRACE_WORKERS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


WORKER_MEMO = 8_000  # sentence vectors a worker keeps in memory: a chunk's documents, with room


def _start(db_path: str, spec: str, threshold: float, warm: bool = False, notes: object = None) -> None:
    from sourcetrace.encode import vectors

    end_with_parent()
    _state["notes"] = notes  # where a long pair's notes go (:func:`_align_chunk`)

    vectors.MEMO_SIZE = WORKER_MEMO  # its pairs come in chunks: a large memo only costs memory
    store = Store(db_path)
    encoder = get_encoder(spec) if spec else None
    _state["blas"] = one_thread()
    _state.update(store=store, vectors=StoreVectors(store), unkept=StoreVectors(store, keep=False), sides=Sides(store),
                  encoder=encoder, threshold=threshold)
    if warm:  # the models every task reads, loaded now (:meth:`PairWork.warm`)
        if isinstance(encoder, LazyBatchEncoder):
            encoder.raw_rows(["warm"])
        get_encoder("static").table()  # same-language pairs are screened with it (align/screen.py)


def _nothing() -> None:
    """A task that only starts a worker (its initializer does the work)."""


def one_thread() -> object:
    """One BLAS thread in this process (a worker per core) for every matrix product: a worker per
    core each running two-threaded matrix products oversubscribes the cores, and spinning BLAS
    threads made alignment twice as slow. Returns the limit, which holds while it is referenced."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def _align_chunk(chunk: Sequence[tuple[Document, Document]], keep: bool = True,
                 notes: bool = False) -> list[tuple[str, str, list[Passage]]]:
    # ``keep`` False: vectors encoded here are not stored (engines/local.py AlignAhead: aligned
    # before the encode stage, which then encodes what it would without them). ``notes``: the
    # chunk's one pair, a long one, sends how far it has got to the calling process (:func:`align_pairs`).
    sent = _state.get("notes")
    if notes and sent is not None:
        a, b = chunk[0][0].id, chunk[0][1].id
        with noting(Throttled(lambda what, done, total: sent.put((a, b, what, done, total)))):
            return _aligned_chunk(chunk, keep)
    return _aligned_chunk(chunk, keep)


def _aligned_chunk(chunk: Sequence[tuple[Document, Document]], keep: bool) -> list[tuple[str, str, list[Passage]]]:
    sides, enc, vectors = _state["sides"], _state["encoder"], _state["vectors" if keep else "unkept"]
    both = [(sides(a), sides(b)) for a, b in chunk]
    prepare(both, enc)
    if enc is None:  # each pair picks its encoder (align): no batch of vectors across pairs
        found = [align(x, y, encoder=enc, vectors=vectors, threshold=_state["threshold"]) for x, y in both]
    else:  # the chunk's on-demand units in one encoder pass and one store read and write (align_many)
        found = align_many(both, encoder=enc, vectors=vectors, threshold=_state["threshold"])
    return [(a.id, b.id, ps) for (a, b), ps in zip(chunk, found, strict=True)]


def diff_chunk(chunk: Sequence[tuple[Document, Document, list[Passage]]], facts_version: str
               ) -> list[tuple[str, str, list[list], bool]]:
    """The fact diffs of every pair of ``chunk`` (documents a and b with the passages its diff
    reads): :func:`diff_pair` over the documents' texts and facts as the store holds them (the
    facts stored under ``facts_version``), in a :class:`PairWork` worker. Each pair's as
    (a, b, rows, kept): with ``kept``, rows as :class:`engines.local.FactDiffs` keeps them for the
    next run (found :func:`keepable` here, not in the calling process), else each diff's fields."""
    store = _state["store"]
    ids = list(dict.fromkeys(x.id for a, b, _ in chunk for x in (a, b)))
    facts = {d: [Fact(d, *row) for row in json.loads(data)]
             for d, data in store.cached("facts", facts_version, ids).items()}
    texts: dict[str, str] = {}

    def text(doc: Document) -> str:
        if doc.id not in texts:
            texts[doc.id] = store.document_text(doc.id) or ""
        return texts[doc.id]

    out = []
    for a, b, ps in chunk:
        diffs = diff_pair(a, text(a), facts.get(a.id, []), b, text(b), facts.get(b.id, []), ps)
        rows = fact_diff_rows(a.id, b.id, diffs)
        if rows is not None and keepable(rows):
            out.append((a.id, b.id, rows, True))
            continue
        out.append((a.id, b.id, [row_of(d) for d in diffs], False))
    return out


def align_pairs(store: Store, pairs: Sequence[tuple[Document, Document]], *, encoder: Encoder | None,
                threshold: float, workers: int = 1, min_pairs: int = MIN_PAIRS, pool: PairWork | None = None,
                in_flight: Callable[[], int] | None = None, keep: bool = True, within: Within | None = None,
                ) -> Iterator[tuple[str, str, list[Passage]]]:
    """(a, b, passages) of every pair, in worker processes when there are enough pairs and
    cores and the encoder can be rebuilt in a worker; otherwise here. Results come as chunks
    finish, not in input order. ``pool``: the workers to align in (they hold ``encoder`` and
    ``threshold``: the encode stage's, :class:`PairWork`), else ``workers`` of its own;
    ``in_flight``: how many chunks may be in the workers at once, asked as each one ends
    (by default four a worker; 0: no more, the pairs left are not aligned); ``keep``: whether the
    workers store the sentence vectors they encode; ``within``: told how far each long pair
    (:data:`LONG_PAIR` characters or more) has got, and when it is done (a worker's notes come
    over a queue, read every half second while waiting for the tasks)."""
    if pool is None:
        with PairWork(store, encoder, threshold, workers) as own:
            yield from align_pairs(store, pairs, encoder=encoder, threshold=threshold, min_pairs=min_pairs, pool=own,
                                   within=within)
        return
    if not in_workers(pairs, pool, min_pairs):
        sides, vectors = Sides(store), StoreVectors(store)
        for a, b in pairs:
            if within is None or pair_work(a, b) < LONG_PAIR:
                yield a.id, b.id, align(sides(a), sides(b), encoder=encoder, vectors=vectors, threshold=threshold)
                continue
            with noting(lambda what, done, total, a=a.id, b=b.id: within(a, b, what, done, total)):
                found = align(sides(a), sides(b), encoder=encoder, vectors=vectors, threshold=threshold)
            within(a.id, b.id, None, 0, 0)
            yield a.id, b.id, found
        return
    bound = in_flight or (lambda: 4 * pool.workers)
    todo = iter(task_chunks(pairs, pool.workers) if len(pairs) >= min_pairs else heaviest_first(pairs))
    pending: set[Future] = set()
    # the workers' notes read only when a pair is long (a corpus's thousands of short pairs: no wait
    # cut short every half second)
    notes = pool.notes() if within is not None and any(pair_work(a, b) >= LONG_PAIR for a, b in pairs) else None
    noted: set[tuple[str, str]] = set()  # long pairs that sent a note
    ended: set[tuple[str, str]] = set()  # and are done: a note of theirs still in the queue is dropped

    def refill() -> None:  # a bounded queue: results are written as they come
        while len(pending) < bound():
            chunk = next(todo, None)
            if chunk is None:
                return
            pending.add(pool.submit(_align_chunk, chunk, keep,
                                    notes is not None and len(chunk) == 1 and pair_work(*chunk[0]) >= LONG_PAIR))

    def read_notes() -> None:
        while notes is not None:
            try:
                a, b, what, done, total = notes.get_nowait()
            except queue.Empty:
                return
            if (a, b) not in ended:
                noted.add((a, b))
                within(a, b, what, done, total)

    refill()
    while pending:
        # with notes to read, every half second; else only when a task ends
        done, _ = wait(pending, timeout=0.5 if notes is not None else None, return_when=FIRST_COMPLETED)
        read_notes()
        pending.difference_update(done)
        for fut in done:
            for a, b, found in fut.result():
                if notes is not None:
                    ended.add((a, b))
                    if (a, b) in noted:
                        noted.discard((a, b))
                        within(a, b, None, 0, 0)
                yield a, b, found
        refill()


def pair_work(a: Document, b: Document) -> int:
    """A pair's alignment work as the calling process can tell it without reading the texts: the
    characters of both documents (their units and sentences grow with them)."""
    return (a.end - a.start) + (b.end - b.start)


def in_workers(pairs: Sequence[tuple[Document, Document]], pool: PairWork, min_pairs: int = MIN_PAIRS) -> bool:
    """Whether :func:`align_pairs` aligns ``pairs`` in ``pool``'s workers: when they can run and
    there are ``min_pairs`` pairs or :data:`MIN_WORK` characters of work (a few long books: one
    core idled through hundreds of CPU seconds); else here (a rerun's few small pairs, where
    starting the workers, 2-3 s of each core, costs more than aligning them). The work counts only
    with an encoder chosen (``pool.spec``): the default one aligns short pairs with E5, whose own
    threads already take both cores here, and two workers each loading and running it took 1.6x
    the wall (bench/README.md alignpar35)."""
    if not pool.usable():
        return False
    return len(pairs) >= min_pairs or (bool(pool.spec) and sum(pair_work(a, b) for a, b in pairs) >= MIN_WORK)


def heaviest_first(pairs: Sequence[tuple[Document, Document]]) -> list[Sequence[tuple[Document, Document]]]:
    """Fewer than ``MIN_PAIRS`` pairs sent to the workers for their work: one pair a task, the
    heaviest first (:func:`pair_work`), so the long ones do not end the stage on one core (a long
    pair takes seconds to minutes: the workers' start-up and a task's round trip are small beside
    it, and a chunk of them would leave one worker idle while the other ends it)."""
    return [[p] for p in sorted(pairs, key=lambda p: -pair_work(*p))]


def task_chunks(pairs: Sequence[tuple[Document, Document]], workers: int) -> list[Sequence[tuple[Document, Document]]]:
    """Consecutive pairs ``CHUNK`` a task, the last ``workers`` chunks' worth in quarters: a
    worker given the last whole chunk kept the others waiting up to a chunk's time (about a
    second) at the end of the stage."""
    tail = max(0, len(pairs) - workers * CHUNK) // CHUNK * CHUNK  # where the smaller chunks begin
    small = max(1, CHUNK // 4)
    return ([pairs[i:i + CHUNK] for i in range(0, tail, CHUNK)]
            + [pairs[i:i + small] for i in range(tail, len(pairs), small)])


def _raw_rows(items: list[str]) -> np.ndarray:
    return _state["encoder"].raw_rows(items)


class PairWork:
    """The worker processes of the stages over candidate pairs: the encode stage's batches
    (:meth:`runner`) and alignment's chunks of pairs (:func:`align_pairs`), one pool for both,
    so each worker starts and loads its models once (two pools cost a second spawn and USE load
    a worker, about 2.5 s of two cores at 10,000 documents). Each worker holds ``encoder`` (one
    BLAS thread, :func:`one_thread`) and opens the store itself; the processes start with the
    first task (none, no processes) and stop on :meth:`close`."""

    def __init__(self, store: Store, encoder: Encoder | None, threshold: float, workers: int) -> None:
        self.store, self.encoder, self.threshold, self.workers = store, encoder, threshold, workers
        self.spec = spec_of(encoder)
        self.pool: ProcessPoolExecutor | None = None
        self.lock = threading.Lock()  # :meth:`warm` may come from another thread
        self.closed = False
        self._notes: object = None  # the workers' notes of long pairs (:meth:`notes`)

    def running(self) -> bool:
        """Whether the worker processes are up (a task started them, and they are not closed)."""
        with self.lock:
            return self.pool is not None

    def usable(self) -> bool:
        """Whether tasks run in worker processes: two or more, with an encoder they can build."""
        return self.workers > 1 and self.spec is not None

    def submit(self, fn: Callable, *args: object) -> Future:
        return self._started().submit(fn, *args)

    def _started(self, warm: bool = False) -> ProcessPoolExecutor:
        with self.lock:
            if self.closed:
                raise RuntimeError("the pair workers were closed")
            if self.pool is None:
                self._made_notes()
                self.pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"), initializer=_start,
                                                initargs=(str(self.store.path), self.spec, self.threshold, warm,
                                                          self._notes))
            return self.pool

    def notes(self) -> queue.Queue | None:
        """The queue the workers send a long pair's notes to (sourcetrace/progress.py), made before
        they start (a worker is handed it as it starts); None once closed."""
        with self.lock:
            if self.pool is None and not self.closed:
                self._made_notes()
            return self._notes  # type: ignore[return-value]

    def _made_notes(self) -> None:
        """The notes' queue, made once (under the lock): the workers are handed it as they start."""
        if self._notes is None:
            self._notes = get_context("spawn").Queue()

    def warm(self) -> None:
        """Start the workers now, each loading its models (USE, the static table) as it starts, if
        none has started: a trace calls it once its document workers are done, so that this
        start-up (about 2.5 s of each core at 10,000 documents) takes the cores the end of
        candidate search leaves idle instead of delaying the encode stage."""
        with self.lock:
            if not self.usable() or self.pool is not None or self.closed:
                return
        with suppress(RuntimeError):  # closed meanwhile (the trace ended or failed): nothing to start
            pool = self._started(warm=True)
            for _ in range(self.workers):
                pool.submit(_nothing)

    def runner(self) -> BatchRunner | None:
        """Where the encode stage runs the encoder's batches (:meth:`LazyBatchEncoder.encode`'s
        ``run``): these workers, one BLAS thread each, or None (this process) when they cannot run
        them. Two threads of one process on two cores encoded no faster than one (the forward pass
        is mostly single-threaded numpy between the products, and a thread whose core is busy
        makes its partner spin); two processes do twice the work."""
        if not self.usable() or not isinstance(self.encoder, LazyBatchEncoder):
            return None

        def run(batches: list[list[str]]) -> Iterator[np.ndarray]:
            futures = [self.submit(_raw_rows, batch) for batch in batches]
            return (f.result() for f in futures)

        return run

    def close(self) -> None:
        with self.lock:
            pool, self.pool, self.closed = self.pool, None, True
            notes, self._notes = self._notes, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if notes is not None:
            notes.close()

    def __enter__(self) -> PairWork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _start_documents(db_path: str, nice: int) -> None:
    # Below the calling process: its stages (topics, candidates) are a trace's critical path, and
    # these workers' jobs are wanted later (facts at the end), so they take the cores it leaves.
    end_with_parent()
    if nice:
        os.nice(nice)
    _state.update(store=Store(db_path))


def _documents_chunk(job: Callable[[Store, Sequence[Document]], Iterable[tuple[str, object]]],
                     docs: Sequence[Document]) -> list[tuple[str, object]]:
    return list(job(_state["store"], docs))


def document_facts(store: Store, docs: Sequence[Document]) -> list[tuple[str, list[Fact]]]:
    """(document id, its facts) of stored documents: the facts job of :class:`DocumentWork`."""
    from sourcetrace import pipeline

    return [(d.id, pipeline.facts(d, store.document_text(d.id) or "")) for d in docs]


class DocumentWork:
    """Per-document jobs in worker processes, begun when submitted and collected when a stage
    reaches them: a trace submits them before its single-process stages (topics, candidates),
    whose core they leave to the workers (facts, and the voting vectors of candidate search). A
    job is a function of the store and a chunk of documents, giving (document id, result) pairs,
    or storing its results itself (:meth:`wait` for it); the workers open the store themselves,
    start with the first submission (none, no processes) and run below this process's priority.
    Chunks run in the order they were submitted; :meth:`results` gives one job's in its
    documents' order; :meth:`release` and :meth:`close` stop the workers."""

    def __init__(self, store: Store, workers: int, nice: int = DOCUMENT_WORK_NICE) -> None:
        """``nice``: the workers' priority below this process's (0: the same, for jobs that share
        the cores with other workers, not with this process: a trace's facts after candidates)."""
        self.store, self.workers, self.nice = store, workers, nice
        self.pool: ProcessPoolExecutor | None = None
        self.futures: dict[str, list[Future]] = {}

    def submit(self, name: str, job: Callable[[Store, Sequence[Document]], Iterable[tuple[str, object]]],
               docs: Sequence[Document], chunk: int) -> None:
        """Run ``job`` over ``docs`` in chunks of ``chunk`` documents (``job`` must be importable
        by name: the workers are spawned)."""
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                            initializer=_start_documents, initargs=(str(self.store.path), self.nice))
        self.futures[name] = [self.pool.submit(_documents_chunk, job, docs[i:i + chunk])
                              for i in range(0, len(docs), chunk)]

    def submitted(self, name: str) -> bool:
        return name in self.futures

    def busy(self) -> bool:
        """Whether a chunk of a job submitted is still to finish (the workers hold the cores)."""
        return any(not f.done() for fs in self.futures.values() for f in fs)

    def when_done(self, then: Callable[[], None]) -> None:
        """Call ``then`` (in a thread of its own) once every job submitted so far is done (never
        when none was): what a trace starts when these workers leave the cores idle."""
        pending = [f for fs in self.futures.values() for f in fs]
        if not pending:
            return

        def run() -> None:
            wait(pending)
            then()

        threading.Thread(target=run, name="after document work", daemon=True).start()

    def results(self, name: str) -> Iterator[tuple[str, object]]:
        """The job's (document id, result) pairs, as its chunks finish in order; then the job is
        forgotten, and the workers stop if no job is left."""
        for fut in self.futures.get(name, []):
            yield from fut.result()
        self.futures.pop(name, None)
        if not self.futures:
            self.close()

    def wait(self, name: str) -> None:
        """Until the job (one that stores what it computes) is done, if it was submitted."""
        for _ in self.results(name):
            pass

    def release(self) -> None:
        """Stop the worker processes if every chunk is done (results stay readable): idle, they
        would hold their memory through the stages still to come."""
        if all(f.done() for fs in self.futures.values() for f in fs):
            self.close()

    def close(self) -> None:
        """Stop the workers; a job submitted later starts new ones (a trace's facts come after
        candidates, whose jobs' end stopped them)."""
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
