"""Relations by topic alone held in columns (relate/columns.py): the same records, rows and lines
as the records :func:`by_topic` makes, one by one."""

from __future__ import annotations

import random

import numpy as np

from sourcetrace.records import Document, FactDiff, Relation, relation_lines
from sourcetrace.relate.columns import Relations, rounded_hundredths
from sourcetrace.relate.direction import direct
from sourcetrace.relate.families import families
from sourcetrace.relate.relations import MIN_RELATED_COSINE, PairText, by_topic, typed_relations
from sourcetrace.store.results import relation_rows


def test_rounded_hundredths_are_the_texts_rounding():
    rng = random.Random(5)
    values = [rng.random() for _ in range(20000)]
    # at and beside every half-hundredth, as float32 and float64 give them
    for k in range(0, 201):
        for x in (k / 200, (k + 0.5) / 100, k / 100):
            values += [x, float(np.float32(x)), np.nextafter(x, 2), np.nextafter(x, -1)]
    values = [v for v in values if v >= 0]
    got = rounded_hundredths(np.array(values))
    assert [f"{k // 100}.{k % 100:02d}" for k in got.tolist()] == [f"{v:.2f}" for v in values]
    as32 = np.array(values, dtype=np.float32)
    assert [f"{k // 100}.{k % 100:02d}" for k in rounded_hundredths(as32).tolist()] == [f"{v:.2f}" for v in as32.tolist()]


def _corpus(n: int = 400, seed: int = 3):
    """Documents d000... with 2-dim topic vectors: d000 is (1, 0), so its cosine with another is
    that one's first coordinate as float32, set at and beside the bar and the rounding's halves."""
    rng = random.Random(seed)
    ids = [f"d{i:03d}" for i in range(n)]
    firsts = [rng.choice([MIN_RELATED_COSINE, 0.455, 0.445, 0.465, 0.995, 1.0, -0.5, 0.0, rng.random(),
                          rng.uniform(0.44, 0.46)]) for _ in ids]
    vectors = {"d000": np.array([1.0, 0.0], dtype=np.float32)}
    for i, c in zip(ids[1:], firsts[1:], strict=True):
        if rng.random() < 0.05:
            continue  # no vector
        vectors[i] = np.array([c, (1 - c * c) ** 0.5], dtype=np.float32)
    pairs = sorted({(ids[0], i) for i in ids[1:]} | {tuple(sorted(rng.sample(ids, 2))) for _ in range(3 * n)})
    return ids, vectors, pairs


def _reference(ids, vectors, pairs, known, bar):
    """The relations one pair at a time, as relations_for typed them before the columns."""
    from sourcetrace.relate.relations import _pair_cosines

    names = sorted(ids)
    code = {d: i for i, d in enumerate(names)}
    rows, cos = _pair_cosines(names, np.array([code[x] for x, _ in pairs]), np.array([code[y] for _, y in pairs]),
                              vectors)
    out = []
    for pair, r, c in zip(pairs, rows.tolist(), cos.tolist(), strict=True):
        c = None if min(r) < 0 else c
        rel = known[pair] if pair in known else by_topic(pair[0], pair[1], c, bar)
        if rel is not None:
            out.append(rel)
    return out


def _typed(ids, vectors, pairs, known, bar):
    docs = [PairText(Document(i, "f.txt", 0, 1, "en"), "") for i in ids]
    return typed_relations(docs, [], vectors, pairs, bar, known=known)


