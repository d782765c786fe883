"""A run's outputs into a store (``sourcetrace load DIR``): the other way from ``trace --out``.

A run on a cluster (``trace --engine spark``) leaves its results as files, not in a store; loading
them makes a local store that ``show``, ``origin``, ``search`` (after ``index``) and ``serve``
answer from, as they answer after a local trace. DIR is any output set
:mod:`sourcetrace.output_tables` reads: ``trace --out``'s JSON lines, or Spark's part-file
directories of JSON lines or Parquet.

What goes in: each file with its text (the ``texts`` table; a set without one has each file
read again from its ``path``), documents, sentences (their language taken again from their text,
as a trace does), passages (as the run wrote them: through a translation too), and relations with
their evidence. Families and facts are not stored by a trace either; they are computed from these
when asked. One difference from a traced store: a trace stores each pair's direct passages and
composes those through a translation when it writes them out, while a loaded store holds the
passages as written, composed ones included (``export`` of it gives the outputs back: composing
again changes nothing). ``search``, which follows stored passages from a hit to other documents,
may so reach a document through a translation's passage where a traced store reaches it through
the direct one: the same document and start, another kind and score (on the seeds, one hit of four). The whole load is one transaction (:mod:`sourcetrace.store.loading`): a malformed
row, a conflict or a kill leaves the store as it was, and the same command run again starts over.

A file already in the store under the same key (its absolute path, or the path itself when it is
a URI such as ``hdfs://…``) is replaced, with its documents and everything found about them. A
loaded file is marked as such (its ``settings``), so a later ``trace`` of the same file reads it
again rather than trusting results this store did not compute.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sourcetrace.engines.local import QUIET, Progress
from sourcetrace.output_tables import TablesError, describe, parts, record, rows
from sourcetrace.readers import ReadError, read_file, readers_by_suffix
from sourcetrace.store.files import file_key
from sourcetrace.store.loading import LoadError
from sourcetrace.store.sqlite import Store
from sourcetrace.text.language import sentence_language

__all__ = ["LoadError", "LoadReport", "load"]

#: The tables a load needs; ``texts`` is read when present.
NEEDED = ("documents", "sentences", "passages", "relations")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//|/)")


@dataclass
class LoadReport:
    """What a load brought in: rows by table, and the files whose texts were read again."""

    outdir: str
    counts: dict[str, int] = field(default_factory=dict)
    read_again: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict)  # the run's settings.json, if it has one


def load(outdir: str | Path, store: Store, *, progress: Progress = QUIET) -> LoadReport:
    """Bring the output set in `outdir` into `store`, in one transaction. Raises
    :class:`LoadError` (one line: which table, which part and line) when it cannot be loaded as
    it is; nothing is then written. ``progress`` hears the stage ``load`` with the bytes of the
    tables' files as its total, and the bytes as they are read."""
    outdir = Path(outdir)
    if not outdir.is_dir():
        raise LoadError(f"{outdir}: no such directory")
    try:
        tables = {name: parts(outdir, name) for name in (*NEEDED, "texts")}
    except TablesError as exc:
        raise LoadError(str(exc)) from exc
    missing = [name for name in NEEDED if tables[name] is None]
    if missing:
        raise LoadError(f"{outdir}: no {missing[0]} table there ({describe(missing[0])}): "
                        "not the outputs of `sourcetrace trace`")
    report = LoadReport(str(outdir), settings=_settings(outdir))
    progress.start("load", sum(p.size for table in tables.values() for p in table or ()))
    stamp = json.dumps({"loaded": str(outdir.resolve())})  # never a reading's settings: a trace reads it again

    def records(name: str):  # (where, record) of a table
        for where, row in rows(tables[name] or [], progress.step):
            yield where, record(name, where, row)

    try:
        with store.loading() as batch:
            for _, (path, text) in records("texts"):
                batch.put_file(_key(path), path, text, _format(path), _sha(text), stamp)
            batch.stage_documents((_key(d.path), d) for _, d in records("documents"))
            for key, path in batch.files_without_text():
                batch.put_file(key, path, _read_again(path, outdir), _format(path), "", stamp)
                report.read_again.append(path)
            batch.place_documents()
            batch.stage_sentences(s for _, s in records("sentences"))
            batch.place_sentences(sentence_language)
            batch.put_passages(records("passages"))
            batch.put_relations(records("relations"))
            report.counts = dict(batch.counts)
    except TablesError as exc:
        raise LoadError(str(exc)) from exc
    progress.start("done")
    return report


def _key(path: str) -> str:
    """The store's key of a file the run names by `path`: its absolute path here (as a trace
    from the same folder keys it), or the path itself when it is a URI (``hdfs://…``, ``s3a://…``)."""
    return path if _URI.match(path) else file_key(path)


def _format(path: str) -> str:
    reader = readers_by_suffix().get(Path(path).suffix.lower())
    return reader.name if reader else "text"


def _sha(text: str) -> str:
    """The text's sha256 (a loaded file's raw bytes are not known: this never equals a read
    file's unless the file is that very UTF-8 text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_again(path: str, outdir: Path) -> str:
    try:
        return read_file(path).text
    except (ReadError, OSError) as exc:
        raise LoadError(f"{path}: its text is not in {outdir} (no texts table) and the file cannot be read "
                        f"here ({exc})") from exc


def _settings(outdir: Path) -> dict:
    try:
        return json.loads((outdir / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
