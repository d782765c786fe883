"""Tests for sourcetrace.text.normalize: a table of tricky real-world inputs plus map properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.text.normalize import (
    TOKEN,
    Normalized,
    normalize,
    normalize_span,
    normalize_text,
    normalized_token_columns,
    normalized_tokens,
    token_words,
    tokens,
)

# (input, expected normalized text).  Escapes are used where the character is invisible or
# easy to confuse with its folded form.
TABLE: list[tuple[str, str]] = [
    # Hamza seats fold to the seat letter.
    ("أحمد", "احمد"),
    ("إسلام", "اسلام"),
    ("آمال", "امال"),
    ("ٱلرحمن", "الرحمن"),
    ("مؤتمر صحفي", "موتمر صحفي"),
    ("رئيس الوزراء", "رييس الوزراء"),  # standalone hamza ء is kept
    ("سُئِلَ عن المسؤولية والأمن", "سيل عن المسووليه والامن"),
    # Ta marbuta and alef maqsura.
    ("مدرسة الحكومة", "مدرسه الحكومه"),
    ("مستشفى على", "مستشفي علي"),
    # Tatweel (kashida).
    ("«الـمـجـلس»", '"المجلس"'),
    ("الـعـراق", "العراق"),
    ("\u0640", ""),
    # Diacritized and Quranic-style text.
    ("بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ", "بسم الله الرحمن الرحيم"),
    # The dagger alef is deleted, not restored: Quranic ٱلْكِتَٰبُ gives الكتب, not modern الكتاب.
    ("ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ ۛ فِيهِ ۛ هُدًى لِّلْمُتَّقِينَ", "ذلك الكتب لا ريب فيه هدي للمتقين"),
    ("هٰذا", "هذا"),
    ("شكراً جزيلاً", "شكرا جزيلا"),
    # Digits and Arabic punctuation.
    ("٤ حزيران/يونيو ٢٠٢٠", "4 حزيران/يونيو 2020"),
    ("الخميس، ٤ حزيران ٢٠٢٠", "الخميس, 4 حزيران 2020"),
    ("۱۴۰۲/۰۵/۱۲", "1402/05/12"),
    ("٣٫٥ مليون", "3.5 مليون"),
    ("١٬٢٠٠ دولار", "1,200 دولار"),
    ("٥٠٪", "50%"),
    ("هل حضرت؟ نعم، حضرت؛ شكرا", "هل حضرت? نعم, حضرت; شكرا"),
    # Persian/Urdu letter forms.
    ("کتاب یک", "كتاب يك"),
    ("می\u200cخواهم", "ميخواهم"),  # ZWNJ removed
    # Mixed RTL/LTR with bidi controls.
    ("\u200fالعراق\u200f and \u202bUSA\u202c", "العراق and usa"),
    ("\u2067بغداد\u2069 \u2014 Baghdad", "بغداد - baghdad"),
    ("قال بومبيو \u200e(Pompeo)\u200e إنّ", "قال بومبيو (pompeo) ان"),
    ("\ufeffHello", "hello"),
    ("foo\u200bbar", "foobar"),
    ("co\u00adoperation", "cooperation"),
    # Quotes, dashes, ellipsis.
    ("\u201cIt\u2019s done,\u201d she said.", '"it\'s done," she said.'),
    ("\u2018single\u2019 and \u201elow\u201c", "'single' and \"low\""),
    ("«Bonjour»", '"bonjour"'),
    ("2019\u20132020 \u2014 a year", "2019-2020 - a year"),
    ("non\u2011breaking\u2010hyphen \u2015 bar", "non-breaking-hyphen - bar"),
    ("Wait\u2026 what", "wait... what"),
    ("caf\u00e9\u00b4s", "cafe's"),
    # Case and Latin accents.
    ("Straße", "strasse"),
    ("Müller", "muller"),
    ("José Martí", "jose marti"),
    ("Jose\u0301", "jose"),  # decomposed accent
    ("Łódź", "lodz"),
    ("Søren Kierkegaard", "soren kierkegaard"),
    ("Encyclopædia", "encyclopaedia"),
    ("İstanbul", "istanbul"),
    ("Ελληνικά", "ελληνικα"),
    # Whitespace.
    ("10\u00a0000 km", "10 000 km"),
    ("4\u202fjuin", "4 juin"),
    ("  line one\n\n\tline two  ", "line one line two"),
    ("a \u200f b", "a b"),  # a deleted char between spaces does not keep them apart
    ("", ""),
    # Presentation forms and compatibility characters.
    ("\ufefb", "لا"),
    ("\ufdf2", "الله"),
    ("\ufe91\ufeb4\ufee2", "بسم"),
    ("\ufe87\ufee5 \ufe8d\ufedf\ufecc\ufeae\ufe8e\ufed5", "ان العراق"),
    ("\ufdfa", "صلي الله عليه وسلم"),
    ("\ufe70x", "x"),  # isolated fathatan form: a diacritic
    ("ＡＢＣ１２３", "abc123"),
    ("\ufb01nance \ufb02ow", "finance flow"),
]


@pytest.mark.parametrize(("source", "expected"), TABLE, ids=[f"row{i}" for i in range(len(TABLE))])
def test_table(source: str, expected: str) -> None:
    n = normalize(source)
    assert n.text == expected
    assert len(n.offsets) == len(n.text) + 1
    assert normalize(n.text).text == n.text


def test_table_is_large() -> None:
    assert len(TABLE) >= 40


def test_expansion_maps_every_char_to_its_source() -> None:
    n = normalize("aßb", base=100)
    assert n.text == "assb"
    assert n.offsets == (100, 101, 101, 102, 103)
    assert n.to_source(1, 2) == (101, 102)
    assert n.to_source(2, 3) == (101, 102)
    assert n.to_source(0, 4) == (100, 103)


def test_ellipsis_expansion() -> None:
    n = normalize("no…", base=5)
    assert n.text == "no..."
    assert n.to_source(2, 5) == (7, 8)
    assert n.to_source(3, 4) == (7, 8)


def test_deleted_diacritics_are_outside_the_smallest_span() -> None:
    src = "كَتَبَ"
    n = normalize(src)
    assert n.text == "كتب"
    assert n.to_source(0, 3) == (0, 5)  # the final fatha is not needed to cover "كتب"
    assert n.to_source(1, 2) == (2, 3)
    assert n.offsets[-1] == len(src)


def test_whitespace_run_maps_to_the_whole_run() -> None:
    n = normalize("a \n\t b")
    assert n.text == "a b"
    assert n.to_source(1, 2) == (1, 5)
    assert n.to_source(0, 3) == (0, 6)


def test_leading_and_trailing_space_stripped_from_map() -> None:
    n = normalize("\u200f  مرحبا \n", base=10)
    assert n.text == "مرحبا"
    assert n.to_source(0, 5) == (13, 18)
    assert n.offsets[-1] == 10 + 10


def test_ligature_expands_to_a_phrase() -> None:
    src = "قال \ufdfa"
    n = normalize(src)
    assert n.text == "قال صلي الله عليه وسلم"
    toks = tokens(n)
    assert [t[0] for t in toks] == ["قال", "صلي", "الله", "عليه", "وسلم"]
    assert all((s, e) == (4, 5) for _, s, e in toks[1:])


def test_normalize_span_uses_file_offsets() -> None:
    file_text = "Header\n\nThe Secretary\u2019s remarks \u2014 «نصّ البيان» ٢٠٢٠.\nFooter"
    start = file_text.index("The")
    end = file_text.index("\nFooter")
    n = normalize_span(file_text, start, end)
    assert n.text == 'the secretary\'s remarks - "نص البيان" 2020.'
    assert n.offsets[0] == start
    assert n.offsets[-1] == end
    words = tokens(n)
    assert [w for w, _, _ in words] == ["the", "secretary's", "remarks", "نص", "البيان", "2020"]
    for word, s, e in words:
        assert normalize(file_text[s:e]).text == word
    s, e = words[-1][1:]
    assert file_text[s:e] == "٢٠٢٠"


def test_tokens_keep_numbers_and_apostrophes() -> None:
    n = normalize("Don\u2019t pay ٣٫٥ or 10,000 (COVID-19).")
    assert [w for w, _, _ in tokens(n)] == ["don't", "pay", "3.5", "or", "10,000", "covid", "19"]


def test_to_source_rejects_bad_spans() -> None:
    n = normalize("abc")
    with pytest.raises(ValueError):
        n.to_source(2, 1)
    with pytest.raises(ValueError):
        n.to_source(0, 4)
    assert n.to_source(1, 1) == (1, 1)


def test_hand_built_normalized_gets_ends() -> None:
    n = Normalized("ab", (3, 5, 6))
    assert n.ends == (5, 6)
    assert n.to_source(0, 2) == (3, 6)
    with pytest.raises(ValueError):
        Normalized("ab", (0, 1))


def test_lang_does_not_change_the_result() -> None:
    s = "Müller قال «الـمـجـلس» ٢٠٢٠"
    assert normalize(s, "ar") == normalize(s, "en") == normalize(s)


def test_every_bmp_character_folds_to_a_fixed_point() -> None:
    bmp = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    once = normalize(bmp).text
    assert normalize(once).text == once


def test_long_text_matches_chunked_normalization() -> None:
    # Exercises the dense paths (many deletions, expansions, many space runs).
    unit = "بِسْمِ  ٱللَّهِ ß…\u200f  Müller \ufdfa\n"
    text = unit * 500
    n = normalize(text)
    assert n.text == " ".join([normalize(unit).text] * 500)
    k = len(normalize(unit).text) + 1
    assert n.to_source(k, 2 * k - 1) == (len(unit), 2 * len(unit) - 1)


# ----------------------------------------------------------------------------------------------
# Properties.

_TRICKY = list(
    "ßﬃ…İ\ufdfa\ufdfb\ufefb ــ \n\t\u00a0\u202f\u200f\u200c\u200d\ufeff\u202b\u2066AbcÉé´¨ﹰ‘’“”—٠٩۰۹،؟"
)
_chars = st.one_of(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
    st.characters(min_codepoint=0x0300, max_codepoint=0x036F),
    st.characters(min_codepoint=0x0020, max_codepoint=0x024F),
    st.sampled_from(_TRICKY),
    st.characters(),
)
_texts = st.text(_chars, max_size=40)


@settings(max_examples=300, deadline=None)
@given(_texts, st.integers(min_value=0, max_value=10_000))
def test_offsets_monotone_and_in_range(text: str, base: int) -> None:
    n = normalize(text, base=base)
    assert len(n.offsets) == len(n.text) + 1
    assert len(n.ends) == len(n.text)
    assert list(n.offsets) == sorted(n.offsets)
    assert list(n.ends) == sorted(n.ends)
    assert all(base <= o <= base + len(text) for o in n.offsets)
    assert n.offsets[-1] == base + len(text)
    assert all(s < e <= base + len(text) for s, e in zip(n.offsets, n.ends, strict=False))


@settings(max_examples=150, deadline=None)
@given(_texts, st.integers(min_value=0, max_value=1000))
def test_every_span_maps_back_to_source_that_normalizes_to_it(text: str, base: int) -> None:
    file_text = "x" * base + text
    n = normalize_span(file_text, base, base + len(text))
    m = len(n.text)
    for a in range(m + 1):
        for b in range(a, m + 1):
            s, e = n.to_source(a, b)
            assert base <= s <= e <= base + len(text)
            piece = n.text[a:b].strip(" ")
            again = normalize(file_text[s:e]).text
            assert piece in again
            aligned = (a == 0 or n.offsets[a - 1] != n.offsets[a]) and (
                b == m or n.offsets[b] != n.offsets[b - 1]
            )
            if aligned and b > a:
                assert again == piece


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_idempotent(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_concatenation_agrees_with_parts(text: str) -> None:
    # Normalizing a slice equals the corresponding part of the whole (modulo edge spaces).
    whole = normalize(text)
    mid = len(text) // 2
    left, right = normalize(text[:mid]), normalize(text[mid:], base=mid)
    joined = " ".join(p for p in (left.text, right.text) if p)
    assert joined.replace(" ", "") == whole.text.replace(" ", "")


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_tokens_map_to_source_that_normalizes_to_the_token(text: str) -> None:
    n = normalize(text)
    for word, s, e in tokens(n):
        assert word
        assert word in normalize(text[s:e]).text


@given(_texts)
def test_normalize_text_is_the_text_of_normalize(text: str) -> None:
    assert normalize_text(text) == normalize(text).text
    assert normalize_text("  ") == "" and normalize_text(" Ａ\u0651  b\t\n") == normalize(" Ａ\u0651  b\t\n").text


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_token_pattern_on_the_fold_alone_gives_the_words_of_tokens(text: str) -> None:
    assert TOKEN.findall(normalize_text(text)) == [w for w, _, _ in tokens(normalize(text))]


@settings(max_examples=500, deadline=None)
@given(st.one_of(_texts, st.text(st.sampled_from("ab7 .,'_-\u0301\u0915\u093f\u05b0\u0661\u0664\u0627"), max_size=20)))
def test_token_words_are_the_token_patterns_from_the_plain_words(text: str) -> None:
    for t in (text, normalize_text(text)):
        assert token_words(t, re.findall(r"\w+", t)) == TOKEN.findall(t)


def test_token_words_scan_again_only_where_a_word_is_joined() -> None:
    plain = ["a", "b"]  # not the text's: shows which way the answer came
    assert token_words("x y", plain) is plain
    for joined in ("don't", "10,000", "3.5", "a_b", "cafe\u0301", "\u0915\u093f"):
        assert token_words(joined, plain) == TOKEN.findall(joined)


def test_token_pattern_keeps_numbers_and_apostrophes_whole() -> None:
    text = "Don\u2019t  pay 10,000.50 dinars — «الحكومة» قالت"
    assert TOKEN.findall(normalize_text(text)) == [w for w, _, _ in tokens(normalize(text))]
    assert TOKEN.findall(normalize_text(text))[:3] == ["don't", "pay", "10,000.50"]


@given(_texts, st.integers(min_value=0, max_value=1000))
def test_normalized_tokens_are_the_tokens_of_normalize(text: str, base: int) -> None:
    assert normalized_tokens(text, base) == tokens(normalize(text, base=base))


@pytest.mark.parametrize("text", ["  لقد  قالت الوزارةُ إنّ 3.5 ",  "The ministry\u200b said", "plain words, no fold"])
def test_normalized_tokens_slow_and_fast_paths(text: str) -> None:
    assert normalized_tokens(text, 7) == tokens(normalize(text, base=7))


@given(_texts, st.integers(min_value=0, max_value=1000))
def test_normalized_token_columns_are_the_columns_of_the_tokens(text: str, base: int) -> None:
    found = tokens(normalize(text, base=base))
    assert normalized_token_columns(text, base) == ([w for w, _, _ in found], [s for _, s, _ in found],
                                                    [e for _, _, e in found])
    assert normalized_token_columns("plain words, no fold", 7) == (["plain", "words", "no", "fold"],
                                                                   [7, 13, 20, 23], [12, 18, 22, 27])


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=0, max_size=40), st.integers(min_value=0, max_value=40))
def test_long_texts_fold_as_translate_folds_them(piece: str, times: int) -> None:
    """Texts from _ARRAY_FOLD_FROM characters on are folded by a table in numpy: the same
    characters as str.translate, deleted, expanded and unseen ones included."""
    from sourcetrace.text.normalize import _ARRAY_FOLD_FROM, _FOLD, _folded

    for text in (piece * times + "ab" * _ARRAY_FOLD_FROM, "مُحَمَّدٌ … ﻻ ß " * 60 + piece, "x" * 600 + piece + "\U0001d538"):
        assert _folded(text) == text.translate(_FOLD)