def test_topic_relations_in_columns_are_the_records_rows_and_lines_of_by_topic():
    ids, vectors, pairs = _corpus()
    rng = random.Random(4)
    known = {p: (None if rng.random() < 0.3 else Relation(p[0], p[1], "copy", 0.9, 0.8, 0.95, p[0], ["kept"], 3))
             for p in rng.sample(pairs, 40)}
    for bar in (MIN_RELATED_COSINE, 0.0, -0.6):
        want = _reference(ids, vectors, pairs, known, bar)
        got = _typed(ids, vectors, pairs, known, bar)
        assert isinstance(got, Relations) and len(got) == len(want)
        assert list(got) == want and got == want
        assert [type(r.score) for r in got] == [type(r.score) for r in want]
        assert got.lines() == list(relation_lines(want))
        assert got.rows() == relation_rows(want)
        columns = got.row_columns()  # the same rows as the store takes them in columns
        assert columns.tolist() == got.rows() and [columns[i] for i in range(len(columns))] == got.rows()
        assert [type(x) for r in columns.tolist() for x in r] == [type(x) for r in got.rows() for x in r]
        assert len(got.topic) > 100 and all(r.type == "copy" for r in got.records if r.passages)
        held = {(r.a, r.b) for r in want}
        for a, b in pairs + [("d001", "d000"), ("d000", "zzz")]:
            assert got.holds(a, b) == ((min(a, b), max(a, b)) in held)


def test_direction_and_families_read_the_records_and_ask_the_columns_whether_a_pair_relates():
    ids, vectors, pairs = _corpus(60, seed=9)
    docs = [Document(i, "f.txt", 0, 100, "en" if n % 3 else "ar") for n, i in enumerate(ids)]
    rng = random.Random(2)
    known = {}
    for p in rng.sample(pairs, 30):
        kind = rng.choice(["copy", "derived", "translation", "related"])
        known[p] = Relation(p[0], p[1], kind, 0.9, 0.7, 0.9, rng.choice([None, *p]), ["kept"], rng.randint(0, 3))
    diffs = [FactDiff(a, 1, 3, b, 5, 7, "number", rng.choice(["same", "changed"]), 1, rng.choice([1, 2]))
             for a, b in rng.sample(pairs, 40)]
    got = _typed(ids, vectors, pairs, known, MIN_RELATED_COSINE)
    want = _reference(ids, vectors, pairs, known, MIN_RELATED_COSINE)
    directed = direct(docs, got, diffs)
    assert isinstance(directed, Relations) and list(directed) == direct(docs, want, diffs)
    assert families(docs, got) == families(docs, want)


def test_kept_cosines_equal_computed_and_follow_new_gone_and_changed_vectors():
    from sourcetrace.relate.columns import KeptCosines
    from sourcetrace.relate.relations import _pair_cosines

    rng = np.random.default_rng(6)
    vectors = {f"d{i:03d}": rng.standard_normal(32).astype(np.float32) for i in range(300)}
    pick = random.Random(1)
    pairs = sorted({tuple(sorted(pick.sample(sorted(vectors), 2))) for _ in range(2000)})

    def typed(vs, kept, pairs):
        names = sorted(vs)
        code = {d: i for i, d in enumerate(names)}
        pairs = [p for p in pairs if p[0] in code and p[1] in code]
        lo = np.array([code[x] for x, _ in pairs], dtype=np.int64)
        hi = np.array([code[y] for _, y in pairs], dtype=np.int64)
        fresh = _pair_cosines(names, lo, hi, vs)[1]
        got = _pair_cosines(names, lo, hi, vs, block=7, kept=kept, digests={d: v.tobytes() for d, v in vs.items()})[1]
        assert got.tobytes() == fresh.tobytes()  # the same bits, kept or not
        return kept.computed

    kept = KeptCosines()
    assert typed(vectors, kept, pairs) == len(pairs)  # nothing kept: all computed
    kept = KeptCosines(kept.dumps())
    assert typed(vectors, kept, pairs) == 0  # the same documents and vectors: none computed
    grown = dict(vectors, **{f"e{i}": rng.standard_normal(32).astype(np.float32) for i in range(5)})
    del grown["d007"]  # one gone
    grown["d100"] = -grown["d100"]  # one changed
    more = [*pairs, *((f"d{i:03d}", f"e{i % 5}") for i in range(0, 300, 7))]  # pairs of the new ones
    # computed again: the pairs of the changed vector and of the new documents (not those of the gone one)
    changed = sum("d007" not in p and ("d100" in p or p[1] > "e") for p in more)
    assert changed > 40 and typed(grown, KeptCosines(kept.dumps()), sorted(more)) == changed
    assert typed(vectors, KeptCosines(b"damaged"), pairs) == len(pairs)
