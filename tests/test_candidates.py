"""Candidate search: planted copies, near-copies, translations and quotes are found; noise is not."""

from __future__ import annotations

import random

import numpy as np
import pytest

from sourcetrace.candidates.pairs import (
    Candidate,
    DocInput,
    candidate_pairs,
    document_features,
    document_vectors,
    features_from_bytes,
    features_to_bytes,
    minhash_candidates,
    term_candidates,
    vector_candidates,
)
from sourcetrace.text.terms import document_terms

_WORDS = ("ministers council security cooperation water region support government people agreement "
         "meeting committee programme report threat effort partners stability development investment "
         "borders health education funding recovery members commitment progress dialogue reform "
         "assistance community trade customs prices harvest drought rainfall schools teachers clinics "
         "vaccines roads bridges ports railway energy solar grid fuel wages pensions taxes budget deficit "
         "exports imports wheat rice fishermen farmers nurses doctors courts judges elections voters")
WORDS = _WORDS.split()


def sentence(rng: random.Random, n: int = 16) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def doc(doc_id: str, sentences: list[str], lang: str = "en") -> DocInput:
    return DocInput(doc_id, lang, " ".join(sentences), list(sentences))


def corpus(seed: int = 1, n: int = 40, sents: int = 12) -> list[DocInput]:
    rng = random.Random(seed)
    return [doc(f"u{i:03d}", [sentence(rng) for _ in range(sents)]) for i in range(n)]


def pairs(cands: list[Candidate]) -> set[tuple[str, str]]:
    return {(c.a, c.b) for c in cands}


def test_copy_near_copy_and_quote_found_unrelated_not_paired():
    rng = random.Random(5)
    docs = corpus()
    src = docs[0].sentences
    near = []
    for s in src:  # 15% of the words changed
        words = s.rstrip(".").split()
        near.append(" ".join(rng.choice(WORDS) if rng.random() < 0.15 else w for w in words) + ".")
    long_src = [sentence(rng) for _ in range(40)]
    report = [sentence(rng) for _ in range(4)] + long_src[10:13] + [sentence(rng) for _ in range(4)]
    docs += [doc("z-copy", list(src)), doc("z-near", near), doc("y-long", long_src), doc("y-report", report)]
    found = pairs(minhash_candidates(docs))
    assert ("u000", "z-copy") in found
    assert ("u000", "z-near") in found
    assert ("y-long", "y-report") in found
    unrelated = {p for p in found if p[0].startswith("u") and p[1].startswith("u")}
    assert unrelated == set()
    by_pair = {(c.a, c.b): c for c in minhash_candidates(docs)}
    assert by_pair[("u000", "z-copy")].score == pytest.approx(1.0)
    assert all(0 <= c.score <= 1 and c.a < c.b and c.sources == ["minhash"] for c in by_pair.values())


def test_stock_sentences_shared_by_many_documents_do_not_make_quote_pairs():
    from sourcetrace.candidates.pairs import QUOTE_MAX_DF

    rng = random.Random(9)
    stock = [sentence(rng) for _ in range(2)]  # two formulae every templated text carries
    n = QUOTE_MAX_DF + 10
    docs = [doc(f"t{i:03d}", [sentence(rng) for _ in range(30)] + stock) for i in range(n)]
    quoted = [sentence(rng) for _ in range(30)]
    docs += [doc("s-source", quoted), doc("s-report", [sentence(rng) for _ in range(20)] + quoted[3:5])]
    # One sentence only these two share, and a formula: the rare sentence makes the formula count.
    also = [sentence(rng) for _ in range(30)]
    docs += [doc("q-source", also + stock[:1]), doc("q-report", [sentence(rng) for _ in range(20)] + also[7:8] + stock[:1])]
    found = pairs(minhash_candidates(docs))
    assert ("s-report", "s-source") in found  # two sentences only these two share
    assert ("q-report", "q-source") in found
    assert not {p for p in found if p[0].startswith("t") and p[1].startswith("t")}
    # Under the limit the same two shared sentences do pair the documents.
    few = docs[:3]
    assert ("t000", "t001") in pairs(minhash_candidates(few))


