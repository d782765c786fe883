"""Nearest documents by topic vector, kept between runs so that a grown corpus only searches
what its new documents change.

:func:`nearest` is a pure function from the documents' vectors (and the lists a previous run
left) to each document's nearest documents in every language: its ``k`` nearest in each other
language and its ``k_same`` nearest other documents in its own. Given the previous lists, the
answer is the one a search over the whole corpus gives, at the cost of the new documents only:

* a previous document's list stays valid for the documents it was computed over; the new ones
  can only push into it, so its new list is the best ``k`` of its old list and its nearest new
  documents;
* a document whose list held a document now gone (removed, or its file read again, so its
  vector changed) is searched again over everything, as is every new document.

Similarities are ranked in float64 from the float32 vectors, pair by pair, so a pair's value does
not depend on which batch computed it (a BLAS product's last bits do): a rerun ranks exactly as
a fresh run, ties broken by document id. Exact inner-product search (faiss ``IndexFlatIP``) up to
``EXACT_LIMIT`` vectors per language, HNSW beyond (approximate: there a rerun may differ).

Distributed: the lists partition by query document; each task needs the index vectors of one
language (broadcast) and the previous lists of its own queries.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

EXACT_LIMIT = 100_000
EXTRA = 4  # float32 search keeps this many more than needed, re-ranked in float64
_CHUNK = 256  # query rows re-ranked at a time (bounded memory: 18 MB of float64 candidates)
# Queries searched by one product in this thread rather than faiss's index: a rerun's new
# documents (faiss's threads spinning around 50 queries cost more than the product, and its
# import a fifth of a core-second in a fresh process); a fresh run's thousands go to faiss.
FEW_QUERIES = 1024
SLACK = 1e-3  # float32 inner products of unit vectors are within 1e-4 of the float64 cosine
K = 10  # nearest documents per document in every other language that are candidates
# Nearest documents kept per document in every other language: the first K are candidates, all
# of them are the pool a document's sentences vote among (candidates/votes.py). A wider pool
# finds translations ranked far by topic, and spreads a topic neighbour's votes over more
# documents: bench/realtext.py, true pairs both documents choose 54 -> 58 of 69 from 10 to 30
# (40: 55); the planted 2,000 of bench/trace.py, pairs chosen that are no translation 59 -> 56
# (mutual votes, share 0.12 with 30). 30 -> 35: a partial translation's sides stand far apart
# by topic when short (realtext's quran93, 9 of 11 verses: 33rd and 53rd, the farthest true pair;
# its ballots then choose it by a run, votes.MIN_RUN); bench/trace.py's planted 10,000, pairs
# chosen that are no translation 224 -> 211 (a wider pool spreads a topic neighbour's votes), its
# 400 translations all chosen either way; realtext's pairs chosen the same (40: two lost).
K_POOL = 35
K_SAME = 3  # and in its own


@dataclass
class Lists:
    """The nearest documents of the queries of one language in one index language."""

    queries: np.ndarray  # (n,) int64 positions in Neighbours.ids
    found: np.ndarray  # (n, k) int64 positions, -1 where fewer than k exist
    sims: np.ndarray  # (n, k) float64 cosines, -inf where no neighbour


@dataclass
class Neighbours:
    """Every document's nearest documents (a plain record, stored between runs)."""

    ids: list[str]  # sorted: a position orders as its id does
    keys: np.ndarray  # (n,) uint64 fingerprint of each document's vector
    k: int
    k_same: int
    lists: dict[tuple[str, str], Lists] = field(default_factory=dict)  # (query lang, index lang)

    def rows(self) -> dict[tuple[str, str], list[tuple[str, list[tuple[str, float]]]]]:
        """{(query lang, index lang): [(document, [(neighbour, cosine), ...]), ...]}."""
        out = {}
        for key, ls in self.lists.items():
            out[key] = [(self.ids[q], [(self.ids[j], s) for j, s in zip(f.tolist(), r.tolist(), strict=True) if j >= 0])
                        for q, f, r in zip(ls.queries.tolist(), ls.found, ls.sims, strict=True)]
        return out


