"""Which units of a same-language pair pay the full encoder: those that may be paraphrases.

Within one language, reuse (:mod:`sourcetrace.align.reuse`) explains the shared wording, and the
full encoder is read only for what it leaves: a paraphrase, or a heading too short for the reuse
matcher. Yet every unit of such a pair was encoded with USE, a free one or a covered one that may
be its partner: about 57,000 sentences at 20,000 planted documents, more than the encode stage's
26,000, and three quarters of a same-language pair's alignment (cProfile, 5,000 documents).

A unit pays USE here only when its static vector (USE's own head over context-free token
features, :mod:`sourcetrace.encode.static`: about 25x cheaper) reaches :data:`SCREEN_COS` with
a unit it could pair with (:func:`sourcetrace.align.pair._choose` pairs a free unit only); the
others keep their static vector, which lies in USE's space close enough to stand in for it in the
margins' neighbourhoods. On the planted corpus of 5,000 documents (676 same-language pairs),
every pair USE chose over the threshold had a static cosine of at least 0.467, mostly 0.9
(the same sentence reworded); with SCREEN_COS 0.45, 58% fewer units were encoded on demand and
670 of the 676 pairs chose the very same unit pairs (3 pairs of 541 lost, 3 gained, all near the
threshold: "the blood bank in Jabal Jauz ..." against "the health insurance fund in Deir Nabaa ...").

At 10,000 documents (1,464 same-language pairs) USE on the screened units was still most of the
stage, and of the 15,253 units over 0.45 only 2,133 ended in a chosen pair, whose static cosine
was at least 0.513 (USE's at least 0.602; the pair score needs about 0.77 before its number and
neighbour terms). So :data:`SCREEN_COS` is 0.55: 53% fewer units encoded on demand (bench/README.md,
screen10), at the price of pairs near the threshold (17 of 852 `paraphrase` passages lost, 10
gained, true and false ones among both). Charging a cosine the pair score's length prior as well
cut 10% more and lost the uncovered rest of partly reused sentences, true paraphrases: not done.

A long pair (over :data:`sourcetrace.align.windows.MAX_CELLS` cells) is aligned window by window,
and a unit there can pair only with the stretch of the other side its windows read. So its units
are screened within those windows only (:func:`candidates_in`: the plan :func:`windows.windows_of`
makes from the static vectors, then kept for the alignment): (WINDOW + 2 OVERLAP) x WIDTH x WINDOW
cells a window, linear in the length, where every unit against every unit was the last term of
align growing as the square of a book pair's length (bench/README.md, screen36 and screen37).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from sourcetrace.align import windows
from sourcetrace.encode import Encoder, get_encoder
from sourcetrace.encode.products import one_blas_thread
from sourcetrace.encode.static import HEAD_FROM
from sourcetrace.encode.vectors import Vectors
from sourcetrace.progress import note

SCREEN_COS = 0.55  # static cosine from which two units (one of them free) may be a paraphrase
SCREENED_BY = "use"  # the encoder whose static table (get_encoder("static")) screens its units
BLOCK = 1024  # rows of the static cosine matrix computed at a time (a long book's pair stays small)
ROWS_KEPT = 16_000  # units whose static vectors a process keeps (2 KB each: 32 MB), least recently used out
LONG_SIDE = 2_000  # a side of this many units or more (a book) keeps its rows apart (:data:`_long_rows`) ...
LONG_ROWS_KEPT = 98_304  # ... up to this many (2 KB each: 192 MB), least recently used out
KEEP_BATCH = 16_384  # texts whose static rows are computed together (the head's temporaries: ~32 MB each)

# text -> its static vector (unit row): a document meets several partners, and its units' pieces
# were read and their head run again for each (the head, ~44 us a row, and sentencepiece were
# the static vectors' cost: 11 CPU-s of a 25k trace's pair workers, py-spy). A row is kept only
# when the head ran over HEAD_FROM rows or more, where its bits are its own whatever rows were
# beside it (encode/static.py), so a kept row is the very row a later side's head would give.
_rows: OrderedDict[str, np.ndarray] = OrderedDict()
# The rows of long sides (LONG_SIDE units or more), kept apart: a folder of books whose sentences
# together pass ROWS_KEPT had every book's rows computed again for each of its pairs (the least
# recently used row is always the next one a cycle of pairs over the same books reads): bench/books.py's
# whole set, 69,159 sentences, spent ~26 of its 29.5 CPU s of static rows recomputing them (bench/README.md,
# linear38). Planted news documents never reach LONG_SIDE, so their corpora keep only ROWS_KEPT rows.
_long_rows: OrderedDict[str, np.ndarray] = OrderedDict()

def screens(encoder: Encoder) -> bool:
    """Whether a same-language pair aligned with ``encoder`` is screened: the static table is
    USE's, so its cosines stand for USE's and no other encoder's."""
    return encoder.name == get_encoder(SCREENED_BY).name