def test_a_statement_republished_by_many_outlets_keeps_the_reports_quoting_it():
    from sourcetrace.candidates.pairs import QUOTE_MAX_DF

    rng = random.Random(11)
    statement = [sentence(rng) for _ in range(30)]
    # More outlets than QUOTE_MAX_DF carry the statement, each under its own header line.
    outlets = [doc(f"c{i:03d}", [sentence(rng)] + statement) for i in range(QUOTE_MAX_DF + 10)]
    report = doc("r-report", [sentence(rng) for _ in range(20)] + statement[5:8])
    found = pairs(minhash_candidates(outlets + [report]))
    assert {(o.id, "r-report") for o in outlets} <= found  # the copies are one text, not 30
    # Stock lines are still no evidence: thirty distinct texts sharing two of them pair nowhere.
    stock = [sentence(rng) for _ in range(2)]
    templated = [doc(f"t{i:03d}", [sentence(rng) for _ in range(30)] + stock) for i in range(QUOTE_MAX_DF + 10)]
    assert not pairs(minhash_candidates(templated))


def test_a_passage_copied_from_inside_long_run_on_sentences_is_found():
    # Issue 17 (PAN): web text without full stops is one "sentence" of hundreds of words; a copy
    # takes 60 of them into another run-on text. Whole-sentence units never collide; chunks do.
    rng = random.Random(13)
    passage = [rng.choice(WORDS) for _ in range(60)]
    before = [rng.choice(WORDS) for _ in range(150)]
    source = doc("s-source", [" ".join(before + passage + [rng.choice(WORDS) for _ in range(90)])])
    copy = doc("s-copy", [" ".join([rng.choice(WORDS) for _ in range(37)] + passage
                                    + [rng.choice(WORDS) for _ in range(200)])])
    others = [doc(f"u{i:03d}", [" ".join(rng.choice(WORDS) for _ in range(300))]) for i in range(20)]
    found = pairs(minhash_candidates([source, copy] + others))
    assert ("s-copy", "s-source") in found
    assert not {p for p in found if p[0].startswith("u") and p[1].startswith("u")}


def test_long_sentences_are_cut_in_chunks_that_do_not_depend_on_where_they_start():
    from sourcetrace.candidates.pairs import CHUNK_ABOVE, CHUNK_MAX, QUOTE_MIN_TOKENS, _units

    rng = random.Random(3)
    words = [rng.choice(WORDS) for _ in range(400)]
    assert _units(words[:CHUNK_ABOVE]) == [(0, CHUNK_ABOVE)]  # a sentence of usual length stays whole
    chunks = [words[a:b] for a, b in _units(words)]
    assert [w for c in chunks for w in c] == words
    assert all(QUOTE_MIN_TOKENS <= len(c) <= CHUNK_MAX + QUOTE_MIN_TOKENS for c in chunks)
    # The same words after another beginning: past the first few chunks, the cuts are the same.
    other = [rng.choice(WORDS) for _ in range(23)] + words[100:]
    later = [other[a:b] for a, b in _units(other)]
    assert {tuple(c) for c in chunks[-10:]} <= {tuple(c) for c in later}


def test_words_are_those_of_the_full_word_pattern_whichever_finder_reads_them():
    from sourcetrace.candidates.pairs import _WORD, _sentence_words, _words
    from sourcetrace.text.normalize import fold_text

    texts = ["The minister said the rise was 3.5 per cent, up from 10,000 in 2019.",
             "Don't stop: it's the O'Neill report.", "Plain words only, no numbers here.",
             "Version 2,5 and 4.0", "snake_case words_here and 7_8", "الوزير قال إن ٣٫٥ مليون",
             "Müller’s Straße 12.5.2020", "a, b. c"]
    for t in texts:
        assert _words(t) == _WORD.findall(fold_text(t)), t
    # a document's sentences read by the finder its whole text allows: a number in one
    # sentence, an apostrophe in another, neither in the rest
    sents = ["Plain words here.", "It rose to 3.5 now.", "Don't go.", "Done."]
    for picked in (sents[:1] + sents[3:], sents, [sents[0], sents[2]]):
        doc = DocInput("d", "en", " ".join(picked), picked)
        words, _ = _sentence_words(doc)
        assert words == [_WORD.findall(fold_text(s)) for s in picked]
        assert "3.5" in sum(words, []) or sents[1] not in picked


def test_minhash_stays_within_a_language():
    docs = corpus(n=3)
    docs.append(DocInput("x-ar", "ar", docs[0].text, list(docs[0].sentences)))
    assert ("u000", "x-ar") not in pairs(minhash_candidates(docs))


