"""A trace's relations with those by topic alone held in columns, not as records.

Most relations of a corpus share no text: two documents on one topic (planted 10,000: ~119,000 of
~121,000). Each is the same few fields (``related``, no coverage, no passages, no source), its
score the pair's topic cosine and its evidence that cosine rounded (:func:`topic_evidence`). Made
as records every run, carried through direction and families (which read none of them: they rest
on no shared text) and written out one by one, they were most of a +1% rerun's relate stage and a
share of its facts and outputs (bench/README.md, rerelate34, reruntail33). Here they are columns
(the pair as two document codes, the cosine) and :class:`Relations` holds them beside the other
relations' records, in the one order of the pairs; the store's rows and relations.jsonl's lines
are made from the columns, and a record only for whoever asks for one.
"""

from __future__ import annotations

import json
import marshal
from collections.abc import Callable, Iterator, Sequence
from itertools import repeat
from json.encoder import encode_basestring as _json_string
from typing import TYPE_CHECKING, overload

import numpy as np

from sourcetrace.records import Relation, in_bulk, pair_key, relation_lines

if TYPE_CHECKING:
    from sourcetrace.store.results import ColumnRows

TOPIC_TEXT = "no shared text; same topic (document vectors cosine {:.2f})"


def topic_evidence(cosine: float) -> str:
    """The evidence of a relation by topic alone: its cosine, rounded to two places."""
    return TOPIC_TEXT.format(cosine)


def rounded_hundredths(cosines: np.ndarray) -> np.ndarray:
    """Each cosine as ``f"{c:.2f}"`` rounds it, in hundredths (int64): the decimal nearest the
    float's exact value. ``c * 100`` rounded to the nearest integer is that, except where the
    product lies within its own rounding error of a half (then the text itself is asked).
    Cosines of :class:`TopicColumns` are not negative (no "-0.00" to tell from "0.00")."""
    scaled = np.asarray(cosines, dtype=np.float64) * 100
    out = np.rint(scaled).astype(np.int64)
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
        out[i] = int(f"{float(cosines[i]):.2f}".replace(".", ""))
    return out


def _hundredths_text(k: int) -> str:
    """``f"{c:.2f}"`` of a cosine ``c`` (not negative) that :func:`rounded_hundredths` gives ``k``."""
    return f"{k // 100}.{k % 100:02d}"


class TopicColumns:
    """Relations by topic alone, in columns: each one's documents as codes of ``names`` and its
    topic cosine (float32, as computed: its score is that value as a Python float)."""

    def __init__(self, names: Sequence[str], a: np.ndarray, b: np.ndarray, cosine: np.ndarray) -> None:
        self.names, self.a, self.b, self.cosine = list(names), a, b, cosine

    def __len__(self) -> int:
        return len(self.cosine)

    def records(self) -> list[Relation]:
        """Each as the record :func:`sourcetrace.relate.relations.by_topic` makes."""
        names = self.names
        texts, which = self._evidence()
        with in_bulk():  # no cycles: the collector would walk every record alive at each few hundred made
            return [Relation(names[x], names[y], "related", 0.0, 0.0, c, None, [texts[e]], 0)
                    for x, y, c, e in zip(self.a.tolist(), self.b.tolist(), self.cosine.tolist(), which.tolist(),
                                          strict=True)]

    def _evidence(self) -> tuple[list[str], np.ndarray]:
        """The distinct evidence texts, and each relation's place in that list."""
        distinct, which = np.unique(rounded_hundredths(self.cosine), return_inverse=True)
        return [TOPIC_TEXT.replace("{:.2f}", _hundredths_text(k)) for k in distinct.tolist()], which.reshape(-1)

    def evidence(self) -> tuple[list[str], np.ndarray]:
        """The distinct evidence lists as JSON (as the store and relations.jsonl hold them), and
        each relation's place in that list."""
        texts, which = self._evidence()
        return [json.dumps([t], ensure_ascii=False) for t in texts], which

    def rows(self) -> list[tuple]:
        """Their rows of table ``relations`` (:func:`sourcetrace.store.results.relation_rows`)."""
        names = self.names
        texts, which = self.evidence()
        n = len(self)
        return list(zip(map(names.__getitem__, self.a.tolist()), map(names.__getitem__, self.b.tolist()),
                        repeat("related", n), repeat(None, n), repeat(0.0, n), repeat(0.0, n), self.cosine.tolist(),
                        repeat(0, n), map(texts.__getitem__, which.tolist()), strict=False))

    def lines(self) -> list[str]:
        """Their lines of relations.jsonl, as :func:`sourcetrace.records.relation_lines` writes
        their records (a score rounded by Python's ``round``, as there)."""
        quoted = [_json_string(n) for n in self.names]
        texts, which = self.evidence()
        return [f'{{"a": {quoted[x]}, "b": {quoted[y]}, "type": "related", "coverage_a": 0.0, "coverage_b": 0.0, '
                f'"score": {round(c, 4)!r}, "passages": 0, "evidence": {texts[e]}}}'
                for x, y, c, e in zip(self.a.tolist(), self.b.tolist(), self.cosine.tolist(), which.tolist(),
                                      strict=True)]

    def keys(self) -> np.ndarray:
        """Each relation's pair as one number (its codes: ``a * len(names) + b``)."""
        return self.a * len(self.names) + self.b


