"""What the stages found, kept so a rerun redoes only what is new: aligned pairs with their
passages, and the relations between documents."""

from __future__ import annotations

import json
import marshal
import sqlite3
from collections.abc import Iterable, Sequence
from operator import itemgetter

import numpy as np

from sourcetrace.records import Passage, Relation
from sourcetrace.store.schema import (
    RELATIONS_B_INDEX,
    RELATIONS_KEPT,
    RELATIONS_TRIGGERS,
    chunks,
    transaction,
)

_PASSAGE_COLUMNS = "a, a_start, a_end, b, b_start, b_end, kind, score"
_RELATION_COLUMNS = "a, b, type, source, coverage_a, coverage_b, score, passages, evidence"
_BULK_ROWS = 20000  # relations written at once from which their index on b is built again after them
_KEPT_LAYOUT = "1"  # of the relations kept in columns (:class:`_Columns`)


class ResultTables:
    """Aligned pairs, passages and relations (tables ``aligned_pairs``, ``passages``, ``relations``)."""

    conn: sqlite3.Connection

    # -- passages: aligned pairs are remembered so a rerun aligns only what is new -------------
    def aligned(self, settings: str) -> set[tuple[str, str]]:
        rows = self.conn.execute("SELECT a, b FROM aligned_pairs WHERE settings=?", (settings,))
        return {(a, b) for a, b in rows}

    def put_alignment(self, a: str, b: str, settings: str, passages: Iterable[Passage]) -> None:
        """Record one aligned pair and its passages in one transaction (replacing older ones)."""
        with transaction(self.conn) as cur:
            cur.execute("DELETE FROM passages WHERE (a=? AND b=?) OR (a=? AND b=?)", (a, b, b, a))
            cur.executemany("INSERT INTO passages VALUES (?,?,?,?,?,?,?,?)",
                            [(p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end, p.kind, p.score) for p in passages])
            cur.execute("INSERT OR REPLACE INTO aligned_pairs VALUES (?,?,?)", (a, b, settings))

    def passages(self, doc_ids: Sequence[str] | None = None) -> list[Passage]:
        """Passages touching any of the documents (all passages when None)."""
        if doc_ids is None:
            return [Passage(*row) for row in self.conn.execute(f"SELECT {_PASSAGE_COLUMNS} FROM passages")]
        if len(doc_ids) > 2000:  # most of a corpus: one scan beats thousands of index look-ups
            wanted = set(doc_ids)
            return [Passage(*row) for row in self.conn.execute(f"SELECT {_PASSAGE_COLUMNS} FROM passages")
                    if row[0] in wanted or row[3] in wanted]
        out: dict[tuple, Passage] = {}
        for chunk, marks in chunks(doc_ids, 400):
            for row in self.conn.execute(
                    f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk):
                out[row] = Passage(*row)
        return list(out.values())

    def documents_with_passages(self, doc_ids: Sequence[str]) -> set[str]:
        """Those of the documents that some passage touches, in one query (a search asks about
        its ten hits, and most stores pair few of a corpus's documents)."""
        ids = json.dumps(sorted(set(doc_ids)))
        return {row[0] for row in self.conn.execute(
            "SELECT value FROM json_each(?) WHERE EXISTS (SELECT 1 FROM passages WHERE a = value) "
            "OR EXISTS (SELECT 1 FROM passages WHERE b = value)", (ids,))}

    # -- relations ---------------------------------------------------------------------------
    def put_relations(self, doc_ids: Sequence[str], relations: Iterable[Relation]) -> int:
        """Make the relations among `doc_ids` be `relations`, in one transaction; returns how many
        rows changed. Only the difference is written: a rerun over a grown corpus changes few
        relations, and rewriting every row cost more than the rest of the stage."""
        return self.put_relation_rows(doc_ids, relation_rows(relations))

    def put_relation_rows(self, doc_ids: Sequence[str], new: Iterable[tuple]) -> int:
        """:meth:`put_relations` of the relations' rows (:func:`relation_rows`): what another
        process is given to store them (engines/corpus_files.py). The rows are compared with the
        table as this method last left it, kept in columns beside it (:data:`RELATIONS_KEPT`: a
        +1% rerun at 10k writes ~2,600 of 120,000 rows, and reading them all back cost 0.3-0.9 s),
        else with the table read back; either way, the same rows are written."""
        ids = set(doc_ids)
        rows = {(row[0], row[1]): row for row in new}
        listed = list(rows.values())
        columns = _Columns.of(listed)
        # All in the transaction: what is compared is what the rows are written over.
        with transaction(self.conn) as cur:
            blob = cur.execute("SELECT data FROM corpus_cache WHERE kind=? AND version=?",
                               (RELATIONS_KEPT, _KEPT_LAYOUT)).fetchone()
            if columns is not None and blob is not None:
                before = _Columns.loads(blob[0], columns)
                n_rows = before.size
                gone, differ = before.difference(ids, columns)
                changed = [listed[i] for i in differ]
                after = before.written(ids, columns)
            else:
                stored, others = {}, []
                for row in cur.execute(f"SELECT {_RELATION_COLUMNS} FROM relations"):
                    if row[0] in ids and row[1] in ids:
                        stored[(row[0], row[1])] = row
                    else:
                        others.append(row)
                n_rows = len(stored) + len(others)
                gone = [key for key in stored if key not in rows]
                changed = [row for key, row in rows.items() if stored.get(key) != row]
                # What the table holds after: the rows of other documents not written again, and these.
                after = None if columns is None else _Columns.of([r for r in others if (r[0], r[1]) not in rows] + listed)
            # In key order: each row goes next to the last one in the table's b-tree, not to a random page.
            changed.sort(key=lambda row: row[:2])
            # Most of the table new (a fresh trace: 340k rows at 25k documents): the index on b is
            # built again after the rows, in one sort, rather than kept up a row at a time (half the time).
            rebuild = len(changed) >= _BULK_ROWS and 2 * len(changed) >= n_rows - len(gone) + len(changed)
            for name in RELATIONS_TRIGGERS:  # this write keeps the columns in step itself
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")
            cur.executemany("DELETE FROM relations WHERE a=? AND b=?", gone)
            if rebuild:
                cur.execute("DROP INDEX IF EXISTS relations_b")
            cur.executemany("INSERT OR REPLACE INTO relations VALUES (?,?,?,?,?,?,?,?,?)", changed)
            if rebuild:
                cur.execute(RELATIONS_B_INDEX)
            if after is None:  # rows of unusual field types: compared by reading the table next time
                cur.execute("DELETE FROM corpus_cache WHERE kind=?", (RELATIONS_KEPT,))
            else:
                cur.execute("INSERT INTO corpus_cache VALUES (?,?,?) ON CONFLICT (kind) DO UPDATE SET "
                            "version=excluded.version, data=excluded.data", (RELATIONS_KEPT, _KEPT_LAYOUT, after.dumps()))
            for sql in RELATIONS_TRIGGERS.values():
                cur.execute(sql)
        return len(gone) + len(changed)

    def relations(self, doc_id: str | None = None) -> list[Relation]:
        """Relations touching `doc_id` (all relations when None)."""
        if doc_id is None:
            rows = self.conn.execute(f"SELECT {_RELATION_COLUMNS} FROM relations ORDER BY a, b")
        else:
            rows = self.conn.execute(f"SELECT {_RELATION_COLUMNS} FROM relations WHERE a=? OR b=? ORDER BY a, b",
                                     (doc_id, doc_id))
        return [_relation(row) for row in rows]

    def relations_touching(self, doc_ids: Iterable[str]) -> dict[str, list[Relation]]:
        """:meth:`relations` of each of the documents (in the same order), in one query: a search
        walks the families of all its hits."""
        out: dict[str, list[Relation]] = {d: [] for d in sorted(set(doc_ids))}
        if not out:
            return out
        ids = json.dumps(list(out))
        for row in self.conn.execute(f"SELECT {_RELATION_COLUMNS} FROM relations WHERE a IN (SELECT value FROM "
                                     "json_each(?)) OR b IN (SELECT value FROM json_each(?)) ORDER BY a, b", (ids, ids)):
            rel = _relation(row)
            for doc in {rel.a, rel.b}:
                if doc in out:
                    out[doc].append(rel)
        return out


