"""Surface cues: name skeletons across scripts, name order, numbers, negation, questions."""


import pytest

from sourcetrace.align.cues import (
    cue_features,
    has_negation,
    name_order_score,
    names,
    names_score,
    negation_score,
    number_score,
    numbers,
    question_score,
)
from sourcetrace.text.arabic import clitic_readings
from sourcetrace.text.skeletons import same_name, skeleton, transliterate
from work import lines_executed


def arabic_matches(arabic: str, english: str) -> bool:
    """Does some clitic reading of the Arabic word spell the English name?"""
    return any(same_name(skeleton(english), skeleton(transliterate(r))) for r in clitic_readings(arabic))


SAME_NAME = [
    ("سامي", "Sami"),
    ("ليلى", "Layla"),
    ("توم", "Tom"),
    ("ماري", "Mary"),
    ("جون", "John"),
    ("بومبيو", "Pompeo"),
    ("ستولتنبرغ", "Stoltenberg"),
    ("الكاظمي", "Kadhimi"),
    ("واشنطن", "Washington"),
    ("بغداد", "Baghdad"),
    ("الموصل", "Mosul"),
    ("فاضل", "Fadil"),
    ("لندن", "London"),
    ("بوسطن", "Boston"),
    ("ترامب", "Trump"),
    ("بايدن", "Biden"),
    ("طهران", "Tehran"),
    ("محمد", "Mohammed"),
    ("أحمد", "Ahmed"),
    ("كين", "Ken"),
    ("مايك", "Mike"),
    ("الفرنسية", "French"),
    ("الإنجليزية", "English"),
    ("لسامي", "Sami"),  # preposition li-
    ("لليلى", "Layla"),  # li- before a name in l-
    ("وسامي", "Sami"),  # conjunction wa-
    ("بواشنطن", "Washington"),  # preposition bi-
    ("مارتن", "Martin"),
]

DIFFERENT_NAME = [
    ("إلى", "Layla"),  # one strong consonant: needs the y of Layla too
    ("سامي", "Layla"),
    ("توم", "Mary"),
    ("بغداد", "Mosul"),
    ("واشنطن", "London"),
    ("ماري", "Tom"),
    ("الكاظمي", "Pompeo"),
]


@pytest.mark.parametrize(("arabic", "english"), SAME_NAME)
def test_transliterated_names_meet(arabic: str, english: str) -> None:
    assert arabic_matches(arabic, english)


@pytest.mark.parametrize(("arabic", "english"), DIFFERENT_NAME)
def test_different_names_do_not_meet(arabic: str, english: str) -> None:
    assert not arabic_matches(arabic, english)


@pytest.mark.parametrize(
    ("word", "skel"),
    [("Pompeo", "bmb"), ("Layla", "lyl"), ("Washington", "wsngtn"), ("Sami", "sm"),
     ("Mary", "mr"), ("Khalid", "kld"), ("Philip", "flb"), ("Cecil", "sl"), ("Baghdad", "bgd")],
)  # fmt: skip
def test_skeleton(word: str, skel: str) -> None:
    assert skeleton(word) == skel


def test_transliterate_rough_spelling() -> None:
    assert transliterate("سامي") == "sami"
    assert transliterate("توم") == "tum"
    assert transliterate("ليلى") == "layla"
    assert transliterate("شاطئ") == "shat"
    assert transliterate("غَدًا") == "ghda"  # diacritics dropped


def test_strip_clitics_readings() -> None:
    assert clitic_readings("والكتاب") == ["والكتاب", "الكتاب", "كتاب"]
    assert "سامي" in clitic_readings("لسامي")
    assert "ليلى" in clitic_readings("لليلى")
    assert clitic_readings("من") == ["من"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Layla gave Sami the money.", ["lyl", "sm"]),
        ("I'm sure Tom's here.", ["tm"]),  # contraction and possessive
        ("What're you doing, Mary?", ["mr"]),
        ("The dog is here.", []),
        ("You're right.", []),
    ],
)
def test_english_names(text: str, expected: list[str]) -> None:
    assert names(text, "en") == expected


