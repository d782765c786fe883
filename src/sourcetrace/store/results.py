"""What the stages found, kept so a rerun redoes only what is new: aligned pairs with their
passages, and the relations between documents."""

from __future__ import annotations

import json
import marshal
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from itertools import count
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
_KEPT_LAYOUT = "3"  # of the relations kept in columns (:class:`_Columns`)


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

    def alignment(self, a: str, b: str, settings: str) -> tuple[list[Passage], bool] | None:
        """The passages of the pair as :meth:`put_alignment` stored them, and whether it was
        stored as (a, b) (False: as (b, a), each passage naming b first), when it was aligned with
        ``settings``; else None. A file read again drops its documents' alignments (the tables'
        cascade), so these are of the texts the store holds."""
        row = self.conn.execute("SELECT a FROM aligned_pairs WHERE ((a=? AND b=?) OR (a=? AND b=?)) AND settings=?",
                                (a, b, b, a, settings)).fetchone()
        if row is None:
            return None
        rows = self.conn.execute(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE (a=? AND b=?) OR (a=? AND b=?)",
                                 (a, b, b, a))
        return [Passage(*r) for r in rows], row[0] == a

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

    def put_relation_rows(self, doc_ids: Sequence[str], new: Iterable[tuple] | ColumnRows) -> int:
        """:meth:`put_relations` of the relations' rows (:func:`relation_rows`, or :class:`ColumnRows`):
        what another process is given to store them (engines/corpus_files.py). The rows are compared
        with the table as this method last left it, kept in columns beside it (:data:`RELATIONS_KEPT`:
        a +1% rerun at 10k writes ~2,600 of 120,000 rows, and reading them all back cost 0.3-0.9 s),
        else with the table read back; either way, the same rows are written."""
        ids = set(doc_ids)
        if isinstance(new, ColumnRows):
            # Coded from the columns (most rows share their fields but the pair and the score): no
            # tuple a row, no dict of them, unless the table must be read back to compare.
            columns = new.columns()
            if columns is not None:
                return self._checked_write(ids, new, new.whole, columns, new.str_names())
            new = new.tolist()
        rows = {(row[0], row[1]): row for row in new}
        listed = list(rows.values())
        columns = _Columns.of(listed)
        return self._checked_write(ids, listed, lambda: (rows, listed), columns,
                                   all(type(a) is str and type(b) is str for a, b in rows))

    def _checked_write(self, ids: set[str], listed: Sequence[tuple],
                       whole: Callable[[], tuple[dict[tuple, tuple], list[tuple]]],
                       columns: _Columns | None, str_names: bool) -> int:
        # SQLite checks a row's two documents as it inserts it, opening the documents' index for each
        # row: half the INSERT of a fresh trace's 340k rows. They are checked here once, in the
        # transaction (no document can go meanwhile), with the pragma off for it (a no-op inside one).
        # Ids of another type than str are left to SQLite, which compares them by its own rules.
        checks = bool(self.conn.execute("PRAGMA foreign_keys").fetchone()[0])
        if not checks or not str_names:
            return self._write_relations(ids, listed, whole, columns, False)
        self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            return self._write_relations(ids, listed, whole, columns, True)
        finally:
            self.conn.execute("PRAGMA foreign_keys=ON")

    def _write_relations(self, ids: set[str], listed: Sequence[tuple],
                         whole: Callable[[], tuple[dict[tuple, tuple], list[tuple]]],
                         columns: _Columns | None, check_documents: bool) -> int:
        """``listed``: the rows, distinct pairs, each asked by its place; ``whole()``: them by pair
        and as a list (made only when the table is read back to compare)."""
        # All in the transaction: what is compared is what the rows are written over.
        with transaction(self.conn) as cur:
            blob = cur.execute("SELECT data FROM corpus_cache WHERE kind=? AND version=?",
                               (RELATIONS_KEPT, _KEPT_LAYOUT)).fetchone()
            before = _Columns.loads(blob[0], columns) if columns is not None and blob is not None else None
            if before is not None:
                n_rows = before.size
                gone, differ = before.difference(ids, columns)
                changed = [listed[i] for i in differ]
                after = before.written(ids, columns)
            else:
                rows, listed = whole()
                stored, others = {}, []
                for row in cur.execute(f"SELECT {_RELATION_COLUMNS} FROM relations"):
                    if row[0] in ids and row[1] in ids:
                        stored[(row[0], row[1])] = row
                    else:
                        others.append(row)
                n_rows = len(stored) + len(others)
                gone = [key for key in stored if key not in rows]
                # none stored (a fresh trace): every row is new
                changed = [row for key, row in rows.items() if stored.get(key) != row] if stored else list(listed)
                # What the table holds after: the rows of other documents not written again (most
                # often none), and these.
                others = [r for r in others if (r[0], r[1]) not in rows]
                after = _Columns.of(others + listed) if columns is not None and others else columns
            # In key order: each row goes next to the last one in the table's b-tree, not to a random page.
            changed.sort(key=itemgetter(0, 1))
            if check_documents:  # SQLite's foreign keys are off for this write: what they would check, at once
                _check_documents(cur, changed)
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
            kept = None if after is None else after.dumps()
            if kept is None:  # rows of unusual field types: compared by reading the table next time
                cur.execute("DELETE FROM corpus_cache WHERE kind=?", (RELATIONS_KEPT,))
            else:
                cur.execute("INSERT INTO corpus_cache VALUES (?,?,?) ON CONFLICT (kind) DO UPDATE SET "
                            "version=excluded.version, data=excluded.data", (RELATIONS_KEPT, _KEPT_LAYOUT, kept))
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


