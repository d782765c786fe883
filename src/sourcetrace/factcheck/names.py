"""Named people, organisations and places, with a key that meets across Arabic and English.

Keys: a country is its ISO 3166 code (names in both languages from CLDR, through Babel), a known
city or organisation its English name in the tables below, and anything else the consonant
skeleton of its last word (:func:`sourcetrace.text.skeletons.skeleton`), so that «بومبيو» and "Pompeo"
both give ``bmb`` (person keys are compared with :func:`sourcetrace.text.skeletons.same_name`).

English names are runs of capitalised words (with "of", "al-", initials inside); Arabic has no
case, so Arabic people are the words after a title («وزير الخارجية الأمريكي مايكل بومبيو»,
«رئيس الوزراء كاظمي»), and Arabic places and organisations come from the tables.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import itemgetter

from sourcetrace.align.cues import STOPWORDS
from sourcetrace.text.arabic import (
    ARABIC_WORD,
    ARTICLE,
    CONJUNCTIONS,
    clitic_readings,
    has_arabic,
    normalize_arabic,
    strip_proclitic,
)
from sourcetrace.text.skeletons import skeleton, strong_skeleton, transliterate


@dataclass
class Name:
    start: int
    end: int
    type: str  # person | org | place
    key: str


# Cities, regions and organisations often named in statements and news (English key: Arabic names).
_PLACES = {
    "Baghdad": "بغداد", "Damascus": "دمشق", "Washington": "واشنطن", "Brussels": "بروكسل", "Rome": "روما",
    "Cairo": "القاهرة", "Beirut": "بيروت", "Riyadh": "الرياض", "Amman": "عمان", "Ankara": "أنقرة",
    "Tehran": "طهران", "Moscow": "موسكو", "Paris": "باريس", "London": "لندن", "Berlin": "برلين",
    "Geneva": "جنيف", "New York": "نيويورك", "Mosul": "الموصل", "Raqqa": "الرقة", "Aleppo": "حلب",
    "Idlib": "إدلب", "Erbil": "أربيل", "Basra": "البصرة", "Kirkuk": "كركوك", "Gaza": "غزة",
    "Jerusalem": "القدس", "Doha": "الدوحة", "Abu Dhabi": "أبوظبي", "Dubai": "دبي", "Istanbul": "إسطنبول",
    "Sahel": "الساحل", "West Africa": "غرب أفريقيا", "Middle East": "الشرق الأوسط", "Europe": "أوروبا",
    "Africa": "أفريقيا", "Asia": "آسيا", "Kurdistan": "كردستان", "Deir ez-Zor": "دير الزور",
}  # fmt: skip
_ORGS = {
    "NATO": "الناتو|حلف شمال الأطلسي|حلف الناتو|ناتو", "United Nations": "الأمم المتحدة",
    "UN": "", "Security Council": "مجلس الأمن|مجلس الأمن الدولي", "European Union": "الاتحاد الأوروبي",
    "EU": "", "ISIS": "داعش|تنظيم الدولة|تنظيم داعش|الدولة الإسلامية", "Daesh": "", "ISIL": "",
    "Interpol": "الإنتربول|الانتربول", "Coalition": "التحالف الدولي|التحالف العالمي",
    "Small Group": "المجموعة المصغرة|المجموعة المصغّرة", "Arab League": "جامعة الدول العربية",
    "World Bank": "البنك الدولي", "IMF": "صندوق النقد الدولي", "WHO": "منظمة الصحة العالمية",
    "Red Cross": "الصليب الأحمر", "Pentagon": "البنتاغون|البنتاجون", "White House": "البيت الأبيض",
    "Kremlin": "الكرملين", "Hezbollah": "حزب الله", "Hamas": "حماس", "Taliban": "طالبان",
    "Al-Qaeda": "القاعدة|تنظيم القاعدة",
}  # fmt: skip
_ORG_ALIASES = {"UN": "United Nations", "EU": "European Union", "Daesh": "ISIS", "ISIL": "ISIS",
                "Islamic State": "ISIS", "UN Security Council": "Security Council",
                "North Atlantic Treaty Organization": "NATO", "Global Coalition": "Coalition",
                "U.N.": "United Nations"}
_ORG_WORDS = frozenset(["council", "coalition", "ministry", "organization", "organisation", "union", "nations", "agency", "committee", "bank", "fund", "party", "forces", "army", "group", "commission", "court", "parliament", "government", "department", "office", "alliance", "association", "institute", "university", "federation", "movement", "front", "authority", "mission", "league", "assembly", "program", "programme", "corporation", "company", "conference", "secretariat"])
_PLACE_WORDS = frozenset(["republic", "kingdom", "emirate", "sultanate", "province", "governorate", "region",
                          "district", "county"])
_TITLES = frozenset(["secretary", "minister", "president", "prime", "foreign", "deputy", "vice", "general", "king", "prince", "sheikh", "ambassador", "senator", "governor", "chancellor", "envoy", "spokesman", "spokesperson", "spokeswoman", "mr", "mrs", "ms", "dr", "mr.", "mrs.", "ms.", "dr.", "sir", "lord", "queen", "emir", "crown", "director", "chairman", "chief", "commander", "special", "representative", "state", "of", "defense", "defence", "affairs", "interior", "finance", "high", "commissioner"])
_STOP_TAIL = frozenset({"resolution", "statement", "ministerial", "meeting", "and"})
_CONNECTORS = frozenset({"of", "for", "the", "de", "di", "da", "del", "van", "von", "bin", "ibn", "al", "el"})


def _norm_words(text: str) -> tuple[str, ...]:
    return tuple(normalize_arabic(text).split())


@functools.lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, tuple[str, str]], dict[tuple[str, ...], tuple[str, str]]]:
    """(English lower-case name -> (type, key), Arabic word tuple -> (type, key))."""
    en: dict[str, tuple[str, str]] = {}
    ar: dict[tuple[str, ...], tuple[str, str]] = {}
    try:
        from babel import Locale

        en_names, ar_names = Locale("en").territories, Locale("ar").territories
    except Exception:  # Babel without CLDR data: the hand tables still work
        en_names, ar_names = {}, {}
    for code, name in en_names.items():
        if code.isalpha() and len(code) == 2 and code not in _PSEUDO_TERRITORIES:
            en[name.lower()] = ("place", code)
            if code in ar_names:
                ar[_norm_words(ar_names[code])] = ("place", code)
    for extra, code in (("us", "US"), ("u.s.", "US"), ("usa", "US"), ("uk", "GB"), ("u.k.", "GB"),
                        ("uae", "AE"), ("syria", "SY"), ("america", "US")):
        en[extra] = ("place", code)
    for name, code in (("سورية", "SY"), ("أمريكا", "US"), ("أميركا", "US"), ("الولايات المتحدة الأمريكية", "US"),
                       ("الولايات المتحدة الأميركية", "US"), ("إيطاليا", "IT"), ("بريطانيا", "GB"),
                       ("العراق", "IQ"), ("سوريا", "SY"), ("إفريقيا", "Africa")):
        ar[_norm_words(name)] = ("place", code)
    for name, arabic in _PLACES.items():
        en[name.lower()] = ("place", name)
        for a in arabic.split("|"):
            ar[_norm_words(a)] = ("place", name)
    for name, arabic in _ORGS.items():
        key = _ORG_ALIASES.get(name, name)
        en[name.lower()] = ("org", key)
        for a in filter(None, arabic.split("|")):
            ar[_norm_words(a)] = ("org", key)
    for alias, key in _ORG_ALIASES.items():
        en[alias.lower()] = ("org", key)
    # "the Coalition", «التحالف» alone: a common noun that every coalition is called by; taken as a
    # name it made the Saudi-led and the anti-Daesh coalitions one organisation (issue 17). Kept in
    # the tables so that it still ends a run ("Coalition partners" is no organisation either).
    en["coalition"] = ar[_norm_words("التحالف")] = _COMMON
    return en, ar


_COMMON = ("common", "")  # a table word that names nothing by itself
_PSEUDO_TERRITORIES = frozenset({"ZZ", "XA", "XB", "QO"})  # «منطقة غير معروفة» is "an unknown area"

# Table names that are also common Arabic words: «الساحل» the coast (the Sahel), «مالي» financial
# (Mali), «بنين» boys (Benin), «القاعدة» the base, the rule (al-Qaeda). Each is a name only with a
# cue: a word before it or after it, or a place it is coordinated with («غرب أفريقيا والساحل»).
_AR_CUED = {
    normalize_arabic(word): (frozenset(_norm_words(before)), frozenset(_norm_words(after)))
    for word, before, after in (
        ("الساحل", "منطقة دول بلدان إقليم شعوب أجل", "الأفريقي الإفريقي والصحراء"),
        ("مالي", "في إلى من دولة جمهورية حكومة شمال جنوب وسط رئيس", "وبوركينا والنيجر وتشاد وموريتانيا"),
        ("بنين", "في إلى من دولة جمهورية حكومة رئيس", ""),
        ("القاعدة", "عناصر زعيم فرع مقاتلو مقاتلي مسلحو مسلحي قادة", ""),
    )
}


# Table names that with one proclitic are a common phrase: «بحماس» "with enthusiasm" (Hamas is
# «حماس», «وحماس», «لحماس»).
_AR_PROCLITIC_COMMON = {normalize_arabic("حماس"): frozenset({"ب"})}


@functools.lru_cache(maxsize=1 << 16)  # a corpus names its people again and again
def person_key(surname: str) -> str:
    """The key of a person: the strong consonant skeleton of the surname (Latin or Arabic)."""
    if has_arabic(surname):
        word = normalize_arabic(surname)
        # «الكاظمي» is Kadhimi: the article is no part of the name (a short word keeps it: «الله»).
        word = strip_proclitic(word, (ARTICLE,), min_stem=3)
        return strong_skeleton(skeleton(transliterate(word)))
    return strong_skeleton(skeleton(surname))


# -- English -----------------------------------------------------------------------------------
_EN_CAP = r"(?:[A-Z][a-zA-Z\u00c0-\u024f'’\-]*[a-zA-Z\u00c0-\u024f]|[A-Z]\.(?:[A-Z]\.)*|[A-Z]{2,})"
_EN_RUN = re.compile(rf"(?<![\w'’-]){_EN_CAP}(?:(?:\s+|\s+(?:of|for|the|de|di|da|del|van|von|bin|ibn|al|el)\s+|/)"
                     rf"(?:al-)?{_EN_CAP})*")


_NEWLINE = re.compile("\n")
_RUN_WORD = re.compile(r"[^\s/]+")


def _unpossessive(word: str) -> str:
    """``word`` without a final "'s" / "’s" (a word or a run's phrase: no newline at its end)."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


# _EN_RUN as split's separator (as _AR_WORD_SPLIT): each run's offsets without a match object.
_EN_RUN_SPLIT = re.compile(f"({_EN_RUN.pattern})")


def _english(text: str) -> list[Name]:
    parts = _EN_RUN_SPLIT.split(text)
    offsets = list(accumulate(map(len, parts), initial=0))
    found = list(map(_run_names, parts[1::2], map(text.startswith, repeat("-"), offsets[2::2])))
    out: list[Name] = []
    breaks = [m.start() for m in _NEWLINE.finditer(text)]
    headline: dict[int, bool] = {}  # line number -> a title-case headline? (each line judged once)
    for k in compress(range(len(found)), found):  # most runs ("The", "In") name nothing
        at = offsets[2 * k + 1]
        line = bisect_left(breaks, at)
        if line not in headline:
            start = breaks[line - 1] + 1 if line else 0
            headline[line] = _title_case(text[start:breaks[line] if line < len(breaks) else len(text)])
        names = found[k]
        if headline[line]:  # a headline: every word has a capital, only known names count
            names = tuple(x for x in names if x[2] == "place" or x[3] in _KNOWN_ORGS)
        out += [Name(at + s, at + e, typ, key) for s, e, typ, key in names]
    return out


# A corpus repeats its runs ("The", "Council of Ministers", a minister's name): each is read once.
@functools.lru_cache(maxsize=1 << 16)
def _run_names(run: str, dash_after: bool) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, type, key) of the names of a run of capitalised words (offsets into ``run``);
    ``dash_after``: a "-" follows the run in its text ("COVID-19": no organisation)."""
    spans = [(w.start(), w.end(), _unpossessive(w.group())) for w in _RUN_WORD.finditer(run)]
    found: list[Name] = []
    _english_run(run, spans, _gazetteer()[0], found, dash_after)
    return tuple((x.start, x.end, x.type, x.key) for x in found)


_KNOWN_ORGS = frozenset(_ORG_ALIASES.get(k, k) for k in _ORGS)


def _title_case(line: str) -> bool:
    """A title-case headline: three words or more, most capitalised, no sentence end."""
    line = line.strip()
    if line.endswith((".", "!", "?", ";", ":")):
        return False  # a sentence, however many names it holds
    words = [w for w in line.split() if w[:1].isalpha()]
    if len(words) < 3:
        return False
    caps = sum(w[0].isupper() or w.lower() in _CONNECTORS for w in words)
    return caps >= 0.75 * len(words)


def _english_run(text: str, spans: list[tuple[int, int, str]], en: dict, out: list[Name], dash_after: bool) -> None:
    # ``text``: the run alone (a word of it ends at whitespace, "/" or the run's end)
    # The longest known name inside the run first (a country, a city, an organisation).
    n = len(spans)
    i = 0
    titled = False
    while i < n:
        hit = None
        for j in range(n, i, -1):
            phrase = text[spans[i][0]:spans[j - 1][1]]
            key = en.get(_unpossessive(phrase.lower()))
            if key:
                hit = (j, key)
                break
        if hit:
            j, (typ, key) = hit
            if typ != "common":
                out.append(Name(spans[i][0], spans[j - 1][1], typ, key))
            i = j
            continue
        low = spans[i][2].lower()
        if low in _TITLES or low in STOPWORDS or _nationality(low):
            titled = titled or low in _TITLES
            i += 1
            continue
        # an unknown run: up to the next known name or a tail word, without trailing connectors
        j = i
        while j < n and spans[j][2].lower() not in _STOP_TAIL and not en.get(spans[j][2].lower()):
            j += 1
        end = j
        while end > i and spans[end - 1][2].lower() in _CONNECTORS:
            end -= 1
        words = [w for _, _, w in spans[i:end]]
        if not words:
            i += 1
            continue
        s, e = spans[i][0], spans[end - 1][1]
        orgish = any(w.lower() in _ORG_WORDS for w in words)
        if any(w.lower() in _PLACE_WORDS for w in words) and len(words) > 1 and not orgish:
            out.append(Name(s, e, "place", person_key(words[-1])))  # "Republic of Nahr"
        elif orgish and len(words) == 1:
            pass  # "Government", "Mission": a common noun capitalised, not a name
        elif orgish:
            out.append(Name(s, e, "org", " ".join(words)))
        elif len(words) == 1 and words[0].isupper() and len(words[0]) >= 2 and not (dash_after and e == len(text)):
            out.append(Name(s, e, "org", words[0].replace(".", "")))
        elif (titled or len(words) >= 2) and not _nationality(words[-1]):
            # a person is the last two words, or from the first name before an initial ("Karim T. Mansour")
            k = next((x for x in range(1, len(words) - 1) if re.fullmatch(r"[A-Z]\.", words[x])), len(words) - 1)
            first = max(0, min(k - 1, len(words) - 2))
            while first > 0 and words[first].lower() in _CONNECTORS:  # "Luigi Di Maio", "Omar al Bashir"
                first -= 1
            out.append(Name(spans[i + first][0], e, "person", person_key(words[-1])))
        i = j


def _nationality(word: str) -> bool:
    return word.lower().endswith(("ian", "ese", "ish", "can", "ean"))


# -- Arabic ------------------------------------------------------------------------------------
_AR_TITLES = [_norm_words(t) for t in (
    "وزير الخارجية", "وزيرة الخارجية", "وزير الدفاع", "وزيرة الدفاع", "وزير الداخلية", "وزير المالية",
    "رئيس الوزراء", "رئيسة الوزراء", "رئيس الحكومة", "رئيس الجمهورية", "نائب رئيس الوزراء", "الرئيس",
    "الرئيسة", "الأمين العام", "الأمينة العامة", "السيد", "السيدة", "الدكتور", "الدكتورة", "الملك",
    "الأمير", "الشيخ", "السفير", "السفيرة", "المبعوث", "المبعوثة", "المتحدث باسم", "المتحدثة باسم",
    "الوزير", "الوزيرة", "النائب", "الجنرال")]
_AR_NOT_NAME = frozenset(_norm_words("""في من إلى على عن مع و أو ثم قد لقد إن أن الذي التي الذين هذا هذه ذلك
تلك كان كانت قال قالت يوم خلال بعد قبل حول بشأن عبر ضد لدى منذ حتى كما ايضا أيضا وقد حيث بين دون غير
كل جميع عقد عقدت أكد أكدت شدد شددت أعلن أعلنت لحلف للأمم لشؤون العام الخاص الأممي الأمريكي الأميركي
المتحدة"""))


# An Arabic word (ARABIC_WORD) as split's separator: gap, word, gap, word, ..., gap; the running sum of their lengths
# gives each word's offsets, and no match object is made per word.
_AR_WORD_SPLIT = re.compile(f"({ARABIC_WORD})")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _arabic_words(text: str) -> tuple[list[tuple[int, int, str]], list[int]]:
    """(start, end, normalized) of every Arabic word of ``text``, by C loops (split, accumulate, map),
    and the indices of those a name or a title can begin with (:func:`_ar_may_start`)."""
    parts = _AR_WORD_SPLIT.split(text)
    offsets = list(accumulate(map(len, parts), initial=0))
    raw = parts[1::2]
    read = list(map(_AR_WORDS.get, raw))
    if None in read:  # words not met before
        read = [r or _ar_word(w) for r, w in zip(read, raw, strict=True)]
    words = list(zip(offsets[1:-1:2], offsets[2::2], map(_FIRST, read), strict=True))
    return words, list(compress(range(len(words)), map(_SECOND, read)))


def _arabic(text: str) -> list[Name]:
    _, ar = _gazetteer()
    words, openings = _arabic_words(text)
    out: list[Name] = []
    i, n = 0, len(words)
    # only words a table name or a title can begin with are read from (most words are none)
    for c in openings:
        if c < i:
            continue  # inside a name or title already read
        i = c
        hit = _ar_known(words, i, n, ar, text)
        if hit:
            j, skip, (typ, key) = hit
            if typ != "common" and _named(words, i, j, skip, text, out):
                out.append(Name(words[i][0] + skip, words[j - 1][1], typ, key))
            i = j
            continue
        title = _ar_title(words, i, n, text)
        if title:
            j = title
            # a nationality or office adjective after the title: «الإيطالي», «الأمريكي»
            while j < n and words[j][2].startswith("ال") and words[j][2].endswith(("ي", "ية", "ة")) and _close(
                    words, j, text):
                j += 1  # «الإيطالي», «الخاصة»
            k = j
            while (k < n and k - j < 3 and _close(words, k, text, initial=True) and words[k][2] not in _AR_NOT_NAME
                   and not _ar_known(words, k, n, ar, text)
                   and not (words[k][2].startswith("ال") and k == j and len(words[k][2]) < 5)):
                k += 1
                if words[k - 1][2].startswith("ال") and k - 1 > j:
                    break  # «مصطفى الكاظمي»: an article-prefixed surname ends the name
            if k > j:
                out.append(Name(words[j][0], words[k - 1][1], "person", person_key(words[k - 1][2])))
                i = k
                continue
            i = max(j, i + 1)
            continue
        i += 1
    return out


def _named(words: list, i: int, j: int, skip: int, text: str, found: list[Name]) -> bool:
    """Is the table name of words i..j used as a name (see :data:`_AR_CUED`)?"""
    prefix, first = words[i][2][:skip], words[i][2][skip:]
    # A name the table writes without the article never takes one: «الحماس» is enthusiasm, not Hamas.
    if not first.startswith("ال") and prefix.endswith(("ال", "لل")):
        return False
    if strip_proclitic(prefix, CONJUNCTIONS, min_stem=1) in _AR_PROCLITIC_COMMON.get(first, ()):
        return False
    cues = _AR_CUED.get(words[i][2][skip:]) if j == i + 1 else None
    if cues is None:
        return True
    before, after = cues
    if i > 0 and _close(words, i, text) and strip_proclitic(words[i - 1][2], CONJUNCTIONS, min_stem=2) in before:
        return True
    if j < len(words) and _close(words, j, text) and words[j][2] in after:
        return True
    # «غرب أفريقيا والساحل»: joined by و to a place named right before
    return (skip > 0 and words[i][2].startswith("و") and bool(found) and found[-1].type == "place"
            and not text[found[-1].end:words[i][0]].strip())


def _close(words: list, k: int, text: str, *, initial: bool = False) -> bool:
    """Word k follows word k-1 with only spaces between (no punctuation ends the name); with
    ``initial``, a one-letter word may end in a dot («ليلى ك. حداد»)."""
    if k == 0:
        return True
    between = text[words[k - 1][1]:words[k][0]].strip()
    return between == "" or (initial and between == "." and len(words[k - 1][2]) == 1)


# A corpus repeats its words: each is normalized, and judged as a name's or title's first word, once,
# kept in a dict that map's C loop looks a word up in (cheaper than an lru_cache's call a word).
_AR_WORDS: dict[str, tuple[str, bool]] = {}
_MAX_WORDS = 1 << 18


def _ar_word(raw: str) -> tuple[str, bool]:
    """An Arabic word as written -> (normalized, may a name or a title begin with it); remembered."""
    if len(_AR_WORDS) >= _MAX_WORDS:
        _AR_WORDS.clear()  # a bound on a long run's memory
    word = normalize_arabic(raw)
    read = _AR_WORDS[raw] = (word, _ar_may_start(word))
    return read


@functools.lru_cache(maxsize=1 << 17)
def _ar_may_start(word: str) -> bool:
    """Whether a table name (:func:`_ar_known`) or a title (:func:`_ar_title`) can begin with the
    normalized ``word``: one of its readings is a table name's first word, or it is a title's
    first word (after a conjunction too)."""
    firsts, by_first = _first_words(), _titles_by_first()
    return (any(reading in firsts for reading, _ in _readings(word)) or word in by_first
            or strip_proclitic(word, CONJUNCTIONS, min_stem=1) in by_first)


@functools.lru_cache(maxsize=65536)
def _readings(word: str) -> tuple[tuple[str, int], ...]:
    """(reading, letters of the word before it) of an Arabic word without its clitics: «والعراق»
    reads «العراق» after one letter; «للأمم» reads «الأمم» (لل = ل + ال, the article has no
    letter of its own, so the whole word is kept)."""
    out = []
    for reading in clitic_readings(word)[:4]:
        out.append((reading, len(word) - len(reading)))
        if reading.startswith("ل") and not reading.startswith("ال"):
            out.append(("ا" + reading, 0))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _first_words() -> dict[str, tuple[int, ...]]:
    """First word of every Arabic table name -> the names' lengths in words, longest first."""
    lengths: dict[str, set[int]] = {}
    for name in _gazetteer()[1]:
        lengths.setdefault(name[0], set()).add(len(name))
    return {w: tuple(sorted(ls, reverse=True)) for w, ls in lengths.items()}


