"""Monolingual text-reuse detection: which passages of one text re-use the wording of another.

:func:`find_reuse` compares two texts of the same language (regions of two files, given as
file-offset spans so boilerplate can be left out) and returns the aligned passages at token
precision, reported as character spans in FILE offsets (DESIGN.md, "Offsets").  The method is
passim's seed-and-extend with a local alignment:

1. **Tokens.**  Each region is normalized (:func:`sourcetrace.text.normalize.normalize_span`) and cut
   into words (:func:`sourcetrace.text.normalize.tokens`), so diacritics, tatweel, hamza seats, ة/ه,
   Arabic-Indic digits, case, quotes and punctuation never break a match.  Words become ints.
2. **Seeds.**  Every word n-gram (``n`` words, never crossing a region boundary) shared by both
   sides gives one seed per pair of occurrences.  An n-gram occurring more than
   ``MAX_NGRAM_REPEAT`` times on either side is skipped (as passim does): such n-grams are
   formulae or page furniture, not evidence, and would make the pair count quadratic.  One held
   more than ``REPEATED`` times on both sides gives a seed only near the diagonal of a seed
   whose n-gram each side holds once (:func:`_anchored`): k occurrences a side are k * k seeds,
   all but k of them pairing unrelated occurrences.
3. **Chains.**  Seeds, in order of their position in A, are chained when the next seed starts
   at most ``max_gap`` tokens after the previous one ends on *both* sides, strictly further on
   both, in the same regions.  A chain therefore follows one (slowly drifting) diagonal.
4. **Alignment.**  Within a chain, seeds on one diagonal merge into exact runs.  The tokens
   between two consecutive runs (at most about ``max_gap`` on each side) are aligned globally
   with the scores match +2, same light stem +1 (``عزمنا``/``عزمهم``: a reworded clitic, never
   counted as matched), mismatch -1, gap -1.  The best-scoring stretch of runs is chosen
   (Kadane's maximum subarray over run and gap scores) and extended at both ends by a local
   alignment over the next ``max_gap`` tokens with an X-drop of 2 (an extension never bridges
   three unmatched words to reach a chance match).  This is a Smith-Waterman local alignment
   restricted to the corridor through the seeds, at a cost linear in the length of the chain
   (each gap costs at most ``(max_gap + n)**2`` cells).  The parts of a chain left and right of
   the chosen stretch are treated again the same way, so a chain broken by a badly rewritten
   stretch yields several passages.
5. **Paragraphs.**  An alignment is cut where either side crosses a line break, and each piece
   is re-trimmed to its best-scoring stretch: a passage is a pair of spans, so a quote spread
   over paragraphs with the reporter's words between them ("وتابع:") is one passage per
   paragraph, and reordered paragraphs come out separately.  A hard wrap (one line break after
   a line that ends mid-sentence) is no paragraph boundary: a wrapped sentence is matched whole.
6. **Selection.**  Passages with fewer than ``min_tokens`` identical aligned tokens are
   dropped.  Passages may not overlap on side A: they are taken best alignment score first and
   a later one is cut to the tokens of A that are still free (and re-trimmed), or dropped.
   Side B may be used several times (a sentence of B quoted twice in A).

Guarantees: every :class:`Match` starts and ends on an aligned pair of tokens (identical after
normalization, or at worst sharing a light stem), so its spans are trimmed to words (no
surrounding punctuation or quotation marks); its spans lie inside the given regions, never
across two regions nor across a line break; matches do not overlap on side A and are sorted by
``a_start``.  The result is deterministic.  Two 100k-token documents sharing half their text
take about one second in pure Python (``tests/test_reuse.py``); cost grows with the number of
seeds, which the repeat cap and the anchors keep linear in the length.

:class:`ReuseQuery` prepares text A once for comparison with many texts B (quote search).

:func:`token_diff` gives the edit script (same / changed / deleted / added) between two aligned
spans over normalized tokens, with file spans on each side, to show what a copy changed.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import islice

import numpy as np

from sourcetrace.progress import note
from sourcetrace.text.arabic import PRONOUN_SUFFIXES, starts_arabic, strip_enclitic, strip_proclitic
from sourcetrace.text.normalize import normalize_span, normalized_token_columns, tokens
from sourcetrace.text.sentences import NEWLINES, wrapped

__all__ = ["Match", "ReuseQuery", "find_reuse", "grow_exact", "token_diff", "wrapped", "MAX_NGRAM_REPEAT"]

#: An n-gram occurring more often than this on one side is not used as a seed.
MAX_NGRAM_REPEAT = 20
#: A seed of an n-gram held more often than this on both sides is kept only near a unique seed
#: (:func:`_anchored`), within about this many tokens in A and diagonals.
REPEATED = 2
ANCHOR_NEAR = 64
#: Fewest identical words a copied block grows by at one end (:func:`grow_exact`): one or two
#: equal words next to a copy ("the", "و") are as often chance as part of it.
MIN_GROWTH = 3

# Alignment scores.  A "soft" pair (same light stem, different word: «عزمنا»/«عزمهم»,
# «الأوطان»/«أوطاننا») is weak evidence: it lets an alignment run on through a reworded
# clitic but never counts as matched.
_MATCH, _SOFT, _MISMATCH, _GAP = 2, 1, -1, -1
# End extensions stop once 2 below their best: at most two unmatched words in a row.
_XDROP = 2
_DEAD = -(10**9)
# n-gram keys stay below this (int64, with room for one more digit's multiply)
_KEY_LIMIT = 1 << 62

Column = tuple[int, int]  # (token index in A or -1, token index in B or -1)


@dataclass
class Match:
    """One re-used passage: ``[a_start, a_end)`` of text A aligned with ``[b_start, b_end)`` of B.

    ``score = matched / max(a_tokens, b_tokens)``: the share of the longer side's tokens that
    are aligned to an identical token (1.0 for an exact copy; each changed, inserted or deleted
    word lowers it).
    """

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_tokens: int
    b_tokens: int
    matched: int
    score: float

    @property
    def kind(self) -> str:
        """``verbatim``: every token identical after normalization (score 1; differences in
        punctuation, diacritics, spelling variants only); ``near-verbatim``: score >= 0.6;
        else ``partial``."""
        if self.score >= 0.97 and self.matched == self.a_tokens == self.b_tokens:
            return "verbatim"
        if self.score >= 0.6:
            return "near-verbatim"
        return "partial"


@dataclass
class _Tokens:
    """The tokens of the compared regions of one text, in order, with their file spans."""

    words: list[str]
    starts: list[int]
    ends: list[int]
    region: list[int]  # index of the region each token belongs to
    bounds: list[tuple[int, int]]  # token index range [lo, hi) of each region
    line: list[int]  # paragraph (line) number of each token, across regions


_BREAK = re.compile(f"[{NEWLINES}]")
@lru_cache(maxsize=2048)  # the documents a worker keeps at hand (workers.SIDES_KEPT)
def _tokenize_cached(text: str, spans: tuple[tuple[int, int], ...]) -> _Tokens:
    """Tokenising is half the cost of a comparison, and a corpus compares each document with
    several others: the same (text, regions) is tokenised once while it stays in the cache.
    Callers never mutate the returned side."""
    return _tokenize(text, spans)


def _tokenize(text: str, spans: Sequence[tuple[int, int]]) -> _Tokens:
    side = _Tokens([], [], [], [], [], [])
    line = 0
    for r, (s, e) in enumerate(sorted(spans)):
        lo = len(side.words)
        words, starts, ends = normalized_token_columns(text[s:e], s)
        side.words.extend(words)
        side.starts.extend(starts)
        side.ends.extend(ends)
        side.region.extend([r] * len(words))
        side.bounds.append((lo, len(side.words)))
        line += 1
        if not _BREAK.search(text, s, e):  # one line (a sentence, mostly): no gap to look into
            side.line.extend([line] * len(words))
            continue
        prev_end = -1
        for ts, te in zip(starts, ends, strict=True):
            if prev_end >= 0 and _BREAK.search(text, prev_end, ts) and not wrapped(text, prev_end, ts):
                line += 1
            side.line.append(line)
            prev_end = te
    return side


def _gram_keys(ids: np.ndarray, region: np.ndarray, n: int, vocab: int) -> tuple[np.ndarray, np.ndarray]:
    """The n-grams of ``ids`` that do not cross a region boundary: (one int per n-gram, equal
    exactly when the n-grams are equal; their start positions).

    Why ints: one sort of ints matches the n-grams of a pair at C speed, where tuples in a dict
    cost a Python step a token.  The ids are packed ``vocab`` to a digit; where the packing would
    overflow, the n-grams so far are renumbered densely first (exact either way)."""
    key = ids.astype(np.int64)
    width = vocab
    for m in range(1, n):
        if width > _KEY_LIMIT // vocab:
            uniq, key = np.unique(key, return_inverse=True)
            width = len(uniq)
        key = key[:-1] * vocab + ids[m:]
        width *= vocab
    starts = np.flatnonzero(region[: len(region) - n + 1] == region[n - 1:])
    return key[starts], starts


def _groups(keys: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Positions sorted by n-gram (ascending within one), and each distinct n-gram's key, first
    index into them and count."""
    order = np.argsort(keys, kind="stable")
    keys, starts = keys[order], starts[order]
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(first, len(keys)))
    return starts, keys[first], first, counts