def test_translation_found_by_vectors_across_languages_only_above_min_cos():
    rng = np.random.default_rng(0)
    docs, vecs = [], {}
    for i in range(30):
        lang = "en" if i < 15 else "ar"
        docs.append(DocInput(f"d{i:02d}", lang, "", []))
        v = rng.normal(size=64)
        vecs[f"d{i:02d}"] = v / np.linalg.norm(v)
    # d03 (en) and d20 (ar) are translations: nearly the same vector.
    v = vecs["d03"] + 0.05 * rng.normal(size=64)
    vecs["d20"] = v / np.linalg.norm(v)
    cands = vector_candidates(docs, vecs, k=3, min_cos=0.6)
    assert ("d03", "d20") in pairs(cands)
    assert all(c.score >= 0.6 for c in cands)  # random 64-dim vectors are near-orthogonal
    assert len(cands) == 1
    assert cands[0].sources == ["vectors"]


def test_margin_sets_a_translation_apart_from_topic_neighbours():
    rng = np.random.default_rng(3)
    topic = rng.normal(size=64)
    docs, vecs = [], {}
    # Ten English and ten Arabic documents on one topic: all alike (cosine ~0.8) ...
    for i in range(20):
        d = f"d{i:02d}"
        docs.append(DocInput(d, "en" if i < 10 else "ar", "", []))
        v = topic + 0.5 * rng.normal(size=64)
        vecs[d] = v / np.linalg.norm(v)
    # ... and d14 is d04's translation: closer to it than to anything else.
    v = vecs["d04"] + 0.02 * rng.normal(size=64)
    vecs["d14"] = v / np.linalg.norm(v)
    cands = {(c.a, c.b): c for c in vector_candidates(docs, vecs, k=5, min_cos=0.5)}
    assert cands[("d04", "d14")].margin > 1.1
    others = [c.margin for key, c in cands.items() if key != ("d04", "d14")]
    assert others and max(others) < cands[("d04", "d14")].margin
    assert max(others) < 1.06
    assert all(c.margin == 0.0 for c in minhash_candidates(corpus()))  # a vectors-only figure


def test_document_vectors_mean_of_unit_sentence_vectors():
    class Fake:
        name, dim = "fake", 2

        def encode(self, texts):
            return np.array([[1.0, 0.0] if t.startswith("a") else [0.0, 1.0] for t in texts], dtype=np.float32)

    # Two of four sentences, spread from first to last: "a one" and "b four".
    docs = [DocInput("d1", "en", "", ["a one", "a two", "a three", "b four"]), DocInput("d2", "en", "b text", [])]
    out = document_vectors(docs, Fake(), max_sentences=2)
    assert out["d1"] == pytest.approx(np.array([1, 1]) / np.sqrt(2))
    assert out["d2"] == pytest.approx(np.array([0, 1]))
    assert document_vectors([], Fake()) == {}


def test_anchors_normalized_across_scripts_and_languages():
    en = document_terms("On June 4, 2020 Secretary Pompeo said 10,000 troops and 3.5 percent; 12 ministers.")
    ar = document_terms("في ٤ حزيران/يونيو ٢٠٢٠ قال الوزير إن ١٠٬٠٠٠ جندي و٣٫٥ بالمئة.")
    assert {"date:2020-06-04", "num:10000", "num:3.5", "num:2020"} <= en & ar
    assert "name:pompeo" in en and "num:12" not in en
    assert not any(a.startswith("name:on") for a in en)  # sentence-initial capital is no name


def test_anchor_pairs_and_max_df_cap():
    rng = random.Random(3)
    filler = [sentence(rng) for _ in range(3)]
    docs = [
        DocInput("a-en", "en", "The fund gave 4817 dollars on 12 March 2019 to Zahran.", []),
        DocInput("b-ar", "ar", "قدم الصندوق ٤٨١٧ دولار في ١٢ آذار/مارس ٢٠١٩.", []),
        DocInput("c-en", "en", " ".join(filler) + " 7777 only once.", []),
    ]
    # 30 documents that all carry 2020 and 5555: frequent anchors.
    docs += [DocInput(f"n{i:02d}", "en", f"In 2020 the total was 5555. {filler[0]}", []) for i in range(30)]
    found = pairs(term_candidates(docs, max_df=50))
    assert ("a-en", "b-ar") in found
    assert ("n00", "n01") in found
    capped = pairs(term_candidates(docs, max_df=20))
    assert ("a-en", "b-ar") in capped
    assert not any(p[0].startswith("n") for p in capped)  # postings of 30 > max_df are dropped
    assert not any("c-en" in p for p in found)


