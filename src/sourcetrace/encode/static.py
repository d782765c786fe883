"""Static sentence vectors: one precomputed row per vocabulary piece, a sentence a sum of rows.

Candidate search only needs to know which documents are about the same thing and which may be
translations of each other; encoding every sentence with the transformer for that was two thirds
of a trace. A static encoder reads a table instead: a sentence's pieces (the source encoder's own
tokenizer) pick rows of the table, the rows are summed (piece counts times the table, a sparse
product), and a small ``finish`` step turns the sums into unit vectors. No network runs per token.

Two tables, each computed once from the installed model (nothing is downloaded) and kept in the
user's cache folder (``$SOURCETRACE_CACHE``, else platformdirs' ``user_cache_dir``) under a key
made of the source encoder's name and the table's settings:

* :class:`USETokenTable` (``get_encoder("static")``, what candidate search uses): USE's own token
  layer with no context. USE reads a sentence as token features (embedding plus n-gram CNNs)
  summed, divided by the square root of the length, then a small feed-forward head. Here each
  piece's features are computed once as if its neighbours were padding and projected, so a
  sentence costs a sum of rows and one pass through the head. Tatoeba ara-eng (bench/tatoeba.py):
  nearest neighbour 0.47 against USE's 0.80, but planted translations of a 2,000-document corpus
  are all among each other's nearest documents (bench/candidates.py --calibrate); about 25x faster
  than USE on news sentences. The table (128,000 x 512) takes about 25 s once.
* :class:`DistilledTable` (``get_encoder("m2v")``): the model2vec method, for any encoder: each
  piece encoded alone by the encoder, PCA-reduced, weighted by rarity (SIF), a sentence the mean
  of its pieces' rows. Works for a plugged-in encoder with a SentencePiece model, but loses more
  of USE's cross-language space (Tatoeba ara-eng nearest neighbour 0.19).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np
from scipy.sparse import csr_matrix

from sourcetrace.encode.base import Encoder, LazyBatchEncoder, l2_normalize, strip_arabic_marks
from sourcetrace.encode.products import fixed_block_product

DISTILL_VERSION = 1  # bump when a table's making changes, so cached tables are made again
DIMS = 256  # PCA components a distilled table keeps (model2vec's default)
SIF_A = 1e-4  # SIF smoothing: a piece as frequent as this weighs half as much as a rare one
BUILD_BATCH = 4096  # pieces computed at a time (bounded memory while a table is made)
SUM_METHOD = "csr"  # how a batch's rows are summed (see StaticEncoder.encode)
# The head (``finish``'s matrix products) runs once over many groups' rows, HEAD_ROWS at a time,
# for groups of HEAD_FROM rows or more, and a smaller group's alone. Written when plain products
# gave a row its own bits from 7 rows on; USETokenTable's head now takes fixed blocks
# (encode/products.py: its own bits at any count, exact32), so the split only keeps the batches
# as they were. Per group, the head was 54% of the topics stage (py-spy, 10,000 documents).
HEAD_FROM = 7
HEAD_ROWS = 256


def cache_dir() -> Path:
    """Where tables are kept: ``$SOURCETRACE_CACHE``, else the user's cache folder."""
    env = os.environ.get("SOURCETRACE_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("sourcetrace"))


def table_path(key: str) -> Path:
    """The cache file of the table ``key`` names (its source and settings)."""
    return cache_dir() / "static" / f"{hashlib.sha1(key.encode()).hexdigest()[:20]}.npy"


def cached_table(key: str, rows: int, build: Callable[[], np.ndarray]) -> np.ndarray:
    """The table (float16: half the memory, and rows are summed in float32) from the cache, or
    built now and written there (atomically: a killed run leaves no half table). A cached table that cannot be read, or has another number of rows,
    is built again; a cache that cannot be written costs a rebuild next time, nothing else."""
    path = table_path(key)
    if path.exists():
        try:
            # Mapped, not read: an encode reads only the rows of its pieces (a rerun's few new
            # documents read a few MB of the 131 MB it read whole), and processes share the pages.
            table = np.load(path, mmap_mode="r", allow_pickle=False)
            if table.ndim == 2 and table.shape[0] == rows and table.dtype == np.float16:
                return table
        except (OSError, ValueError, EOFError):
            pass
    table = build().astype(np.float16)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as f:
            np.save(f, table)
        os.chmod(f.name, 0o644)
        os.replace(f.name, path)
    except OSError:
        pass
    return table


class StaticTable(Protocol):
    """What a :class:`StaticEncoder` reads: a key naming the table (the cache key, part of the
    encoder's name), the table's rows, each text's piece ids, and how sums become vectors. A
    table may also give ``piece_ids(texts)``: :func:`flat_ids` of ``ids(texts)``, read faster."""

    key: str

    def rows(self) -> int: ...

    def build(self) -> np.ndarray: ...

    def ids(self, texts: Sequence[str]) -> list[list[int]]: ...

    def finish(self, sums: np.ndarray, lengths: np.ndarray) -> np.ndarray: ...


def flat_ids(ids: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Each text's number of pieces and all their ids in a row (int64), from lists of ids."""
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    return lengths, np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))


