"""Windows inside a long pair (sourcetrace.align.windows): memory grows linearly with the length,
counted by tracemalloc (numpy's arrays are traced), and the diagonal of a long translation is
still found.

The sentence vectors come from a stand-in for the encoder (a fixed random meaning per line
number, blurred per text): what is measured here is the shape of the computation, which does not
depend on which encoder made the vectors."""

from __future__ import annotations

import re
import tracemalloc
import zlib

import numpy as np
import pytest

from sourcetrace import pipeline
from sourcetrace.align import windows
from sourcetrace.align.pair import Side, align
from sourcetrace.records import SourceFile

DIM = 48
EN_LINE = "The committee reviewed item {k} of the plan and noted progress on roads, water and schools."
AR_LINE = "راجعت اللجنة البند {k} من الخطة وأشارت إلى التقدم المحرز في الطرق والمياه والمدارس."


class _Encoder:
    name = "use-stand-in"  # calibrated as USE


def _vectors(_encoder, texts):
    out = []
    for t in texts:
        k = int(re.search(r"\d+", t).group())
        meaning = np.random.default_rng(k).normal(size=DIM)
        blur = np.random.default_rng(zlib.crc32(t.encode())).normal(size=DIM)
        out.append(meaning + 0.6 * blur)
    return np.asarray(out, dtype=np.float32)


def _side(line: str, n: int, name: str) -> Side:
    text = "".join(line.format(k=k + 10) + "\n" for k in range(n))
    docs, sentences = pipeline.segment(SourceFile(f"{name}.txt", text, "utf-8", "text", name, len(text)), name)
    return Side(docs[0], text, sentences)


def _peak(n: int) -> tuple[int, float]:
    """Peak bytes traced while aligning an n-line translation, and the share of its lines paired
    with their own translation."""
    a, b = _side(EN_LINE, n, f"en{n}"), _side(AR_LINE, n, f"ar{n}")
    tracemalloc.start()
    try:
        passages = align(a, b, encoder=_Encoder(), vectors=_vectors)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    right = sum(1 for p in passages if a.text[p.a_start:p.a_end].split()[4] == b.text[p.b_start:p.b_end].split()[3])
    return peak, right / n


@pytest.fixture
def small_windows(monkeypatch):
    monkeypatch.setattr(windows, "MAX_CELLS", 20_000)
    monkeypatch.setattr(windows, "WINDOW", 100)
    monkeypatch.setattr(windows, "OVERLAP", 20)


def test_memory_grows_linearly_with_the_length_of_a_long_pair(small_windows):
    short, found_short = _peak(300)
    long, found_long = _peak(1200)
    assert found_short >= 0.99 and found_long >= 0.99
    assert long / short < 6, (short, long)  # four times the length; a whole matrix would be 16 times


def test_a_whole_matrix_is_what_the_windows_avoid(monkeypatch):
    # The same measure sees a pair aligned whole grow with the square of its length.
    monkeypatch.setattr(windows, "MAX_CELLS", 10**9)
    short, _ = _peak(300)
    long, _ = _peak(1200)
    assert long / short > 8, (short, long)


def test_windows_follow_where_their_units_point():
    best = np.concatenate([np.arange(0, 1000), np.arange(5000, 6000)])  # a then jumps far into b
    plan = windows.plan(best, 8000, window=500, overlap=50, width=3)
    assert [(w.own_lo, w.own_hi) for w in plan] == [(0, 500), (500, 1000), (1000, 1500), (1500, 2000)]
    for w in plan:
        mine = best[w.own_lo:w.own_hi]
        assert ((mine >= w.b_lo) & (mine < w.b_hi)).all()
        assert w.b_hi - w.b_lo == 1500
    assert max(w.cells for w in plan) == 600 * 1500


def _unit_rows(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_plan_under_probes_units_is_every_units_plan(monkeypatch):
    # Up to PROBES units of `a`, every unit's best partner is read: the very plan of all of them.
    monkeypatch.setattr(windows, "PROBES", 300)
    wa, wb = _unit_rows(300, 1), _unit_rows(900, 2)
    whole = windows.plan(windows.best_columns(wa, wb), 900, window=60, overlap=10, width=3)
    assert windows.windows_of(wa, wb, window=60, overlap=10, width=3) == whole
    assert len(windows.probes(300)) == 300 and len(windows.probes(301)) <= 300


def test_a_short_b_is_read_whole_by_every_window():
    wa, wb = _unit_rows(500, 3), _unit_rows(150, 4)
    got = windows.windows_of(wa, wb, window=50, overlap=10, width=3)
    assert got == windows.plan(windows.best_columns(wa, wb), 150, window=50, overlap=10, width=3)
    assert {(w.b_lo, w.b_hi) for w in got} == {(0, 150)}


def test_probed_windows_follow_a_long_reordered_translation(monkeypatch):
    # `a` is `b`'s second half then its first, blurred: with one unit in ten probed, every window
    # still reads the stretch that holds its own units' partners, as the plan of every unit does.
    monkeypatch.setattr(windows, "PROBES", 200)
    m = 2000
    wb = _unit_rows(m, 5)
    order = np.concatenate([np.arange(1000, 2000), np.arange(0, 1000)])
    wa = wb[order] + 0.8 * _unit_rows(m, 6)
    wa /= np.linalg.norm(wa, axis=1, keepdims=True)
    got = windows.windows_of(wa, wb, window=100, overlap=20, width=3)
    assert len(windows.probes(m)) == 200
    whole = windows.plan(windows.best_columns(wa, wb), m, window=100, overlap=20, width=3)
    assert [(w.own_lo, w.own_hi) for w in got] == [(w.own_lo, w.own_hi) for w in whole]
    for w in got:
        mine = order[w.own_lo:w.own_hi]
        assert ((mine >= w.b_lo) & (mine < w.b_hi)).mean() >= 0.9, w


def test_a_pair_is_windowed_only_over_max_cells(monkeypatch):
    monkeypatch.setattr(windows, "MAX_CELLS", 100)
    assert not windows.windowed(10, 10)
    assert windows.windowed(10, 11)
    assert not windows.windowed(0, 10**6)