def test_one_very_rare_anchor_is_enough_a_common_one_is_not():
    docs = [DocInput("a", "en", "It cost 98765 dollars.", []), DocInput("b", "ar", "كلف ٩٨٧٦٥ دولارا.", []),
            DocInput("c", "en", "Figure 4321.", []), DocInput("d", "en", "Figure 4321.", []),
            DocInput("e", "en", "Figure 4321.", [])]
    found = pairs(term_candidates(docs))
    assert ("a", "b") in found
    assert ("c", "d") not in found  # one anchor held by three documents


def test_candidate_pairs_union_sorted_deduplicated_and_deterministic():
    docs = corpus(n=10)
    docs.append(doc("z-copy", list(docs[1].sentences)))
    docs.append(DocInput("z-tr", "ar", "بلغ ٤٥٦٧ في ٣ أيار/مايو ٢٠٢١ و٨٨٨٨", []))
    docs[2] = DocInput("u002", "en", docs[2].text + " It was 4567 on May 3, 2021 and 8888.", docs[2].sentences)
    vecs = {d.id: np.eye(16)[i % 16] for i, d in enumerate(docs)}
    vecs["z-tr"] = vecs["u002"]
    first = candidate_pairs(document_features(docs), vecs)
    keys = [(c.a, c.b) for c in first]
    assert keys == sorted(set(keys))
    by_pair = {(c.a, c.b): c for c in first}
    assert by_pair[("u001", "z-copy")].sources[0] == "minhash"
    assert by_pair[("u002", "z-tr")].sources == ["vectors", "terms"]
    again = candidate_pairs(document_features(list(reversed(docs))), dict(reversed(list(vecs.items()))))
    assert [(c.a, c.b, c.sources, c.score) for c in again] == [(c.a, c.b, c.sources, c.score) for c in first]


def test_in_the_union_anchors_pair_documents_across_languages_only():
    text = "On June 4, 2020 Pompeo and Allawi signed for 10,000 and 3.5 percent."
    docs = [DocInput("en1", "en", "Today. " + text, []), DocInput("en2", "en", "Later. " + text, []),
            DocInput("ar1", "ar", "في ٤ حزيران/يونيو ٢٠٢٠ وقعا على ١٠٬٠٠٠ و٣٫٥ بالمئة.", [])]
    assert ("en1", "en2") in pairs(term_candidates(docs))
    union = {(c.a, c.b): c for c in candidate_pairs(document_features(docs))}
    assert ("ar1", "en1") in union and union[("ar1", "en1")].sources == ["terms"]
    assert union.get(("en1", "en2"), Candidate("", "", ["minhash"], 0)).sources != ["terms"]


def test_features_survive_serialization_exactly():
    docs = corpus(seed=5, n=6) + [DocInput("empty", "en", "", []), DocInput("short", "ar", "قال الوزير", ["قال الوزير"])]
    docs[0].text += " On June 4, 2020 Pompeo said 10,000."
    for f in document_features(docs):
        back = features_from_bytes(f.id, features_to_bytes(f))
        assert (back.id, back.lang, back.terms) == (f.id, f.lang, f.terms)
        assert (back.doc_sig is None) == (f.doc_sig is None)
        if f.doc_sig is not None:
            assert np.array_equal(back.doc_sig, f.doc_sig)
        assert np.array_equal(back.quote_sigs, f.quote_sigs) and back.quote_sigs.dtype == np.uint32
    assert any(f.terms for f in document_features(docs[:1]))


def test_empty_and_tiny_inputs():
    assert candidate_pairs([]) == []
    assert minhash_candidates([]) == []
    assert term_candidates([]) == []
    assert vector_candidates([], {}) == []
    one = [DocInput("a", "en", "", [])]
    assert candidate_pairs(document_features(one), {"a": np.ones(4) / 2}) == []


def _quote_parts(feats):
    units = np.asarray([len(f.quote_sigs) for f in feats], dtype=np.int64)
    return (np.concatenate([f.quote_sigs for f in feats]), np.repeat(np.arange(len(feats), dtype=np.int64), units),
            units)


