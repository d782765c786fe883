"""Surface cues: cheap, language-independent checks that break ties between near-duplicate translations.

Sentence vectors see *what* a sentence is about but are weak on *who does what to whom*, on
numbers and on small function words: "Sami gave Layla the money" and "Layla gave Sami the money"
get almost the same vector, and so do "a dog" and "dogs", "I can" and "I can't". These functions
look at the surface strings instead. Each returns a score in [-1, 1] where 0 means "no evidence",
so they can be added, weighted, to a margin score (``matching.rerank``) for the few candidates
the vectors already rank highest. All are pure Python (tens of thousands of pairs per second).

Features:

* **names** -- :func:`name_order_score`. Proper names survive translation as transliterations, in
  the same relative order (Arabic VSO keeps subject before object, as English SVO does). English
  names are found by capitalisation (:func:`names`); Arabic has no case, so every Arabic word is
  reduced to a Latin consonant skeleton (:func:`~sourcetrace.text.skeletons.transliterate`, after
  stripping clitics) and compared with the skeletons of the English names
  (:func:`~sourcetrace.text.skeletons.skeleton`, :func:`~sourcetrace.text.skeletons.same_name`).
  Measures: are the candidate's names present in the source, and in the same order?
* **numbers** -- :func:`number_score`: digits (incl. Arabic-Indic) and number words two..twelve
  and the tens, in English and Arabic. Measures: do the two sentences state the same numbers?
* **negation** -- :func:`negation_score`: "not / n't / never / no ..." against
  «لا / لم / لن / ليس ...». Measures: is one sentence the negation of the other?
* **question** -- :func:`question_score`: "?" against "؟". Measures: same sentence type.
* **plural** -- :func:`plural_score`: an English noun in -s against an Arabic plural shape (sound
  plural suffixes, the commonest broken-plural patterns). A rough cue: "a dog" vs "dogs".
Measured on Tatoeba ara-eng (bench/tatoeba.py, weights swept on the first half): only the name
order helps there (+0.004); numbers are neutral, negation and question marks slightly harmful,
the plural cue harmful (too noisy), so ``matching.DEFAULT_CUE_WEIGHTS`` uses names only.

(These were called "anchors" until the word was taken by two other things: the rare terms of
candidate search and the backbone pairs of alignment.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from sourcetrace.text.arabic import (
    CONJUNCTIONS,
    DIGITS,
    PRONOUN_SUFFIXES,
    arabic_words,
    clitic_readings,
    strip_proclitic,
)
from sourcetrace.text.dates import EN_MONTH_NAMES, EN_WEEKDAYS
from sourcetrace.text.skeletons import skeleton, strong_skeleton, transliterate, within_one_edit


def _words(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string."""
    return frozenset(text.split())


# ---------------------------------------------------------------------------------------------
# Names

# Capitalised words that are not names: sentence-initial function words and common imperatives.
STOPWORDS = _words("""
a about after again all also am an and any are as at be because been before being both but by
can come could cut did do does don don't doesn't didn't down each even every everybody everyone
everything few for from get give go good had has have he her here hers him his how i if in is
isn't it it's its just keep let let's look make many may maybe me mind more most much must my
never no nobody none not nothing now of off oh ok okay on once one only or our out over please
put really say see shall she should show shut so some somebody someone something stay still stop
take tell thank thanks that that's the their them then there there's these they this those
through to too try under until up us very wait was we well were what what's when where which
while who whoever whom whose why will with would yes yesterday yet you your yours today tomorrow
tonight hey hello hi sorry excuse dear mr mrs ms dr sir madam mother father mom dad god
""") | frozenset(EN_WEEKDAYS) | frozenset(EN_MONTH_NAMES)

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def _english_names(text: str) -> list[tuple[str, bool]]:
    """(skeleton, certain) for each capitalised non-stoplist word. A name is uncertain when it is
    the first word of the sentence (any word is capitalised there), an acronym (CD, TV: read out
    as letter names) or a nationality-like word in -ese/-ian/-ish/-an (translated, not
    transliterated)."""
    out: list[tuple[str, bool]] = []
    first = True
    for m in _EN_WORD.finditer(text.replace("\u2019", "'")):
        word, was_first = m.group(0), first
        first = False
        if not word[0].isupper():
            continue
        base, _, tail = word.partition("'")
        if tail not in ("", "s"):  # I'm, You're, What're: contractions, not names
            continue
        if base.lower() in STOPWORDS or len(base) < 2:
            continue
        sk = _name_skeleton(base)
        if not sk:
            continue
        uncertain = was_first or base.isupper() or base.lower().endswith(("ese", "ian", "ish", "an"))
        out.append((sk, not uncertain))
    return out


