"""The output files a corpus's reading decides (documents, sentences and texts:
:data:`sourcetrace.outputs.CORPUS_FILES`), written from the store by a process of their own while
the tracing process writes the rest; given the trace's relations, that process stores them first,
and writes only some of the files (:data:`BESIDE_RELATIONS`), the tracing process the others.

Why a process: the rest of a trace's outputs are written by the tracing process after its last
stage while a thread of it stores the relations, and the two take the GIL in turn: a fresh 25k
trace wrote its outputs on one core (8 s, the other idle). These three files are final once the
corpus is read and the store holds what they are made of, so a process of their own reads them
there (its own connection, the store's rows as committed by reading) and writes them into the
set's staging directory on the other core.

Why it stores the relations: the tracing process stored them in a thread beside its writing, and
the two took its GIL in turn (a fresh 25k trace: ~3 CPU-s of writing, ~2 of storing 340k rows,
~7 s of the stage's wall while this process, ~1.7 CPU-s, left the other core idle). Their rows
(:func:`sourcetrace.store.results.relation_rows`) are pickled to it in ~0.35 s, and it stores
them in one transaction (:meth:`~sourcetrace.store.results.ResultTables.put_relation_rows`), as
the thread did, before writing its files.

Why only some files then: storing the rows and writing all three files made that process the
stage's end by about twice the tracing process's work (outputs34: ~5 CPU-s against ~2.3, the
tracing process idle in between); with sentences.jsonl written by the tracing process the two
take about as long (bench/README.md, outputs35).

A kill never leaves a file that looks complete: the process ends with its parent
(:func:`sourcetrace.engines.parent.end_with_parent`), writes each file under a temporary name that
is renamed once whole (:func:`sourcetrace.outputs.write_jsonl`), into the hidden staging directory
that only the parent swaps into place, once the process has ended well. If it fails, the parent
writes its files itself (the same bytes, from the same records), and stores the relations
(only their difference is written: none, if the process had stored them).
"""

from __future__ import annotations

import gc
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

from sourcetrace.engines.document_texts import DocumentTexts
from sourcetrace.engines.parent import end_with_parent
from sourcetrace.outputs import CORPUS_FILES, write_corpus_files
from sourcetrace.records import Document
from sourcetrace.store.results import ColumnRows
from sourcetrace.store.sqlite import Store

# The files the process writes after storing the relations; the tracing process writes the others
# (sentences.jsonl) after its own (a fresh 25k trace: storing ~2.3 CPU-s, documents and texts ~1.1;
# the tracing process's writing ~2.7, sentences ~1).
BESIDE_RELATIONS = ("documents.jsonl", "texts.jsonl")
# Below this many documents the tracing process writes the files itself: it would wait for the
# process's start (0.1-0.2 s) longer than writing them takes it (~40 us a document; 25,000: ~1 s).
MIN_DOCS = 5000
# The child's first words: the parent's import path, so that the job's records unpickle from the
# same sourcetrace; then the job.
_CHILD = ("import pickle, sys; sys.path[:0] = pickle.load(sys.stdin.buffer); "
          "from sourcetrace.engines.corpus_files import _write_job; _write_job(*pickle.load(sys.stdin.buffer))")


class CorpusFiles:
    """The process writing a trace's corpus files into `staged` (a set's staging directory,
    :func:`sourcetrace.outputs.output_set`; None: no set is written), started here when the
    documents are `min_docs` (default :data:`MIN_DOCS`) or more and the store is a file (an
    in-memory one has no second connection). ``relations``: the rows of the documents' relations
    (:func:`sourcetrace.store.results.relation_rows`, or in columns: :class:`~sourcetrace.store.results.ColumnRows`),
    which the process stores too
    (:attr:`relations` says whether it was asked to), writing then only :data:`BESIDE_RELATIONS`.
    :attr:`files`: the files it writes (none when not started); the caller writes the others.
    :meth:`written` and :meth:`stored` wait for it; leaving the ``with`` block ends it if it still
    runs (a failed trace)."""

    def __init__(self, store: Store, docs: Sequence[Document], staged: Path | None, min_docs: int | None = None,
                 relations: list[tuple] | ColumnRows | None = None) -> None:
        self.proc: subprocess.Popen | None = None
        self.relations = False
        self.files: tuple[str, ...] = ()
        if staged is None or len(docs) < (MIN_DOCS if min_docs is None else min_docs) or not store.path.is_file():
            return
        self.proc = subprocess.Popen([sys.executable, "-c", _CHILD], stdin=subprocess.PIPE)
        self.relations = relations is not None
        self.files = BESIDE_RELATIONS if self.relations else CORPUS_FILES
        job = (str(store.path.absolute()), list(docs), str(staged), relations, self.files)
        # Fed from a thread: a pipe holds 64 KiB, and the child reads it only once started.
        threading.Thread(target=_send, args=(self.proc, sys.path, job), name="corpus files", daemon=True).start()

    def written(self) -> bool:
        """Whether the process wrote :attr:`files` (False: it was not started, or failed; the
        caller writes them), once it has ended."""
        return self.proc is not None and self.proc.wait() == 0

    def stored(self) -> bool:
        """Whether the process stored the relations (False: it was not given them, was not
        started, or failed; the caller stores them), once it has ended."""
        return self.relations and self.written()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> CorpusFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _send(proc: subprocess.Popen, path: list[str], job: tuple) -> None:
    try:
        with proc.stdin:  # type: ignore[union-attr]
            pickle.dump(path, proc.stdin)
            pickle.dump(job, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:  # the child is gone (killed, or failed to start): written() says so
        pass


def write_from_store(store: Store, docs: Sequence[Document], staged: Path, names: Collection[str],
                     texts: DocumentTexts | None = None) -> None:
    """The corpus files among `names` (:data:`sourcetrace.outputs.CORPUS_FILES`) of `docs` into
    `staged`, read from the store: only what those files need (``texts``: those already read)."""
    by_doc = store.sentences_of([d.id for d in docs]) if "sentences.jsonl" in names else {}
    by_path: dict[str, str] = {}
    if "texts.jsonl" in names:
        texts = texts or DocumentTexts(store)
        texts.read_all(docs)
        by_path = texts.by_path(docs)
    write_corpus_files(staged, docs, (s for d in docs for s in by_doc[d.id]), by_path, names)


def _write_job(db: str, docs: list[Document], staged: str, relations: list[tuple] | ColumnRows | None,
               names: tuple[str, ...]) -> None:
    """In the child: the relations of `docs` stored (their rows, if given), then the corpus files
    `names` from the store at `db` into `staged`."""
    end_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends this process then
    gc.disable()  # records only, no cycles: the collector would walk them for nothing
    # Unmapped: the tables read whole would stay mapped, counted in this process's memory.
    with Store(Path(db), create=False) as store, store.unmapped():
        if relations is not None:
            store.put_relation_rows([d.id for d in docs], relations)
        write_from_store(store, docs, Path(staged), names)