def test_a_kept_quote_banding_brought_up_to_a_grown_corpus_pairs_as_banding_it_whole():
    from sourcetrace.candidates import pairs as cp

    rng = random.Random(21)
    stock = sentence(rng)  # in more documents than a bucket pairs whole: paired by windows
    varied = [stock.replace(stock.split()[k], "harbour", 1) for k in (2, 5, 9)]  # near-stock lines
    quoted = [sentence(rng) for _ in range(6)]

    def texts(i: int) -> list[str]:
        r = random.Random(i)
        return [sentence(r) for _ in range(3)] + [stock, varied[i % 3]] + quoted[i % 4:i % 4 + 2]

    everyone = [doc(f"d{i:03d}", texts(i)) for i in range(cp.MAX_BUCKET + 30)]
    feats = sorted(document_features(everyone), key=lambda f: f.id)
    # The first run had every third document: the others come between them, shifting the windows.
    first = [f for i, f in enumerate(feats) if i % 3 == 0]
    kept = cp.Banding()
    cp._quote_pairs(first, *_quote_parts(first), kept)
    data = cp.quote_bands_to_bytes(kept.after)
    grown = cp.Banding(cp.quote_bands_from_bytes(data))
    sig, owner, units = _quote_parts(feats)
    got = cp._quote_pairs(feats, sig, owner, units, grown)
    whole = cp._band_pairs(sig, cp.QUOTE_ROWS, owner, cp.QUOTE_MIN_JACCARD)
    assert np.array_equal(got, whole) and len(whole)
    assert np.array_equal(grown.after["en"].pairs, whole)
    # Windows shifted: a pair the first run paired that no band pairs now was dropped.
    before = cp.quote_bands_from_bytes(data)["en"].pairs
    back = np.flatnonzero(np.repeat([i % 3 == 0 for i in range(len(feats))], units))
    then = {(int(back[a]), int(back[b])) for a, b in before}
    assert then - {tuple(p) for p in whole.tolist()}
    assert cp._minhash(feats, cp.DOC_MIN_JACCARD, cp.Banding(cp.quote_bands_from_bytes(data))) == \
        cp._minhash(feats, cp.DOC_MIN_JACCARD)


def test_a_kept_document_banding_brought_up_to_a_grown_corpus_pairs_as_banding_it_whole():
    """The document signatures' banding is kept as the quote units' is (each document one unit):
    a grown corpus's pairs are those of banding it whole, in both languages, and a document that
    changed has it banded whole again."""
    from sourcetrace.candidates import pairs as cp

    rng = random.Random(8)
    bases = [[sentence(rng) for _ in range(8)] for _ in range(12)]
    docs = []
    for i in range(90):  # versions of a dozen texts, each with lines of its own: document pairs at many Jaccards
        lang = "ar" if i % 5 == 0 else "en"
        r = random.Random(100 + i)
        docs.append(doc(f"d{i:03d}", bases[i % 12][:3 + i % 6] + [sentence(r) for _ in range(1 + i % 4)], lang))
    feats = sorted(document_features(docs), key=lambda f: f.id)
    first = [f for i, f in enumerate(feats) if i % 4]  # the rest come between them
    kept = cp.Banding()
    cp._minhash(first, cp.DOC_MIN_JACCARD, kept)
    names = [k for k in kept.after if k.startswith(cp.DOC_BANDS)]
    assert len(names) == 2  # one a language
    grown = cp.Banding(cp.quote_bands_from_bytes(cp.quote_bands_to_bytes(kept.after)))
    assert cp._minhash(feats, cp.DOC_MIN_JACCARD, grown) == cp._minhash(feats, cp.DOC_MIN_JACCARD)
    for name in names:
        lang = name.rsplit(" ", 1)[1]
        group = [f for f in feats if f.lang == lang]
        whole = cp._band_pairs(np.stack([f.doc_sig for f in group]), cp.DOC_ROWS,
                               np.arange(len(group), dtype=np.int64), cp.DOC_MIN_JACCARD)
        assert np.array_equal(grown.after[name].pairs, whole) and len(whole)
        assert grown.before[name].ids == [f.id for f in first if f.lang == lang]
    # Another bar is another banding: not read for this one.
    other = cp.Banding(cp.quote_bands_from_bytes(cp.quote_bands_to_bytes(kept.after)))
    assert cp._minhash(feats, 0.3, other) == cp._minhash(feats, 0.3)
    # A document changed: banded whole again, the same pairs.
    edited = document_features([doc(first[1].id, bases[5][:6], first[1].lang)])
    now = sorted([f for f in feats if f.id != first[1].id] + edited, key=lambda f: f.id)
    again = cp.Banding(cp.quote_bands_from_bytes(cp.quote_bands_to_bytes(kept.after)))
    assert cp._minhash(now, cp.DOC_MIN_JACCARD, again) == cp._minhash(now, cp.DOC_MIN_JACCARD)