def _check_documents(cur: sqlite3.Cursor, rows: list[tuple]) -> None:
    """What SQLite's foreign keys check of `rows` (both documents of each stored), in one query:
    :class:`sqlite3.IntegrityError` as SQLite raises it if one is not."""
    names = set(map(itemgetter(0), rows)) | set(map(itemgetter(1), rows))
    missing = cur.execute("SELECT count(*) FROM json_each(?) WHERE value NOT IN (SELECT id FROM documents)",
                          (json.dumps(sorted(names)),)).fetchone()[0]
    if missing:
        raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")


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


class ColumnRows:
    """Rows of table ``relations`` (:func:`relation_rows`) as a few rows and many in columns: the
    rows of ``records`` at ``positions`` (increasing) of the whole, and at the other places, in
    order, rows of pairs ``names[a[i]]``, ``names[b[i]]`` with score ``scores[i]`` and the other
    fields ``rests[which[i]]`` (type, source, coverages, passages, evidence: :data:`_REST`'s order).
    The relations by topic alone of a trace (relate/columns.py) are these columns: stored from
    here, they are coded without a tuple a row (~120,000 at 10k documents), and pickled to the
    process that stores them as arrays. A row is made only when asked (:meth:`__getitem__`)."""

    def __init__(self, records: list[tuple], positions: np.ndarray, names: Sequence[str], a: np.ndarray,
                 b: np.ndarray, scores: np.ndarray, rests: Sequence[tuple], which: np.ndarray) -> None:
        self.records, self.positions = records, np.asarray(positions, dtype=np.int64)
        self.names, self.a, self.b, self.scores = list(names), a, b, scores
        self.rests, self.which = list(rests), which
        self.size = len(records) + len(scores)
        self._at: np.ndarray | None = None

    def __len__(self) -> int:
        return self.size

    def _places(self) -> np.ndarray:
        """For each place of the whole, -1 - its record's index, or its column row's index."""
        if self._at is None:
            out = np.zeros(self.size, dtype=np.int64)
            column = np.ones(self.size, dtype=bool)
            column[self.positions] = False
            out[self.positions] = -1 - np.arange(len(self.positions))
            out[column] = np.arange(self.size - len(self.positions))
            self._at = out
        return self._at

    def __getitem__(self, i: int) -> tuple:
        at = int(self._places()[i])
        return self.records[-1 - at] if at < 0 else self._row(at)

    def _row(self, k: int) -> tuple:
        t, src, ca, cb, n, ev = self.rests[int(self.which[k])]
        return (self.names[int(self.a[k])], self.names[int(self.b[k])], t, src, ca, cb, float(self.scores[k]), n, ev)

    def tolist(self) -> list[tuple]:
        """Every row, in order."""
        names, rests = self.names, self.rests
        column = [(names[x], names[y], *rests[w][:4], s, *rests[w][4:])
                  for x, y, s, w in zip(self.a.tolist(), self.b.tolist(), self.scores.tolist(), self.which.tolist(),
                                        strict=True)]
        out: list[tuple] = []
        last = 0
        for k, (at, row) in enumerate(zip(self.positions.tolist(), self.records, strict=True)):
            out += column[last:at - k]
            out.append(row)
            last = at - k
        out += column[last:]
        return out

    def whole(self) -> tuple[dict[tuple, tuple], list[tuple]]:
        listed = self.tolist()
        return {(row[0], row[1]): row for row in listed}, listed

    def str_names(self) -> bool:
        """Whether every row's two documents are str (their check is then done at once)."""
        return all(type(x) is str for x in self.names) and all(type(r[0]) is str and type(r[1]) is str
                                                                 for r in self.records)

    def columns(self) -> _Columns | None:
        """The rows coded as :meth:`_Columns.of` codes them (codes of the same values, compared
        alike); None where it gives none, or where two rows are of one pair (the caller then
        writes :meth:`tolist`, the last of each pair, as for rows given as tuples)."""
        if self.scores.dtype != np.float64 or any(len(rest) != 6 for rest in self.rests):
            return None  # rows as tuples would hold scores of another type: compared and coded as tuples
        records = _Columns.of(self.records)
        if records is None:
            return None
        names, rests = records.names, records.rests
        try:
            name_codes = names.coded(self.names, len(self.names))
            rest_codes = rests.coded(self.rests, len(self.rests))
        except TypeError:
            return None
        codes = np.empty((self.size, 3), dtype=np.int64)
        scores = np.empty(self.size, dtype=np.float64)
        column = np.ones(self.size, dtype=bool)
        column[self.positions] = False
        codes[self.positions] = records.codes
        scores[self.positions] = records.scores
        codes[column] = np.column_stack([name_codes[self.a], name_codes[self.b], rest_codes[self.which]]) \
            if len(self.scores) else np.empty((0, 3), dtype=np.int64)
        scores[column] = self.scores
        out = _Columns(names, rests, codes, scores)
        return out if self._distinct(out._keys(names.bound()), column) else None

    def _distinct(self, keys: np.ndarray, column: np.ndarray) -> bool:
        """Whether no two rows are of one pair (``keys``: each row's pair as one number). A trace's
        column rows come in its pairs' order, their own codes increasing: then one pass tells
        theirs distinct, and the few records are looked for among them; else all are sorted."""
        m = len(self.names)
        own = self.a * m + self.b
        if len(own) > 1 and not (bool((own[1:] > own[:-1]).all()) and len(set(self.names)) == m):
            return len(np.unique(keys)) == self.size
        records = np.sort(keys[self.positions])
        if len(records) > 1 and not bool((records[1:] > records[:-1]).all()):
            return False
        if not len(records):
            return True
        at = keys[column]
        found = np.minimum(np.searchsorted(records, at), len(records) - 1)
        return not bool((records[found] == at).any())


