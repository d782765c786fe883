"""A synthetic corpus of Arabic and English statements and reports, for benchmarks.

The words are drawn at random from small vocabularies written for this project, in sentences
of real shape (punctuation, numbers, dates, initials), so every stage does its real work.
"""

from __future__ import annotations

import random
from pathlib import Path

EN_WORDS = ["ministers", "coalition", "council", "statement", "security", "cooperation", "water", "region", "support", "government", "people", "agreement", "meeting", "committee", "program", "report", "threat", "effort", "partners", "stability", "development", "investment", "borders", "health", "education", "funding", "recovery", "members", "commitment", "progress", "dialogue", "reform", "assistance", "community"]
EN_GLUE = ["the", "of", "and", "to", "in", "for", "with", "on", "a", "by", "as", "at"]
AR_WORDS = ["الوزراء", "التحالف", "المجلس", "البيان", "الأمن", "التعاون", "المياه", "المنطقة", "الدعم", "الحكومة", "الشعب", "الاتفاق", "الاجتماع", "اللجنة", "البرنامج", "التقرير", "التهديد", "الجهود", "الشركاء", "الاستقرار", "التنمية", "الاستثمار", "الحدود", "الصحة", "التعليم", "التمويل", "التعافي", "الأعضاء", "الالتزام", "التقدم", "الحوار", "الإصلاح", "المساعدة", "المجتمع"]
AR_GLUE = ["في", "من", "على", "إلى", "مع", "عن", "و", "أن", "التي", "الذي"]
AR_MONTHS = ["كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل", "أيار/مايو", "حزيران/يونيو"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June"]


def _sentence(rng: random.Random, lang: str) -> str:
    words, glue = (AR_WORDS, AR_GLUE) if lang == "ar" else (EN_WORDS, EN_GLUE)
    n = rng.randint(10, 28)
    out = []
    for i in range(n):
        out.append(rng.choice(glue) if i % 3 == 1 else rng.choice(words))
        if i == n // 2 and rng.random() < 0.3:
            out.append(str(rng.randint(2, 9000)))
        if i == n // 3 and rng.random() < 0.3:
            out[-1] += "،" if lang == "ar" else ","
    s = " ".join(out)
    if lang == "en":
        s = s[0].upper() + s[1:]
    return s + (rng.choice([".", ".", ".", "؟"]) if lang == "ar" else rng.choice([".", ".", "!", "?"]))


def document(rng: random.Random, lang: str, target_chars: int = 2000) -> str:
    """A headline block and paragraphs, about `target_chars` long."""
    day, m, y = rng.randint(1, 28), rng.randrange(6), rng.randint(2015, 2025)
    if lang == "ar":
        head = [f"بيان {rng.choice(AR_WORDS)} {rng.choice(AR_WORDS)}", "مكتب المتحدث الرسمي",
                f"{day} {AR_MONTHS[m]} {y}"]
    else:
        head = [f"Statement on {rng.choice(EN_WORDS)} and {rng.choice(EN_WORDS)}", "Office of the Spokesperson",
                f"{EN_MONTHS[m]} {day}, {y}"]
    paras: list[str] = []
    size = sum(map(len, head))
    while size < target_chars:
        para = " ".join(_sentence(rng, lang) for _ in range(rng.randint(2, 5)))
        paras.append(para)
        size += len(para) + 1
    return "\n".join(head + paras) + "\n"


def write_corpus(root: Path, n_docs: int, seed: int = 7, target_chars: int = 1200) -> int:
    """Write about `n_docs` documents as files under root (some files hold two); returns bytes written."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    total, i, made = 0, 0, 0
    while made < n_docs:
        lang = "ar" if rng.random() < 0.6 else "en"
        text = document(rng, lang, target_chars)
        made += 1
        if made < n_docs and rng.random() < 0.1:  # a file holding two documents of different languages
            text += document(rng, "en" if lang == "ar" else "ar", target_chars)
            made += 1
        path = root / f"{i // 1000:03d}" / f"doc{i:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
        i += 1
    return total


# A word-for-word "translation": EN_WORDS and AR_WORDS are written in parallel, so the content
# words carry over; glue words map to the commonest Arabic particles. Crude, but the encoder sees
# the same content on both sides, which is what timing needs.
_PHRASE_TABLE = dict(zip(EN_WORDS, AR_WORDS, strict=True)) | {
    "the": "", "of": "من", "and": "و", "to": "إلى", "in": "في", "for": "ل", "with": "مع", "on": "على",
    "a": "", "by": "عبر", "as": "ك", "at": "عند"}


def translate(sentence: str) -> str:
    """English synthetic sentence -> Arabic, word for word through the phrase table."""
    words = []
    for w in sentence.rstrip(".!?").split():
        core = w.rstrip(",").lower()
        out = _PHRASE_TABLE.get(core, core)
        if out:
            words.append(out + ("،" if w.endswith(",") else ""))
    return " ".join(words) + "."


def parallel_documents(n_sentences: int, seed: int = 11, keep: float = 1.0,
                       block: int = 1) -> tuple[list[str], list[str], list[int | None]]:
    """An English document and its Arabic translation.

    `keep` < 1 drops sentences, `block` > 1 shuffles blocks of that many sentences. Returns the
    two sentence lists and, for each Arabic sentence, the index of its English source.
    """
    rng = random.Random(seed)
    en = [_sentence(rng, "en") for _ in range(n_sentences)]
    order = [i for i in range(n_sentences) if rng.random() < keep]
    if block > 1:
        blocks = [order[i:i + block] for i in range(0, len(order), block)]
        rng.shuffle(blocks)
        order = [i for b in blocks for i in b]
    ar = [translate(en[i]) for i in order]
    return en, ar, list(order)