def candidates(static_a: np.ndarray, free_a: Sequence[bool], static_b: np.ndarray,
               free_b: Sequence[bool], min_cos: float = SCREEN_COS) -> tuple[np.ndarray, np.ndarray]:
    """Which units of each side may pair: those with a cosine of at least ``min_cos`` with a unit
    of the other side, one of the two free (rows of unit vectors; boolean masks in unit order)."""
    fa, fb = np.asarray(free_a, dtype=bool), np.asarray(free_b, dtype=bool)
    ka, kb = np.zeros(len(fa), dtype=bool), np.zeros(len(fb), dtype=bool)
    for lo in range(0, len(fa), BLOCK):
        cells = (static_a[lo:lo + BLOCK] @ static_b.T) >= min_cos
        cells &= fa[lo:lo + BLOCK, None] | fb[None, :]
        ka[lo:lo + BLOCK] = cells.any(axis=1)
        kb |= cells.any(axis=0)
    return ka, kb


def candidates_in(static_a: np.ndarray, free_a: Sequence[bool], static_b: np.ndarray, free_b: Sequence[bool],
                  plan: Sequence[windows.Window], min_cos: float = SCREEN_COS) -> tuple[np.ndarray, np.ndarray]:
    """:func:`candidates` of a pair aligned window by window (``plan``): a unit may pair when it
    reaches ``min_cos`` with a unit of the stretch a window reading it reads of the other side.
    When every window reads all of `b` (no longer than a stretch), that is every cell: computed whole,
    as :func:`candidates` does (the overlaps not twice, and main's bits, not a window's blocks')."""
    if all(w.b_lo == 0 and w.b_hi >= len(static_b) for w in plan):
        return candidates(static_a, free_a, static_b, free_b, min_cos)
    fa, fb = np.asarray(free_a, dtype=bool), np.asarray(free_b, dtype=bool)
    ka, kb = np.zeros(len(fa), dtype=bool), np.zeros(len(fb), dtype=bool)
    for k, w in enumerate(plan):
        note("screen", k, len(plan))  # a long pair's windows (sourcetrace/progress.py)
        a, b = candidates(static_a[w.a_lo:w.a_hi], fa[w.a_lo:w.a_hi], static_b[w.b_lo:w.b_hi],
                          fb[w.b_lo:w.b_hi], min_cos)
        ka[w.a_lo:w.a_hi] |= a
        kb[w.b_lo:w.b_hi] |= b
    return ka, kb


def screened_vectors(texts_a: Sequence[str], free_a: Sequence[bool], texts_b: Sequence[str],
                     free_b: Sequence[bool], encoder: Encoder, vectors: Vectors
                     ) -> tuple[np.ndarray, np.ndarray] | None:
    """Unit vectors of a same-language pair: ``encoder``'s (through ``vectors``) for the units that
    may pair (:func:`candidates`), static ones for the rest; None when no unit may pair (nothing
    to align). A long pair's units were screened in its windows: align it by :func:`screened`'s
    ``plan``, as align/pair.py does (this returns the vectors only)."""
    found = screened(texts_a, free_a, texts_b, free_b)
    if found is None:
        return None
    # Both sides' units in one call: one read and one write of the store's cache a pair, not two.
    return found.filled(vectors(encoder, found.wanted))