def pairs(nb: Neighbours, min_cos: float, margin_k: int, k: int = K) -> tuple[list[tuple[str, str]], np.ndarray, np.ndarray]:
    """The pairs (a < b) of a document and one of its `k` nearest (in a list) at cosine >= `min_cos`, with the pair's best
    cosine and its ratio margin: the cosine over the mean of both documents' `margin_k` best
    cosines in the other's language (a translation stands out of its neighbours, a topic
    neighbour does not)."""
    a, b, sim, margin = pair_positions(nb, min_cos, margin_k, k)
    return [(nb.ids[x], nb.ids[y]) for x, y in zip(a.tolist(), b.tolist(), strict=True)], sim, margin


def pair_positions(nb: Neighbours, min_cos: float, margin_k: int, k: int = K
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`pairs` as positions in ``nb.ids`` (a < b: an id's position orders as the id), sorted:
    no pair of ids made for the ~100,000 pairs a union at 10,000 documents takes as columns."""
    n = len(nb.ids)
    langs = sorted({lang for key in nb.lists for lang in key})
    top = np.full((n, len(langs)), np.nan)  # document x index language -> mean of its best cosines
    keys, best = [], []
    for (_, ilang), ls in nb.lists.items():
        valid = ls.found >= 0
        head = np.where(valid[:, :margin_k], ls.sims[:, :margin_k], 0.0)
        count = valid[:, :margin_k].sum(axis=1)
        has = count > 0
        top[ls.queries[has], langs.index(ilang)] = head[has].sum(axis=1) / count[has]
        hit = valid & (ls.sims >= min_cos) & (np.arange(ls.found.shape[1]) < k)
        q = np.broadcast_to(ls.queries[:, None], ls.found.shape)[hit]
        f = ls.found[hit]
        keys.append(np.minimum(q, f) * n + np.maximum(q, f))
        best.append(ls.sims[hit])
    if not keys:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    key, sim = np.concatenate(keys), np.concatenate(best)
    order = np.lexsort((-sim, key))  # per pair, its best cosine first
    key, sim = key[order], sim[order]
    first = np.concatenate(([True], key[1:] != key[:-1])) if len(key) else np.zeros(0, dtype=bool)
    key, sim = key[first], np.clip(sim[first], 0.0, 1.0)
    a, b = key // n, key % n
    lang_col = {lang: i for i, lang in enumerate(langs)}
    doc_lang = np.full(n, -1, dtype=np.int64)
    for (qlang, _), ls in nb.lists.items():
        doc_lang[ls.queries] = lang_col[qlang]
    # Each side's usual cosine in the other's language (its own cosine when unknown).
    ta = top[a, doc_lang[b]]
    tb = top[b, doc_lang[a]]
    norm = (np.where(np.isnan(ta), sim, ta) + np.where(np.isnan(tb), sim, tb)) / 2
    margin = np.divide(sim, norm, out=np.zeros_like(sim), where=norm > 0)
    return a, b, sim, margin


def fingerprints(mat: np.ndarray) -> np.ndarray:
    """A 64-bit fingerprint of each row's bytes: a changed vector is a changed document."""
    rows = np.ascontiguousarray(mat, dtype=np.float32)
    return np.fromiter((int.from_bytes(hashlib.blake2b(r.tobytes(), digest_size=8).digest(), "little")
                        for r in rows), dtype=np.uint64, count=len(rows))


def nearest(vectors: Mapping[str, np.ndarray], langs: Mapping[str, str], *, k: int = K_POOL, k_same: int = K_SAME,
            previous: Neighbours | None = None) -> Neighbours:
    """Each document's nearest documents (see the module docstring); `previous`: a former
    answer, reused where it still holds (its k and k_same must be these)."""
    ids = sorted(d for d in vectors if d in langs)
    mat = (np.stack([np.asarray(vectors[d], dtype=np.float32) for d in ids]) if ids
           else np.zeros((0, 1), dtype=np.float32))
    keys = fingerprints(mat)
    out = Neighbours(ids, keys, k, k_same)
    if previous is not None and (previous.k, previous.k_same) != (k, k_same):
        previous = None
    # Position of each previous document in `ids`, -1 where gone or changed.
    to_now = np.full(len(previous.ids) if previous else 0, -1, dtype=np.int64)
    if previous is not None:
        now = {d: i for i, d in enumerate(ids)}
        for j, d in enumerate(previous.ids):
            i = now.get(d)
            if i is not None and previous.keys[j] == keys[i]:
                to_now[j] = i
    old = np.zeros(len(ids), dtype=bool)
    old[to_now[to_now >= 0]] = True
    lang_of = np.array([langs[d] for d in ids], dtype=object)
    # A fresh search re-ranks every row: the matrix in float64 once (converted per re-rank, it cost
    # 0.15 s CPU at 10,000). A rerun re-ranks a few rows: those converted as gathered (the whole
    # matrix, 40 MB at 10,000, was most of a rerun's list search).
    wide = mat.astype(np.float64) if previous is None else mat
    by_lang = {lang: np.flatnonzero(lang_of == lang) for lang in sorted(set(lang_of.tolist()))}
    # A fresh run searches every language pair whole, each product once for both directions.
    both = _searched_both(mat, by_lang, k, k_same) if previous is None else {}
    for qlang, qpos in by_lang.items():
        for ilang, ipos in by_lang.items():
            same = qlang == ilang
            kk = k_same if same else k
            if kk <= 0 or len(ipos) < (2 if same else 1):
                continue
            prev = previous.lists.get((qlang, ilang)) if previous is not None else None
            out.lists[(qlang, ilang)] = _lists(mat, wide, qpos, ipos, kk, same, old, to_now, prev,
                                               both.get((qlang, ilang)))
    return out


def _lists(mat: np.ndarray, wide: np.ndarray, qpos: np.ndarray, ipos: np.ndarray, kk: int, same: bool, old: np.ndarray,
           to_now: np.ndarray, prev: Lists | None, searched: np.ndarray | None = None) -> Lists:
    """``searched``: every query's candidates (:func:`_searched_both`), when found already."""
    found = np.full((len(qpos), kk), -1, dtype=np.int64)
    sims = np.full((len(qpos), kk), -np.inf)
    redo = np.ones(len(qpos), dtype=bool)
    if prev is not None and len(prev.queries):
        row_of = np.full(len(old), -1, dtype=np.int64)
        row_of[qpos] = np.arange(len(qpos))
        q_now = to_now[prev.queries]
        rows = np.where(q_now >= 0, row_of[np.maximum(q_now, 0)], -1)
        live = rows >= 0
        f_prev, s_prev = prev.found[live], prev.sims[live]
        mapped = np.where(f_prev >= 0, to_now[np.maximum(f_prev, 0)], -2)  # -2: no neighbour there
        keep = ~(mapped == -1).any(axis=1)  # else a neighbour is gone: search again
        width = min(kk, mapped.shape[1])
        r = rows[live][keep]
        found[r, :width] = np.where(mapped[keep] == -2, -1, mapped[keep])[:, :width]
        sims[r, :width] = s_prev[keep][:, :width]
        redo[r] = False
    new_index = ipos[~old[ipos]]
    kept = np.flatnonzero(~redo)
    if len(kept) and len(new_index):  # kept lists meet the new documents
        rows, cand = _entering(mat, qpos, kept, new_index, sims[kept, kk - 1])
        found[rows], sims[rows] = _best(np.concatenate([found[rows], cand], axis=1),
                                        np.concatenate([sims[rows], _cosines(wide, qpos[rows], cand)], axis=1), kk)
    again = np.flatnonzero(redo)
    if len(again):
        cand = (searched if searched is not None and len(again) == len(qpos)
                else _search(mat, qpos[again], ipos, kk + EXTRA, same)[0])
        found[again], sims[again] = _best(cand, _cosines(wide, qpos[again], cand), kk)
    return Lists(qpos.copy(), found, sims)


def _entering(mat: np.ndarray, qpos: np.ndarray, kept: np.ndarray, new_index: np.ndarray, last: np.ndarray,
              block: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """The kept lists (rows ``kept`` of ``qpos``) a new document may enter, and those new documents
    (positions, -1 pads): each whose float32 inner product comes within ``SLACK`` of the list's
    last cosine (``last``; -inf where the list is short), every one of them, to be re-ranked in
    float64. One product of the kept queries and the few new documents, in blocks: a search for
    each query's best ``k + EXTRA`` (faiss) and a re-rank of that many slots a row, mostly
    padding, cost a +1% rerun at 10,000 documents about 0.3 core-seconds."""
    from threadpoolctl import threadpool_limits

    index = np.ascontiguousarray(mat[new_index])
    rows, cands = [], []
    for s in range(0, len(kept), block):
        part = kept[s:s + block]
        with threadpool_limits(1):  # a small product: threads spinning around it cost more than it
            approx = mat[qpos[part]] @ index.T
        close = approx >= last[s:s + block, None] - SLACK  # a kept query is never new: never itself
        near = np.flatnonzero(close.any(axis=1))
        if not len(near):
            continue
        close = close[near]
        width = int(close.sum(axis=1).max())
        # Each row's close new documents first, in position order (any order: re-ranked after).
        order = np.argsort(~close, axis=1, kind="stable")[:, :width]
        picked = np.take_along_axis(close, order, axis=1)
        rows.append(part[near])
        cands.append(np.where(picked, new_index[order], -1))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 1), dtype=np.int64)
    width = max(c.shape[1] for c in cands)
    return np.concatenate(rows), np.concatenate([np.pad(c, ((0, 0), (0, width - c.shape[1])), constant_values=-1)
                                                 for c in cands])


def _search(mat: np.ndarray, queries: np.ndarray, index: np.ndarray, k: int, same: bool
            ) -> tuple[np.ndarray, np.ndarray]:
    """(n, k') positions of each query's nearest in `index` by float32 inner product (self
    excluded; -1 pads), and those inner products."""
    take = min(k + (1 if same else 0), len(index))
    vecs = np.ascontiguousarray(mat[index])
    if len(queries) <= FEW_QUERIES and len(index) <= EXACT_LIMIT:
        idx, score = _few(mat[queries], vecs, take)
        pos = index[idx]
        if same:
            pos[pos == queries[:, None]] = -1
        return pos, score
    import faiss

    if len(index) <= EXACT_LIMIT:
        ix = faiss.IndexFlatIP(mat.shape[1])
    else:
        ix = faiss.IndexHNSWFlat(mat.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        ix.hnsw.efConstruction = 80
        ix.hnsw.efSearch = max(64, 2 * take)
    ix.add(vecs)
    score, idx = ix.search(np.ascontiguousarray(mat[queries]), take)
    pos = np.where(idx >= 0, index[np.maximum(idx, 0)], -1)
    if same:
        pos[pos == queries[:, None]] = -1
    return pos, score


def _searched_both(mat: np.ndarray, by_lang: Mapping[str, np.ndarray], k: int, k_same: int
                   ) -> dict[tuple[str, str], np.ndarray]:
    """A fresh search's candidates (:func:`_search`'s positions: each query's ``k + EXTRA`` best
    by float32 inner product, -1 pads) of every pair of languages whose index is searched exactly,
    each block of inner products computed once and read both ways: a row's best in the other
    language are its queries' (a -> b), a column's the other's (b -> a); in one language, the
    blocks on and above the diagonal alone, self left out. Half the products of a search of each
    direction apart. Each query's best are kept by faiss's heaps, as its flat index keeps them.

    The products grow as the square of the corpus; most are skipped, provably: a block's upper
    bounds (:func:`_bound_rows`, a product of a quarter of the columns) are compared with its
    heaps' smallest kept, and only the pairs whose bound reaches one are computed, pair by pair
    (faiss's ``pairwise_indexed_inner_product``), and offered; a pair whose bound does not is one
    its heaps would pass over. A block with many such pairs (a heap's first blocks, which fill it)
    is computed whole."""
    import faiss

    out: dict[tuple[str, str], np.ndarray] = {}
    langs = sorted(by_lang)
    bound: np.ndarray | None = None  # the bound's rows (and their slack), made when a block can first skip
    slack = 0.0
    for i, a in enumerate(langs):
        for b in langs[i:]:
            apos, bpos = by_lang[a], by_lang[b]
            same = a == b
            ka, kb = (k_same, k_same) if same else (k, k)
            if len(apos) > EXACT_LIMIT or len(bpos) > EXACT_LIMIT or ka <= 0 or len(bpos) < (2 if same else 1):
                continue
            heaps = [_heaps(len(apos), ka + EXTRA)] if same else [_heaps(len(apos), ka + EXTRA),
                                                                  _heaps(len(bpos), kb + EXTRA)]
            qa, qb = np.ascontiguousarray(mat[apos]), np.ascontiguousarray(mat[bpos])
            ba = bb = None
            for s in range(0, len(apos), _BLOCK):
                for t in range(s if same else 0, len(bpos), _BLOCK):
                    diag = same and s == t
                    rtop, ctop = heaps[0][1][s:s + _BLOCK, 0], None if diag else heaps[-1][1][t:t + _BLOCK, 0]
                    at = None
                    # A heap is full once its top (smallest kept) is a document's: until then -FLT_MAX, id -1.
                    if (heaps[0][2][s:s + _BLOCK, 0] >= 0).all() and (diag or (heaps[-1][2][t:t + _BLOCK, 0] >= 0).all()):
                        if bound is None:
                            bound, slack = _bound_rows(mat)
                        if ba is None:
                            ba, bb = bound[apos], bound[bpos]
                        at = _reaching(ba[s:s + _BLOCK], bb[t:t + _BLOCK], rtop, ctop, slack)
                    if at is None:  # a heap not full yet (its first blocks), or many pairs reach
                        block = qa[s:s + _BLOCK] @ qb[t:t + _BLOCK].T
                        if diag:  # the diagonal's block: each pair in its rows already, self left out
                            np.fill_diagonal(block, -np.inf)
                        heaps[0][0].addn(block.shape[1], faiss.swig_ptr(block), t, s, block.shape[0])
                        if not diag:
                            _offer_columns(heaps[-1], block, t, s)
                        continue
                    if not len(at):
                        continue
                    rows, cols = np.divmod(at, min(_BLOCK, len(bpos) - t))
                    got = np.empty(len(at), dtype=np.float32)
                    faiss.pairwise_indexed_inner_product(qa.shape[1], len(at), faiss.swig_ptr(qa[s:]), faiss.swig_ptr(rows),
                                                         faiss.swig_ptr(qb[t:]), faiss.swig_ptr(cols), faiss.swig_ptr(got))
                    _offer(heaps[0], s, rows, t + cols, got)  # in order of row, each row's in order of column
                    if not diag:
                        order = _by_column(cols)
                        _offer(heaps[-1], t, cols[order], s + rows[order], got[order])
            out[(a, b)] = np.where(heaps[0][2] >= 0, bpos[np.maximum(heaps[0][2], 0)], -1)
            if not same:
                out[(b, a)] = np.where(heaps[1][2] >= 0, apos[np.maximum(heaps[1][2], 0)], -1)
    return out


_BLOCK = 512  # rows and columns of one block of inner products: 1 MB of float32
# A block whose values over their columns' heaps' smallest kept are fewer than this share of it
# hands the heaps those alone; more (a heap's first blocks, which fill it), its turned copy whole.
_FEW_OFFERED = 1 / 16
_DIMS = 127  # principal directions of the bound (97% of the topic vectors' energy at 25,000): 128 columns
# A block whose pairs reaching a heap's smallest kept are more than this share of it is computed
# whole: a pair computed alone costs a few times its share of a block's product.
_FEW_REACHING = 1 / 8


def _bound_rows(mat: np.ndarray) -> tuple[np.ndarray, float]:
    """(n, d + 1) float32 rows whose inner products bound the rows of ``mat``'s from above, and the
    slack float32 rounding asks of the comparison: a row's projection on the top ``d`` principal
    directions (of a sample's second moment, in float64: orthonormal), its residual's norm
    appended, so that q.x = q_p.x_p + q_r.x_r <= q_p.x_p + |q_r||x_r| (Cauchy-Schwarz)."""
    dims = min(_DIMS, mat.shape[1])
    sample = mat[::max(1, len(mat) // 2048)].astype(np.float64)  # every n-th: the same directions each run
    _, vecs = np.linalg.eigh(sample.T @ sample)
    basis = np.ascontiguousarray(vecs[:, ::-1][:, :dims])
    out = np.empty((len(mat), dims + 1), dtype=np.float32)
    top = 0.0
    for s in range(0, len(mat), 8192):  # in float64 a slice at a time: 30 MB, not the whole matrix's 200
        wide = mat[s:s + 8192].astype(np.float64)
        proj = wide @ basis
        norm2 = np.einsum("ij,ij->i", wide, wide)
        resid = np.sqrt(np.maximum(norm2 - np.einsum("ij,ij->i", proj, proj), 0.0))
        out[s:s + 8192, :dims] = proj
        out[s:s + 8192, dims] = np.nextafter(resid.astype(np.float32), np.float32(np.inf))  # rounded up
        top = max(top, float(norm2.max()))
    # A float32 product of length n is within n * 2**-24 * |q||x| of its value (Higham's gamma_n):
    # the pair's own and the bound's, and the projections' rounding to float32; doubled.
    return out, 2 * (mat.shape[1] + dims + 3) * 2.0 ** -24 * max(top, 1.0)


def _reaching(ba: np.ndarray, bb: np.ndarray, rtop: np.ndarray, ctop: np.ndarray | None, slack: float
              ) -> np.ndarray | None:
    """Flat positions of the block's pairs whose bound reaches a heap's smallest kept, its row's
    (``rtop``) or its column's (``ctop``; None: rows alone, the diagonal left out), or None when
    the block is to be computed whole (too many pairs)."""
    bound = ba @ bb.T
    if ctop is None:
        keep = bound >= (rtop - slack)[:, None]
        np.fill_diagonal(keep, False)
    else:
        keep = bound >= np.minimum.outer(rtop - slack, ctop - slack)
    at = np.flatnonzero(keep)
    if len(at) > _FEW_REACHING * keep.size:
        return None
    return at


def _offer(heaps: tuple[object, np.ndarray, np.ndarray], i0: int, which: np.ndarray, ids: np.ndarray,
           got: np.ndarray) -> None:
    """Values ``got`` offered to heaps ``i0 + which`` (``which`` ascending: each heap's values
    together, in the order it is to see them) with ids ``ids``: one call for all, -inf pads."""
    import faiss

    counts = np.bincount(which)
    heads = np.cumsum(counts) - counts
    offered_heaps = np.flatnonzero(counts)
    line = (np.cumsum(counts > 0) - 1)[which]  # each value's heap among those offered
    slot = np.arange(len(which)) - heads[which]
    width = int(counts.max())
    offered = np.full((len(offered_heaps), width), -np.inf, dtype=np.float32)  # -inf pads: never kept
    offered_ids = np.zeros((len(offered_heaps), width), dtype=np.int64)
    at = line * width + slot
    offered.ravel()[at] = got
    offered_ids.ravel()[at] = ids
    subset = offered_heaps + i0
    heaps[0].addn_query_subset_with_ids(len(subset), faiss.swig_ptr(subset), width, faiss.swig_ptr(offered),
                                        faiss.swig_ptr(offered_ids), width)


def _offer_columns(heaps: tuple[object, np.ndarray, np.ndarray], block: np.ndarray, i0: int, j0: int) -> None:
    """Each column of ``block`` added to heap ``i0 +`` its number, with ids ``j0 +`` its row's, as
    ``addn`` adds the turned block, without turning it: a value not over its heap's smallest kept
    (``vals[:, 0]``, the heap's top) is one the heap would pass over, as the smallest kept only
    grows, so it is not offered; the others are, each heap's in order of id as ``addn`` offers them,
    so each heap makes the same insertions, into the same places. Most values are passed over (a
    heap keeps ~40 of 25,000), and the turned copy was most of what reading a block's columns cost."""
    import faiss

    heap, vals, _ = heaps
    n = block.shape[1]
    at = np.flatnonzero(block > vals[i0:i0 + n, 0])  # flat: a 2-d nonzero took 5x as long
    if len(at) > _FEW_OFFERED * block.size:
        turned = np.ascontiguousarray(block.T)
        heap.addn(turned.shape[1], faiss.swig_ptr(turned), j0, i0, turned.shape[0])
        return
    if not len(at):
        return
    row, col = np.divmod(at, n)
    order = _by_column(col)  # by heap, each heap's rows (ids) in order
    _offer(heaps, i0, col[order], row[order] + j0, block.ravel()[at[order]])


def _by_column(col: np.ndarray) -> np.ndarray:
    """The order that groups values by column (< 65,536), each column's in their order: a stable
    radix sort of 16-bit keys (numpy sorts 64-bit ones stably by a merge sort: ~7x the time here)."""
    return np.argsort(col.astype(np.uint16), kind="stable")


def _heaps(n: int, k: int) -> tuple[object, np.ndarray, np.ndarray]:
    """``n`` faiss heaps keeping ``k`` largest values each, with their values' and ids' arrays
    (ids -1 where fewer came)."""
    import faiss

    vals = np.zeros((n, k), dtype=np.float32)
    ids = np.zeros((n, k), dtype=np.int64)
    heaps = faiss.float_minheap_array_t()
    heaps.k, heaps.nh = k, n
    heaps.val, heaps.ids = faiss.swig_ptr(vals), faiss.swig_ptr(ids)
    heaps.heapify()
    return heaps, vals, ids


def load_search() -> None:
    """Load faiss, which brings an OpenMP and an OpenBLAS of its own: a thread limit
    (threadpoolctl) reaches only the libraries loaded when it is taken, so a caller limiting the
    search's threads loads them first (imported here, not with this module: most commands never
    search)."""
    import faiss  # noqa: F401


def _few(queries: np.ndarray, vecs: np.ndarray, take: int) -> tuple[np.ndarray, np.ndarray]:
    """Each query's ``take`` best rows of ``vecs`` by float32 inner product, in no order (they are
    re-ranked in float64), and those products: one product in this thread."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        score = queries @ vecs.T
    idx = (np.argpartition(-score, take - 1, axis=1)[:, :take] if take < score.shape[1]
           else np.broadcast_to(np.arange(score.shape[1]), score.shape).copy())
    return idx, np.take_along_axis(score, idx, axis=1)


def _cosines(mat: np.ndarray, queries: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """Float64 cosine of each query and each of its candidates (-inf where none), pair by pair:
    each a sum over one contiguous row, so its bits do not depend on which other pairs are
    computed with it. A query's row is broadcast over its candidates, not gathered once per
    pair (10,000 queries of 34 candidates: 0.93 -> 0.38 s, the same bits)."""
    out = np.full(cand.shape, -np.inf)
    valid = cand >= 0
    if 2 * np.count_nonzero(valid) < valid.size:
        # Mostly padding (the kept lists a rerun's new documents enter, each row as wide as the
        # widest): the pairs alone, each the same sum over one contiguous row.
        r, c = np.nonzero(valid)
        step = _CHUNK * 32
        for s in range(0, len(r), step):
            out[r[s:s + step], c[s:s + step]] = (_wide(mat, cand[r[s:s + step], c[s:s + step]])
                                                 * _wide(mat, queries[r[s:s + step]])).sum(axis=-1)
        return out
    for s in range(0, len(cand), _CHUNK):
        c = cand[s:s + _CHUNK]
        got = (_wide(mat, np.maximum(c, 0)) * _wide(mat, queries[s:s + _CHUNK])[:, None, :]).sum(axis=-1)
        out[s:s + _CHUNK] = np.where(c >= 0, got, -np.inf)
    return out


def _wide(mat: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Those rows of ``mat`` (float32, or already float64) in float64: the same values."""
    return mat[rows].astype(np.float64, copy=False)


def _best(cand: np.ndarray, sims: np.ndarray, kk: int) -> tuple[np.ndarray, np.ndarray]:
    """The `kk` best of each row's candidates by cosine, ties by position (= id order)."""
    order = np.lexsort((np.where(cand < 0, np.iinfo(np.int64).max, cand), -sims), axis=-1)[:, :kk]
    found = np.full((len(cand), kk), -1, dtype=np.int64)
    best = np.full((len(cand), kk), -np.inf)
    found[:, :order.shape[1]] = np.take_along_axis(cand, order, axis=1)
    best[:, :order.shape[1]] = np.take_along_axis(sims, order, axis=1)
    found[~np.isfinite(best)] = -1
    return found, best


# -- storage: a code-free serialization ------------------------------------------------------
def to_bytes(nb: Neighbours) -> bytes:
    arrays = {"ids": np.frombuffer("\n".join(nb.ids).encode("utf-8"), dtype=np.uint8), "keys": nb.keys,
              "shape": np.array([nb.k, nb.k_same], dtype=np.int64)}
    for (ql, il), ls in nb.lists.items():
        arrays[f"q|{ql}|{il}"] = ls.queries
        arrays[f"f|{ql}|{il}"] = ls.found
        arrays[f"s|{ql}|{il}"] = ls.sims
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def from_bytes(data: bytes) -> Neighbours:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        text = z["ids"].tobytes().decode("utf-8")
        k, k_same = (int(x) for x in z["shape"])
        nb = Neighbours(text.split("\n") if text else [], z["keys"].astype(np.uint64), k, k_same)
        for name in z.files:
            if name.startswith("q|"):
                _, ql, il = name.split("|")
                nb.lists[(ql, il)] = Lists(z[name], z[f"f|{ql}|{il}"], z[f"s|{ql}|{il}"])
    return nb
