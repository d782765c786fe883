"""A search process's read-only copy in memory of what a quote search reads of the quote index.

A web worker searches the same store for hours: reading each query's hundred and fifty candidate
sentences with their labels from SQLite, and ranking the query's words with FTS5's BM25, cost a
third of a search's CPU (10,000 documents: 1.4 and 2.6 ms of 11). The copy holds, by sentence
number, each indexed sentence that resolves (its document, span, language, text and numbers), the
labels of the indexed documents, and the FTS index's postings (term -> rows with their counts,
each row's length in tokens), which :meth:`QuoteSnapshot.match` ranks with numpy by FTS5's own
BM25 formula, operation for operation, so the candidates and their order are the ones FTS5 gives.

It is read from the store once (:meth:`QuoteSnapshot.load`, a worker's warm-up) and brought up
to date by each search (:meth:`QuoteSnapshot.refresh`) when the store has changed since: the
documents indexed since (by this process or another: their numbers are the next ones, never
reused) are added, their words tokenized by SQLite's own tokenizer, and the sentences of
documents indexed again or removed stop resolving, as in the store. A search that finds no copy
loaded reads the store itself (the CLI's one search would spend more loading one).
"""

from __future__ import annotations

import math
import threading
import weakref
from array import array
from dataclasses import dataclass

import numpy as np

from sourcetrace.quotes.index import lexical_text
from sourcetrace.quotes.words import plain_word_ids
from sourcetrace.records import DocumentLabel, IndexedSentence
from sourcetrace.store.sqlite import Store

# FTS5's bm25() constants (fts5_aux.c), and its terms computed in its order: the same doubles, so
# equal scores tie and unequal ones order as in FTS5.
K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class _State:
    """One generation of the copy; replaced whole, never changed, so searches read it unlocked."""

    key: tuple[int, int, int]  # Store.quote_state() when it was read
    next: int  # sentences numbered below this are in the copy
    ranges: dict[str, tuple[int, int]]  # each indexed document's (first number, sentences)
    labels: dict[str, DocumentLabel]
    doc_ids: list[str]  # documents by index
    # By sentence number: its document's index (-1: none, or it no longer resolves), span,
    # language index, text (UTF-8, from offset to offset), and numbers where it states any.
    # (arrays, not numpy's: an element read is a plain int at once, and a search reads 150 each)
    doc_of: array
    starts: array
    ends: array
    lang_of: bytearray
    langs: list[str]
    text_at: array
    texts: bytes
    numbers_at: array  # likewise the numbers it states, space-separated (ASCII)
    numbers: bytes
    # The FTS index: term -> its postings indptr[t]:indptr[t + 1] in rows (ascending) and counts.
    vocab: dict[str, int]
    indptr: np.ndarray
    rows: np.ndarray
    counts: np.ndarray
    lengths: np.ndarray  # tokens of each row (float64, as bm25 divides them)
    n_rows: int  # rows and tokens of the whole index, as FTS5 counts them
    avgdl: float
    # By sentence number: its plain words as ids of `words` (words.py; the word check before
    # alignment reads them), and 1 where its alignment tokens are not those words.
    words: dict[str, int]
    word_at: np.ndarray
    word_ids: np.ndarray
    joined: bytearray


class QuoteSnapshot:
    """The copy of one store's quote index in this process (see the module's docstring)."""

    _loaded: dict[str, QuoteSnapshot] = {}
    _loaded_lock = threading.Lock()

    def __init__(self, state: _State) -> None:
        self.state = state
        self.lock = threading.Lock()
        # Per connection, the store's version in which the copy was last found current.
        self._seen: weakref.WeakKeyDictionary[Store, tuple[int, int]] = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, store: Store) -> QuoteSnapshot | None:
        """The copy loaded for this store in this process, if any."""
        return cls._loaded.get(str(store.path))

    @classmethod
    def load(cls, store: Store) -> QuoteSnapshot:
        """Read the store's quote index into memory (once per process and store)."""
        with cls._loaded_lock:
            found = cls._loaded.get(str(store.path))
            if found is None:
                found = cls._loaded[str(store.path)] = cls(_read(store))
            return found

    def refresh(self, store: Store) -> _State:
        """The copy, brought up to date first if the store has changed since it was last looked at."""
        version = store.version()
        if self._seen.get(store) == version:
            return self.state
        with self.lock:
            key = store.quote_state()
            if key != self.state.key:
                self.state = _updated(self.state, store, key)
            # The version read before looking: a commit made since is looked at next time (and
            # so, once, are the copy's own writes to its temporary table of new rows).
            self._seen[store] = version
        return self.state