@pytest.mark.parametrize(
    ("ar", "en", "expected"),
    [
        ("قدّمت ليلى المال لسامي.", "Layla gave Sami the money.", 1.0),
        ("قدّمت ليلى المال لسامي.", "Sami brought Layla the money.", -1.0),  # swapped
        ("أحضر سامي المال لليلى.", "Sami brought Layla the money.", 1.0),
        ("أحضر سامي المال لليلى.", "Layla gave Sami the money.", -1.0),
        ("التقى بومبيو ستولتنبرغ في واشنطن.", "Pompeo met Stoltenberg in Washington.", 1.0),
        # one of three name pairs out of order: tau = (2 - 1) / 3
        ("التقى بومبيو ستولتنبرغ في واشنطن.", "Stoltenberg met Pompeo in Washington.", 1 / 3),
        ("زار الكاظمي الموصل.", "Kadhimi visited Mosul.", 1.0),
        ("زار الكاظمي الموصل.", "Kadhimi visited Baghdad.", 0.0),  # one found, one missing
        ("زار الكاظمي الموصل.", "Tom visited Mary.", -1.0),  # Mary is missing, Tom uncertain
        ("الكلب هنا.", "The dog is here.", 0.0),  # no names
        ("بدأ المال يتدفّق.", "Money started pouring in.", 0.0),  # sentence-initial, not a name
    ],
)
def test_name_order_score(ar: str, en: str, expected: float) -> None:
    assert name_order_score(ar, en) == pytest.approx(expected)


def test_names_score_either_direction_and_latin_pairs() -> None:
    ar, en = "قدّمت ليلى المال لسامي.", "Sami brought Layla the money."
    assert names_score(ar, en, "ar", "en") == names_score(en, ar, "en", "ar") == -1.0
    assert names_score("Tom met Mary.", "Tom a vu Mary.", "en", "fr") == 1.0
    assert names_score("Tom met Mary.", "Mary a vu Tom.", "en", "fr") == -0.5
    assert names_score("الكلب", "الكلب", "ar", "ar") == 0.0


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Layla is now 13.", "en", [13]),
        ("عمر ليلى الآن ١٣ سنة.", "ar", [13]),  # Arabic-Indic digits
        ("Tom promised to be here before 2:30.", "en", [2, 30]),
        ("I have three dogs and twelve cats.", "en", [3, 12]),
        ("عندي ثلاثة كلاب.", "ar", [3]),
        ("جاء اثنا عشر رجلا.", "ar", [12]),
        ("وخمسة أيام", "ar", [5]),  # conjunction stripped
        ("No one came.", "en", []),  # "one" is left out
    ],
)
def test_numbers(text: str, lang: str, expected: list[int]) -> None:
    assert numbers(text, lang) == expected


def test_number_score() -> None:
    assert number_score("عمر ليلى الآن 13 سنة.", "Layla is now 13.") == 1.0
    assert number_score("عمر ليلى الآن 13 سنة.", "Layla is now 14.") == -1.0
    assert number_score("بقي 3 مسافرين من 98", "Only 3 out of the 98 passengers") == 1.0
    assert number_score("بقي 3 مسافرين من 98", "Only 3 out of the 99 passengers") == pytest.approx(-1 / 3)
    assert number_score("عندي كلب.", "I have a dog.") == 0.0
    assert number_score("عندي كلب.", "I have two dogs.") == -0.5


@pytest.mark.parametrize(
    ("text", "lang", "negated"),
    [
        ("I can't do it.", "en", True),
        ("I can’t do it.", "en", True),  # typographic apostrophe
        ("I have never seen it.", "en", True),
        ("Are you not tired?", "en", True),
        ("I can do it.", "en", False),
        ("Nothing happened.", "en", True),
        ("Knowledge is power.", "en", False),  # "no" inside a word
        ("لا يمكنني فعل ذلك.", "ar", True),
        ("لم أره.", "ar", True),
        ("لن أذهب.", "ar", True),
        ("ألست متعباً؟", "ar", True),  # interrogative a- + lasta
        ("ولا أحد يعرف.", "ar", True),
        ("ليست هنا.", "ar", True),
        ("ما الذي ستفعله؟", "ar", False),  # ma = "what"
        ("يمكنني فعل ذلك.", "ar", False),
    ],
)
def test_negation(text: str, lang: str, negated: bool) -> None:
    assert has_negation(text, lang) is negated


def test_negation_and_question_scores() -> None:
    assert negation_score("لا أستطيع أن أفعل ذلك.", "I can't do that.") == 1.0
    assert negation_score("أستطيع أن أفعل ذلك.", "I can't do that.") == -1.0
    assert negation_score("أستطيع أن أفعل ذلك.", "I can do that.") == 0.0
    assert question_score("هل تعرف الإجابة؟", "Do you know the answer?") == 1.0
    assert question_score("أعرف الإجابة.", "Do you know the answer?") == -1.0
    assert question_score("أعرف الإجابة.", "I know the answer.") == 0.0


