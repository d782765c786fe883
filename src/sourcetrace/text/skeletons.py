"""Names by their sound: a rough Latin spelling of Arabic words and consonant skeletons.

Proper names cross from Arabic to English as transliterations («بومبيو» / "Pompeo"), spelt
differently by each writer. Reducing both sides to the consonants Arabic writes (and merging the
letters it does not tell apart) gives a key that meets across the two scripts: "Pompeo" -> ``bmb``,
«بومبيو» -> ``bmb``. Used by the surface cues of sentence alignment (name order), the fact layer
(person keys) and the fact diff (same person).
"""

from __future__ import annotations

import re
import unicodedata

from sourcetrace.text.arabic import normalize_arabic

__all__ = ["same_name", "skeleton", "strong_skeleton", "transliterate", "within_one_edit"]

_AR2LAT = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "dh", "ع": "", "غ": "gh",
    "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "", "ء": "",
    "ا": "a", "ى": "a", "ئ": "", "ؤ": "", "پ": "p", "ڤ": "v", "گ": "g", "چ": "ch",
}  # fmt: skip


def transliterate(arabic_word: str) -> str:
    """A rough Latin spelling of one Arabic word, meant to be passed to :func:`skeleton`.

    Consonants map one to one (ب b, ث th, ج j, خ kh, ذ dh, ش sh, ظ dh, غ gh, ق q, ...), ع and
    hamza vanish, ا/ى are "a". و and ي are read as consonants (w, y) at the start of the word,
    next to an alif, or between two vowels-less letters that need them, and as vowels (u, i)
    elsewhere: «توم» -> "tum", «ليلى» -> "lyla", «سامي» -> "sami", «وليم» -> "wlim".
    """
    w = normalize_arabic(arabic_word)
    out: list[str] = []
    n = len(w)
    for i, ch in enumerate(w):
        if ch in "وي":
            prev = w[i - 1] if i > 0 else ""
            nxt = w[i + 1] if i + 1 < n else ""
            consonant = i == 0 or (nxt != "" and nxt in "اى") or (prev == "ا" and nxt != "")
            if ch == "ي" and i + 1 < n and i > 0 and prev not in "اوي" and nxt not in "اوي":
                # medial ي between two consonants: Layla «ليلى», Baydun; a weak y either way
                consonant = True
            if ch == "ي" and consonant and i > 0 and prev not in "اوي":
                out.append("ay")  # a consonant before it: the diphthong of «ليلى» Layla
            elif consonant:
                out.append("w" if ch == "و" else "y")
            else:
                out.append("u" if ch == "و" else "i")
        else:
            out.append(_AR2LAT.get(ch, ""))
    return "".join(out)


_VOWELS = set("aeiou")
# Order matters: digraphs before single letters.
_DIGRAPHS = (("sch", "s"), ("sh", "s"), ("ch", "s"), ("ph", "f"), ("th", "t"), ("dh", "d"),
             ("kh", "k"), ("gh", "g"), ("ck", "k"), ("qu", "k"), ("x", "ks"))  # fmt: skip
_LETTER_CLASS = str.maketrans({"p": "b", "v": "f", "q": "k", "j": "g", "z": "s"})


def skeleton(latin_word: str) -> str:
    """The consonant skeleton of a Latin-script word (a name, or a :func:`transliterate` output).

    Lower-cased and accent-stripped; digraphs merged (sh/ch -> s, ph -> f, th -> t, dh -> d,
    kh -> k, gh -> g, ck/qu -> k, x -> ks); c is s before e/i/y and k elsewhere; letters that
    Arabic does not tell apart are merged (p~b, v~f, q~k, j~g, z~s); h and the vowels are dropped;
    y and w are kept only as consonants (start of word, or before a vowel); doubles collapse.
    "Pompeo" -> "bmb", "Layla" -> "lyl", "Washington" -> "wsngtn".
    """
    w = unicodedata.normalize("NFKD", latin_word.lower())
    w = "".join(c for c in w if "a" <= c <= "z")
    for a, b in _DIGRAPHS:
        w = w.replace(a, b)
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k").translate(_LETTER_CLASS)
    out: list[str] = []
    for i, ch in enumerate(w):
        if ch in _VOWELS or ch == "h":
            continue
        if ch in "wy":
            nxt = w[i + 1] if i + 1 < len(w) else ""
            prev = w[i - 1] if i > 0 else ""
            # a consonant at the start, before a vowel, or closing a diphthong before a consonant
            if not (i == 0 or nxt in _VOWELS and nxt or (prev in _VOWELS and prev and nxt)):
                continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)


def strong_skeleton(skel: str) -> str:
    """The skeleton without the weak letters w and y, doubles collapsed again."""
    out: list[str] = []
    for ch in skel:
        if ch not in "wy" and (not out or out[-1] != ch):
            out.append(ch)
    return "".join(out)


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def same_name(skel_a: str, skel_b: str) -> bool:
    """Do two skeletons (from :func:`skeleton`) plausibly spell the same name?

    The strong skeletons (w, y dropped) must be equal, or differ by one edit when both have at
    least four consonants ("Washington" wsngtn ~ «واشنطن» wsntn). Names of a single strong
    consonant ("Layla" -> l) must also agree on w/y, so that «إلى» does not read as Layla.
    """
    sa, sb = strong_skeleton(skel_a), strong_skeleton(skel_b)
    if not sa or not sb:
        return False
    if sa == sb:
        return len(sa) >= 2 or skel_a == skel_b
    return min(len(sa), len(sb)) >= 4 and within_one_edit(sa, sb)
