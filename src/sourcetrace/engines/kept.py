"""Per-pair results a rerun reuses: each pair's relation and fact diffs, kept in the store under a
digest of everything they are computed from (both documents' files as read, their records, what
else the result reads of them, the pair's passages) and of the code itself. A rerun over a grown
corpus then types and diffs again only the pairs whose inputs changed: at 10,000 documents about
2,400 pairs share passages, and typing and diffing them all cost a +1% rerun 1.8 core-seconds.

A kind is written in one statement, after the results it keeps were computed: a run killed before
leaves the last run's entries, each still valid for its own key (a pair whose inputs changed since
is computed again), so a killed rerun redoes cleanly.

Keys and kept results are marshal's bytes, not JSON: a +1% rerun at 10,000 documents keys ~2,000
pairs twice and reads back 73,000 kept fact diffs, and JSON's text (floats written out as decimals,
each pair's both documents' records encoded again) was most of a rerun's fixed cost in relate.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
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


KEY_FORMAT = 2  # marshal's format of a key's parts: 2 writes no back-references (see digest)
LAYOUT = b"kept pairs 2\n"  # how a kind is stored: this, then marshal's {name: (key, result)}


def digest(*parts: object) -> bytes:
    """A key of a result's inputs: parts of str, bytes, int, float, bool, None, and lists, tuples
    and dicts of them (anything else by its JSON, or repr). marshal's format 2: the same values
    give the same bytes (later formats write a value seen before as a back-reference, by its
    refcount: one process's interned strings keyed otherwise than another's), and distinct values
    distinct bytes, a float by its bits."""
    try:
        data = marshal.dumps(parts, KEY_FORMAT)
    except ValueError:  # a value marshal does not hold: by its JSON (a key of another shape: no clash)
        data = json.dumps(parts, ensure_ascii=False, default=repr).encode()
    return hashlib.sha1(data).digest()


class KeptPairs:
    """One kind of per-pair result as the last run kept it, and as this run leaves it: :meth:`get`
    a pair's result kept under the same key, :meth:`put` the others', :meth:`save` them (the pairs
    not asked this run are dropped). A result that marshal would not give back equal is not kept
    (computed again each run rather than answered otherwise than a fresh run would).

    Stored as one marshal blob (:data:`LAYOUT`) of each pair's key and result, the result as its
    own marshal bytes: read back only when asked, and written back as it was read (a +1% rerun
    keeps nearly every pair: 73,000 fact diffs at 10,000 documents; JSON a line a pair, parsed
    when asked, was a quarter of the facts' part of a rerun)."""

    def __init__(self, store: Store, kind: str) -> None:
        self.kind, self.version = kind, code_version()
        self.before = read_kept(store.corpus_cached(kind, self.version))  # a pair's name -> (its key, its result)
        self.now: dict[str, tuple[bytes, bytes]] = {}

    def get(self, pair: Sequence[str], key: bytes) -> tuple[bool, object]:
        """(True, the result) when the pair's result was kept under ``key``, else (False, None)."""
        name = "\t".join(pair)
        hit = self.before.get(name)
        if hit is None or hit[0] != key:
            return False, None
        self.now[name] = hit
        return True, marshal.loads(hit[1])

    def put(self, pair: Sequence[str], key: bytes, result: object, checked: bool = False) -> None:
        """Keep the pair's result if it is :func:`keepable` (``checked``: the caller found it so)."""
        data = marshal.dumps(result) if checked else _kept_bytes(result)
        if data is not None:
            self.now["\t".join(pair)] = (key, data)

    def save(self, store: Store) -> None:
        store.put_corpus_cached(self.kind, self.version, LAYOUT + marshal.dumps(self.now))


def read_kept(blob: bytes | None) -> dict[str, tuple[bytes, bytes]]:
    """A kind's pairs as :meth:`KeptPairs.save` stored them, by name: (key, the result's marshal
    bytes); nothing when ``blob`` is none or of another layout."""
    if not blob or not blob.startswith(LAYOUT):
        return {}
    try:
        got = marshal.loads(blob[len(LAYOUT):])
    except (ValueError, EOFError, TypeError):  # unreadable: every pair computed again
        return {}
    return got if isinstance(got, dict) else {}


def keepable(result: object) -> bool:
    """Whether marshal gives ``result`` back equal (else it is not kept: see :class:`KeptPairs`)."""
    return _kept_bytes(result) is not None


def _kept_bytes(result: object) -> bytes | None:
    """``result`` as marshal's bytes when they give it back equal, else None."""
    try:
        data = marshal.dumps(result)
    except ValueError:  # a value marshal does not hold
        return None
    return data if marshal.loads(data) == result else None


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