def term_counts(state: _State, terms: set[str]) -> dict[str, int]:
    """How many rows of the FTS index hold each term (0: none), as ``quote_vocab`` counts them."""
    out = {}
    for t in terms:
        i = state.vocab.get(t)
        out[t] = 0 if i is None else int(state.indptr[i + 1] - state.indptr[i])
    return out


def match(state: _State, terms: list[str], limit: int, every: bool = False) -> list[int]:
    """:meth:`Store.match_sentences` on the copy: the rows holding any of `terms` (all with
    `every`), best BM25 first, ties by row (FTS5's order), at most `limit`."""
    ids = [state.vocab.get(t) for t in terms]
    if not terms or (every and None in ids):
        return []
    spans = [(state.indptr[i], state.indptr[i + 1]) for i in ids if i is not None]
    if every:
        postings = [state.rows[s:e] for s, e in spans]
        found = min(postings, key=len)
        for rows in postings:
            at = np.minimum(np.searchsorted(rows, found), len(rows) - 1)
            found = found[rows[at] == found]
        if len(found) == 0:
            return []
        # each term's postings of the rows found, term after term (the order bm25 adds them in)
        at = np.concatenate([s + np.searchsorted(rows, found) for (s, _), rows in zip(spans, postings, strict=True)])
        inverse = np.tile(np.arange(len(found)), len(spans))
    else:
        at = np.concatenate([np.arange(s, e) for s, e in spans])
        found, inverse = np.unique(state.rows[at], return_inverse=True)
    # rows holding each term: its phrase's hits as bm25 counts them
    idf = np.repeat([_idf(state.n_rows, e - s) for s, e in spans], [len(inverse) // len(spans)] * len(spans)
                    if every else [e - s for s, e in spans])
    f = state.counts[at].astype(np.float64)
    lengths = state.lengths[state.rows[at]]
    # score += aIDF[i] * ((aFreq[i] * (k1 + 1.0)) / (aFreq[i] + k1 * (1 - b + b * D / avgdl))), phrase
    # after phrase from 0.0 (bincount adds its weights in their order)
    score = np.bincount(inverse, weights=idf * ((f * (K1 + 1.0)) / (f + K1 * ((1 - B) + (B * lengths) / state.avgdl))),
                        minlength=len(found))
    rank = -score
    if len(found) > limit:
        cut = np.argpartition(rank, limit - 1)[:limit]
        keep = np.flatnonzero(rank <= rank[cut].max())  # every row tied at the edge, for the order by row
    else:
        keep = np.arange(len(found))
    order = keep[np.lexsort((found[keep], rank[keep]))][:limit]
    return found[order].tolist()


def _idf(n_rows: int, hits: int) -> float:
    """bm25's idf of a phrase `hits` rows hold, as FTS5 computes it (never 0 or below)."""
    idf = math.log((n_rows - hits + 0.5) / (hits + 0.5))
    return idf if idf > 0.0 else 1e-6


def labelled_sentences(state: _State, numbers: list[int]) -> tuple[dict[int, IndexedSentence], dict[str, DocumentLabel]]:
    """:meth:`Store.labelled_sentences` on the copy (the same sentences, in the same order)."""
    found, labels = placed(state, numbers)
    return {k: sentence(state, k) for k in found}, labels


def placed(state: _State, numbers: list[int]) -> tuple[dict[int, tuple[str, str]], dict[str, DocumentLabel]]:
    """The (document, language) of each sentence number that resolves, in the order of
    :func:`labelled_sentences`, and the labels of their documents: a search ranks its hundred
    and fifty candidates on these, their cosines and numbers (:func:`numbers_of`), and reads the
    text of a third of them (:func:`sentence`)."""
    wanted = np.fromiter(set(numbers), np.int64)
    wanted = wanted[(wanted >= 0) & (wanted < state.next)]
    docs = np.frombuffer(state.doc_of, np.int64)[wanted]
    keep = docs >= 0
    wanted, docs = wanted[keep].tolist(), docs[keep].tolist()
    doc_ids, langs, lang_of = state.doc_ids, state.langs, state.lang_of
    found = {k: (doc_ids[d], langs[lang_of[k]]) for k, d in zip(wanted, docs, strict=True)}
    labels = {doc_ids[d]: label for d in set(docs) if (label := state.labels.get(doc_ids[d])) is not None}
    return found, labels


def numbers_of(state: _State, k: int) -> tuple[int, ...]:
    """The numbers sentence `k` states (one :func:`placed` found)."""
    stated = state.numbers[state.numbers_at[k]:state.numbers_at[k + 1]]
    return tuple(map(int, stated.split())) if stated else ()


def sentence(state: _State, k: int) -> IndexedSentence:
    """The sentence numbered `k` (one :func:`placed` found)."""
    return IndexedSentence(state.doc_ids[state.doc_of[k]], state.starts[k], state.ends[k],
                           state.langs[state.lang_of[k]], state.texts[state.text_at[k]:state.text_at[k + 1]].decode(),
                           numbers_of(state, k))


def _read(store: Store) -> _State:
    key = store.quote_state()
    empty = _State(key=(1, 0, 0), next=1, ranges={}, labels={}, doc_ids=[], doc_of=array("q", [-1]),
                   starts=array("q", [0]), ends=array("q", [0]), lang_of=bytearray(1),
                   langs=[], text_at=array("q", [0, 0]), texts=b"", numbers_at=array("q", [0, 0]),
                   numbers=b"", vocab={},
                   indptr=np.zeros(1, np.int64), rows=np.zeros(0, np.int32), counts=np.zeros(0, np.uint16),
                   lengths=np.zeros(1), n_rows=0, avgdl=1.0, words={}, word_at=np.zeros(2, np.int64),
                   word_ids=np.zeros(0, np.int32), joined=bytearray(1))
    with store.unmapped():
        return _updated(empty, store, key, store.quote_instances())


def _updated(old: _State, store: Store, key: tuple[int, int, int], instances=None) -> _State:
    """`old` with the documents indexed since (their sentences, labels and postings) and without
    the sentences that no longer resolve. `instances`: the whole FTS index's (term, row), else
    the new rows' are tokenized here."""
    nxt = key[0]
    ranges = store.quote_ranges()
    size = max(nxt, old.next)
    grow = size - old.next
    doc_of = array("q", old.doc_of)
    doc_of.extend([-1] * grow)
    # documents gone or indexed again: their old numbers no longer resolve
    for doc, span in old.ranges.items():
        if ranges.get(doc) != span:
            doc_of[span[0]:span[0] + span[1]] = array("q", [-1] * span[1])
    starts, ends, lang_of = array("q", old.starts), array("q", old.ends), bytearray(old.lang_of)
    starts.extend([0] * grow)
    ends.extend([0] * grow)
    lang_of.extend(bytes(grow))
    lens, numbers_lens = _lengths(old.text_at, size), _lengths(old.numbers_at, size)
    doc_ids, labels, langs = list(old.doc_ids), dict(old.labels), list(old.langs)
    index_of = {d: i for i, d in enumerate(doc_ids)}
    lang_index = {lang: i for i, lang in enumerate(langs)}
    blob, numbers = [old.texts], [old.numbers]
    new_rows: list[tuple[int, str]] = []
    new_numbers: list[int] = []
    for num, doc, start, end, lang, text, stated, dlang, date, title in store.quote_rows_from(old.next):
        if doc not in index_of:
            index_of[doc] = len(doc_ids)
            doc_ids.append(doc)
        if lang not in lang_index:
            lang_index[lang] = len(langs)
            langs.append(lang)
        if dlang is not None:
            labels[doc] = DocumentLabel(doc, dlang, date, title)
        raw = text.encode()
        doc_of[num], starts[num], ends[num], lang_of[num], lens[num] = index_of[doc], start, end, lang_index[lang], len(raw)
        blob.append(raw)  # by number: the rows come in order
        if stated:
            numbers.append(stated.encode())
            numbers_lens[num] = len(numbers[-1])
        if instances is None:
            new_rows.append((num, lexical_text(text)))
        new_numbers.append(num)
    for doc in set(labels) - set(ranges):
        del labels[doc]
    text_at, numbers_at = _offsets(lens), _offsets(numbers_lens)
    vocab, indptr, rows, counts, lengths = _postings(old, instances if instances is not None else
                                                     store.quote_tokens(new_rows), size)
    n_rows, n_tokens = store.quote_fts_totals()
    word_vocab = dict(old.words)
    ids, at, joined = plain_word_ids((raw.decode() for raw in blob[1:]), word_vocab)
    word_lens = np.zeros(size, np.int64)
    word_lens[:old.next] = np.diff(old.word_at)
    word_lens[new_numbers] = np.diff(at)
    joined_of = bytearray(old.joined) + bytearray(size - old.next)
    for num, flag in zip(new_numbers, joined, strict=True):
        joined_of[num] = flag
    return _State(key=key, next=size, ranges=ranges, labels=labels, doc_ids=doc_ids, doc_of=doc_of, starts=starts,
                  ends=ends, lang_of=lang_of, langs=langs, text_at=text_at, texts=b"".join(blob),
                  numbers_at=numbers_at, numbers=b"".join(numbers), vocab=vocab, indptr=indptr, rows=rows, counts=counts, lengths=lengths,
                  n_rows=n_rows, avgdl=(n_tokens / n_rows) if n_rows else 1.0, words=word_vocab,
                  word_at=np.concatenate([[0], np.cumsum(word_lens)]), word_ids=np.concatenate([old.word_ids, ids]),
                  joined=joined_of)


def _lengths(offsets: array, size: int) -> array:
    """The lengths between consecutive `offsets`, then 0 up to `size` of them (numpy: a refresh
    copies every number's, 140,000 at 10,000 documents)."""
    out = array("q", np.diff(np.frombuffer(offsets, np.int64)).tobytes())
    out.frombytes(bytes(8 * (size - len(out))))
    return out


def _offsets(lengths: array) -> array:
    """Offsets from 0 of consecutive pieces of these lengths (one more than there are pieces)."""
    out = array("q", [0])
    out.frombytes(np.cumsum(np.frombuffer(lengths, np.int64)).tobytes())
    return out


def _postings(old: _State, instances, size: int):
    """`old`'s postings with the (term, row) tokens of rows after its own added (term by term,
    rows ascending: every new row is numbered after the old ones)."""
    vocab = dict(old.vocab)
    terms, at = array("q"), array("q")  # 8 bytes a token (2.5 million at 10,000 documents), not a list's 36
    for term, row in instances:
        t = vocab.get(term)
        if t is None:
            t = vocab[term] = len(vocab)
        terms.append(t)
        at.append(row)
    n_terms = len(vocab)
    lengths = np.zeros(max(size, old.lengths.shape[0]))
    lengths[:len(old.lengths)] = old.lengths
    if not terms:
        indptr = np.concatenate([old.indptr, np.full(n_terms + 1 - len(old.indptr), old.indptr[-1])])
        return vocab, indptr, old.rows, old.counts, lengths
    pairs = np.unique(np.frombuffer(terms, np.int64) * (1 << 32) + np.frombuffer(at, np.int64), return_counts=True)
    del terms, at
    new_terms, new_rows = pairs[0] >> 32, (pairs[0] & 0xFFFFFFFF).astype(np.int32)
    new_counts = pairs[1].astype(np.uint16)
    lengths += np.bincount(new_rows, weights=new_counts, minlength=len(lengths))[:len(lengths)]
    old_per_term = np.zeros(n_terms, np.int64)
    old_per_term[:len(old.indptr) - 1] = np.diff(old.indptr)
    new_per_term = np.bincount(new_terms, minlength=n_terms)
    indptr = np.zeros(n_terms + 1, np.int64)
    np.cumsum(old_per_term + new_per_term, out=indptr[1:])
    rows = np.empty(indptr[-1], np.int32)
    counts = np.empty(indptr[-1], np.uint16)
    # old postings keep their place within their term; new ones follow them
    old_term = np.repeat(np.arange(n_terms), old_per_term)
    old_pos = indptr[old_term] + (np.arange(len(old.rows)) - np.repeat(old.indptr[:-1], old_per_term[:len(old.indptr) - 1]))
    rows[old_pos], counts[old_pos] = old.rows, old.counts
    first_new = np.zeros(n_terms + 1, np.int64)
    np.cumsum(new_per_term, out=first_new[1:])
    new_pos = indptr[new_terms] + old_per_term[new_terms] + (np.arange(len(new_rows)) - first_new[new_terms])
    rows[new_pos], counts[new_pos] = new_rows, new_counts
    return vocab, indptr, rows, counts, lengths