# Distinct words a :class:`WordPieces` keeps (their ids, a few each) before it starts again: a
# planted 25,000-document corpus's topic texts hold ~10,000 words, real text far more.
WORDS_KEPT = 400_000
# Texts longer than this are read whole: the margin :class:`WordPieces` asks of a word (TIE_MARGIN)
# covers the rounding of scores summed over a text up to this long.
WORDS_UP_TO = 1000
# How much a word's best segmentation must outscore its second best, per character, to be read
# alone: SentencePiece's Viterbi sums float32 scores from the text's start, so two segmentations
# of a word within rounding of each other (an exact tie: "ti"+"titi" against "titi"+"ti") may be
# ordered one way alone and the other after a prefix. Within WORDS_UP_TO characters a running
# score stays under ~3e4 (ulp 0.004), so a pair of paths of L pieces each drift apart by under
# 0.004 L; 0.01 (L + 2) is over twice that.
TIE_MARGIN = 0.01


class WordPieces:
    """SentencePiece ids of texts read word by word: a text's pieces are its space-separated
    words' pieces in order between BOS and EOS, each distinct word tokenized once (a planted
    10,000-document corpus's 150,000 topic texts hold 13,000 distinct words; SentencePiece was a
    quarter of the topics stage). Exact for a model whose pieces hold the word mark (U+2581) at
    their start only, which prefixes the text with it and folds runs of spaces (USE's: no piece
    spans two words, so the best path is each word's best path), for words whose best path wins
    by more than rounding (:data:`TIE_MARGIN`). A text with another word, or longer than
    :data:`WORDS_UP_TO`, is read whole; a model that fails :meth:`exact`, every text."""

    def __init__(self, sp: object, limit: int = WORDS_KEPT) -> None:
        self.sp = sp
        self.limit = limit
        self.bos, self.eos = int(sp.bos_id()), int(sp.eos_id())  # type: ignore[attr-defined]
        self.word_ok = self.exact(sp)
        # One call for every id (SentencePiece's list form): a call an id was ~0.03 s of a rerun's topics.
        self.scores = np.array(sp.get_score(list(range(sp.get_piece_size()))))  # type: ignore[attr-defined]
        self._clear()

    @staticmethod
    def exact(sp: object) -> bool:
        """Whether ``sp``'s pieces never hold the word mark but at their start, and it reads
        spaces as this class assumes (a dummy prefix, runs of spaces folded)."""
        mark = "\u2581"
        pieces = sp.id_to_piece(list(range(sp.get_piece_size())))  # type: ignore[attr-defined]
        if any(mark in piece[1:] for piece in pieces):
            return False
        probe = "  ab   cd ef  "
        whole = sp.encode(probe, out_type=int)  # type: ignore[attr-defined]
        return whole == [i for w in probe.split(" ") for i in sp.encode(w, out_type=int)]  # type: ignore[attr-defined]

    def _clear(self) -> None:
        self.index: dict[str, int] = {}  # word -> its place
        self.places = 0
        self.starts = np.zeros(1024, dtype=np.int64)  # each place's first id in ``flat``
        self.counts = np.zeros(1024, dtype=np.int64)
        self.safe = np.zeros(1024, dtype=bool)  # the place's word may be read alone
        self.flat = np.zeros(4096, dtype=np.int64)
        self.size = 0
        self._add([[self.bos], [self.eos]], [True, True])  # places 0 and 1

    def _add(self, pieces: list[list[int]], safe: list[bool]) -> None:
        lengths, ids = flat_ids(pieces)
        n, m = len(pieces), len(ids)
        if self.places + n > len(self.starts):
            grow = max(2 * len(self.starts), self.places + n)
            self.starts, self.counts, self.safe = (np.resize(x, grow) for x in (self.starts, self.counts, self.safe))
        if self.size + m > len(self.flat):
            self.flat = np.resize(self.flat, max(2 * len(self.flat), self.size + m))
        self.counts[self.places:self.places + n] = lengths
        self.starts[self.places:self.places + n] = self.size + np.cumsum(lengths) - lengths
        self.safe[self.places:self.places + n] = safe
        self.flat[self.size:self.size + m] = ids
        self.places += n
        self.size += m

    def _learn(self, words: list[str]) -> None:
        """Each new word's ids, and whether its best path wins by :data:`TIE_MARGIN`."""
        sp = self.sp
        best = sp.encode(words, out_type=int, num_threads=1)  # type: ignore[attr-defined]
        safe = []
        for w, ids in zip(words, best, strict=True):
            two = sp.nbest_encode(w, nbest_size=2, out_type=int)  # type: ignore[attr-defined]
            if len(two) < 2:
                safe.append(len(two) == 1 and two[0] == ids)
                continue
            gap = self.scores[two[0]].sum() - self.scores[two[1]].sum()
            safe.append(two[0] == ids and gap > TIE_MARGIN * (len(w) + 2))
        self.index.update(zip(words, range(self.places, self.places + len(words)), strict=True))
        self._add(best, safe)

    def piece_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's number of pieces (BOS and EOS included) and all their ids in a row: what
        ``sp.encode(texts, add_bos=True, add_eos=True)`` gives, flattened."""
        texts = list(texts)
        short = np.fromiter((len(t) <= WORDS_UP_TO for t in texts), dtype=bool, count=len(texts))
        if not self.word_ok or not short.any():
            return self._whole(texts)
        words = [t.split(" ") for t, ok in zip(texts, short.tolist(), strict=True) if ok]
        new = [w for w in {w for ws in words for w in ws} if w not in self.index]
        if len(self.index) + len(new) > self.limit:
            self._clear()
            new = list({w for ws in words for w in ws})
        if new:
            self._learn(new)
        get = self.index.__getitem__
        n = len(words)
        per_text = np.fromiter(map(len, words), dtype=np.int64, count=n) + 2
        ends = np.cumsum(per_text)
        firsts = ends - per_text
        places = np.empty(int(ends[-1]), dtype=np.int64)
        inner = np.ones(len(places), dtype=bool)
        inner[firsts] = inner[ends - 1] = False
        places[firsts], places[ends - 1] = 0, 1
        places[inner] = np.fromiter(chain.from_iterable(map(get, ws) for ws in words), dtype=np.int64,
                                    count=len(places) - 2 * n)
        counts = self.counts[places]  # ids of each word in place, BOS and EOS one each
        lengths = np.add.reduceat(counts, firsts)
        before = np.cumsum(counts) - counts
        cols = self.flat[np.repeat(self.starts[places] - before, counts) + np.arange(int(before[-1] + counts[-1]))]
        alone = np.add.reduceat(~self.safe[places], firsts) == 0  # every word of the text safe
        if alone.all() and short.all():
            return lengths, cols
        by_words = np.zeros(len(texts), dtype=bool)
        by_words[np.flatnonzero(short)[alone]] = True
        keep = np.repeat(alone, lengths)
        rest_lengths, rest_cols = self._whole([t for t, w in zip(texts, by_words.tolist(), strict=True) if not w])
        out_lengths = np.zeros(len(texts), dtype=np.int64)
        out_lengths[by_words], out_lengths[~by_words] = lengths[alone], rest_lengths
        out_cols = np.zeros(int(out_lengths.sum()), dtype=np.int64)
        mine = np.repeat(by_words, out_lengths)
        out_cols[mine], out_cols[~mine] = cols[keep], rest_cols
        return out_lengths, out_cols

    def _whole(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return flat_ids(self.sp.encode(texts, out_type=int, add_bos=True, add_eos=True,  # type: ignore[attr-defined]
                                       num_threads=1))


# Rows a :class:`RowMemo` keeps at most (2 KB each at USE's 512 dimensions): a planted 25,000-document
# corpus's topic texts met more than once are 22,853.
MEMO_ROWS = 50_000


class RowMemo:
    """Finished rows of texts a :class:`StaticEncoder` met before, across its ``encode_each`` calls
    (one encoder's, under one thread setting): only rows of groups of :data:`HEAD_FROM` rows or
    more, whose bits do not depend on the rows beside them, and only from a text's second sight
    on (most texts are met once), up to ``limit`` rows."""

    def __init__(self, limit: int = MEMO_ROWS) -> None:
        self.limit = limit
        self.seen: set[int] = set()  # hashes of texts met once (a collision only keeps a row more)
        self.rows: dict[str, np.ndarray] = {}

    def met(self, texts: Sequence[str], rows: np.ndarray, at: np.ndarray, again: np.ndarray) -> None:
        """Each of ``texts``' finished row computed (``rows[at[j]]`` the row of ``texts[j]``);
        ``again``: per text, whether it was met more than once already. One pass over the texts'
        hashes, not a call per text (the memo's loops were a tenth of the static head's thread:
        1.5 of 16.4 CPU s at 25,000 documents, bench/README topics34)."""
        keys = list(map(hash, texts))  # a str caches its hash: computed as a key of the batch's texts
        seen = self.seen
        keep = [j for j, (k, a) in enumerate(zip(keys, again.tolist(), strict=True)) if a or k in seen]
        for j in keep[:max(self.limit - len(self.rows), 0)]:
            self.rows[texts[j]] = rows[at[j]].copy()
        seen.update(keys)


class StaticEncoder:
    """An :class:`~sourcetrace.encode.base.Encoder` over a :class:`StaticTable`; the table is read
    from the cache (or made) on the first ``encode``."""

    def __init__(self, table: StaticTable, dim: int,
                 preprocess: Callable[[str], str] | None = strip_arabic_marks) -> None:
        self.source = table
        self.dim = dim
        self.table_key = f"static{DISTILL_VERSION}:{table.key}"
        # The sum's method is part of the name (topic vectors cached by it): another order of
        # summing differs in the last bits, and a rerun must answer as a fresh run.
        self.name = f"{self.table_key}:{SUM_METHOD}"
        self._preprocess = preprocess
        self._table: np.ndarray | None = None
        self._lock = threading.Lock()

    def table(self) -> np.ndarray:
        with self._lock:
            if self._table is None:
                self._table = cached_table(self.table_key, self.source.rows(), self.source.build)
            return self._table

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            texts = [texts]
        return self.encode_each([texts])[0]

    def encode_each(self, groups: Sequence[Sequence[str]], memo: RowMemo | None = None) -> list[np.ndarray]:
        """Each group's vectors, bit for bit what :meth:`encode` gives the group alone: the pieces
        of every distinct text of the groups are read and summed once (each row's sum is its own
        pieces' in order, whatever else is in the batch), and the head runs once per distinct text
        of the groups where a row's bits do not depend on the rows beside it (:data:`HEAD_FROM`),
        over many such rows at once, else per group. Voting vectors are encoded alone, one
        document at a time, and the per-call overhead was most of their cost; a text repeated
        across groups (a press office's line atop its releases: 18% of a planted 25,000-document
        corpus's topic rows) costs one row. ``memo``: rows of such texts kept across calls."""
        sizes = [len(g) for g in groups]
        if not sum(sizes):
            return [np.zeros((0, self.dim), dtype=np.float32) for _ in groups]
        place: dict[str, int] = {}  # each distinct text's row, in order of first sight
        where = np.fromiter((place.setdefault(t, len(place)) for g in groups for t in g), dtype=np.int64,
                            count=sum(sizes))
        texts = list(place)
        sums, lens = self.piece_sums(texts)
        at = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=at[1:])
        grouped = np.repeat(np.asarray(sizes) >= HEAD_FROM, sizes)  # rows of groups of HEAD_FROM rows or more
        done = self._headed(texts, np.bincount(where[grouped], minlength=len(texts)), sums, lens, memo)
        out = [np.zeros((0, self.dim), dtype=np.float32) for _ in sizes]
        for g, n in enumerate(sizes):
            rows = where[at[g]:at[g + 1]]
            if n >= HEAD_FROM:
                out[g] = done[rows]
            elif n:
                out[g] = self.finished(sums[rows], lens[rows])
        return out

    def _headed(self, texts: list[str], uses: np.ndarray, sums: np.ndarray, lens: np.ndarray,
                memo: RowMemo | None) -> np.ndarray:
        """The finished rows of the texts used (``uses``: how many times each is) by groups of
        :data:`HEAD_FROM` rows or more: from ``memo``, else the head run over ``HEAD_ROWS`` rows
        at a time (never fewer than HEAD_FROM: a lone last row is run beside others again)."""
        done = np.zeros((len(texts), self.dim), dtype=np.float32)
        used = np.flatnonzero(uses)
        if memo is not None and memo.rows:
            kept = list(map(memo.rows.get, [texts[i] for i in used.tolist()]))
            hit = np.fromiter((r is not None for r in kept), dtype=bool, count=len(kept))
            if hit.any():
                done[used[hit]] = np.stack([r for r in kept if r is not None])
            todo = used[~hit]
        else:
            todo = used
        if not len(todo):
            return done
        run = todo
        if len(run) < HEAD_FROM:  # too few rows for their bits not to depend on the rows beside them
            run = np.resize(run, HEAD_FROM)
        cuts = list(range(0, len(run), HEAD_ROWS))
        if len(run) - cuts[-1] < HEAD_FROM and len(cuts) > 1:
            cuts.pop()  # the short last rows join the block before
        for start, end in zip(cuts, [*cuts[1:], len(run)], strict=True):
            done[run[start:end]] = self.finished(sums[run[start:end]], lens[run[start:end]])
        if memo is not None:
            memo.met([texts[i] for i in todo.tolist()], done, todo, uses[todo] > 1)
        return done

    def piece_sums(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's piece rows summed, and its piece count (at least 1): row by row the same
        whatever else is in the batch, so a caller may keep them and give them to
        :meth:`finished` later (the same vectors as :meth:`encode` for the same rows)."""
        table = self.table()
        items = [self._preprocess(t) if self._preprocess else t for t in texts]
        flat = getattr(self.source, "piece_ids", None)  # a table may read them faster than as lists
        lengths, cols = flat(items) if flat is not None else flat_ids(self.source.ids(items))
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        # Each text's piece counts (a sparse row) times the rows of the pieces the batch uses (in
        # float32: scipy's product has no float16), never a (pieces x dim) gathered copy: that
        # copy and its float16 -> float32 pass were 19% of a 10,000-document trace's CPU (py-spy).
        # The pieces used, in order, and each piece's place among them: for a large batch from a
        # mark per table row, not np.unique's sort of every piece (a tenth of the topics stage);
        # a few texts (a query, a pair's sentences) sort their few pieces, not the whole table.
        if len(cols) * 8 >= len(table):
            mark = np.zeros(len(table), dtype=bool)
            mark[cols] = True
            used = np.flatnonzero(mark)
            col = (np.cumsum(mark) - 1)[cols]
        else:
            used, col = np.unique(cols, return_inverse=True)
            col = col.reshape(-1)
        counts = csr_matrix((np.ones(len(cols), dtype=np.float32), col, starts),
                            shape=(len(lengths), len(used)))
        sums = np.asarray(counts @ table[used].astype(np.float32), dtype=np.float32)
        return sums, np.maximum(lengths, 1).astype(np.float32)

    def finished(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """Unit vectors of texts from their :meth:`piece_sums` (rows in order)."""
        return l2_normalize(self.source.finish(sums, lens))


# -- USE's token layer, without context ----------------------------------------------------------------
class USETokenTable:
    """Each USE piece's projected token features with padding for neighbours; ``finish`` is USE's
    own head (the USE encoder's forward pass: the same weights, the same arithmetic, per sentence)."""

    def __init__(self, use: Encoder) -> None:
        self.use = use
        self.key = f"use-tokens@{use.name}"
        self._backend: object | None = None
        self._words: WordPieces | None = None

    def backend(self) -> object:
        """The USE encoder's forward pass with its weights (loaded once for both)."""
        if self._backend is None:
            use = self.use
            if not isinstance(use, LazyBatchEncoder):
                raise TypeError("the USE token table needs the USE encoder")
            with use._lock:
                if use._model is None:
                    use._model = use._load()
            self._backend = use._model
        return self._backend

    def rows(self) -> int:
        return int(self.backend().table.shape[0])  # type: ignore[attr-defined]

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        # One thread: a list is otherwise cut among a pool of threads started per call, which cost
        # the voting vectors' workers (one per core already) more wall than the pieces (py-spy).
        return self.backend().sp.encode(list(texts), out_type=int, add_bos=True, add_eos=True,  # type: ignore[attr-defined]
                                        num_threads=1)

    def piece_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`ids` flattened (:func:`flat_ids`), read word by word (:class:`WordPieces`)."""
        if self._words is None:
            self._words = WordPieces(self.backend().sp)  # type: ignore[attr-defined]
        return self._words.piece_ids(texts)

    def build(self) -> np.ndarray:
        """The table: per piece id, its features as USE computes them for a token whose n-gram
        windows hold only itself, projected by the output matrix (the projection commutes with
        the sum over tokens, so it is done here once per piece)."""
        from sourcetrace.encode.use_forward import BRANCHES, CHUNKS, CNN, layernorm

        b = self.backend()
        n_rows = self.rows()
        out = np.zeros((n_rows, b.cnn_W.shape[1]), dtype=np.float32)  # type: ignore[attr-defined]
        for start in range(0, n_rows, BUILD_BATCH):
            ids = np.arange(start, min(n_rows, start + BUILD_BATCH))
            chunk = ids % CHUNKS
            emb = b.table[ids].astype(np.float32) * b.scale[chunk, None] + b.lo[chunk, None]  # type: ignore[attr-defined]
            x = layernorm(emb @ b.proj_W + b.proj_b, b.proj_g, b.proj_beta, b.eps)  # type: ignore[attr-defined]
            feats = [emb]
            for i, (_, left) in enumerate(BRANCHES):
                xs = x[:, i * CNN:(i + 1) * CNN]
                # The tap of the window's slot of the token itself.
                (w1, w2), (b1, b2) = b.taps[i], b.conv_b[i]  # type: ignore[attr-defined]
                h = np.maximum(xs @ w1[left].T + b1, 0) + xs
                feats.append(np.maximum(h @ w2[left].T + b2, 0) + h)
            f = layernorm(np.concatenate(feats, axis=1), b.ln_g, b.ln_b, b.eps)  # type: ignore[attr-defined]
            out[start:start + len(ids)] = f @ b.cnn_W + b.cnn_b  # type: ignore[attr-defined]
        return out

    def finish(self, sums: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        b = self.backend()
        mean = sums / np.sqrt(lengths)[:, None]
        w = b.head  # type: ignore[attr-defined]
        # In fixed blocks of rows: a text's row is the same bits whatever rows are beside it.
        a, c = b.split  # type: ignore[attr-defined]
        both = fixed_block_product(mean, w["d0p1"])  # USE's head (USEForward._head), in its calls
        y0 = np.maximum(both[:, :a], 0)
        y1 = np.maximum(both[:, a:] + fixed_block_product(y0, w["d1"]), 0)
        both = fixed_block_product(y1, w["d2p3"])
        y2 = np.maximum(both[:, :c], 0)
        return np.tanh(both[:, c:] + fixed_block_product(y2, w["d3"]))


# -- model2vec: any encoder, each piece encoded alone ----------------------------------------------------
class PieceTokenizer(Protocol):
    """The tokenizer a distilled table shares with its encoder: ``name`` identifies the model,
    ``pieces`` are the vocabulary's texts as the encoder should read them alone ("" for control
    pieces), ``log_probs`` their unigram log probabilities, ``ids`` each text's piece ids."""

    name: str

    def pieces(self) -> list[str]: ...

    def log_probs(self) -> np.ndarray: ...

    def ids(self, texts: Sequence[str]) -> list[list[int]]: ...


class SentencePieceTokenizer:
    """A SentencePiece model file (a unigram model's scores are its pieces' log probabilities)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        import sentencepiece

        self.path = Path(path)
        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(self.path))
        self.name = f"sentencepiece-{hashlib.sha1(self.path.read_bytes()).hexdigest()[:12]}"

    def pieces(self) -> list[str]:
        out = []
        for i in range(self.sp.get_piece_size()):
            special = self.sp.is_control(i) or self.sp.is_unknown(i) or self.sp.is_unused(i)
            out.append("" if special else self.sp.id_to_piece(i).replace("\u2581", " ").strip())
        return out

    def log_probs(self) -> np.ndarray:
        return np.array([self.sp.get_score(i) for i in range(self.sp.get_piece_size())], dtype=np.float64)

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return self.sp.encode(list(texts), out_type=int)


class DistilledTable:
    """model2vec: each piece's vector from the encoder, PCA (centring removes the direction every
    piece shares), SIF weights ``a / (a + p)``; a sentence the mean of its rows."""

    def __init__(self, encoder: Encoder, tokenizer: PieceTokenizer, *, dims: int = DIMS, sif_a: float = SIF_A) -> None:
        self.encoder, self.tokenizer, self.dims, self.sif_a = encoder, tokenizer, dims, sif_a
        self.key = f"m2v:{dims}:{sif_a:g}:{tokenizer.name}@{encoder.name}"

    def rows(self) -> int:
        return len(self.tokenizer.pieces())

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return self.tokenizer.ids(texts)

    def build(self) -> np.ndarray:
        texts = self.tokenizer.pieces()
        keep = [i for i, t in enumerate(texts) if t]
        raw = np.zeros((len(keep), self.encoder.dim), dtype=np.float32)
        for b in range(0, len(keep), BUILD_BATCH):
            idx = keep[b:b + BUILD_BATCH]
            raw[b:b + len(idx)] = self.encoder.encode([texts[i] for i in idx])
        # Components from the (dim x dim) covariance: an SVD of the whole table spent minutes on U.
        centred = raw - raw.mean(axis=0, keepdims=True)
        _, vecs = np.linalg.eigh((centred.T @ centred).astype(np.float64))
        reduced = centred @ vecs[:, ::-1][:, :min(self.dims, vecs.shape[1])].astype(np.float32)
        logp = self.tokenizer.log_probs()[keep]
        p = np.where(np.isfinite(logp) & (logp < 0), np.exp(np.minimum(logp, 0.0)), 0.0)
        table = np.zeros((len(texts), reduced.shape[1]), dtype=np.float32)
        table[keep] = reduced * (self.sif_a / (self.sif_a + p))[:, None]
        return table

    def finish(self, sums: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        return sums / lengths[:, None]