@lru_cache(maxsize=65536)  # names recur across the sentences a search compares (a third of its names' time)
def _name_skeleton(word: str) -> str:
    return skeleton(word)


@lru_cache(maxsize=4096)  # a quote's own names, against each candidate of a search
def _cached_english_names(text: str) -> tuple[tuple[str, bool], ...]:
    return tuple(_english_names(text))


def names(text: str, lang: str) -> list[str]:
    """The proper names of a sentence, in order, as consonant skeletons (:func:`skeleton`).

    ``lang="en"`` (or any Latin-script language): capitalised words, minus a stoplist of common
    words and contractions ("I'm"); a possessive 's is dropped.
    ``lang="ar"``: Arabic has no case, so every word is a candidate: the skeleton of each word's
    transliteration is returned, and :func:`name_order_score` matches the words (and their
    readings without clitics) against the English names of the candidate instead.
    """
    if lang.startswith("ar"):
        return [skeleton(transliterate(w)) for w in arabic_words(text)]
    return [sk for sk, _ in _english_names(text)]


_NEAR_SCANS = 3  # long names looked up by comparison before a sentence's one-deletions are indexed


class _ArabicNames:
    """The name skeletons of an Arabic sentence, indexed so that an English name finds the words
    it may spell (:func:`~sourcetrace.text.skeletons.same_name`) by look-ups, not by comparing it
    with every reading of every word: a quote is compared with dozens of sentences a search."""

    def __init__(self, text: str) -> None:
        self.exact: dict[str, set[int]] = {}  # strong skeleton of two letters or more -> words
        self.single: dict[str, set[int]] = {}  # whole skeleton whose strong one is one letter -> words
        self.long: list[tuple[int, str]] = []  # (word, strong skeleton of four letters or more)
        self._near: dict[str, set[tuple[int, str]]] | None = None
        self._long_lookups = 0
        for i, w in enumerate(arabic_words(text)):
            for sk, strong in _readings(w):
                if len(strong) == 1:  # a single strong consonant must agree on w/y too
                    self.single.setdefault(sk, set()).add(i)
                    continue
                self.exact.setdefault(strong, set()).add(i)
                if len(strong) >= 4:
                    self.long.append((i, strong))

    def words_spelling(self, name: str) -> set[int]:
        """Indexes of the words one of whose readings is the same name as skeleton ``name``."""
        strong = strong_skeleton(name)
        if not strong:
            return set()
        if len(strong) == 1:
            return self.single.get(name, set())
        out = set(self.exact.get(strong, ()))
        if len(strong) >= 4:  # one edit apart, both of four consonants or more
            self._long_lookups += 1
            if self._near is None and self._long_lookups <= _NEAR_SCANS:
                # a candidate sentence meets a quote's few names: comparing them with its long
                # words costs less than indexing their one-deletions (same words: an edit apart
                # they share a deletion)
                n = len(strong)
                out.update(i for i, other in self.long if abs(len(other) - n) <= 1 and within_one_edit(strong, other))
                return out
            near = self._near_index()
            for key in _deletions(strong):
                out.update(i for i, other in near.get(key, ()) if within_one_edit(strong, other))
        return out

    def _near_index(self) -> dict[str, set[tuple[int, str]]]:
        """Long strong skeletons under themselves and each of their one-deletions (built when a
        long name is first looked up)."""
        if self._near is None:
            self._near = {}
            for i, strong in self.long:
                for key in _deletions(strong):
                    self._near.setdefault(key, set()).add((i, strong))
        return self._near