class Relations(Sequence[Relation]):
    """A trace's relations in one order (their pairs'): ``records``, the relations on shared text
    (and any other made as records), at ``positions`` (increasing) of the whole, and ``topic``,
    the relations by topic alone in columns, at the other places. Read as a sequence, it makes
    the topic relations' records once (whoever reads every relation pays for them); the stages
    and outputs read :attr:`records`, :meth:`holds`, :meth:`rows` and :meth:`lines` instead."""

    def __init__(self, records: list[Relation], positions: np.ndarray, topic: TopicColumns) -> None:
        self.records, self.positions, self.topic = records, np.asarray(positions, dtype=np.int64), topic
        self._all: list[Relation] | None = None
        self._keys: set[tuple[str, str]] | None = None  # what holds() asks, made when first asked
        self._code: dict[str, int] = {}
        self._topic: set[int] = set()

    def __len__(self) -> int:
        return len(self.records) + len(self.topic)

    def _merged(self, records: list, topic: list) -> list:
        """``records`` (one per record) and ``topic`` (one per topic relation) in the one order:
        the topic ones in runs between the records (a slice each, copied in C)."""
        out: list = []
        last = 0
        for k, (at, x) in enumerate(zip(self.positions.tolist(), records, strict=True)):
            out += topic[last:at - k]  # the topic relations before this record
            out.append(x)
            last = at - k
        out += topic[last:]
        return out

    def _made(self) -> list[Relation]:
        if self._all is None:
            self._all = self._merged(self.records, self.topic.records())
        return self._all

    @overload
    def __getitem__(self, i: int) -> Relation: ...

    @overload
    def __getitem__(self, i: slice) -> list[Relation]: ...

    def __getitem__(self, i: int | slice) -> Relation | list[Relation]:
        return self._made()[i]

    def __iter__(self) -> Iterator[Relation]:
        return iter(self._made())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Relations | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def with_records(self, records: list[Relation]) -> Relations:
        """The same relations with ``records`` (one for each of :attr:`records`, in order) in their place."""
        if len(records) != len(self.records):
            raise ValueError("one record for each")
        return Relations(records, self.positions, self.topic)

    def holds(self, a: str, b: str) -> bool:
        """Whether a relation of these is of ``a`` and ``b`` (either way round)."""
        if self._keys is None:
            self._keys = {pair_key(r.a, r.b) for r in self.records}
            self._code = {d: i for i, d in enumerate(self.topic.names)}
            self._topic = set(self.topic.keys().tolist())
        a, b = pair_key(a, b)
        if (a, b) in self._keys:
            return True
        x, y = self._code.get(a), self._code.get(b)
        return x is not None and y is not None and x * len(self._code) + y in self._topic

    def rows(self) -> list[tuple]:
        """The rows of table ``relations`` that hold them (:func:`sourcetrace.store.results.relation_rows`)."""
        from sourcetrace.store.results import relation_rows

        return self._merged(relation_rows(self.records), self.topic.rows())

    def row_columns(self) -> ColumnRows:
        """:meth:`rows` as the store takes them without a tuple a topic relation
        (:class:`sourcetrace.store.results.ColumnRows`)."""
        from sourcetrace.store.results import ColumnRows, relation_rows

        topic = self.topic
        texts, which = topic.evidence()
        return ColumnRows(relation_rows(self.records), self.positions, topic.names, topic.a, topic.b,
                          np.asarray(topic.cosine, dtype=np.float64), [("related", None, 0.0, 0.0, 0, t) for t in texts],
                          which)

    def lines(self) -> list[str]:
        """Their lines of relations.jsonl (:func:`sourcetrace.records.relation_lines`)."""
        return self._merged(list(relation_lines(self.records)), self.topic.lines())