def test_a_kept_quote_banding_is_not_used_when_a_document_changed_or_left():
    from sourcetrace.candidates import pairs as cp

    rng = random.Random(5)
    shared = [sentence(rng) for _ in range(4)]
    docs = [doc(f"d{i}", [sentence(rng) for _ in range(3)] + shared[i % 2:i % 2 + 3]) for i in range(6)]
    feats = document_features(docs)
    kept = cp.Banding()
    cp._quote_pairs(feats, *_quote_parts(feats), kept)
    edited = document_features([doc("d1", shared[:3] + [sentence(rng)])])
    for now in (feats[:1] + edited + feats[2:], feats[:1] + feats[2:]):  # d1 changed; d1 gone
        assert cp._kept_units(kept.after["en"], [f.id for f in now], cp._marks(*_quote_parts(now)[::2]),
                              _quote_parts(now)[2]) is None
        sig, owner, units = _quote_parts(now)
        again = cp.Banding(dict(kept.after))
        assert np.array_equal(cp._quote_pairs(now, sig, owner, units, again),
                              cp._band_pairs(sig, cp.QUOTE_ROWS, owner, cp.QUOTE_MIN_JACCARD))


def test_the_union_in_columns_is_the_merge_of_the_generators():
    """candidate_union (columns) gives merge's records: every pair once, sources in SOURCES order,
    the best score and margin; documents without a vector, pairs of the votes, every source."""
    from sourcetrace.candidates.neighbours import nearest
    from sourcetrace.candidates.pairs import (
        DOC_MIN_JACCARD,
        _minhash,
        _sorted,
        _term_pairs,
        candidate_union,
        merge,
    )

    rng = np.random.default_rng(3)
    docs = corpus(seed=7, n=24)
    docs += [doc("v-copy", list(docs[3].sentences)), doc("w-quote", docs[5].sentences[:3] + docs[9].sentences[:2])]
    docs += [DocInput(f"x{i}", "ar", f"بلغ {4567 + i % 3} في ٣ أيار/مايو ٢٠٢١ و٨٨٨٨", []) for i in range(8)]
    docs[2] = DocInput("u002", "en", docs[2].text + " It was 4567 on May 3, 2021 and 8888.", docs[2].sentences)
    feats = document_features(docs)
    vecs = {d.id: (v / np.linalg.norm(v)).astype(np.float32) for d in docs[:-2] for v in [rng.normal(size=8)]}
    for i in range(6):  # translations by topic
        vecs[f"x{i}"] = vecs[docs[i].id]
    nb = nearest(vecs, {f.id: f.lang for f in feats if f.id in vecs}, k=4, k_same=2)
    more = [Candidate("u001", "x7", ["votes"], 0.0), Candidate("u002", "x0", ["votes"], 0.0)]
    got = candidate_union(feats, vecs, neighbours=nb, min_cos=0.1, more=more).candidates()
    feats_sorted = _sorted(feats)
    want = merge(_minhash(feats_sorted, threshold=DOC_MIN_JACCARD),
                 vector_candidates(feats_sorted, vecs, neighbours=nb, min_cos=0.1),
                 _term_pairs([f.id for f in feats_sorted], [f.terms for f in feats_sorted],
                             langs=[f.lang for f in feats_sorted]), more)
    assert {s for c in want for s in c.sources} == {"minhash", "vectors", "terms", "votes"}
    assert any(len(c.sources) > 1 for c in want)
    assert [(c.a, c.b, c.sources, c.score, c.margin) for c in got] == \
        [(c.a, c.b, c.sources, c.score, c.margin) for c in want]
    assert candidate_pairs(feats, vecs, neighbours=nb, min_cos=0.1, more=more) == got