@lru_cache(maxsize=65536)  # words recur across the sentences a search compares
def _readings(word: str) -> tuple[tuple[str, str], ...]:
    """(skeleton, strong skeleton) of each clitic reading of an Arabic word that has consonants."""
    out = []
    for r in clitic_readings(word):
        sk = skeleton(transliterate(r))
        strong = strong_skeleton(sk)
        if strong:
            out.append((sk, strong))
    return tuple(out)


@lru_cache(maxsize=65536)  # the same skeletons recur across the sentences a search compares
def _deletions(word: str) -> frozenset[str]:
    """The word and every string one deletion from it: two strings within one edit of each other
    share one of these (symmetric-delete look-up)."""
    return frozenset((word, *(word[:k] + word[k + 1:] for k in range(len(word)))))


@lru_cache(maxsize=4096)  # a quote is compared with many candidates (quotes/search.py)
def _arabic_names(text: str) -> _ArabicNames:
    return _ArabicNames(text)


def _find_names(en_names: Sequence[str], ar_text: str) -> list[int | None]:
    """Position (word index) in ``ar_text`` of each English name skeleton, or None; each Arabic
    word is used at most once, names are searched left to right (each takes the first word not
    used yet that spells it)."""
    ar = _arabic_names(ar_text)
    used: set[int] = set()
    pos: list[int | None] = []
    for name in en_names:
        free = ar.words_spelling(name) - used
        hit = min(free) if free else None
        if hit is not None:
            used.add(hit)
        pos.append(hit)
    return pos


def name_order_score(ar_text: str, en_text: str, missing: float = 1.0) -> float:
    """Do the English sentence's names occur in the Arabic one, and in the same order?

    Each English name (:func:`names`) is located in ``ar_text`` by skeleton. An uncertain name
    (first word of the sentence, acronym, nationality-like word) that is not found is ignored.
    With n names left, k of them found, and ``tau`` the pairwise order agreement of the found
    ones (+1 all in order, -1 all reversed; +1 for a single name), the score is
    ``(k * tau - missing * (n - k)) / n``: +1 when all are found in order, -1 when two names are
    swapped or all are missing, 0 when the English sentence has no names.
    """
    en = _cached_english_names(en_text)
    if not en:
        return 0.0
    pos = _find_names([sk for sk, _ in en], ar_text)
    kept = [p for p, (_, certain) in zip(pos, en, strict=True) if p is not None or certain]
    if not kept:
        return 0.0
    found = [p for p in kept if p is not None]
    k, n = len(found), len(kept)
    tau = 1.0
    if k >= 2:
        conc = disc = 0
        for a in range(k):
            for b in range(a + 1, k):
                if found[a] < found[b]:
                    conc += 1
                else:
                    disc += 1
        tau = (conc - disc) / (conc + disc)
    return (k * tau - missing * (n - k)) / n


def names_score(text_a: str, text_b: str, lang_a: str, lang_b: str) -> float:
    """:func:`name_order_score` for any pair of languages: Arabic against Latin script in either
    direction; between two Latin-script sentences, agreement of the two name sequences."""
    a_ar, b_ar = lang_a.startswith("ar"), lang_b.startswith("ar")
    if a_ar and not b_ar:
        return name_order_score(text_a, text_b)
    if b_ar and not a_ar:
        return name_order_score(text_b, text_a)
    if a_ar and b_ar:
        return 0.0
    na, nb = names(text_a, lang_a), names(text_b, lang_b)
    if not na and not nb:
        return 0.0
    return 1.0 if na == nb else (-1.0 if sorted(na) != sorted(nb) else -0.5)


# ---------------------------------------------------------------------------------------------
# Numbers