class Screened:
    """A same-language pair's static unit vectors, and which units pay the full encoder
    (:attr:`wanted`, side a's then side b's, in unit order): :meth:`filled` puts their vectors in.
    :attr:`plan`: a long pair's windows, the ones it was screened in (None: aligned whole)."""

    def __init__(self, texts_a: Sequence[str], va: np.ndarray, ka: np.ndarray, texts_b: Sequence[str],
                 vb: np.ndarray, kb: np.ndarray, plan: list[windows.Window] | None = None) -> None:
        self.va, self.ka, self.vb, self.kb, self.plan = va, ka, vb, kb, plan
        self.wanted = ([t for t, k in zip(texts_a, ka, strict=True) if k]
                       + [t for t, k in zip(texts_b, kb, strict=True) if k])

    def filled(self, both: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = int(self.ka.sum())
        self.va[self.ka], self.vb[self.kb] = both[:n], both[n:]
        return self.va, self.vb


def screens_any(free_a: Sequence[bool], free_b: Sequence[bool]) -> bool:
    """Whether a unit of the pair may pair at all: not when reuse explained both sides (no cell
    may pair, :func:`candidates`), whose static vectors are then not computed."""
    return any(free_a) or any(free_b)


def screened(texts_a: Sequence[str], free_a: Sequence[bool], texts_b: Sequence[str], free_b: Sequence[bool]
             ) -> Screened | None:
    """The static vectors and the units that may pair of a same-language pair (see
    :func:`screened_vectors`); None when no unit may pair."""
    if not screens_any(free_a, free_b):
        return None
    # A pair's small products on one BLAS thread (alignment workers already run so; a trace that
    # aligns in its own process does not): 15 static sentences took 44 ms of CPU with two threads
    # spinning around each product, 1.5 with one.
    with one_blas_thread():
        va, vb = static_vectors(texts_a, texts_b)
        plan = None
        if windows.windowed(len(texts_a), len(texts_b)):  # aligned in these windows (align/pair.py)
            plan = windows.windows_of(va, vb)
            ka, kb = candidates_in(va, free_a, vb, free_b, plan)
        else:
            ka, kb = candidates(va, free_a, vb, free_b)
    if not ka.any():
        return None
    return Screened(texts_a, va, ka, texts_b, vb, kb, plan)


def static_vectors(*sides: Sequence[str]) -> list[np.ndarray]:
    """The static encoder's vectors of each side's texts, bit for bit ``get_encoder("static").encode``'s
    of that side alone (the head runs on a side's rows together there): rows kept per text
    (:data:`_rows`, a long side's :data:`_long_rows`); the rows no side's text has kept are computed at once for all sides (one
    sentencepiece call and one head a pair, not two: a call's own cost was a third of a few
    rows'), their head run over HEAD_FROM rows or more (repeated to that many if fewer). A side
    of fewer than HEAD_FROM rows is encoded whole and alone, as ``encode`` does (another BLAS
    kernel, other last bits)."""
    static = get_encoder("static")
    long, todo = _unkept(sides)
    _keep(todo, long)
    out = []
    for side in sides:
        if len(side) < HEAD_FROM:
            out.append(static.encode(list(side)))
            continue
        out.append(np.stack([_kept(t) for t in side]))
    _trim()
    return out


def _unkept(groups: Sequence[Sequence[str]]) -> tuple[set[str], list[str]]:
    """The texts of the groups of LONG_SIDE texts or more, and those of the groups of HEAD_FROM or
    more that neither store keeps, once each in order (the rows to compute)."""
    long = {t for g in groups if len(g) >= LONG_SIDE for t in g}
    return long, list(dict.fromkeys(t for g in groups if len(g) >= HEAD_FROM for t in g
                                    if t not in _rows and t not in _long_rows))


def _kept(text: str) -> np.ndarray:
    """A kept row, marked as used (a long side's rows first: a text may be kept in both)."""
    for kept in (_long_rows, _rows):
        row = kept.get(text)
        if row is not None:
            kept.move_to_end(text)
            return row
    raise KeyError(text)


def _trim() -> None:
    while len(_rows) > ROWS_KEPT:
        _rows.popitem(last=False)
    while len(_long_rows) > LONG_ROWS_KEPT:
        _long_rows.popitem(last=False)


def _keep(todo: list[str], long: set[str] | frozenset[str] = frozenset()) -> None:
    """The static rows of ``todo`` (texts not kept) computed at once and kept (those in ``long``,
    texts of a long side, among :data:`_long_rows`): one sentencepiece call, the head run over
    HEAD_FROM rows or more (repeated to that many if fewer)."""
    if not todo:
        return
    static = get_encoder("static")
    # KEEP_BATCH texts at a time: the head's temporaries are a few rows of 2 KB a text, and two
    # editions of 40 MB (900,000 units) held ~10 GB of them at once (bench/huge.py); the same bits,
    # as a text's sums and head rows are its own whatever rows are beside it (HEAD_FROM or more)
    for at in range(0, len(todo), KEEP_BATCH):
        note("static rows", at, len(todo))  # a long pair's, as each batch begins (sourcetrace/progress.py)
        batch = todo[at:at + KEEP_BATCH]
        sums, lens = static.piece_sums(batch)  # a text's sums are its own whatever else is summed beside it
        if len(batch) < HEAD_FROM:  # the head's rows are each their own from HEAD_FROM rows on
            fill = np.zeros(HEAD_FROM - len(batch), dtype=np.int64)
            sums, lens = np.concatenate([sums, sums[fill]]), np.concatenate([lens, lens[fill]])
        done = static.finished(sums, lens)
        for i, t in enumerate(batch):  # copies: a kept row holds 2 KB, not its batch
            (_long_rows if t in long else _rows)[t] = done[i].copy()
    note("static rows", len(todo), len(todo))


def keep_rows(groups: Sequence[Sequence[str]]) -> None:
    """Before a batch of pairs (a pair worker's chunk): the static rows of the texts of every
    group of HEAD_FROM texts or more (a document's sentences, each a unit of every pair it is in)
    computed at once and kept, up to half of :data:`ROWS_KEPT` (of :data:`LONG_ROWS_KEPT` for a
    group of LONG_SIDE texts or more). The rows are the bits
    :func:`static_vectors` would compute pair by pair (a row is its own from HEAD_FROM rows on);
    in one batch the head's matrix products and sentencepiece's call cost less than half as
    much a row (a pair's few dozen rows at a time were 40% of a same-language pair's CPU)."""
    long, todo = _unkept(groups)
    with one_blas_thread():
        _keep([t for t in todo if t not in long][:ROWS_KEPT // 2]
              + [t for t in todo if t in long][:LONG_ROWS_KEPT // 2], long)
    _trim()