def _ranges(first: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``first[k] + 0 .. first[k] + lengths[k] - 1``, for every k, concatenated."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1]) + np.repeat(first - (ends - lengths), lengths)


def _seeds(ids_a: Sequence[int], region_a: Sequence[int], ids_b: Sequence[int], region_b: Sequence[int],
           n: int, vocab: int) -> list[Column]:
    """A seed for each pair of occurrences of an n-gram both sides hold (see the module's
    docstring), sorted by position in A then B."""
    if len(ids_a) < n or len(ids_b) < n:
        return []
    # One array for both sides (B's regions numbered after A's), so a renumbering is shared.
    ids = np.array([*ids_a, *ids_b], dtype=np.int64)
    region = np.concatenate((np.asarray(region_a, dtype=np.int64), np.asarray(region_b, dtype=np.int64) + region_a[-1] + 1))
    keys, starts = _gram_keys(ids, region, n, vocab)
    in_a = starts < len(ids_a)
    if in_a.all() or not in_a.any():  # one side's regions are all shorter than n
        return []
    pos_a, key_a, first_a, count_a = _groups(keys[in_a], starts[in_a])
    pos_b, key_b, first_b, count_b = _groups(keys[~in_a], starts[~in_a] - len(ids_a))
    _, ga, gb = np.intersect1d(key_a, key_b, assume_unique=True, return_indices=True)
    # An n-gram repeated too often on either side is no evidence (MAX_NGRAM_REPEAT).
    ok = (count_a[ga] <= MAX_NGRAM_REPEAT) & (count_b[gb] <= MAX_NGRAM_REPEAT)
    ga, gb = ga[ok], gb[ok]
    if not len(ga):
        return []
    # Every occurrence in A of a shared n-gram, once per occurrence of it in B.
    occ_a = _ranges(first_a[ga], count_a[ga])
    per_a = np.repeat(count_b[gb], count_a[ga])
    i = np.repeat(pos_a[occ_a], per_a)
    j = pos_b[_ranges(np.repeat(first_b[gb], count_a[ga]), per_a)]
    keep = _anchored(i, j, np.repeat(np.repeat(count_a[ga], count_a[ga]), per_a),
                     np.repeat(np.repeat(count_b[gb], count_a[ga]), per_a))
    i, j = i[keep], j[keep]
    order = np.argsort(i * (len(ids_b) + 1) + j)
    return list(zip(i[order].tolist(), j[order].tolist(), strict=True))


def _anchored(i: np.ndarray, j: np.ndarray, held_a: np.ndarray, held_b: np.ndarray) -> np.ndarray:
    """Which seeds (positions ``i`` in A, ``j`` in B; their n-gram's count on each side) to keep:
    every seed of an n-gram held at most :data:`REPEATED` times on one side, and a seed of an
    n-gram repeated more on both sides only near the diagonal of a seed whose n-gram each side
    holds once.

    Why: a phrase held k times on each side gives k * k seeds, all but k of them pairing
    unrelated occurrences (an isnad's formula in a hadith critic's two editions), and each such
    seed was a chain of its own, aligned, extended and then mostly dropped in selection: two
    thirds of the seeds and nine chains in ten on al-Khatib's two editions, their count and
    ``find_reuse``'s time growing faster than the length until :data:`MAX_NGRAM_REPEAT` drops
    the phrase. A truly copied occurrence lies in a copied stretch, whose other words give seeds
    on its diagonal: a repeated seed is kept when a unique seed lies in its cell of
    :data:`ANCHOR_NEAR` tokens of A and diagonals or in one of the eight around it."""
    keep = np.minimum(held_a, held_b) <= REPEATED
    anchors = (held_a == 1) & (held_b == 1)
    if keep.all() or not anchors.any():
        return keep
    span = ANCHOR_NEAR
    ci, cd = i // span, (j - i) // span  # cells (floor division: diagonals may be negative)
    low = int(cd.min()) - 1
    wide = int(cd.max()) - low + 2  # a cell's key: A's cell times this plus the diagonal's, past the neighbours
    key = ci * wide + (cd - low)
    cells = np.unique(key[anchors])
    rest = ~keep
    near = np.zeros(int(rest.sum()), dtype=bool)
    for step in (-wide - 1, -wide, -wide + 1, -1, 0, 1, wide - 1, wide, wide + 1):
        near |= np.isin(key[rest] + step, cells)
    keep[rest] = near
    return keep


def _chains(seeds: list[Column], n: int, max_gap: int, side_a: _Tokens, side_b: _Tokens) -> list[list[Column]]:
    """Group seeds (sorted by A position) into chains along nearly the same diagonal."""
    chains: list[list[Column]] = []
    active: dict[int, int] = {}  # diagonal j - i -> chain whose last seed lay on it
    reach = max_gap + n  # two chainable seeds differ by at most this much in diagonal
    reg_a, reg_b = side_a.region, side_b.region

    def fits(c: int, i: int, j: int) -> bool:
        li, lj = chains[c][-1]
        return (
            li < i <= li + n + max_gap
            and lj < j <= lj + n + max_gap
            and reg_a[li] == reg_a[i]
            and reg_b[lj] == reg_b[j]
        )

    for i, j in seeds:
        d = j - i
        c = active.get(d)
        if c is None or not fits(c, i, j):
            # Off the diagonal (an insertion or deletion): the chain that ended most recently.
            c = None
            best = -1
            for dd in range(d - reach, d + reach + 1):
                cc = active.get(dd)
                if cc is not None and fits(cc, i, j) and chains[cc][-1][0] > best:
                    c, best = cc, chains[cc][-1][0]
        if c is None:
            c = len(chains)
            chains.append([])
        chains[c].append((i, j))
        active[d] = c
    return chains


# Longest first: conjunction + preposition + article, down to one letter. One cut each side, and
# a stem of three letters at least: a soft match only lowers the cost of a mismatch, so it may be
# loose, but a two-letter stem would let unrelated short words meet. ك alone, فك and فكال, the
# suffix كن and the one-letter pronouns ه/ك/ي are not cut: that is how the passages were measured.
_AR_PREFIXES = (
    "وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال",
    "وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل",
)
_AR_SUFFIXES = tuple(s for s in PRONOUN_SUFFIXES if len(s) >= 2 and s != "كن")
_MIN_STEM = 3


@lru_cache(maxsize=65536)  # a fifth of quote search's time went to stemming the same words again
def _light_stem(word: str) -> str:
    """A word without its commonest clitics, for soft matches only (never for seeds).

    Arabic: one proclitic group (conjunction, preposition, article) and one pronoun suffix,
    keeping at least three letters; Latin script: a plural or possessive ``s``.
    """
    if starts_arabic(word):
        word = strip_proclitic(word, _AR_PREFIXES, min_stem=_MIN_STEM)
        return strip_enclitic(word, _AR_SUFFIXES, min_stem=_MIN_STEM)
    if word.endswith("'s"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass
class _Pair:
    """Token ids of both sides (one vocabulary) and the light-stem id of every vocabulary id."""

    ids_a: list[int]
    ids_b: list[int]
    stem: list[int]

    def gains(self, cols: Sequence[Column]) -> list[int]:
        """Score of each alignment column (``-1`` on a side means a gap); one loop with its
        names bound locally, not a method call a column."""
        ids_a, ids_b, stem = self.ids_a, self.ids_b, self.stem
        return [_GAP if x < 0 or y < 0 else _MATCH if (u := ids_a[x]) == (v := ids_b[y])
                else _SOFT if stem[u] == stem[v] else _MISMATCH for x, y in cols]


def _dp(p: _Pair, xs: list[int], ys: list[int], xdrop: int | None = None) -> tuple[list[list[int]], list[bytearray]]:
    """Global alignment matrix (score and traceback) of tokens ``xs`` of A against ``ys`` of B.

    Traceback: 0 diagonal, 1 up (A token against a gap), 2 left (B token against a gap).
    With ``xdrop``, a cell scoring more than ``xdrop`` below the best cell computed so far is
    dead (BLAST's X-drop): an extension may not bridge a run of mismatches to reach a chance
    match further on.
    """
    wa = [p.ids_a[x] for x in xs]
    wb = [p.ids_b[y] for y in ys]
    stem = p.stem
    ny = len(wb)
    floor = -xdrop if xdrop is not None else _DEAD
    prev = [_GAP * k if _GAP * k >= floor else _DEAD for k in range(ny + 1)]
    top = 0
    rows = [prev]
    back = [bytearray([2] * (ny + 1))]
    for i, u in enumerate(wa, 1):
        row = [_GAP * i if _GAP * i >= floor else _DEAD] + [0] * ny
        tb = bytearray(ny + 1)
        tb[0] = 1
        for j, v in enumerate(wb, 1):
            best = prev[j - 1] + (_MATCH if u == v else _SOFT if stem[u] == stem[v] else _MISMATCH)
            t = 0
            up = prev[j] + _GAP
            if up > best:
                best, t = up, 1
            left = row[j - 1] + _GAP
            if left > best:
                best, t = left, 2
            if best < floor:
                best = _DEAD
            elif best > top and xdrop is not None:
                top = best
                floor = top - xdrop
            row[j] = best
            tb[j] = t
        rows.append(row)
        back.append(tb)
        prev = row
    return rows, back


def _trace(back: list[bytearray], i: int, j: int, xs: list[int], ys: list[int]) -> list[Column]:
    """Columns of the alignment ending at cell (i, j), in DP order."""
    cols: list[Column] = []
    while i or j:
        t = back[i][j]
        if t == 0:
            i -= 1
            j -= 1
            cols.append((xs[i], ys[j]))
        elif t == 1:
            i -= 1
            cols.append((xs[i], -1))
        else:
            j -= 1
            cols.append((-1, ys[j]))
    cols.reverse()
    return cols


def _extend(p: _Pair, xs: list[int], ys: list[int]) -> list[Column]:
    """Best-scoring alignment anchored at the start of ``xs``/``ys`` (empty if none scores > 0)."""
    if not xs or not ys:
        return []
    rows, back = _dp(p, xs, ys, xdrop=_XDROP)
    best = max(map(max, rows))
    if best <= 0:
        return []
    # Ties: the longer extension, i.e. the last best cell in row order (max and index at C speed).
    bi = next(i for i in range(len(rows) - 1, -1, -1) if best in rows[i])
    bj = len(rows[bi]) - 1 - rows[bi][::-1].index(best)
    return _trace(back, bi, bj, xs, ys)


@dataclass
class _Cand:
    cols: list[Column]
    matched: int
    raw: int  # alignment score: 2 per match, 1 per same-stem pair, -1 per mismatch or gap column


def _stats(cols: list[Column], p: _Pair) -> _Cand:
    gains = p.gains(cols)
    return _Cand(cols, gains.count(_MATCH), sum(gains))


def _best_local(gains: list[int]) -> tuple[int, int]:
    """Maximum-scoring contiguous stretch ``[start, end)`` of an alignment's column scores
    (Kadane)."""
    best, bs, be = 0, 0, 0
    cur, cs = 0, 0
    for k, gain in enumerate(gains):
        if cur <= 0:
            cur, cs = 0, k
        cur += gain
        if cur >= best and cur > 0:  # ties: the longer stretch, as in _extend
            best, bs, be = cur, cs, k + 1
    return bs, be


def _keep(piece: list[Column], p: _Pair, min_tokens: int, out: list[_Cand]) -> None:
    gains = p.gains(piece)
    bs, be = _best_local(gains)
    matched = gains[bs:be].count(_MATCH)
    if be > bs and matched >= min_tokens:
        out.append(_Cand(piece[bs:be], matched, sum(gains[bs:be])))


def _split_lines(
    cand: _Cand, side_a: _Tokens, side_b: _Tokens, p: _Pair, min_tokens: int
) -> list[_Cand]:
    """Cut an alignment where either side crosses a line break (a paragraph boundary).

    Why: a passage is a pair of spans, shown and scored as such; a quote running over several
    paragraphs of a report that interleaves its own words ("he added:") is several passages,
    and reordered paragraphs must come out as separate passages.
    """
    line_a, line_b = side_a.line, side_b.line
    xs = [x for x, _ in cand.cols if x >= 0]
    ys = [y for _, y in cand.cols if y >= 0]
    if line_a[xs[0]] == line_a[xs[-1]] and line_b[ys[0]] == line_b[ys[-1]]:
        return [cand]
    out: list[_Cand] = []
    piece: list[Column] = []
    la = lb = -1
    for x, y in cand.cols:
        if (x >= 0 and la >= 0 and line_a[x] != la) or (y >= 0 and lb >= 0 and line_b[y] != lb):
            _keep(piece, p, min_tokens, out)
            piece, la, lb = [], -1, -1
        piece.append((x, y))
        if x >= 0:
            la = line_a[x]
        if y >= 0:
            lb = line_b[y]
    _keep(piece, p, min_tokens, out)
    return out


def _shared(xs: Sequence[int], ys: Sequence[int]) -> int:
    """How many tokens two stretches can match at most (their common tokens, with repeats)."""
    return sum(min(xs.count(t), ys.count(t)) for t in set(xs)) if xs and ys else 0


def _align_chain(
    chain: list[Column], n: int, max_gap: int, p: _Pair, side_a: _Tokens, side_b: _Tokens, min_tokens: int = 1
) -> list[_Cand]:
    # Exact runs (i, j, length): overlapping seeds on one diagonal merge.
    runs: list[list[int]] = []
    for i, j in chain:
        if runs:
            ra, rb, length = runs[-1]
            if j - i == rb - ra and i <= ra + length:
                runs[-1][2] = max(length, i + n - ra)
                continue
        runs.append([i, j, n])
    # Where the diagonal shifts, a run may start inside the previous one: cut its head.
    clean: list[tuple[int, int, int]] = []
    for ra, rb, length in runs:
        if clean:
            pa, pb, pl = clean[-1]
            over = max(pa + pl - ra, pb + pl - rb, 0)
            if over >= length:
                continue
            ra, rb, length = ra + over, rb + over, length - over
        clean.append((ra, rb, length))
    if len(clean) == 1:
        # One exact run (a lone shared phrase, most chains of unrelated texts): it can gain no
        # more matches than the tokens its two extension windows share, so when even that is
        # under `min_tokens` the chain is dropped before any alignment (the answer is the same).
        ra, rb, length = clean[0]
        a_lo = max(side_a.bounds[side_a.region[ra]][0], ra - max_gap)
        b_lo = max(side_b.bounds[side_b.region[rb]][0], rb - max_gap)
        ea, eb = ra + length, rb + length
        a_hi = min(side_a.bounds[side_a.region[ea - 1]][1], ea + max_gap)
        b_hi = min(side_b.bounds[side_b.region[eb - 1]][1], eb + max_gap)
        if length + _shared(p.ids_a[a_lo:ra], p.ids_b[b_lo:rb]) + _shared(
                p.ids_a[ea:a_hi], p.ids_b[eb:b_hi]) < min_tokens:
            return []
    # Global alignment of the short stretch between consecutive runs.
    gaps: list[tuple[int, list[Column]]] = []
    for (pa, pb, pl), (ra, rb, _) in zip(clean, clean[1:], strict=False):
        xs, ys = list(range(pa + pl, ra)), list(range(pb + pl, rb))
        if xs and ys:
            rows, back = _dp(p, xs, ys)
            gaps.append((rows[-1][-1], _trace(back, len(xs), len(ys), xs, ys)))
        else:
            gaps.append((_GAP * (len(xs) + len(ys)), [(x, -1) for x in xs] + [(-1, y) for y in ys]))

    out: list[_Cand] = []
    todo = [(0, len(clean))]
    while todo:
        lo, hi = todo.pop()
        if lo >= hi:
            continue
        # Kadane over runs: the best stretch [s, e] of runs with the gaps between them.
        best, bs, be = None, lo, lo
        cur, cs = 0, lo
        for k in range(lo, hi):
            gain = _MATCH * clean[k][2]
            if k > lo and cur + gaps[k - 1][0] > 0:
                cur += gaps[k - 1][0] + gain
            else:
                cur, cs = gain, k
            if best is None or cur > best:
                best, bs, be = cur, cs, k
        todo.append((lo, bs))
        todo.append((be + 1, hi))
        cols: list[Column] = []
        for k in range(bs, be + 1):
            if k > bs:
                cols.extend(gaps[k - 1][1])
            ra, rb, length = clean[k]
            cols.extend(zip(range(ra, ra + length), range(rb, rb + length), strict=True))
        # Local extension at both ends, not past the neighbouring runs nor the region.
        ra, rb, _ = clean[bs]
        a_floor = max(side_a.bounds[side_a.region[ra]][0], ra - max_gap)
        b_floor = max(side_b.bounds[side_b.region[rb]][0], rb - max_gap)
        if bs > 0:
            pa, pb, pl = clean[bs - 1]
            a_floor, b_floor = max(a_floor, pa + pl), max(b_floor, pb + pl)
        left = _extend(p, list(range(ra - 1, a_floor - 1, -1)), list(range(rb - 1, b_floor - 1, -1)))
        left.reverse()
        ea, eb, el = clean[be]
        ea, eb = ea + el, eb + el
        a_ceil = min(side_a.bounds[side_a.region[ea - 1]][1], ea + max_gap)
        b_ceil = min(side_b.bounds[side_b.region[eb - 1]][1], eb + max_gap)
        if be + 1 < len(clean):
            a_ceil, b_ceil = min(a_ceil, clean[be + 1][0]), min(b_ceil, clean[be + 1][1])
        right = _extend(p, list(range(ea, a_ceil)), list(range(eb, b_ceil)))
        out.append(_stats(left + cols + right, p))
    return out


def find_reuse(
    text_a: str,
    spans_a: Sequence[tuple[int, int]],
    text_b: str,
    spans_b: Sequence[tuple[int, int]],
    *,
    n: int = 4,
    min_tokens: int = 6,
    max_gap: int = 8,
) -> list[Match]:
    """Passages of ``text_a`` (within ``spans_a``) that re-use wording of ``text_b`` (within ``spans_b``).

    ``n``: seed n-gram length in words; ``min_tokens``: fewest identical aligned words a passage
    needs; ``max_gap``: most words between two seeds (on each side) that still chain.  All
    offsets in and out are file offsets of the respective texts.
    """
    return ReuseQuery(text_a, spans_a, n=n, min_tokens=min_tokens, max_gap=max_gap, shared=False).find(text_b, spans_b)


class ReuseQuery:
    """Text A of :func:`find_reuse` prepared once for comparison with many texts B: its tokens,
    vocabulary, light stems and n-grams are not made again for each (quote search aligns one
    query with a few dozen sentences a search). ``shared=False``: one comparison only, so the
    vocabulary is extended in place rather than copied."""

    def __init__(self, text_a: str, spans_a: Sequence[tuple[int, int]], *, n: int = 4, min_tokens: int = 6,
                 max_gap: int = 8, shared: bool = True) -> None:
        if n < 1:
            raise ValueError("n must be >= 1")
        self.n, self.max_gap, self.shared = n, max_gap, shared
        self.min_tokens = max(1, min_tokens)  # a passage holds at least one identical word
        self.side = _tokenize_cached(text_a, tuple(spans_a))
        self.vocab: dict[str, int] = {}
        self.ids = [self.vocab.setdefault(w, len(self.vocab)) for w in self.side.words]
        self.stems: dict[str, int] = {}
        self.stem = [self.stems.setdefault(_light_stem(w), len(self.stems)) for w in self.vocab]

    def find(self, text_b: str, spans_b: Sequence[tuple[int, int]]) -> list[Match]:
        """:func:`find_reuse` of the prepared text A with ``text_b`` (within ``spans_b``)."""
        side_a, side_b = self.side, _tokenize_cached(text_b, tuple(spans_b))
        vocab, stems = (self.vocab.copy(), self.stems.copy()) if self.shared else (self.vocab, self.stems)
        known = len(vocab)
        ids_b = [vocab.setdefault(w, len(vocab)) for w in side_b.words]
        # B's words new to the vocabulary come after A's, in the order of the one vocabulary
        p = _Pair(self.ids, ids_b, [*self.stem, *(stems.setdefault(_light_stem(w), len(stems))
                                                   for w in islice(vocab, known, None))])
        n, max_gap, min_tokens = self.n, self.max_gap, self.min_tokens
        seeds = _seeds(self.ids, side_a.region, ids_b, side_b.region, n, len(p.stem))
        cands: list[_Cand] = []
        chains = _chains(seeds, n, max_gap, side_a, side_b)
        for k, chain in enumerate(chains):
            if not k % 256:  # a long pair's chains aligned (sourcetrace/progress.py): two books hold ~10^4-10^5
                note("reuse", k, len(chains))
            for cand in _align_chain(chain, n, max_gap, p, side_a, side_b, min_tokens):
                if cand.matched >= min_tokens:
                    cands.extend(_split_lines(cand, side_a, side_b, p, min_tokens))
        return _select(cands, p, side_a, side_b, min_tokens)


def _select(cands: list[_Cand], p: _Pair, side_a: _Tokens, side_b: _Tokens, min_tokens: int) -> list[Match]:
    """The passages kept of the aligned candidates (step 6 of the module's docstring), as matches."""
    ids_a = p.ids_a
    # Best alignment first; a passage overlapping an earlier one on side A keeps only its free
    # tokens of A (re-aligned locally) and goes back in the queue with its lower score.
    heap = [(-c.raw, k, c) for k, c in enumerate(cands)]
    heapq.heapify(heap)
    counter = len(heap)
    taken = bytearray(len(ids_a))
    kept: list[_Cand] = []
    while heap:
        _, _, cand = heapq.heappop(heap)
        xs = [x for x, _ in cand.cols if x >= 0]
        lo, hi = xs[0], xs[-1] + 1
        if taken.find(1, lo, hi) < 0:
            kept.append(cand)
            taken[lo:hi] = b"\x01" * (hi - lo)
            continue
        piece: list[Column] = []
        for col in [*cand.cols, (-2, -2)]:  # sentinel flushes the last piece
            if col[0] == -1 or (col[0] >= 0 and not taken[col[0]]):
                piece.append(col)
                continue
            subs: list[_Cand] = []
            _keep(piece, p, min_tokens, subs)
            for sub in subs:
                heapq.heappush(heap, (-sub.raw, counter, sub))
                counter += 1
            piece = []

    matches = []
    for cand in kept:
        xs = [x for x, _ in cand.cols if x >= 0]
        ys = [y for _, y in cand.cols if y >= 0]
        a_tok, b_tok = xs[-1] - xs[0] + 1, ys[-1] - ys[0] + 1
        matches.append(
            Match(
                a_start=side_a.starts[xs[0]],
                a_end=side_a.ends[xs[-1]],
                b_start=side_b.starts[ys[0]],
                b_end=side_b.ends[ys[-1]],
                a_tokens=a_tok,
                b_tokens=b_tok,
                matched=cand.matched,
                score=cand.matched / max(a_tok, b_tok),
            )
        )
    matches.sort(key=lambda m: (m.a_start, m.b_start))
    return matches


def grow_exact(
    text_a: str,
    spans_a: Sequence[tuple[int, int]],
    text_b: str,
    spans_b: Sequence[tuple[int, int]],
    pairs: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    min_words: int = MIN_GROWTH,
    grow: Sequence[bool] | None = None,
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Pairs of spans copied word for word, each grown at both ends over the words that go on
    identically on both sides (after normalization), when at least ``min_words`` do.

    Why: the matcher works sentence by sentence (the regions it is given) and a passage needs
    ``min_tokens`` identical words, so a short sentence at the edge of a copied block ("Limited
    one-year manufacturer warranty.", "to get people to work." after a blank line, a heading) is
    left out of the block although both texts go on with the very same words (PAN's inserted
    passages, bench/realtext.py). Growth crosses sentence ends and line breaks, never a word that
    differs, never the spans of another pair (on either side), never beyond the regions. Offsets
    in and out are file offsets; the pairs come back in the order given. ``grow``: which pairs
    may grow (default all); the others only bound the growth of the rest (a reworded sentence
    next to a copied one is not part of the copy)."""
    side_a = _tokenize_cached(text_a, tuple(spans_a))
    side_b = _tokenize_cached(text_b, tuple(spans_b))
    wa, wb = side_a.words, side_b.words
    taken_a, taken_b = bytearray(len(wa)), bytearray(len(wb))

    def next_to(text: str, side: _Tokens, k: int) -> bool:
        """Whether token k + 1 follows token k in the file with no word between (regions leave
        boilerplate out)."""
        return not any(ch.isalnum() for ch in text[side.ends[k]:side.starts[k + 1]])

    def inside(side: _Tokens, span: tuple[int, int]) -> tuple[int, int]:
        lo = bisect_left(side.starts, span[0])
        hi = bisect_right(side.ends, span[1])
        return lo, hi  # tokens [lo, hi) lie inside the span

    found = [(inside(side_a, pa), inside(side_b, pb)) for pa, pb in pairs]
    for (lo, hi), (blo, bhi) in found:
        taken_a[lo:hi] = b"\x01" * max(0, hi - lo)
        taken_b[blo:bhi] = b"\x01" * max(0, bhi - blo)
    out = []
    for i, ((pa, pb), ((lo, hi), (blo, bhi))) in enumerate(zip(pairs, found, strict=True)):
        if hi <= lo or bhi <= blo or (grow is not None and not grow[i]):
            out.append((pa, pb))
            continue
        k = 0
        while (lo - k > 0 and blo - k > 0 and not taken_a[lo - k - 1] and not taken_b[blo - k - 1]
               and wa[lo - k - 1] == wb[blo - k - 1]
               and next_to(text_a, side_a, lo - k - 1) and next_to(text_b, side_b, blo - k - 1)):
            k += 1
        if k >= min_words:
            pa, pb = (side_a.starts[lo - k], pa[1]), (side_b.starts[blo - k], pb[1])
            taken_a[lo - k:lo] = b"\x01" * k
            taken_b[blo - k:blo] = b"\x01" * k
        k = 0
        while (hi + k < len(wa) and bhi + k < len(wb) and not taken_a[hi + k] and not taken_b[bhi + k]
               and wa[hi + k] == wb[bhi + k]
               and next_to(text_a, side_a, hi + k - 1) and next_to(text_b, side_b, bhi + k - 1)):
            k += 1
        if k >= min_words:
            pa, pb = (pa[0], side_a.ends[hi + k - 1]), (pb[0], side_b.ends[bhi + k - 1])
            taken_a[hi:hi + k] = b"\x01" * k
            taken_b[bhi:bhi + k] = b"\x01" * k
        out.append((pa, pb))
    return out


def token_diff(
    text_a: str, span_a: tuple[int, int], text_b: str, span_b: tuple[int, int]
) -> list[tuple[str, tuple[int, int] | None, tuple[int, int] | None]]:
    """Edit script between two aligned spans over normalized tokens.

    Ops, in order: ``("same", a_span, b_span)``, ``("changed", a_span, b_span)``,
    ``("deleted", a_span, None)`` (in A only), ``("added", None, b_span)`` (in B only).  Each
    span is the file span from the first to the last token of the block on that side.
    """
    ta = tokens(normalize_span(text_a, *span_a))
    tb = tokens(normalize_span(text_b, *span_b))
    sm = SequenceMatcher(None, [t[0] for t in ta], [t[0] for t in tb], autojunk=False)
    names = {"equal": "same", "replace": "changed", "delete": "deleted", "insert": "added"}
    out: list[tuple[str, tuple[int, int] | None, tuple[int, int] | None]] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        sa = (ta[i1][1], ta[i2 - 1][2]) if i2 > i1 else None
        sb = (tb[j1][1], tb[j2 - 1][2]) if j2 > j1 else None
        out.append((names[op], sa, sb))
    return out
