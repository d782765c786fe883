"""What the stages found, kept so a rerun redoes only what is new: aligned pairs with their
passages, and the relations between documents."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from sourcetrace.records import Passage, Relation
from sourcetrace.store.schema import RELATIONS_B_INDEX, chunks, transaction

_PASSAGE_COLUMNS = "a, a_start, a_end, b, b_start, b_end, kind, score"
_RELATION_COLUMNS = "a, b, type, source, coverage_a, coverage_b, score, passages, evidence"
_BULK_ROWS = 20000  # relations written at once from which their index on b is built again after them


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
        process is given to store them (engines/corpus_files.py)."""
        ids = set(doc_ids)
        rows = {(row[0], row[1]): row for row in new}
        stored, n_rows = {}, 0
        for row in self.conn.execute(f"SELECT {_RELATION_COLUMNS} FROM relations"):
            n_rows += 1
            if row[0] in ids and row[1] in ids:
                stored[(row[0], row[1])] = row
        gone = [key for key in stored if key not in rows]
        # In key order: each row goes next to the last one in the table's b-tree, not to a random page.
        changed = sorted((row for key, row in rows.items() if stored.get(key) != row), key=lambda row: row[:2])
        # Most of the table new (a fresh trace: 340k rows at 25k documents): the index on b is
        # built again after the rows, in one sort, rather than kept up a row at a time (half the time).
        rebuild = len(changed) >= _BULK_ROWS and 2 * len(changed) >= n_rows - len(gone) + len(changed)
        with transaction(self.conn) as cur:
            cur.executemany("DELETE FROM relations WHERE a=? AND b=?", gone)
            if rebuild:
                cur.execute("DROP INDEX IF EXISTS relations_b")
            cur.executemany("INSERT OR REPLACE INTO relations VALUES (?,?,?,?,?,?,?,?,?)", changed)
            if rebuild:
                cur.execute(RELATIONS_B_INDEX)
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