def test_the_low_byte_check_keeps_the_pairs_a_full_count_keeps():
    """_passing (low bytes first, the rest counted) keeps exactly the pairs whose estimated
    Jaccard, every slot counted, reaches the bar: near pairs, far ones, and units whose slots
    differ but share their low bytes (a low-byte match is not a slot match)."""
    from sourcetrace.candidates import pairs as cp

    rng = np.random.default_rng(3)
    for perm, bar in ((cp.QUOTE_PERM, cp.QUOTE_MIN_JACCARD), (128, cp.DOC_MIN_JACCARD), (64, 0.0), (64, 1.0)):
        n = 600
        sig = rng.integers(0, 2**32, size=(n, perm), dtype=np.uint32)
        # a third of the units' slots have low bytes of 0 or 1: they match far more often than the slots
        few = rng.random(n) < 0.3
        sig[few] = (sig[few] & ~np.uint32(0xFF)) | rng.integers(0, 2, size=(int(few.sum()), perm), dtype=np.uint32)
        near = rng.integers(0, n, size=(400, 2))
        for a, b in near:  # b shares a random share of a's slots
            same = rng.random(perm) < rng.random()
            sig[b, same] = sig[a, same]
        i, j = np.concatenate([near.T, rng.integers(0, n, size=(2, 5000))], axis=1)
        i, j = np.minimum(i, j), np.maximum(i, j)
        keys = cp._distinct((i[i < j].astype(np.int64) << 32) | j[i < j])
        want = keys[cp._jaccard(sig, cp._unpack(keys)) >= bar]
        assert np.array_equal(cp._passing(sig, keys, bar, cp._low_bytes(sig)), want)
        assert 0 < len(want) < len(keys) or bar in (0.0, 1.0)
    assert cp._low_bytes(np.zeros((3, 12), dtype=np.uint32)) is None


def test_kept_features_read_back_the_same_features_and_the_same_union():
    """Features kept in one blob (terms as codes) read back each document's values, and the union
    over kept documents mixed with new ones (a rerun's) is the union over the records."""
    from sourcetrace.candidates.pairs import (
        KeptFeatures,
        candidate_union,
        kept_features_from_bytes,
        kept_features_to_bytes,
        term_codes,
    )

    text = " On June 4, 2020 Pompeo and Allawi signed for 10,000 and 3.5 percent in Basra."
    docs = corpus(seed=7, n=12) + [DocInput("empty", "en", "", []), DocInput("short", "ar", "قال الوزير", ["قال الوزير"]),
                                   DocInput("ar1", "ar", "في ٤ حزيران/يونيو ٢٠٢٠ وقعا على ١٠٬٠٠٠ و٣٫٥ بالمئة في البصرة.", [])]
    for d in docs[:4]:
        d.text += text
    feats = document_features(docs)
    kept = kept_features_from_bytes(kept_features_to_bytes(feats[:10]))
    assert all(isinstance(k, KeptFeatures) for k in kept)
    for k, f in zip(kept, feats, strict=False):
        assert (k.id, k.lang, k.terms) == (f.id, f.lang, f.terms)
        assert (k.doc_sig is None) == (f.doc_sig is None)
        assert f.doc_sig is None or (np.array_equal(k.doc_sig, f.doc_sig) and k.doc_sig.dtype == np.uint32)
        assert np.array_equal(k.quote_sigs, f.quote_sigs) and k.quote_sigs.dtype == np.uint32
        # views into the blob, not copies of it (44 MB a rerun at 10,000 documents), read-only
        assert not k.quote_sigs.flags.owndata and not k.quote_sigs.flags.writeable
        assert k.doc_sig is None or not k.doc_sig.flags.owndata
    mixed = [*kept, *feats[10:]]
    vocab, counts, codes = term_codes(mixed)
    at = np.cumsum(counts) - counts
    assert [frozenset(vocab[c] for c in codes[a:a + n]) for a, n in zip(at, counts, strict=True)] == [f.terms for f in feats]
    again = kept_features_from_bytes(kept_features_to_bytes(mixed))  # kept again with the new ones
    assert [(k.id, k.terms) for k in again] == [(f.id, f.terms) for f in feats]
    want, got = candidate_union(feats).candidates(), candidate_union(mixed).candidates()
    assert any("terms" in c.sources for c in want) and got == want
    with pytest.raises(ValueError):
        kept_features_from_bytes(kept_features_to_bytes(feats)[:-4])


