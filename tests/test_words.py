"""The word check before alignment on the copy's word ids: the same words, and the same verdicts,
as the check of one sentence by its text (quotes.search._word_check)."""

from __future__ import annotations

import random
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DEMO
from sourcetrace.quotes import words
from sourcetrace.quotes.index import lexical_text
from sourcetrace.quotes.search import _ngrams, _seed_length, _word_check, _word_set, _words_needed
from sourcetrace.text.normalize import TOKEN, normalize, tokens
from sourcetrace.text.sentences import split_sentences

ODD = ["", "   ", "\u3007 رقم \u3007\u3007 word", "3.5 million don't", "قال: «الوزير» ٢٠٢٠ — أُعلنَ",
       "snake_case x\u0301y", "ﷺ ﻻ ﬁne", "a  b\tc\n\nd", "10,000 people", "'quoted' l'homme"]


def reference(texts: list[str]) -> list[list[str]]:
    return [re.findall(r"\w+", lexical_text(t)) for t in texts]


def check(texts: list[str]) -> None:
    vocab: dict[str, int] = {}
    ids, at, joined = words.plain_word_ids(texts, vocab)
    names = list(vocab)
    assert len(at) == len(texts) + 1 and len(joined) == len(texts)
    for i, (text, plain) in enumerate(zip(texts, reference(texts), strict=True)):
        assert [names[k] for k in ids[at[i]:at[i + 1]]] == plain, text
        alignment = [w for w, _, _ in tokens(normalize(text))]
        assert joined[i] or alignment == plain, text  # where not flagged, alignment's tokens are these words


def demo_sentences() -> list[str]:
    out = []
    for path in sorted(DEMO.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [text[s:e] for s, e in split_sentences(text)]
    return out


def test_the_words_of_many_texts_cut_at_once_are_each_texts_words(monkeypatch):
    texts = demo_sentences() + ODD
    check(texts)
    monkeypatch.setattr(words, "CHUNK", 7)  # texts holding the separator inside and across chunks
    check(texts)
    check([])
    check(["\u3007"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab 3.,'_\u3007\u064e\u0640أةx\u0301 \n")), max_size=12),
                max_size=6))
def test_any_texts(texts):
    check(texts)


def test_the_check_of_all_candidates_at_once_is_the_check_of_each_by_its_text():
    sents = demo_sentences() + ODD + ["3.5 million don't 3.5 million don't care", "don't stop 10,000 people"]
    vocab: dict[str, int] = {}
    ids, at, joined = words.plain_word_ids(sents, vocab)
    rng = random.Random(5)
    tried = passed = 0
    for _ in range(300):
        source = rng.choice(sents).split()
        if len(source) < 2:
            continue
        lo = rng.randrange(len(source) - 1)
        query = " ".join(source[lo:lo + rng.randrange(2, 25)])
        if rng.random() < 0.5:  # some words of other sentences
            query += " " + " ".join(rng.choice(sents).split()[:rng.randrange(0, 4)])
        q_tokens = [w for w, _, _ in tokens(normalize(query))]
        if not q_tokens:
            continue
        q_words, n, need = _word_set(query), _seed_length(len(q_tokens)), _words_needed(len(q_tokens))
        nums = rng.sample(range(len(sents)), min(60, len(sents)))
        got, by_tokens = words.screen(ids, at, joined, nums, vocab, q_words, q_tokens, n, need)
        for num in by_tokens:
            assert joined[num] and num not in got
            if (held := _word_check(q_words, q_tokens, _ngrams(q_tokens, n), need, sents[num])) is not None:
                got[num] = held
        want = {num: held for num in nums
                if (held := _word_check(q_words, q_tokens, _ngrams(q_tokens, n), need, sents[num])) is not None}
        assert got == want, query
        tried += 1
        passed += len(want)
    assert tried > 200 and passed > 100  # the check let sentences through, not only turned them away


def test_a_query_of_words_no_sentence_holds():
    ids, at, joined = words.plain_word_ids(["one two three", "four five six"], vocab := {})
    assert words.screen(ids, at, joined, [0, 1], vocab, {"seven", "eight"}, ["seven", "eight"], 2, 1) == ({}, [])
    assert words.screen(ids, at, joined, [], vocab, {"one"}, ["one"], 1, 1) == ({}, [])
    assert words.screen(ids, at, joined, [0, 1], vocab, {"one", "two"}, ["one", "two"], 2, 1) == ({0: 1.0}, [])
    assert np.array_equal(at, [0, 3, 6])
    assert TOKEN.findall("don't") == ["don't"]