def _relation(row: tuple) -> Relation:
    a, b, t, src, ca, cb, sc, n, ev = row
    return Relation(a, b, t, ca, cb, sc, source=src, passages=n, evidence=json.loads(ev))


_REST = itemgetter(2, 3, 4, 5, 7, 8)  # a relation row's fields but its pair and its score


class _Columns:
    """Relation rows in columns, compared in numpy rather than a tuple at a time: each row's two
    documents as codes of ``names``, its score as a float, and the rest of its fields (type,
    source, coverages, passages, evidence: few distinct tuples in a corpus, most relations being
    by topic) as a code of ``rests``. Codes are a dict's of the values themselves, so two rows'
    fields are equal here exactly as they compare as tuples (``==``, as :meth:`put_relation_rows`
    compared them); only scores are compared as floats, and rows whose score is not a float are not
    put in columns (:meth:`of` is None), nor rows that marshal cannot keep."""

    def __init__(self, names: _Vocab, rests: _Vocab, codes: np.ndarray, scores: np.ndarray) -> None:
        self.names, self.rests, self.codes, self.scores = names, rests, codes, scores
        self.size = len(scores)

    @classmethod
    def of(cls, rows: list[tuple]) -> _Columns | None:
        """The rows in columns."""
        n = len(rows)
        if n and set(map(len, rows)) != {9}:
            return None
        scores = list(map(itemgetter(6), rows))
        if n and set(map(type, scores)) != {float}:
            return None
        names, rests = _Vocab(), _Vocab()
        try:  # a field that cannot be a dict's key: TypeError
            codes = np.column_stack([names.coded(map(itemgetter(0), rows), n), names.coded(map(itemgetter(1), rows), n),
                                     rests.coded(map(_REST, rows), n)]) if n else np.empty((0, 3), dtype=np.int64)
        except TypeError:
            return None
        return cls(names, rests, codes, np.fromiter(scores, dtype=np.float64, count=n))

    def dumps(self) -> bytes | None:
        """The columns as kept (None: a value marshal cannot keep), without the names and rests no
        row uses any more."""
        names, pairs = self.names.used(self.codes[:, :2])
        rests, rest = self.rests.used(self.codes[:, 2])
        try:
            return marshal.dumps((names, rests, np.column_stack([pairs, rest]).astype(np.int32).tobytes(),
                                  self.scores.tobytes()))
        except ValueError:
            return None

    @classmethod
    def loads(cls, blob: bytes, into: _Columns) -> _Columns | None:
        """Kept columns (:meth:`dumps`), coded as ``into``'s (whose vocabularies gain their values,
        so both compare code for code); None when the blob cannot be read (damaged, or marshal's
        format of another Python): the caller reads the table back instead."""
        try:
            names, rests, codes, scores = marshal.loads(blob)
            codes = np.frombuffer(codes, dtype=np.int32).reshape(-1, 3)
            scores = np.frombuffer(scores, dtype=np.float64)
        except (ValueError, EOFError, TypeError):
            return None
        if len(scores) != len(codes):
            return None
        codes = np.column_stack([into.names.coded(names, len(names))[codes[:, :2]],
                                 into.rests.coded(rests, len(rests))[codes[:, 2]]])
        return cls(into.names, into.rests, codes, scores)

    def _keys(self, bound: int) -> np.ndarray:
        return self.codes[:, 0] * bound + self.codes[:, 1]

    def _among(self, ids: set[str]) -> np.ndarray:
        """Whether each row's two documents are both of ``ids``."""
        given = self.names.where(ids.__contains__)
        return given[self.codes[:, 0]] & given[self.codes[:, 1]]

    def difference(self, ids: set[str], new: _Columns) -> tuple[list[tuple], list[int]]:
        """What writing ``new`` (keys distinct, coded as this) over these rows among ``ids``
        changes: the keys of these rows among ``ids`` that ``new`` has not, and where the rows of
        ``new`` are that these do not hold equal."""
        among = np.flatnonzero(self._among(ids))
        bound = self.names.bound()
        old_keys, new_keys = self._keys(bound)[among], new._keys(bound)
        order = np.argsort(new_keys, kind="stable")
        at = np.minimum(np.searchsorted(new_keys[order], old_keys), max(new.size - 1, 0))
        found = (new_keys[order][at] == old_keys) if new.size else np.zeros(len(among), dtype=bool)
        value = self.names.values()
        gone = [(value[a], value[b]) for a, b in self.codes[among[~found], :2].tolist()]
        old, matched = among[found], order[at[found]]
        same = np.zeros(new.size, dtype=bool)
        same[matched] = (self.codes[old] == new.codes[matched]).all(axis=1) & (self.scores[old] == new.scores[matched])
        return gone, np.flatnonzero(~same).tolist()

    def written(self, ids: set[str], new: _Columns) -> _Columns:
        """The rows after writing ``new`` (coded as this) over these among ``ids``: rows of other
        documents ``new`` does not name again, then ``new``'s."""
        kept = np.flatnonzero(~self._among(ids))
        if len(kept):  # most often none (every document asked): no look-up among new's keys
            bound = self.names.bound()
            kept = kept[~np.isin(self._keys(bound)[kept], new._keys(bound))]
        return _Columns(self.names, self.rests, np.concatenate([self.codes[kept], new.codes]),
                        np.concatenate([self.scores[kept], new.scores]))


