"""Per-pair results a rerun reuses: each pair's relation and fact diffs, kept in the store under a
digest of everything they are computed from (both documents' files as read, their records, what
else the result reads of them, the pair's passages) and of the code itself. A rerun over a grown
corpus then types and diffs again only the pairs whose inputs changed: at 10,000 documents about
2,400 pairs share passages, and typing and diffing them all cost a +1% rerun 1.8 core-seconds.

A kind is written in one statement, after the results it keeps were computed: a run killed before
leaves the last run's entries, each still valid for its own key (a pair whose inputs changed since
is computed again), so a killed rerun redoes cleanly.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import fields
from operator import attrgetter
from pathlib import Path

import sourcetrace
from sourcetrace import __version__
from sourcetrace.records import FactDiff
from sourcetrace.store.sqlite import Store


@functools.cache
def code_version() -> str:
    """A digest of the package's source files: any change of the code makes every kept result
    stale (a version bumped by hand is forgotten sooner or later, and an old code's answer kept)."""
    root = Path(sourcetrace.__file__).parent
    digest = hashlib.sha1(__version__.encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def digest(*parts: object) -> str:
    """A key of a result's inputs (JSON-able parts; anything else by its repr)."""
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False, default=repr).encode()).hexdigest()


class KeptPairs:
    """One kind of per-pair result as the last run kept it, and as this run leaves it: :meth:`get`
    a pair's result kept under the same key, :meth:`put` the others', :meth:`save` them (the pairs
    not asked this run are dropped). Results are JSON: one that JSON would not give back equal is
    not kept (computed again each run rather than answered otherwise than a fresh run would).

    Stored as a line a pair (its name and key as JSON, a tab, its result as JSON: JSON holds no raw
    tab or newline), each written back as it was read: a +1% rerun keeps nearly every pair, and
    encoding them all again (4.6 MB of fact diffs at 10,000 documents) cost as much as reading them."""

    def __init__(self, store: Store, kind: str) -> None:
        self.kind, self.version = kind, code_version()
        blob = store.corpus_cached(kind, self.version)
        self.before: dict[str, tuple[str, str]] = {}  # a pair's name -> (its key, its line)
        try:
            for line in blob.decode("utf-8").split("\n") if blob else ():
                name, key = json.loads(line[:line.index("\t")])
                self.before[name] = (key, line)
        except ValueError:  # unreadable: every pair computed again
            self.before = {}
        self.now: dict[str, str] = {}  # a pair's name -> its line

    def get(self, pair: Sequence[str], key: str) -> tuple[bool, object]:
        """(True, the result) when the pair's result was kept under ``key``, else (False, None)."""
        name = "\t".join(pair)
        hit = self.before.get(name)
        if hit is None or hit[0] != key:
            return False, None
        line = self.now[name] = hit[1]
        return True, json.loads(line[line.index("\t") + 1:])

    def put(self, pair: Sequence[str], key: str, result: object, checked: bool = False) -> None:
        """Keep the pair's result if it is :func:`keepable` (``checked``: the caller found it so)."""
        text = json.dumps(result, ensure_ascii=False) if checked else _kept_text(result)
        if text is not None:
            name = "\t".join(pair)
            self.now[name] = json.dumps([name, key], ensure_ascii=False) + "\t" + text

    def save(self, store: Store) -> None:
        store.put_corpus_cached(self.kind, self.version, "\n".join(self.now.values()).encode("utf-8"))


def keepable(result: object) -> bool:
    """Whether JSON gives ``result`` back equal (else it is not kept: see :class:`KeptPairs`)."""
    return _kept_text(result) is not None


def _kept_text(result: object) -> str | None:
    """``result`` as JSON when JSON gives it back equal, else None."""
    text = json.dumps(result, ensure_ascii=False)
    return text if json.loads(text) == result else None


def fact_diff_rows(a: str, b: str, diffs: Sequence[FactDiff]) -> list[list] | None:
    """A pair's fact diffs as kept (each row without the pair's ids, most of what it held); None
    when a diff is not of ``a`` and ``b`` in that order (then not kept)."""
    if not all(d.a == a and d.b == b for d in diffs):
        return None
    return [[d.a_start, d.a_end, *row_of(d, 4)] for d in diffs]


def fact_diffs_of_rows(a: str, b: str, rows: Sequence[Sequence]) -> list[FactDiff]:
    """The fact diffs :func:`fact_diff_rows` kept, the pair's ids put back."""
    # unpacked by name: slicing each row twice was a third of making a rerun's 73,000 kept diffs
    return [FactDiff(a, s, e, b, bs, be, kind, status, va, vb) for s, e, bs, be, kind, status, va, vb in rows]


def row_of(record: object, skip: int = 0) -> list:
    """A record's fields in order after the first ``skip``, as a kept result holds it
    (``type(record)(*row)`` gives it back when none is skipped)."""
    get = _getters.get(type(record))
    if get is None:
        get = _getters[type(record)] = attrgetter(*(f.name for f in fields(record)))
    return list(get(record)[skip:])


_getters: dict[type, attrgetter] = {}  # by record class: fields() on every record cost more than the rest of a key
