"""The library's face: what the `sourcetrace` command does, as plain functions.

Each takes the store as ``db`` (a path; default: ``$SOURCETRACE_DB``, ``./sourcetrace.db``, or the
user's data folder) or as an open ``store``, and returns records (see :mod:`sourcetrace.records`)::

    import sourcetrace

    result = sourcetrace.trace(["statements/", "reports/"], out="out/")
    for r in result.relations:
        print(r.a, r.type, r.b, r.source)
    cmp = sourcetrace.compare("report_ar.txt", "statement_ar.txt")
    changed = [d for d in sourcetrace.diff("report_ar.txt", "statement_en.txt") if d.status == "changed"]
    hits = sourcetrace.search("nearly eight million people have been freed", lang="ar")
    report = sourcetrace.load("cluster-out/", db="run.db")   # a run's outputs into a store

A document is named by its id in the store, a file (all its documents) or ``FILE#N`` (its N-th).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sourcetrace import pipeline
from sourcetrace.align.pair import DEFAULT_THRESHOLD
from sourcetrace.encode import Encoder
from sourcetrace.engines import local
from sourcetrace.engines.ingest import ReadReport, ingest
from sourcetrace.engines.load import LoadReport
from sourcetrace.engines.load import load as load_outputs
from sourcetrace.engines.lookup import Comparison, pair_fact_diff, resolve
from sourcetrace.engines.lookup import compare as compare_documents
from sourcetrace.engines.workers import default_workers
from sourcetrace.pipeline import Trace
from sourcetrace.readers import DEFAULT_MAX_BYTES
from sourcetrace.records import Document, Fact, FactDiff
from sourcetrace.store.sqlite import Store, default_db_path

__all__ = ["compare", "diff", "facts", "load", "read", "search", "trace"]


@contextmanager
def _opened(db: str | Path | None, store: Store | None) -> Iterator[Store]:
    if store is not None:
        yield store
        return
    with Store(Path(db) if db else default_db_path()) as opened:
        yield opened


def read(inputs: Sequence[str | Path], *, db: str | Path | None = None, store: Store | None = None,
         max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Document], ReadReport]:
    """Read files, folders and globs into the store: their documents, and what was read or refused."""
    with _opened(db, store) as st:
        report = ingest([str(p) for p in inputs], st, max_bytes=max_bytes, workers=default_workers())
        return list(st.documents(report.files)), report


def trace(inputs: Sequence[str | Path], *, out: str | Path | None = None, db: str | Path | None = None,
          store: Store | None = None, encoder: Encoder | None = None, threshold: float = DEFAULT_THRESHOLD,
          max_bytes: int = DEFAULT_MAX_BYTES, progress: local.Progress = local.QUIET,
          facts: str = pipeline.DIFFED_FACTS) -> Trace:
    """Read the inputs and trace them: documents, passages, relations, families, facts and fact
    diffs. With ``out``, the output contract's JSON-lines files are written there too.
    ``facts``: ``"diffed"``, the facts of the documents of the pairs whose facts are diffed (the
    only ones a trace reads), or ``"all"``, every document's (:func:`facts` gives any document's)."""
    with _opened(db, store) as st:
        _, result = local.trace([str(p) for p in inputs], st, encoder=encoder, threshold=threshold,
                                max_bytes=max_bytes, progress=progress, facts=facts,
                                out=None if out is None else Path(out))
    return result


def compare(a: str, b: str, *, db: str | Path | None = None, store: Store | None = None,
            encoder: Encoder | None = None, threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    """The passages two documents share (a file of several documents gives the one that shares most):
    the store's when a trace aligned the pair with the same settings (``Comparison.source``)."""
    with _opened(db, store) as st:
        return compare_documents(a, b, st, encoder=encoder, threshold=threshold)


def facts(ref: str, *, db: str | Path | None = None, store: Store | None = None) -> list[Fact]:
    """The facts (figures, money, percentages, dates, people, organisations, places) of the
    documents ``ref`` names, each with its span in its file."""
    with _opened(db, store) as st:
        texts = local.DocumentTexts(st)
        return [f for d in resolve(ref, st) for f in pipeline.facts(d, texts(d))]


def diff(a: str, b: str, *, db: str | Path | None = None, store: Store | None = None,
         encoder: Encoder | None = None, threshold: float = DEFAULT_THRESHOLD) -> list[FactDiff]:
    """What the facts of two documents became from one to the other (kept, changed, dropped,
    added), over the passages they share."""
    result = compare(a, b, db=db, store=store, encoder=encoder, threshold=threshold)
    return pair_fact_diff(result)[1]


def search(text: str, *, db: str | Path | None = None, store: Store | None = None, lang: str = "any",
           limit: int = 20) -> list:
    """Documents of the store that carry ``text`` (in any rendering, or translated), best first."""
    from sourcetrace.quotes.search import search as search_store

    with _opened(db, store) as st:
        return search_store(st, text, lang=lang, limit=limit)


def load(outdir: str | Path, *, db: str | Path | None = None, store: Store | None = None,
         progress: local.Progress = local.QUIET) -> LoadReport:
    """Bring a run's outputs (``trace --out`` JSON lines, or the part files of a run on Spark)
    into the store, in one transaction, so that :func:`search` and the commands that read a
    store answer from them; raises :class:`~sourcetrace.engines.load.LoadError` when they cannot
    be loaded as they are (the store is then unchanged)."""
    with _opened(db, store) as st:
        return load_outputs(outdir, st, progress=progress)