def on_shared_text(relations: Sequence[Relation]) -> Sequence[Relation]:
    """Those of ``relations`` that may rest on shared text (direction and families read no
    other): a :class:`Relations`' records (its topic relations rest on none), else all."""
    return relations.records if isinstance(relations, Relations) else relations



class KeptCosines:
    """The topic cosines of the pairs a run typed, kept for the next (:meth:`cosines`): a pair
    whose documents' vectors are the same (by digest) has the same cosine, the same bits (each
    pair's dot product is its rows' alone), so only the pairs of a new document or a changed
    vector are computed again (a +1% rerun at 10k: ~120,000 pairs' gathers and products, 0.1 s)."""

    def __init__(self, blob: bytes | None = None) -> None:
        self.names: list[str] = []
        self.digests: list[object] = []  # each name's vector digest
        self.keys = np.zeros(0, dtype=np.int64)  # each pair as ``lo * len(names) + hi``, sorted
        self.values = np.zeros(0, dtype=np.float32)
        self.computed = -1  # how many pairs the last :meth:`cosines` computed (-1: none asked)
        if blob:
            try:
                names, digests, keys, values = marshal.loads(blob)
                keys, values = np.frombuffer(keys, dtype=np.int64), np.frombuffer(values, dtype=np.float32)
            except (ValueError, EOFError, TypeError):  # unreadable: every cosine computed again
                return
            if len(keys) == len(values) and len(names) == len(digests):
                self.names, self.digests, self.keys, self.values = names, digests, keys, values

    def dumps(self) -> bytes:
        return marshal.dumps((self.names, self.digests, self.keys.tobytes(), self.values.tobytes()))

    def cosines(self, names: Sequence[str], digests: Sequence[object], lo: np.ndarray, hi: np.ndarray,
                compute: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """The cosines of the pairs ``names[lo[i]]``, ``names[hi[i]]`` (sorted, as codes of
        ``names``; ``digests``: each name's vector's, None for none): those kept for the same two
        documents with the same digests, the others ``compute``'d (given the places of those
        pairs); and kept in their place for the next run."""
        n, old = len(names), len(self.names)
        keys = lo * n + hi
        out = np.zeros(len(keys), dtype=np.float32)
        found = np.zeros(len(keys), dtype=bool)
        if old and len(keys):
            code = {d: i for i, d in enumerate(names)}
            moved = np.fromiter(map(code.get, self.names, repeat(-1)), dtype=np.int64, count=old)
            same = np.fromiter(map(_same_digest, self.digests, (digests[c] if c >= 0 else None for c in moved.tolist())),
                               dtype=bool, count=old)
            moved[~same] = -1
            a, b = moved[self.keys // old], moved[self.keys % old]
            ok = (a >= 0) & (b >= 0)
            then, now = self.values[ok], a[ok] * n + b[ok]
            order = np.argsort(now, kind="stable")
            then, now = then[order], now[order]
            at = np.minimum(np.searchsorted(now, keys), max(len(now) - 1, 0))
            found = (now[at] == keys) if len(now) else found
            out[found] = then[at[found]]
        todo = np.flatnonzero(~found)
        if len(todo):
            out[todo] = compute(todo)
        self.names, self.digests, self.keys, self.values = list(names), list(digests), keys, out
        self.computed = len(todo)
        return out


def _same_digest(kept: object, now: object) -> bool:
    return kept is not None and kept == now