class _Vocab:
    """Values and their codes (ints, not dense: a dict's ``setdefault`` in C, a row at a time)."""

    def __init__(self) -> None:
        self.code: dict = {}
        self._next = count()

    def coded(self, values: Iterable, n: int) -> np.ndarray:
        """The codes of ``n`` values, those not known given one."""
        return np.fromiter(map(self.code.setdefault, values, self._next), dtype=np.int64, count=n)

    def bound(self) -> int:
        """More than every code."""
        return max(self.code.values(), default=-1) + 1

    def values(self) -> dict[int, object]:
        return {c: v for v, c in self.code.items()}

    def where(self, test: Callable[[object], bool]) -> np.ndarray:
        """``test`` of each code's value, by code (False where no value has the code)."""
        out = np.zeros(self.bound(), dtype=bool)
        out[np.fromiter(self.code.values(), dtype=np.int64, count=len(self.code))] = np.fromiter(
            map(test, self.code), dtype=bool, count=len(self.code))
        return out

    def used(self, codes: np.ndarray) -> tuple[list, np.ndarray]:
        """The values ``codes`` name, and the codes as places in that list."""
        at = np.fromiter(self.code.values(), dtype=np.int64, count=len(self.code))
        used = np.zeros(self.bound(), dtype=bool)
        used[codes.ravel()] = True
        keep = used[at]
        place = np.full(len(used), -1, dtype=np.int64)
        place[at[keep]] = np.arange(int(keep.sum()))
        values = list(self.code)
        return [values[i] for i in np.flatnonzero(keep).tolist()], place[codes]