_NUMBER = re.compile(r"\d+")
_EN_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "twice": 2, "both": 2, "dozen": 12,
}  # fmt: skip
_AR_NUMBERS = {
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثة": 3, "اربع": 4,
    "اربعة": 4, "خمس": 5, "خمسة": 5, "ستة": 6, "سبعة": 7, "ثمان": 8, "ثماني": 8, "ثمانية": 8,
    "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10, "عشرون": 20, "عشرين": 20, "ثلاثون": 30,
    "ثلاثين": 30, "اربعون": 40, "اربعين": 40, "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60,
    "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90, "مائة": 100,
    "مئة": 100, "الف": 1000, "مرتين": 2, "كلا": 2, "كلتا": 2,
}  # fmt: skip
# A number word as a whole run of Latin letters (one pass in C, not a look-up per word).
_EN_NUMBER_WORD = re.compile(r"(?<![a-z])(?:" + "|".join(_EN_NUMBERS) + r")(?![a-z])")
_AR_TEENS = {"احد": 11, "احدى": 11, "اثنا": 12, "اثني": 12, "اثنتا": 12, "اثنتي": 12}


def numbers(text: str, lang: str) -> list[int]:
    """The numbers stated in a sentence, in order: digit strings (ASCII, Arabic-Indic and
    Persian digits; "2:30" gives 2 and 30) and number words from two upwards ("one"/«واحد» are
    left out: they are as often pronouns or articles as numbers)."""
    out = [int(d) for d in _NUMBER.findall(text.translate(DIGITS))]
    if lang.startswith("ar"):
        words = arabic_words(text)
        skip = False
        for i, w in enumerate(words):
            if skip:
                skip = False
                continue
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if w in _AR_TEENS and nxt in ("عشر", "عشرة"):
                out.append(_AR_TEENS[w])
                skip = True
                continue
            value = _arabic_number_word(w)
            if value is not None:
                out.append(value)
    else:
        out += [_EN_NUMBERS[w] for w in _EN_NUMBER_WORD.findall(text.lower())]
    return out


@lru_cache(maxsize=65536)  # a search reads the numbers of a hundred sentences: words recur
def _arabic_number_word(word: str) -> int | None:
    """The number an Arabic word states, read with and without its clitics («وثلاثة» 3)."""
    for r in clitic_readings(word):
        if r in _AR_NUMBERS:
            return _AR_NUMBERS[r]
    return None


def number_score(a: str, b: str, lang_a: str = "ar", lang_b: str = "en") -> float:
    """Agreement of the numbers of two sentences: 0 when neither has any, ``2 J - 1`` (J the
    Jaccard overlap of the two sets) when both do, -0.5 when only one does (Arabic says "two
    dogs" with a dual ending, no number word, so one-sided numbers are weaker evidence)."""
    na, nb = set(numbers(a, lang_a)), set(numbers(b, lang_b))
    if not na and not nb:
        return 0.0
    if not na or not nb:
        return -0.5
    return 2.0 * len(na & nb) / len(na | nb) - 1.0


# ---------------------------------------------------------------------------------------------
# Negation, question, plural

_EN_NEG = re.compile(
    r"\b(not|never|no|nobody|nothing|none|neither|nor|nowhere|cannot|without)\b|n't\b", re.I
)
_AR_NEG = _words("لا لم لن ليس ليست لست لسنا ليسوا ليسا لستم لستن غير بدون دون")
_NEG_PREFIXES = (*CONJUNCTIONS, "ا")  # و/ف, and the question hamza (أ after normalize_arabic): «ألم»


def has_negation(text: str, lang: str) -> bool:
    """Whether the sentence contains a negation word. Arabic: لا لم لن and the forms of ليس
    (also after و/ف/أ: «ولا», «ألم», «ألست»), غير, (ب)دون. «ما» is left out: it is at least as
    often "what" as "not"."""
    if lang.startswith("ar"):
        for w in arabic_words(text):
            if w in _AR_NEG:
                return True
            # One letter only, and any stem: the words are short and the table is closed.
            if strip_proclitic(w, _NEG_PREFIXES, min_stem=1) in _AR_NEG:
                return True
        return False
    return bool(_EN_NEG.search(text.replace("\u2019", "'")))


def _cue_score(a: bool, b: bool) -> float:
    """+1 both have the cue, 0 neither, -1 only one."""
    if a and b:
        return 1.0
    return 0.0 if a == b else -1.0


def negation_score(a: str, b: str, lang_a: str = "ar", lang_b: str = "en") -> float:
    """Negation agreement: +1 both negated, 0 neither, -1 one only."""
    return _cue_score(has_negation(a, lang_a), has_negation(b, lang_b))


