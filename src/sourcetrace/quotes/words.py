"""The word check before word alignment, for a search's candidate sentences at once.

A quote search word-aligns a sentence only where it can make a lexical hit: it holds at least
``need`` of the query's distinct words, one of the query's seed n-grams (the alignment starts from
them), and, as a bound on the hit's score, a share of the query's words. Normalizing and cutting
fifty sentences into words a search cost a sixth of its CPU (10,000 documents: ~17 us each).

So the copy in memory (snapshot.py) keeps each sentence's normalized plain words (``\\w+`` of
``lexical_text``, what the check reads) as ids of one vocabulary, cut once when the copy is read
(:func:`plain_word_ids`: one fold and one scan of all the texts), and :func:`screen` checks every
candidate with numpy in a few calls. Alignment's tokens (``normalize.TOKEN``) are those plain words
except in a sentence where something joins them (``normalize._JOINED``: a number's inner
separator, an apostrophe...): those are flagged, and their tokens are cut from the text again
where the check needs them (0.5% of sentences).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import islice

import numpy as np

from sourcetrace.text.normalize import _JOINED, normalize_text

PLAIN = re.compile(r"\w+")
# Between the texts cut in one scan: a word character that folds to itself, surrounded by spaces,
# so it is a word of its own; texts holding it are cut one by one.
_SEP = "\u3007"
CHUNK = 4_096  # texts cut in one scan (the words of all of them at once: ~60 bytes a word)


def plain_word_ids(texts: Iterable[str], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray, bytearray]:
    """The plain words of each text's ``lexical_text`` as ids of `vocab` (extended in place),
    their offsets (``ids[at[i]:at[i + 1]]`` are text i's), and 1 for each text whose alignment
    tokens differ from its plain words. `texts` is read CHUNK at a time."""
    sep = vocab.setdefault(_SEP, len(vocab))
    texts = iter(texts)
    parts = []
    while chunk := list(islice(texts, CHUNK)):
        parts.append(_chunk_ids(chunk, vocab, sep))
    return _concatenated(parts)


def _concatenated(parts: list[tuple[np.ndarray, np.ndarray, bytearray]]) -> tuple[np.ndarray, np.ndarray, bytearray]:
    counts = [np.diff(at) for _, at, _ in parts]
    return (np.concatenate([np.zeros(0, np.int32)] + [ids for ids, _, _ in parts]),
            np.concatenate([[0], np.cumsum(np.concatenate([np.zeros(0, np.int64)] + counts))]).astype(np.int64),
            bytearray(b"".join(joined for _, _, joined in parts)))


def _chunk_ids(texts: Sequence[str], vocab: dict[str, int], sep: int) -> tuple[np.ndarray, np.ndarray, bytearray]:
    whole = f" {_SEP} ".join(texts)
    # The fold is character by character and the space runs it collapses part no word: the words
    # of the whole are the texts' words, with a separator between each two.
    folded = normalize_text(whole)
    found = PLAIN.findall(folded)
    for w in dict.fromkeys(found):  # new words numbered in the order met
        if w not in vocab:
            vocab[w] = len(vocab)
    flat = np.fromiter(map(vocab.__getitem__, found), np.int32, len(found))
    if len(texts) == 1:
        return flat, np.array([0, len(flat)], np.int64), bytearray([_JOINED.search(folded) is not None])
    if whole.count(_SEP) != len(texts) - 1:  # a text holds the separator: each alone
        return _concatenated([_chunk_ids([t], vocab, sep) for t in texts])
    seps = np.flatnonzero(flat == sep)
    at = np.concatenate([[0], seps - np.arange(len(seps)), [len(flat) - len(seps)]]).astype(np.int64)
    joined = bytearray(_JOINED.search(part) is not None for part in folded.split(_SEP))
    return np.delete(flat, seps), at, joined


def screen(ids: np.ndarray, at: np.ndarray, joined: bytearray, nums: Sequence[int], vocab: dict[str, int],
           q_words: set[str], q_tokens: Sequence[str], n: int, need: int) -> tuple[dict[int, float], list[int]]:
    """Of the sentences numbered `nums`, those worth aligning with the query: those holding at
    least `need` of the query's distinct plain words (`q_words`) and one of its token n-grams of
    `n` words, each with the share of the query's tokens (with repeats) it holds; and those
    holding enough words whose tokens are not their plain words (``joined``), for the caller to
    check on their tokens. ``ids``, ``at``, ``joined``: every sentence's plain words
    (:func:`plain_word_ids`)."""
    # The query's distinct words and tokens as digits 0..Q-1, Q for any other word: which of them
    # each sentence holds is a row of a small table, and an n-gram of them a number in base Q + 1.
    digit_of = {w: k for k, w in enumerate(sorted(q_words | set(q_tokens)))}
    other = len(digit_of)
    columns = [digit_of[w] for w in q_words if w in vocab]
    if not len(nums) or len(columns) < need:
        return {}, []
    numbers = np.asarray(nums, np.int64)
    lo, lens = at[numbers], at[numbers + 1] - at[numbers]
    owner = np.repeat(np.arange(len(numbers)), lens)
    flat = ids[np.arange(int(lens.sum())) + np.repeat(lo - (np.cumsum(lens) - lens), lens)]
    keys, digits = np.array(sorted((vocab[w], k) for w, k in digit_of.items() if w in vocab), np.int64).T
    pos = np.minimum(np.searchsorted(keys, flat), len(keys) - 1)
    local = np.where(keys[pos] == flat, digits[pos], other)
    holds = np.zeros((len(numbers), other + 1), bool)
    holds[owner, local] = True
    enough = holds[:, columns].sum(axis=1) >= need
    if not enough.any():
        return {}, []
    base = other + 1
    seeds = np.array(sorted({sum(digit_of[w] * base ** m for m, w in enumerate(gram))
                             for gram in zip(*(q_tokens[m:] for m in range(n)), strict=False)}), np.int64)
    windows = max(0, len(flat) - n + 1)
    code, whole = np.zeros(windows, np.int64), owner[:windows] == owner[n - 1:n - 1 + windows]
    for m in range(n):
        part = local[m:m + windows]
        whole &= part < other
        code += part * base ** m
    at_seed = np.minimum(np.searchsorted(seeds, code), len(seeds) - 1)
    seeded = np.zeros(len(numbers), bool)
    seeded[owner[:windows][whole & (seeds[at_seed] == code)]] = True
    # the share of the query's tokens held, each distinct one counted as often as the query has it
    times = np.zeros(base)
    for w in q_tokens:
        times[digit_of[w]] += 1
    share = (holds @ times) / max(1, len(q_tokens))
    passed: dict[int, float] = {}
    by_tokens: list[int] = []
    for i in np.flatnonzero(enough).tolist():
        num = int(numbers[i])
        if joined[num]:
            by_tokens.append(num)
        elif seeded[i]:
            passed[num] = float(share[i])
    return passed, by_tokens