def relation_rows(relations: Iterable[Relation]) -> list[tuple]:
    """The rows of table ``relations`` that hold `relations`. Most relations share one of a few
    evidence texts (25k: 2,650 among 340k): each is made once, one string (pickled once)."""
    evidence: dict[tuple[str, ...], str] = {}

    def as_json(ev: list[str]) -> str:
        key = tuple(ev)
        text = evidence.get(key)
        if text is None:
            text = evidence[key] = json.dumps(ev, ensure_ascii=False)
        return text

    return [(r.a, r.b, r.type, r.source, r.coverage_a, r.coverage_b, r.score, r.passages, as_json(r.evidence))
            for r in relations]


def _relation(row: tuple) -> Relation:
    a, b, t, src, ca, cb, sc, n, ev = row
    return Relation(a, b, t, ca, cb, sc, source=src, passages=n, evidence=json.loads(ev))


_TEXTS = (0, 1, 2, 3, 8)  # a relation row's fields that are text (a, b, type, source, evidence) ...
_REALS = (4, 5, 6)  # ... reals (coverages, score) ...
_COUNT = 7  # ... and its count of passages


class _Columns:
    """Relation rows in columns: each text field a code into ``strings``, the reals and counts
    as arrays; compared with other rows in numpy, not a tuple at a time. Rows whose fields are not
    of the types :func:`relation_rows` gives (str or None, float, int) are not put in columns
    (:meth:`of` is None): an int equal to a float, or a string subclass, compares as Python compares
    it, which arrays would not."""

    def __init__(self, strings: list[str | None], texts: np.ndarray, reals: np.ndarray, counts: np.ndarray) -> None:
        self.strings, self.texts, self.reals, self.counts = strings, texts, reals, counts
        self.size = len(counts)

    @classmethod
    def of(cls, rows: list[tuple], strings: list[str | None] | None = None) -> _Columns | None:
        """The rows in columns, their texts coded into ``strings`` (extended as needed)."""
        strings = [] if strings is None else strings
        code = {s: i for i, s in enumerate(strings)}
        n = len(rows)
        if any(len(row) != 9 for row in rows):
            return None
        texts = np.empty((n, len(_TEXTS)), dtype=np.int64)
        for j, k in enumerate(_TEXTS):
            col = list(map(itemgetter(k), rows))
            if not set(map(type, col)) <= {str, type(None)}:
                return None
            for s in set(col).difference(code):
                code[s] = len(strings)
                strings.append(s)
            texts[:, j] = np.fromiter(map(code.__getitem__, col), dtype=np.int64, count=n)
        reals = np.empty((n, len(_REALS)), dtype=np.float64)
        for j, k in enumerate(_REALS):
            col = list(map(itemgetter(k), rows))
            if not set(map(type, col)) <= {float}:
                return None
            reals[:, j] = np.fromiter(col, dtype=np.float64, count=n)
        col = list(map(itemgetter(_COUNT), rows))
        if not set(map(type, col)) <= {int} or (n and not -2**62 < min(col) <= max(col) < 2**62):
            return None
        return cls(strings, texts, reals, np.fromiter(col, dtype=np.int64, count=n))

    def dumps(self) -> bytes:
        used = np.unique(self.texts)  # strings no row names any more are left out
        texts = np.searchsorted(used, self.texts).astype(np.int32)
        return marshal.dumps(([self.strings[i] for i in used.tolist()], texts.tobytes(), self.reals.tobytes(),
                              self.counts.tobytes()))

    @classmethod
    def loads(cls, blob: bytes, into: _Columns) -> _Columns:
        """Kept columns (:meth:`dumps`), their strings coded as ``into``'s (whose strings are
        extended with theirs, so both compare code for code)."""
        strings, texts, reals, counts = marshal.loads(blob)
        code = {s: i for i, s in enumerate(into.strings)}
        for s in strings:
            if s not in code:
                code[s] = len(into.strings)
                into.strings.append(s)
        recode = np.fromiter(map(code.__getitem__, strings), dtype=np.int64, count=len(strings))
        texts = recode[np.frombuffer(texts, dtype=np.int32).reshape(-1, len(_TEXTS))] if strings else \
            np.empty((0, len(_TEXTS)), dtype=np.int64)
        return cls(into.strings, texts, np.frombuffer(reals, dtype=np.float64).reshape(-1, len(_REALS)),
                   np.frombuffer(counts, dtype=np.int64))

    def _keys(self) -> np.ndarray:
        return self.texts[:, 0] * len(self.strings) + self.texts[:, 1]

    def _among(self, ids: set[str]) -> np.ndarray:
        """Whether each row's two documents are both of ``ids``."""
        given = np.fromiter(map(ids.__contains__, self.strings), dtype=bool, count=len(self.strings))
        return given[self.texts[:, 0]] & given[self.texts[:, 1]]

    def difference(self, ids: set[str], new: _Columns) -> tuple[list[tuple[str, str]], list[int]]:
        """What writing ``new`` (keys distinct, its strings this one's) over these rows among
        ``ids`` changes: the keys of these rows among ``ids`` that ``new`` has not, and where the
        rows of ``new`` are that these do not hold equal (each field ``==`` its stored value: as
        tuples compare)."""
        among = np.flatnonzero(self._among(ids))
        old_keys, new_keys = self._keys()[among], new._keys()
        order = np.argsort(new_keys, kind="stable")
        at = np.minimum(np.searchsorted(new_keys[order], old_keys), max(new.size - 1, 0))
        found = (new_keys[order][at] == old_keys) if new.size else np.zeros(len(among), dtype=bool)
        s = self.strings
        gone = [(s[a], s[b]) for a, b in self.texts[among[~found], :2].tolist()]
        old, matched = among[found], order[at[found]]
        same = np.zeros(new.size, dtype=bool)
        same[matched] = ((self.texts[old] == new.texts[matched]).all(axis=1)
                         & (self.reals[old] == new.reals[matched]).all(axis=1)
                         & (self.counts[old] == new.counts[matched]))
        return gone, np.flatnonzero(~same).tolist()

    def written(self, ids: set[str], new: _Columns) -> _Columns:
        """The rows after writing ``new`` (its strings this one's) over these among ``ids``:
        rows of other documents ``new`` does not name again, then ``new``'s."""
        kept = ~self._among(ids) & ~np.isin(self._keys(), new._keys())
        return _Columns(self.strings, np.concatenate([self.texts[kept], new.texts]),
                        np.concatenate([self.reals[kept], new.reals]),
                        np.concatenate([self.counts[kept], new.counts]))