def is_question(text: str) -> bool:
    """The sentence contains a question mark (Latin ? or Arabic ؟)."""
    return "?" in text or "؟" in text


def question_score(a: str, b: str, lang_a: str = "ar", lang_b: str = "en") -> float:
    """Question-mark agreement: +1 both questions, 0 neither, -1 one only."""
    return _cue_score(is_question(a), is_question(b))


_EN_NOT_PLURAL = _words("""
is was has his this us yes its does goes always perhaps thus plus bus gas series news mathematics
physics less unless across whereas besides sometimes towards afterwards upstairs downstairs
glass class boss kiss miss dress business address yours ours hers theirs lots pants jeans
""")
_EN_PLURAL_IRREGULAR = _words("men women children people feet teeth mice geese")


def has_plural(text: str, lang: str) -> bool:
    """A rough plural-noun cue.

    English: an irregular plural, or a word in -s (not -ss/-'s, not a stoplisted word) that
    follows a determiner or adjective position ("the dogs", "heard dogs", "has pockets")
    -- i.e. any such -s word not directly after a subject pronoun or name (which would make it
    a verb: "he wants", "Sami makes"). Arabic: the sound plural endings ون/ين/ات on words of
    five letters or more, or the broken-plural shapes CCاC, اCCاC, CCوC, CCاCC/CCاCيC of the
    stem (after clitics, article and a pronoun or tanween ending).
    """
    if lang.startswith("ar"):
        return any(_ar_plural(w) for w in arabic_words(text))
    words = re.findall(r"[A-Za-z']+", text.replace("\u2019", "'"))
    prev = ""
    for w in words:
        lw = w.lower()
        if lw in _EN_PLURAL_IRREGULAR:
            return True
        if (
            len(lw) >= 4
            and lw.endswith("s")
            and not lw.endswith(("ss", "'s", "us", "is"))
            and lw not in _EN_NOT_PLURAL
            and prev not in ("he", "she", "it", "who", "that", "which", "this")
            and not (prev and prev[0].isupper() and prev.lower() not in STOPWORDS)
        ):
            return True
        prev = w if w[0].isupper() and w.lower() not in STOPWORDS else lw
    return False




def _ar_plural(word: str) -> bool:
    for stem in clitic_readings(word)[-1:]:
        if len(stem) >= 5 and stem.endswith(("ون", "ين", "ات")):
            return True
        cands = [stem]
        for end in PRONOUN_SUFFIXES:  # every one: each ending gives a stem to try
            if stem.endswith(end) and len(stem) - len(end) >= 3:
                cands.append(stem[: -len(end)])
        if stem.endswith("ا") and len(stem) >= 4:  # tanween alif: كلابا
            cands.append(stem[:-1])
        for s in cands:
            if len(s) == 4 and s[2] == "ا" and "ا" not in (s[0], s[1], s[3]):  # كلاب
                return True
            if len(s) == 4 and s[2] == "و" and s[0] not in "اويتن" and s[3] not in "اوي":  # جيوب
                return True
            if len(s) == 5 and s[0] == "ا" and s[3] == "ا":  # اولاد
                return True
            if len(s) in (5, 6) and s[2] == "ا" and s[0] == "م":  # مدارس, مفاتيح
                return True
    return False


def plural_score(a: str, b: str, lang_a: str = "ar", lang_b: str = "en") -> float:
    """Plural-cue agreement: +1 both have a plural noun, 0 neither, -1 one only."""
    return _cue_score(has_plural(a, lang_a), has_plural(b, lang_b))


# ---------------------------------------------------------------------------------------------

Feature = Callable[[str, str, str, str], float]

FEATURES: dict[str, Feature] = {
    "names": names_score,
    "numbers": number_score,
    "negation": negation_score,
    "question": question_score,
    "plural": plural_score,
}


def cue_features(a: str, b: str, lang_a: str, lang_b: str) -> dict[str, float]:
    """All cue scores of a sentence pair, by feature name (see :data:`FEATURES`)."""
    return {name: f(a, b, lang_a, lang_b) for name, f in FEATURES.items()}