def _ar_known(words: list, i: int, n: int, ar: dict, text: str) -> tuple[int, int, tuple[str, str]] | None:
    """The longest table name starting at word i (a clitic و/ب/ل/ف on its first word allowed)."""
    firsts = _first_words()
    cands = sorted(((length, reading, skip) for reading, skip in _readings(words[i][2])
                    for length in firsts.get(reading, ()) if i + length <= n), key=lambda c: -c[0])
    for length, reading, skip in cands:
        key = ar.get((reading, *(w for _, _, w in words[i + 1:i + length])))
        # the words' spacing only when they are a name (most candidates are none)
        if key and all(_close(words, k, text) for k in range(i + 1, i + length)):
            return i + length, skip, key
    return None


@functools.lru_cache(maxsize=1)
def _titles_by_first() -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for title in sorted(_AR_TITLES, key=len, reverse=True):
        out.setdefault(title[0], []).append(title)
    return out


def _ar_title(words: list, i: int, n: int, text: str) -> int | None:
    """The index after a title starting at word i (after و/ف too), or None; longest title first."""
    first = words[i][2]
    by_first = _titles_by_first()
    # «ووزير الخارجية»: a title may carry a conjunction (only that: «لوزير» is not a title's start).
    bare = strip_proclitic(first, CONJUNCTIONS, min_stem=1)
    for title in by_first.get(first, []) + (by_first.get(bare, []) if bare != first else []):
        m = len(title)
        if i + m <= n and all(words[i + k][2] == title[k] and _close(words, i + k, text) for k in range(1, m)):
            return i + m
    return None


def find_names(text: str, lang: str) -> list[Name]:
    """People, organisations and places named in ``text`` (English runs and Arabic tables/titles:
    a text in one language may quote names in the other script, so both readers run where the
    text has letters of their script)."""
    out: list[Name] = []
    if re.search("[A-Za-z]", text):
        out += _english(text)
    if has_arabic(text):
        out += _arabic(text)
    return sorted(out, key=lambda x: x.start)