def test_cue_features_all_in_range_and_bounded_work() -> None:
    pairs = [
        ("قدّمت ليلى المال لسامي.", "Sami brought Layla the money."),
        ("سمع سامي كلابا تنبح.", "Sami heard a dog barking."),
        ("لا يمكنني فعل ذلك.", "I can't do it."),
        ("عمر ليلى الآن 13 سنة.", "Layla is now 13."),
    ]
    for ar, en in pairs:
        feats = cue_features(ar, en, "ar", "en")
        assert set(feats) == {"names", "numbers", "negation", "question", "plural"}
        assert all(-1.0 <= v <= 1.0 for v in feats.values())

    # the reranker scores ~7 pairs per sentence: a pair's work must not grow with the pairs scored
    # before it (no growing cache or list scanned per call), counted rather than timed
    def score(n: int) -> None:
        for k in range(n):
            ar, en = pairs[k % len(pairs)]
            cue_features(ar, en, "ar", "en")

    score(len(pairs))  # warm whatever is cached once
    assert lines_executed(lambda: score(400)) <= 4.4 * lines_executed(lambda: score(100))


def _find_names_by_scan(en_names: list[str], ar_text: str) -> list[int | None]:
    """The name look-up as it was before it was indexed: every name against every reading of
    every word, left to right (the reference the index must agree with)."""
    from sourcetrace.text.arabic import arabic_words

    ar = [[skeleton(transliterate(r)) for r in clitic_readings(w)] for w in arabic_words(ar_text)]
    used: set[int] = set()
    pos: list[int | None] = []
    for name in en_names:
        hit = next((i for i, readings in enumerate(ar)
                    if i not in used and any(same_name(name, r) for r in readings)), None)
        if hit is not None:
            used.add(hit)
        pos.append(hit)
    return pos


# Arabic words that spell names exactly, one edit away, with clitics, by one weak letter, and
# words that spell nothing; English names that meet them and names that meet none.
AR_POOL = ["واشنطن", "وواشنطن", "بومبيو", "ستولتنبرغ", "ليلى", "إلى", "لي", "سامي", "لسامي", "توم",
           "الكاظمي", "الموصل", "بالموصل", "المال", "بغداد", "وبغداد", "هنا", "في", "التقى", "زار",
           "واشنطون", "سام", "ماري", "مريم", "يوم", "الخرطوم", "خرطوم", "لندن", "لندرة", "برلين"]
EN_POOL = ["Washington", "Pompeo", "Stoltenberg", "Layla", "Sami", "Sam", "Tom", "Kadhimi", "Mosul",
           "Baghdad", "Mary", "Maryam", "Khartoum", "London", "Berlin", "Lee", "Ali", "Yom", "Wasington"]


def test_find_names_agrees_with_a_scan_of_every_word() -> None:
    import random

    from sourcetrace.align.cues import _find_names

    rng = random.Random(5)
    for _ in range(400):
        ar = " ".join(rng.choice(AR_POOL) for _ in range(rng.randrange(1, 12)))
        en = [skeleton(rng.choice(EN_POOL)) for _ in range(rng.randrange(1, 6))]
        assert _find_names(en, ar) == _find_names_by_scan(en, ar), (en, ar)


@pytest.mark.parametrize(("text", "expected"), [("وصل ثلاثة وخمسون زائرا", [3, 50]),
                                              ("اثنا عشر شهرا وبأربعة أيام", [12, 4]), ("لا عدد هنا", [])])
def test_arabic_number_words_with_clitics(text: str, expected: list[int]) -> None:
    assert numbers(text, "ar") == expected


@pytest.mark.parametrize("text", ["Twenty-two ministers met twice, sixty said; both of them", "2two sixteen fourteen",
                                  "Café three, naïve four, TEN", "one hundred and eleven thousand", ""])
def test_english_number_words_are_whole_runs_of_letters(text: str) -> None:
    import re

    from sourcetrace.align.cues import _EN_NUMBERS

    words = [_EN_NUMBERS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _EN_NUMBERS]
    assert numbers(text, "en") == [int(d) for d in re.findall(r"\d+", text)] + words


def test_arabic_names_compared_before_indexed_find_the_same_words() -> None:
    """A sentence's first long names are compared with its words, later ones looked up in the
    one-deletion index: either way the same words (one edit apart, four consonants or more)."""
    from sourcetrace.align.cues import _NEAR_SCANS, _ArabicNames

    text = "قال وزير الخارجية في واشنطن إن واشنطون وموسكو والقاهرة ستجتمع"
    asked = [skeleton(w) for w in ("Washington", "Moscow", "Cairo", "Washingtn", "Mosko", "Kairo", "Layla", "Damascus", "Alexandria", "Washingtone")]
    scanned = _ArabicNames(text)
    indexed = _ArabicNames(text)
    indexed._long_lookups = _NEAR_SCANS  # every long name goes to the index
    got = [scanned.words_spelling(n) for n in asked]
    assert got == [indexed.words_spelling(n) for n in asked]
    assert got[0] and scanned._near is not None  # found, and the later names used the index