def test_terms_are_numbered_one_way_for_the_kept_features_and_the_term_pairs():
    """numbered_terms (term_codes' numbering and _term_columns'): a given vocabulary keeps its
    codes, new terms follow in the order first met, and every code reads back its term; the
    rare-term pairs are the same whichever way the terms were numbered."""
    from sourcetrace.candidates.pairs import _coded_term_columns, _term_columns, numbered_terms

    sets = [["b", "a"], [], ["c", "a", "d"], ["d"], ["e", "b"]]
    vocab, counts, codes = numbered_terms(sets, ["x", "a", "y"])
    assert vocab == ["x", "a", "y", "b", "c", "d", "e"]
    assert counts.tolist() == [2, 0, 3, 1, 2]
    assert [vocab[c] for c in codes.tolist()] == [t for s in sets for t in s]
    empty = numbered_terms([])
    assert empty[0] == [] and len(empty[1]) == len(empty[2]) == 0 and empty[2].dtype == np.int64
    rng = random.Random(5)
    docs = [DocInput(f"d{i:02d}", "ar" if i % 3 else "en", " and ".join(str(rng.randint(1000, 1040)) for _ in range(5)), [])
            for i in range(30)]
    terms = [document_terms(d.text) for d in docs]
    ids, langs = [d.id for d in docs], [d.lang for d in docs]
    got = _term_columns(ids, terms, max_df=6, langs=langs)
    _, counts, codes = numbered_terms(terms, [t for s in reversed(terms) for t in sorted(s)][::7])
    other = _coded_term_columns(ids, counts, codes, max_df=6, langs=langs)
    assert len(got[0]) > 10
    want = sorted(zip(*(a.tolist() for a in got), strict=True))
    assert sorted(zip(*(a.tolist() for a in other), strict=True)) == want


def test_band_keys_and_marks_mixed_in_rows_are_the_whole_columns_mixed():
    # Mixed MIX_ROWS rows at a time (in cache), the same keys and fingerprints as each column
    # mixed over every row at once; lengths either side of a whole number of row blocks.
    from sourcetrace.candidates import pairs as cp

    rng = np.random.default_rng(3)

    def keys_at_once(block: np.ndarray) -> np.ndarray:
        key = np.zeros(block.shape[0], dtype=np.uint64)
        for col in range(block.shape[1]):
            key = (key ^ block[:, col].astype(np.uint64)) * cp._M1
            key ^= key >> np.uint64(29)
        return key * cp._M2

    def marks_at_once(sig: np.ndarray, n_units: np.ndarray) -> np.ndarray:
        weights = (np.random.default_rng(cp.SEED).integers(1, 2**63, size=sig.shape[1], dtype=np.int64)
                   .astype(np.uint64) | np.uint64(1))
        unit = np.zeros(len(sig), dtype=np.uint64)
        for col in range(sig.shape[1]):
            unit = (unit ^ (sig[:, col].astype(np.uint64) * weights[col])) * cp._M1
            unit ^= unit >> np.uint64(29)
        place = np.arange(len(sig), dtype=np.int64) - np.repeat(np.cumsum(n_units) - n_units, n_units)
        unit = (unit + place.astype(np.uint64) * cp._M2) * cp._M1
        out = np.zeros(len(n_units), dtype=np.uint64)
        has = n_units > 0
        out[has] = np.add.reduceat(unit, (np.cumsum(n_units) - n_units)[has])
        return out ^ (n_units.astype(np.uint64) * cp._M2)

    for n in (0, 5, cp.MIX_ROWS, cp.MIX_ROWS + 1, 2 * cp.MIX_ROWS + 7):
        sig = rng.integers(0, 2**32, size=(n, cp.QUOTE_PERM), dtype=np.int64).astype(np.uint32)
        for b in range(0, cp.QUOTE_PERM, cp.QUOTE_ROWS):
            assert np.array_equal(cp._band_keys(sig[:, b:b + cp.QUOTE_ROWS]), keys_at_once(sig[:, b:b + cp.QUOTE_ROWS]))
        if n:
            n_units = np.concatenate(([0], np.diff(np.concatenate(([0], np.sort(rng.integers(0, n, size=40)), [n])))))  # one of none first
            assert n_units.sum() == n and (n_units == 0).any()
            assert np.array_equal(cp._marks(sig, n_units), marks_at_once(sig, n_units))
    # A change in one slot of a unit past the first block still moves its document's fingerprint.
    sig = rng.integers(0, 2**32, size=(3 * cp.MIX_ROWS, cp.QUOTE_PERM), dtype=np.int64).astype(np.uint32)
    n_units = np.array([cp.MIX_ROWS, 2 * cp.MIX_ROWS])
    moved = sig.copy()
    moved[cp.MIX_ROWS + 100, 9] ^= 1
    a, b = cp._marks(sig, n_units), cp._marks(moved, n_units)
    assert a[0] == b[0] and a[1] != b[1]
