"""Relations: what one document is to another, typed from the passages they share.

For a pair of documents the passages give each side's **coverage** (share of its content the
passages cover) and the **mix of kinds**. The type follows from them:

* ``revision`` (checked first): both documents substantially covered and dated a year apart or
  more (a later version of the same issuer's text, in either language): the earlier is the source;
  undated, the latest years they mention differ, unless the text both carry names one same latest
  year (the other year stands in sentences an excerpt or a partial translation leaves out);
* ``translation``: different languages, most covered text translated (not reworded), and both
  documents almost wholly covered;
* ``copy``: one language, both documents almost wholly covered word for word, or each at least
  half made of the other word for word and in order, few of the passages in quotation marks on one
  side only (two editions of a book, one with an editor's introduction or notes the other lacks;
  in one language, ``copy`` and ``derived`` need some sentence taken word for word: sentences of
  one frame with other names and figures align across unrelated texts);
* ``derived``: one document is mostly made of the other's text, or quotes it word for word, in
  quotation marks, in several sentences (a report written from a statement): it is the derived one, the other its
  source (None when no cue tells which; a passage in quotation marks on both sides is a quote
  both take from a third text, no cue); or one carries a block of the other's running text word
  for word (``MIN_TAKEN_WORDS``), however small a share of either (a passage inserted in a web
  text: direction from cues other than coverage), or keeps whole sentences of it word for word,
  wherever they stand, as many words or ``MIN_KEPT_SENTENCES`` sentences (a report that shuffles
  half of another's sentences among its own); or one quotes the other in many short lemmata,
  each followed by its own text, where the other has them one after another (a commentary: the
  base text is the source);
* ``related``: some shared text, or none but the same topic (their mean sentence vectors are
  close): same event, little shared wording.

Direction comes from evidence, never from file order, and every cue used is recorded in
``evidence``: dates in the text and metadata, attribution phrases in the derived text ("the
statement said", «قال البيان»), quotation marks around the shared passages, containment
asymmetry, and for translations explicit markers ("unofficial translation", «ترجمة») or dates.
Without any, ``source`` stays empty and the evidence says "direction unknown": which language a
text is in says nothing of which came first. What the rest of the family says (facts one side
changed and the other keeps, the language of the shared wording, dates a translation resolved)
is read after the fact diffs, by :mod:`sourcetrace.relate.direction`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from math import fsum
from operator import itemgetter

import numpy as np

from sourcetrace.candidates.votes import MIN_RUN
from sourcetrace.records import CodedPairs, Document, Passage, Relation, Span, pair_key
from sourcetrace.relate.columns import KeptCosines, Relations, TopicColumns, topic_evidence

TRANSLATION_KINDS = ("translation", "translated-paraphrase")
WORDING_KINDS = ("verbatim", "near-verbatim")

MIN_TRANSLATION_COVERAGE = 0.8  # a report that translates most of a statement still adds and cuts
# Two editions of a diwan (OpenITI, bench/realtext.py) cover each other 0.79 and 0.84: verse numbers and
# meter headings of one are not in the other. (0.8 came from the demo corpus.)
MIN_COPY_COVERAGE = 0.75
# Share of a copy's shared text kept word for word. Two digital editions of one book (OpenITI,
# bench/realtext.py) keep 73% so: their other lines differ in spelling and markup and align as
# paraphrase; a copy is still a copy. (0.8 came from the demo corpus.)
MIN_COPY_WORDED = 0.6
MIN_DERIVED_COVERAGE = 0.5
# Two editions of one book where one adds an editor's introduction, notes or reading certificates
# (OpenITI, bench/books.py --editions-sample): each side covered word for word, in order, at least
# this much (0.62-0.93 on the three such pairs of the sample), where a copy needs MIN_COPY_COVERAGE.
MIN_EDITION_COVERAGE = 0.5
# ... unless this share of the verbatim passages or more stands in quotation marks on one side only:
# a report quoting its source (the planted derived reports of bench/trace.py quote 2-4 of their 4-8
# verbatim passages and cover each other 0.55-0.75 in order; the editions 0 and 2 of 55 and 178).
QUOTING = 0.2
# A text with under this many punctuation marks a character marks no quote, so a passage it leaves
# unmarked is no sign that the other text quotes it: OpenITI's JK editions carry no punctuation
# (Ibn Mandah's Fawa'id: 5 marks in 19,096 characters, its Shia edition every hadith in "...";
# bench/README.md, editions38). Punctuated prose has one or more every 100-200 characters.
MIN_PUNCTUATION = 0.001
_PUNCTUATION = re.compile(r"[.,:;!?\u060c\u061b\u061f\u06d4\"«»“”]")
# A report that quotes its source word for word, in quotation marks, in several sentences is
# derived from it whatever share its own text and paraphrases leave covered (unmarked shared
# sentences at a low share are as often stock sentences of unrelated texts). From 0.3 only, as it
# was, left planted reports quoting two sentences at 0.21-0.30 `related` (bench/trace.py).
MIN_QUOTED_PASSAGES = 2
# A sentence quoted whole, between quotation marks, word for word, is evidence however short: it
# is marked as borrowed, where a formula is not (planted reports quote "The meeting ended in <place>
# on <date>.", 47 characters, and came out related with one quote left; bench/trace.py).
MIN_QUOTE_WORDS = 5
MIN_REVISION_COVERAGE = 0.5  # of both: formulae shared by unrelated texts reach 30–40%
REVISION_DAYS = 300
MIN_RELATED_COSINE = 0.45
# Across languages, a pair the aligner placed by order alone (between or beside others) scores low;
# found on its own it scores over the aligner's threshold (align.pair.DEFAULT_THRESHOLD). Two texts
# none of whose pairs was found on its own share only an order: a four-sentence Wikipedia stub
# laid out in paragraphs came out `derived` from three long articles on its topic that way
# (bench/realtext.py --paragraphs, TICO-19: every pair under 0.1), where every true translation
# of the real-text sets has a pair over 0.5 (at least 9% of its aligned text).
FOUND_ALONE = 0.5
# ... unless the order covers both whole: MIN_LEMMATA passages or more, mostly in order (IN_ORDER),
# covering one side MIN_TRANSLATION_COVERAGE and the other MIN_DERIVED_COVERAGE. Short archaic verses
# score low one by one (quran100 of bench/realtext.py: 11 verses, each paired right, 97% and 98% of
# both sides covered, USE's best pair 0.42). Unrelated texts placed by order cover little of the
# longer one (the stub above) or of both: realtext's unrelated neighbours of like size handed to
# compare, 190 pairs, at most 0.39 and 0.48 (two chapters of Proverbs); no relation of bench/trace.py's
# planted corpus changes.
# ... or unless the pair's ballots hold a run of mutual votes spanning votes.MIN_RUN sentences
# (``ran``: N sentences in a row of one vote for N in a row of the other, candidates/votes.py):
# its contents match in order, which an order the aligner placed does not show. bench/README.md
# "found17" (bench/relate_evidence.py, every cross-language pair with passages and none over
# FOUND_ALONE): realtext (sentences and --paragraphs) and the planted 10,000: every true one
# (quran93, a partial translation in shuffled blocks, 7 passages; quran100) holds such a run,
# none of the false ones (2 + 2 + 3) holds a run at all.
MIN_EVIDENCE_CHARS = 60  # about ten words: shorter shared passages are phrases, not copies
# A block of running text taken word for word, this many words or more (several sentences in a
# row, their punctuation kept), was taken, whatever share of either document it is: PAN's web
# texts with a passage of another inserted (bench/realtext.py) cover 1-20% of each other.
MIN_TAKEN_WORDS = 40
# Whole sentences kept word for word (``_sentence_kept``: MIN_QUOTE_WORDS words or more, names and
# figures included), wherever each stands, count as a block of MIN_TAKEN_WORDS words does, and so
# do this many of them, one more than quotes in quotation marks need (MIN_QUOTED_PASSAGES): a
# report taking half of another's short sentences and shuffling them among its own
# (bench/everyday.py) holds no block. On bench/realtext.py the most that two texts not paired by
# its truth keep so is 3 sentences (two TICO-19 articles of one wiki that copy each other).
MIN_KEPT_SENTENCES = 3
# A commentary quotes its base text in short lemmata, each followed by its own explanation: this
# many word-for-word passages, and on one side most of them apart from the next by at least
# OWN_WORDS words of that side's own text while on the other most lie next to the next (verses
# of a diwan, a verse number between them), make the interleaving side derived from the other.
MIN_LEMMATA = 10
IN_ORDER = 0.8  # share of consecutive passages that keep their order on the other side
OWN_WORDS = 5
MOSTLY = 0.5
# A commentary on prose (a hadith collection, a grammar, a book of aphorisms, the Qur'an) quotes a
# few words of its base at a time, and the base's own text runs on between two lemmata as the
# commentary's explanation does: neither side has them one after another. Its lemmata are
# MIN_LEMMATA word-for-word passages or more of MIN_QUOTE_WORDS words or more, in order (IN_ORDER),
# short (their median at most LEMMA_WORDS words: a report or an abridgement keeps whole sentences),
# and the commentary is told by votes, each a side it names, of which LEMMA_VOTES or more must name
# one side and none the other: its own text between two lemmata is the longer, OWN_RATIO times the
# base's (median words); the base is the more covered, COVERED_RATIO times the commentary's share;
# the commentary marks its lemmata (a quotation mark, a brace of the Qur'an's, «قوله») on
# MARKED_MARGIN more of them than the base. bench/README.md, commentary40 (OpenITI, six pairs of
# bench/commentaries.py): gap ratios 3.9-11 on three commentaries, 1.4 and 0.6 on two, the
# coverage ratios 1.0-7.1, the marks 0.22 and 0.70 against 0.03 and 0 on two; no false pair of
# the set holds MIN_LEMMATA such lemmata in order.
LEMMA_WORDS = 20
OWN_RATIO = 2.0
COVERED_RATIO = 1.5
MARKED_MARGIN = 0.15
LEMMA_VOTES = 2
_LEMMA_MARK = re.compile(r"(?:(?:^|\s)و?قوله(?:\s*(?:تعالى|عز وجل))?\s*[:،]?\s*[\"«{﴿(]?|[\"«“{﴿])\s*$")

_ATTRIBUTION = re.compile(
    r"(?:قال|وقال|قالت|وقالت|أضاف|وأضاف|وتابع|تابع|أكد|وأكد|بحسب|وبحسب|وفق|ووفق|وفقا ل|نقلا عن|وجاء في|جاء في)"
    r"\s+(?:ال)?(?:بيان|البيان|الخارجية|الوزارة|الوزراء|المتحدث)"
    r"|\b(?:the statement|the ministers|the ministry|the spokes\w+|the department)\s+(?:said|says|added|stated|noted)"
    r"|\baccording to the (?:statement|ministry|department|ministers)\b",
    re.IGNORECASE)
_TRANSLATION_MARK = re.compile(r"unofficial translation|translated from|ترجمة غير رسمية|ترجمة|مترجم", re.IGNORECASE)
# Quotation marks that open a quote, and that close one (straight marks do both). A mark facing
# away does not mark the span as quoted: a hadith collection's numbered line "12 -" follows the
# closing » of the hadith before it, and a chain of transmitters ends "... قال: «" before the quote.
_OPENING = "\"'“«‘„‚"
_CLOSING = "\"'”»’"
# German „…“ and ‚…‘ close with the marks English opens with: those close a quote only after „ or ‚.
_LOW_CLOSING = {"„": "“", "‚": "‘"}
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
# A book's author's death, where the file's opening states it (an OpenITI header, a Shamela title
# page): a text cannot take from one its author never saw. Read in the file's first HEAD_CHARS
# characters, for every document of the file. bench/README.md, commentary40: al-Khattabi (d. 388)
# on Abu Dawud (d. 275), al-Waqqashi (489) on Malik (179), al-Rummani (384) on Sibawayh (180), whose
# other cues were none or pointed the wrong way (the base is the more covered).
_AUTHOR_DIED = re.compile(r"AuthorDIED\s*::\s*0*(\d{1,4})\b|\((?:المتوفى|المتوفي|ت)\s*[:.]?\s*(\d{1,4})\s*هـ?\s*\)"
                          r"|المؤلف\s*:[^\n(]*\(\s*\d{1,4}\s*(?:هـ?\s*)?-\s*(\d{1,4})\s*هـ?\s*\)")
HEAD_CHARS = 3000


@dataclass
class PairText:
    """What relation typing reads of one document: its record and its file's text."""

    doc: Document
    text: str

    # What a document contributes to every pair it is in, worked out once per document (a
    # document of a corpus meets dozens of pairs).
    @cached_property
    def content(self) -> int:
        boiler = sum(max(0, min(e, self.doc.end) - max(s, self.doc.start)) for s, e in self.doc.boilerplate)
        return max(1, self.doc.end - self.doc.start - boiler)

    @cached_property
    def latest_year(self) -> int | None:
        years = [int(y) for y in _YEAR.findall(self.text[self.doc.start:self.doc.end])]
        return max(years) if years else None

    @cached_property
    def punctuated(self) -> bool:
        """Whether the text punctuates (MIN_PUNCTUATION): only such a text can leave a quote unmarked."""
        marks = len(_PUNCTUATION.findall(self.text, self.doc.start, self.doc.end))
        return marks >= MIN_PUNCTUATION * self.content

    @cached_property
    def author_died(self) -> int | None:
        """The year (AH) its author died, as its file's opening states it: an OpenITI header's
        "AuthorDIED :: 388", a title page's «(المتوفى: 388هـ)» or «المؤلف: ... (296 - 384 ه)»."""
        m = _AUTHOR_DIED.search(self.text, 0, min(len(self.text), HEAD_CHARS))
        return int(next(g for g in m.groups() if g)) if m else None

    @cached_property
    def attributions(self) -> int:
        return len(_ATTRIBUTION.findall(self.text[self.doc.start:self.doc.end]))


def _union(spans: Sequence[Span]) -> int:
    total, last = 0, -1
    for s, e in sorted(spans):
        s = max(s, last)
        if e > s:
            total += e - s
            last = e
    return total


def _oriented(p: Passage, a: str) -> tuple[int, int, int, int]:
    return (p.a_start, p.a_end, p.b_start, p.b_end) if p.a == a else (p.b_start, p.b_end, p.a_start, p.a_end)


def _days(date: str | None) -> int | None:
    if not date or not re.match(r"\d{4}-\d{2}-\d{2}$", date):
        return None
    y, m, d = map(int, date.split("-"))
    return y * 372 + m * 31 + d  # an ordering, not a calendar


def _quote_marks(side: PairText, start: int, end: int) -> tuple[bool, bool]:
    """Whether a quotation mark that opens a quote stands just before the span, and one that
    closes a quote just after it."""
    before = side.text[max(side.doc.start, start - 3):start]
    after = side.text[end:min(side.doc.end, end + 3)]
    opened = [q for q in before if q in _OPENING]
    closing = _CLOSING + "".join(_LOW_CLOSING.get(q, "") for q in opened)
    return bool(opened), any(q in after for q in closing)


# A word of letters alone: a page marker "PageV01P012", a milestone "ms0991" or a code mixes them
# with digits, and mARkdown's heading and page marks ("# PageV00P000\n###") recur in every OpenITI
# file: 14 "quoted" passages of such marks made al-Jawaliqi's commentary `derived` from the Muwatta
# (bench/README.md, commentary40).
_LETTER_WORD = re.compile(r"\b[^\W\d_]+\b")


def _worded(a: PairText, b: PairText, p: Passage) -> bool:
    """Both sides of the passage hold a word of letters alone (no number, no page marker)."""
    a0, a1, b0, b1 = _oriented(p, a.doc.id)
    return bool(_LETTER_WORD.search(a.text, a0, a1)) and bool(_LETTER_WORD.search(b.text, b0, b1))


def _in_quotes(side: PairText, start: int, end: int) -> bool:
    """A quotation mark just before or after the span (a quote marks borrowed text)."""
    return any(_quote_marks(side, start, end))


def _quoted_whole(a: PairText, b: PairText, p: Passage) -> bool:
    """A verbatim passage of MIN_QUOTE_WORDS words or more that stands between quotation marks,
    one just before it and one just after, on one side."""
    if p.kind != "verbatim":
        return False
    a0, a1, b0, b1 = _oriented(p, a.doc.id)
    return any(all(_quote_marks(side, start, end)) and _word_count(side, start, end) >= MIN_QUOTE_WORDS
               for side, start, end in ((a, a0, a1), (b, b0, b1)))


_ENDS = ".!?\u061f\u06d4\n"


def _sentence_kept(a: PairText, b: PairText, p: Passage) -> bool:
    """A whole sentence of MIN_QUOTE_WORDS words or more taken word for word, names, places and
    dates included, on both sides (a frame sentence of two unrelated texts differs in them): a
    copy keeps some sentence as it was, however short (a near-copy whose longer sentences all had
    a figure changed kept only "The meeting ended in <place> on <date>."; bench/trace.py)."""
    if p.kind != "verbatim" or a.doc.lang != b.doc.lang:
        return False
    a0, a1, b0, b1 = _oriented(p, a.doc.id)
    for side, start, end in ((a, a0, a1), (b, b0, b1)):
        before = side.text[side.doc.start:start].rstrip()
        after = side.text[end:min(side.doc.end, end + 3)]
        if (before and before[-1] not in _ENDS) or not any(ch in _ENDS for ch in after) \
                or _word_count(side, start, end) < MIN_QUOTE_WORDS:
            return False
    return True


def _kept_sentences(a: PairText, b: PairText, passages: Sequence[Passage],
                    spans: Sequence[tuple[int, int, int, int]]) -> tuple[int, int]:
    """The passages that keep whole sentences word for word on both sides (``_sentence_kept``),
    and their words (the shorter side's count of each)."""
    kept = [_words_both(a, b, s) for p, s in zip(passages, spans, strict=True) if _sentence_kept(a, b, p)]
    return len(kept), sum(kept)


def _quoted_share(side: PairText, spans: Sequence[Span]) -> float:
    """Share of the spans that stand inside quotation marks."""
    if not spans:
        return 0.0
    return sum(_in_quotes(side, s, e) for s, e in spans) / len(spans)


def _earlier(a: PairText, b: PairText) -> tuple[str | None, str]:
    """The earlier document by stated date, else by the latest year each mentions."""
    da, db = _days(a.doc.date), _days(b.doc.date)
    if da is not None and db is not None and da != db:
        return (a.doc.id if da < db else b.doc.id), f"dated {a.doc.date} and {b.doc.date}"
    ya, yb = a.latest_year, b.latest_year
    if ya is not None and yb is not None and ya != yb:
        return (a.doc.id if ya < yb else b.doc.id), f"latest year mentioned {ya} and {yb}"
    return None, ""


def _latest_year_in(side: PairText, spans: Sequence[Span]) -> int | None:
    years = [int(y) for s, e in spans for y in _YEAR.findall(side.text[s:e])]
    return max(years) if years else None


def _far_apart(a: PairText, b: PairText, spans: Sequence[tuple[int, int, int, int]]) -> bool:
    """Dated a year apart, or, undated, the latest years they mention differ. Not when the text
    both carry (`spans`, oriented a then b) names one same latest year on both sides: the later
    year stands in text the other leaves out, as an excerpt or a partial translation leaves out
    the sentences it drops (a TED talk's Arabic keeping 70% of its segments, bench/realtext.py)."""
    da, db = _days(a.doc.date), _days(b.doc.date)
    if da is not None and db is not None:
        return abs(da - db) >= REVISION_DAYS
    ya, yb = a.latest_year, b.latest_year
    if ya is None or yb is None or ya == yb:
        return False
    shared = _latest_year_in(a, [(s[0], s[1]) for s in spans])
    return shared is None or shared != _latest_year_in(b, [(s[2], s[3]) for s in spans])


def by_topic(a: str, b: str, doc_cosine: float | None, min_related_cosine: float = MIN_RELATED_COSINE) -> Relation | None:
    """The relation of two documents that share no text: ``related`` when on one topic."""
    if doc_cosine is not None and doc_cosine >= min_related_cosine:
        # positional: most relations of a corpus are made here, and keywords cost a third more
        return Relation(a, b, "related", 0.0, 0.0, doc_cosine, None, [topic_evidence(doc_cosine)], 0)
    return None


def relate(a: PairText, b: PairText, passages: Sequence[Passage], doc_cosine: float | None = None,
           min_related_cosine: float = MIN_RELATED_COSINE, ran: bool = False) -> Relation | None:
    """The relation of two documents from the passages between them (None: no relation);
    ``min_related_cosine``: the document-vector cosine of two documents on one topic; ``ran``:
    the pair's sentence votes hold a run (:func:`sourcetrace.candidates.votes.ran`)."""
    ida, idb = a.doc.id, b.doc.id
    # A passage with no word of letters on one side ("12 -" against "12 -": the numbers of two lists'
    # items; a page marker) is no text taken; the numbered hadith of two unrelated collections paired
    # that way, in order.
    shared = [p for p in passages if _worded(a, b, p)]
    if not shared:  # most candidate pairs of a corpus: neighbours by topic only
        return by_topic(ida, idb, doc_cosine, min_related_cosine)
    # A phrase is not a copy: formulae ("in line with the national plan for") recur across
    # unrelated texts, so only passages of some length count as evidence for the type.
    # A translated sentence is no phrase, however short: only passages in one language are held to it.
    # Nor are many short lines taken word for word in the same order (the verses of two editions of
    # a diwan, 35-55 characters each): formulae do not come in long ordered runs.
    # Nor is a whole sentence kept word for word, names and figures included (``_sentence_kept``):
    # a report made of short sentences of another in its own order (issue 17's generated reports,
    # bench/everyday.py: a third of their sentences under 60 characters) took them.
    lines = _in_order([p for p in shared if p.word_for_word], ida)
    passages = [p for p in shared if p.kind in TRANSLATION_KINDS or (lines and p.word_for_word)
                or min(p.a_end - p.a_start, p.b_end - p.b_start) >= MIN_EVIDENCE_CHARS
                or _quoted_whole(a, b, p) or _sentence_kept(a, b, p)]
    if not passages:
        rel = Relation(ida, idb, "related", 0.0, 0.0, fsum(p.score for p in shared) / len(shared),
                       passages=len(shared))
        rel.evidence.append(f"only short shared phrases ({len(shared)})")
        return rel
    spans = [_oriented(p, ida) for p in passages]
    cov_a = _covered(a, [(s[0], s[1]) for s in spans])
    cov_b = _covered(b, [(s[2], s[3]) for s in spans])
    weight = sum((s[1] - s[0]) + (s[3] - s[2]) for s in spans) or 1
    share = {kind: sum((s[1] - s[0]) + (s[3] - s[2]) for s, p in zip(spans, passages, strict=True)
                       if p.kind == kind) / weight for kind in {p.kind for p in passages}}
    translated = sum(v for k, v in share.items() if k in TRANSLATION_KINDS)
    worded = sum(v for k, v in share.items() if k in WORDING_KINDS or k in ("translation",))
    score = fsum(p.score for p in passages) / len(passages)
    rel = Relation(ida, idb, "related", cov_a, cov_b, score, passages=len(shared))
    cross = a.doc.lang != b.doc.lang
    if cross and max(p.score for p in passages) < FOUND_ALONE:
        if _covered_in_order(passages, ida, cov_a, cov_b):
            rel.evidence.append(f"no pair found on its own, but {len(passages)} passages in order cover "
                                f"{cov_a:.0%} and {cov_b:.0%}")
        elif ran:
            rel.evidence.append(f"no pair found on its own, but its sentences' votes run in order: {MIN_RUN} "
                                f"sentences or more in a row vote for as many in a row (covers {cov_a:.0%} and "
                                f"{cov_b:.0%})")
        else:
            rel.evidence.append(f"shared text covers {cov_a:.0%} and {cov_b:.0%}, but no pair found on its own: "
                                "placed by order alone")
            return rel

    if min(cov_a, cov_b) >= MIN_REVISION_COVERAGE and _far_apart(a, b, spans):
        rel.type = "revision"
        rel.source, why = _earlier(a, b)
        rel.evidence.append(f"covers {cov_a:.0%} and {cov_b:.0%}; {why}: a later version")
        return rel
    if cross and translated >= 0.5 and min(cov_a, cov_b) >= MIN_TRANSLATION_COVERAGE:
        rel.type = "translation"
        rel.evidence.append(f"{translated:.0%} of the shared text translated; covers {cov_a:.0%} and {cov_b:.0%}")
        rel.source, why = _translation_source(a, b)
        rel.evidence.append(why)
        return rel
    if not cross and not any(p.word_for_word for p in passages) and not any(_sentence_kept(a, b, p) for p in shared):
        # Sentences of one frame with other names, places and figures ("… published on <date>,
        # <n> percent of residents in <place> …") align as near-verbatim across unrelated texts;
        # a copy or a report keeps some sentence as it was.
        rel.evidence.append(f"shared text covers {cov_a:.0%} and {cov_b:.0%}, but no sentence taken word for word")
        return rel
    if not cross and worded >= MIN_COPY_WORDED and min(cov_a, cov_b) >= MIN_COPY_COVERAGE:
        rel.type = "copy"
        rel.evidence.append(f"word for word: {worded:.0%} of the shared text; covers {cov_a:.0%} and {cov_b:.0%}")
        rel.source, why = _earlier(a, b)
        rel.evidence.append(why or "direction unknown: no date tells which came first")
        return rel
    taken = [s for p, s in zip(passages, spans, strict=True) if p.word_for_word]
    kept = [(p, s) for p, s in zip(passages, spans, strict=True) if p.kind in WORDING_KINDS]
    edition = not cross and worded >= MIN_COPY_WORDED and min(
        _covered(a, [(s[0], s[1]) for _, s in kept]), _covered(b, [(s[2], s[3]) for _, s in kept])) \
        >= MIN_EDITION_COVERAGE and _in_order([p for p, _ in kept], ida)
    top = max(cov_a, cov_b)
    # Quotation marks are looked for only where coverage alone does not decide (most pairs).
    quoted = sum(_quoted_one_side(a, b, p, s) for p, s in zip(passages, spans, strict=True)) \
        if edition or top < MIN_DERIVED_COVERAGE else 0
    if edition and quoted < QUOTING * sum(p.kind == "verbatim" for p in passages):
        # Each at least half made of the other word for word, in order: two editions of one book,
        # one with an editor's introduction, notes or reading certificates the other lacks.
        rel.type = "copy"
        rel.evidence.append(f"word for word in order: {len(kept)} passages, each side at least "
                            f"{MIN_EDITION_COVERAGE:.0%} made of the other's text; covers {cov_a:.0%} and {cov_b:.0%}")
        # The cues of a derived text: one made of the other (a near-copy that dropped sentences)
        # names its source as containment does for `derived`.
        rel.source, why = _derived_source(a, b, spans, cov_a, cov_b)
        rel.evidence += why
        return rel
    if top >= MIN_DERIVED_COVERAGE:
        quoted = 0  # coverage decides
    lemmata = _lemmata(a, b, taken) if lines else None
    prose = None if lemmata or cross else _prose_lemmata(a, b, taken)
    if prose:
        lemmata = prose[:2]
    block = 0 if top >= MIN_DERIVED_COVERAGE or quoted >= MIN_QUOTED_PASSAGES or lemmata else max(
        (_words_both(a, b, s) for s in taken), default=0)
    # Whole sentences taken word for word count as one block does, wherever they stand: a report
    # that takes half of another's sentences and shuffles them among its own (bench/everyday.py)
    # holds no block, but its sentences were taken as surely.
    sentences, words = (0, 0) if block >= MIN_TAKEN_WORDS or top >= MIN_DERIVED_COVERAGE \
        or quoted >= MIN_QUOTED_PASSAGES or lemmata else _kept_sentences(a, b, passages, spans)
    if top >= MIN_DERIVED_COVERAGE or quoted >= MIN_QUOTED_PASSAGES or lemmata or block >= MIN_TAKEN_WORDS \
            or words >= MIN_TAKEN_WORDS or sentences >= MIN_KEPT_SENTENCES:
        rel.type = "derived"
        if lemmata:
            commentary, base = lemmata
            rel.source = base.doc.id
            if prose:
                rel.evidence.append(f"{commentary.doc.id} quotes {base.doc.id} in short lemmata, in order, word for "
                                    f"word: " + "; ".join(prose[2]) + " (a commentary and its base text)")
                return rel
            rel.evidence.append(f"{commentary.doc.id} quotes {len(taken)} passages of {base.doc.id} word for word, "
                                f"most followed by its own text, where {base.doc.id} has them one after another "
                                "(a commentary and its base text)")
            return rel
        if top < MIN_DERIVED_COVERAGE:
            rel.evidence.append(f"{quoted} passages quoted word for word" if quoted >= MIN_QUOTED_PASSAGES
                                else f"a block of {block} words taken word for word" if block >= MIN_TAKEN_WORDS
                                else f"{sentences} whole sentences taken word for word ({words} words)")
        # Neither document made of the other: which covers more says nothing of which came first.
        rel.source, why = _derived_source(a, b, spans, cov_a, cov_b, containment=top >= MIN_DERIVED_COVERAGE
                                          or quoted >= MIN_QUOTED_PASSAGES)
        rel.evidence += why
        return rel
    rel.evidence.append(f"some shared text: covers {cov_a:.0%} and {cov_b:.0%}")
    return rel


def _quoted_one_side(a: PairText, b: PairText, p: Passage, s: tuple[int, int, int, int]) -> bool:
    """A verbatim passage in quotation marks on one side only (a report quoting its source). In
    marks on both sides it is a quote both take from a third text (a hadith's words in two
    collections that each quote the Prophet): it marks neither as the other's source. Marks on
    the other side count in the hadith editors' double parentheses "(( ... ))" too (al-Muradi's
    Dhikr: one edition's "..." are the other's (( ... ))), and a side that punctuates nothing
    (``PairText.punctuated``) leaves no quote unmarked."""
    if p.kind != "verbatim":
        return False
    in_a, in_b = _in_quotes(a, s[0], s[1]), _in_quotes(b, s[2], s[3])
    if in_a == in_b:
        return False
    bare, start, end = (b, s[2], s[3]) if in_a else (a, s[0], s[1])
    return bare.punctuated and not _in_parentheses(bare, start, end)


def _in_parentheses(side: PairText, start: int, end: int) -> bool:
    """Double parentheses just before or just after the span (a hadith's words as its editors mark
    them), facing either way: right-to-left files hold them mirrored as often as not (al-Muradi's
    Dhikr closes a hadith with "((" as often as with "))")."""
    edges = side.text[max(side.doc.start, start - 4):start] + " " + side.text[end:min(side.doc.end, end + 4)]
    return "((" in edges or "))" in edges


def _covered(side: PairText, spans: Sequence[Span]) -> float:
    """Share of the side's content the spans cover."""
    return _union(spans) / side.content


def _covered_in_order(passages: Sequence[Passage], a: str, cov_a: float, cov_b: float) -> bool:
    """Whether passages placed by order alone cover both documents as a rendering of one whole
    text would (:data:`FOUND_ALONE`)."""
    return (min(cov_a, cov_b) >= MIN_DERIVED_COVERAGE and max(cov_a, cov_b) >= MIN_TRANSLATION_COVERAGE
            and _in_order(passages, a))


def _in_order(taken: Sequence[Passage], a: str) -> bool:
    """At least MIN_LEMMATA passages, most of them (IN_ORDER) followed on both sides by the next."""
    if len(taken) < MIN_LEMMATA:
        return False
    spans = sorted(_oriented(p, a) for p in taken)
    ahead = sum(y[2] > x[2] for x, y in zip(spans, spans[1:], strict=False))
    return ahead >= IN_ORDER * (len(spans) - 1)


def _word_count(side: PairText, start: int, end: int) -> int:
    return len(side.text[start:end].split())


def _words_both(a: PairText, b: PairText, span: tuple[int, int, int, int]) -> int:
    """A passage's words (a_start, a_end, b_start, b_end) as the shorter side counts them."""
    return min(_word_count(a, span[0], span[1]), _word_count(b, span[2], span[3]))


def _own_text_between(side: PairText, spans: Sequence[Span]) -> tuple[float, float]:
    """For consecutive spans of one side (in its order): the share of the stretches between them
    that hold at least OWN_WORDS words, and the share that hold no word at all (spaces, marks,
    a verse number)."""
    spans = sorted(spans)
    gaps = [side.text[e:s] for (_, e), (s, _) in zip(spans, spans[1:], strict=False) if s >= e]
    if not gaps:
        return 0.0, 0.0
    own = sum(len(g.split()) >= OWN_WORDS for g in gaps) / len(gaps)
    none = sum(not any(ch.isalpha() for ch in g) for g in gaps) / len(gaps)
    return own, none


def _lemmata(a: PairText, b: PairText, taken: Sequence[tuple[int, int, int, int]]) -> tuple[PairText, PairText] | None:
    """(commentary, base) when one side interleaves the shared passages with its own text and
    the other has them one after another; None otherwise (a report and its statement both skip)."""
    own_a, none_a = _own_text_between(a, [(s[0], s[1]) for s in taken])
    own_b, none_b = _own_text_between(b, [(s[2], s[3]) for s in taken])
    if own_a >= MOSTLY and none_b >= MOSTLY:
        return a, b
    if own_b >= MOSTLY and none_a >= MOSTLY:
        return b, a
    return None


def _median(values: Sequence[int]) -> float:
    xs = sorted(values)
    return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2 if xs else 0.0


def _marked(side: PairText, start: int) -> bool:
    """A lemma mark just before the span: a quotation mark, a brace the Qur'an is quoted in, «قوله»."""
    return bool(_LEMMA_MARK.search(side.text[max(side.doc.start, start - 24):start]))


def _prose_lemmata(a: PairText, b: PairText, taken: Sequence[tuple[int, int, int, int]]
                   ) -> tuple[PairText, PairText, list[str]] | None:
    """(commentary, base, the votes) when the word-for-word passages are a commentary's lemmata
    of a prose base (:data:`LEMMA_WORDS`): short, many, in order, and the votes name one side the
    commentary; None otherwise."""
    lemmata = sorted(s for s in taken if _words_both(a, b, s) >= MIN_QUOTE_WORDS)
    if len(lemmata) < MIN_LEMMATA or sum(y[2] > x[2] for x, y in zip(lemmata, lemmata[1:], strict=False)) \
            < IN_ORDER * (len(lemmata) - 1) or _median([_words_both(a, b, s) for s in lemmata]) > LEMMA_WORDS:
        return None
    votes = {a.doc.id: [], b.doc.id: []}  # votes for being the COMMENTARY
    sides = ((a, [(s[0], s[1]) for s in lemmata]), (b, sorted((s[2], s[3]) for s in lemmata)))
    (own_a, _), (own_b, _) = (_own_text_between(side, spans) for side, spans in sides)
    gap_a, gap_b = (_median([_word_count(side, e, s) for (_, e), (s, _) in zip(spans, spans[1:], strict=False)
                             if s >= e]) for side, spans in sides)
    for x, gx, gy, own in ((a, gap_a, gap_b, own_a), (b, gap_b, gap_a, own_b)):
        if own >= MOSTLY and gx >= OWN_RATIO * max(gy, 1):
            votes[x.doc.id].append(f"{gx:.0f} words of its own between two lemmata, the other {gy:.0f}")
    (cov_a, mark_a), (cov_b, mark_b) = ((_covered(side, spans), sum(_marked(side, s) for s, _ in spans) / len(spans))
                                        for side, spans in sides)
    for x, cx, cy, mx, my in ((a, cov_a, cov_b, mark_a, mark_b), (b, cov_b, cov_a, mark_b, mark_a)):
        if cy >= COVERED_RATIO * cx:
            votes[x.doc.id].append(f"the other {cy:.0%} covered by them, it {cx:.0%}")
        if mx >= my + MARKED_MARGIN:
            votes[x.doc.id].append(f"marks {mx:.0%} of them as quoted, the other {my:.0%}")
    for x, y in ((a, b), (b, a)):
        if len(votes[x.doc.id]) >= LEMMA_VOTES and not votes[y.doc.id]:
            return x, y, votes[x.doc.id]
    return None


def _translation_source(a: PairText, b: PairText) -> tuple[str | None, str]:
    for x, y in ((a, b), (b, a)):
        if _TRANSLATION_MARK.search(y.text[y.doc.start:y.doc.start + 400]) and not _TRANSLATION_MARK.search(
                x.text[x.doc.start:x.doc.start + 400]):
            return x.doc.id, f"{y.doc.id} says it is a translation"
    first, why = _earlier(a, b)
    if first:
        return first, why
    return None, "direction unknown: no translation marker or date says which is the original"


def _derived_source(a: PairText, b: PairText, spans: Sequence[tuple[int, int, int, int]], cov_a: float,
                    cov_b: float, containment: bool = True) -> tuple[str | None, list[str]]:
    """The source of a derived pair: votes from containment (when one is made of the other),
    attribution, quotes and dates."""
    if a.author_died and b.author_died and a.author_died != b.author_died:
        first, later = (a, b) if a.author_died < b.author_died else (b, a)
        return first.doc.id, [f"{first.doc.id}'s author died in {first.author_died} AH, "
                              f"{later.doc.id}'s in {later.author_died} AH"]
    votes = {a.doc.id: 0.0, b.doc.id: 0.0}  # votes for being the SOURCE
    why: list[str] = []
    if containment and abs(cov_a - cov_b) >= 0.1:
        derived, source = (a, b) if cov_a > cov_b else (b, a)
        votes[source.doc.id] += 2
        why.append(f"{derived.doc.id} is {max(cov_a, cov_b):.0%} made of shared text, "
                   f"{source.doc.id} {min(cov_a, cov_b):.0%}")
    att_a, att_b = a.attributions, b.attributions
    if att_a != att_b:
        attributing, other = (a, b) if att_a > att_b else (b, a)
        votes[other.doc.id] += 1.5
        why.append(f"{attributing.doc.id} attributes what it says ({max(att_a, att_b)} attribution phrases)")
    qa = _quoted_share(a, [(s[0], s[1]) for s in spans])
    qb = _quoted_share(b, [(s[2], s[3]) for s in spans])
    if abs(qa - qb) >= 0.2:
        quoting, other = (a, b) if qa > qb else (b, a)
        votes[other.doc.id] += 1
        why.append(f"{quoting.doc.id} quotes the shared text ({max(qa, qb):.0%} of passages in quotation marks)")
    first, when = _earlier(a, b)
    if first:
        votes[first] += 1
        why.append(f"{first} is earlier ({when})")
    if votes[a.doc.id] == votes[b.doc.id]:
        return None, why + ["direction unknown: no cue tells which came first"]
    return max(votes, key=votes.__getitem__), why


def relations_for(docs: Sequence[PairText], passages: Sequence[Passage],
                  doc_vectors: Mapping[str, np.ndarray] | None = None,
                  pairs: Sequence[tuple[str, str]] | None = None,
                  min_related_cosine: float = MIN_RELATED_COSINE,
                  known: Mapping[tuple[str, str], Relation | None] | None = None,
                  ran: Set[tuple[str, str]] = frozenset()) -> list[Relation]:
    """Relations between documents: every pair with passages, and the `pairs` given (candidates)
    that share no text but may be on the same topic (document vectors at ``min_related_cosine``).
    ``known``: pairs (the smaller id first) whose relation the caller has (None: no relation),
    taken as they are: their documents' texts are not read. ``ran``: pairs (the smaller id first)
    whose ballots hold a run of votes (:func:`relate`). As records: :func:`typed_relations`."""
    return list(typed_relations(docs, passages, doc_vectors, pairs, min_related_cosine, known, ran))


def typed_relations(docs: Sequence[PairText], passages: Sequence[Passage],
                    doc_vectors: Mapping[str, np.ndarray] | None = None,
                    pairs: Sequence[tuple[str, str]] | None = None,
                    min_related_cosine: float = MIN_RELATED_COSINE,
                    known: Mapping[tuple[str, str], Relation | None] | None = None,
                    ran: Set[tuple[str, str]] = frozenset(), kept: KeptCosines | None = None,
                    digests: Mapping[str, object] | None = None) -> Relations:
    """:func:`relations_for`, in the order of their pairs (sorted, each the smaller id first),
    those by topic alone in columns (:class:`sourcetrace.relate.columns.Relations`). ``kept``:
    the pairs' cosines as an earlier run left them, taken where the documents' vectors'
    ``digests`` are the same, and left as this run's (:func:`_pair_cosines`)."""
    by_id = {d.doc.id: d for d in docs}
    grouped: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        key = pair_key(p.a, p.b)
        grouped.setdefault(key, []).append(p)
    known = known or {}
    # Documents as codes in their ids' order: a pair's codes sort as its ids do.
    names = sorted(by_id)
    code = {d: i for i, d in enumerate(names)}
    lo, hi = _pairs_to_type(pairs or (), grouped, code)
    rows, cos = _pair_cosines(names, lo, hi, doc_vectors, kept=kept, digests=digests)
    # Most pairs share no text and are not known: related by topic alone, in columns, when their
    # cosine (as a Python float, so in float64) reaches the bar; the others typed one by one.
    held = np.isin(lo * len(names) + hi, _keys(grouped.keys() | known.keys(), code))
    present = (rows >= 0).all(axis=1)
    wide = cos.astype(np.float64)
    topic = ~held & present & (wide >= min_related_cosine) & (wide >= 0)
    keep = topic.copy()
    records: list[Relation] = []
    for i in np.flatnonzero(~topic & (held | present)).tolist():
        pair = x, y = names[lo[i]], names[hi[i]]
        c = float(cos[i]) if present[i] else None
        if not held[i]:  # a negative cosine over a negative bar: not in columns
            rel = by_topic(x, y, c, min_related_cosine)
        elif pair in known:
            rel = known[pair]
        else:
            rel = relate(by_id[x], by_id[y], grouped[pair], c, min_related_cosine, ran=pair in ran)
        if rel is not None:
            records.append(rel)
            keep[i] = True
    place = np.cumsum(keep) - 1
    positions = place[keep & ~topic]
    return Relations(records, positions, TopicColumns(names, lo[topic], hi[topic], cos[topic]))


def _coded(pairs: Iterable[tuple[str, str]], code: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of two distinct documents of ``code`` as codes, each the smaller first."""
    coded = pairs.coded() if isinstance(pairs, CodedPairs) else None
    if coded is not None:  # the candidates' own codes, translated: their ids looked up, not each pair's
        ids, a, b = coded
        now = np.fromiter(map(code.get, ids, repeat(-1)), dtype=np.int64, count=len(ids))
        x, y = now[a], now[b]
    else:
        pairs = list(pairs)
        x, y = (np.fromiter(map(code.get, map(itemgetter(side), pairs), repeat(-1)), dtype=np.int64,
                            count=len(pairs)) for side in (0, 1))
    ok = (x >= 0) & (y >= 0) & (x != y)
    return np.minimum(x, y)[ok], np.maximum(x, y)[ok]


def _keys(pairs: Iterable[tuple[str, str]], code: Mapping[str, int]) -> np.ndarray:
    """The pairs (the smaller id first) of two documents of ``code`` as one number each."""
    x, y = _coded(pairs, code)
    return x * len(code) + y


def _pairs_to_type(pairs: Sequence[tuple[str, str]], grouped: Mapping[tuple[str, str], object],
                   code: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The pairs to type as codes of ``code`` (given in the ids' order), each the smaller first,
    sorted, once each: ``pairs`` and those of ``grouped`` (already so), both documents given and
    distinct. Sorted as numbers (sorting 120,000 pairs of ids as tuples, a +1% rerun's at 10k,
    and a dict of them to drop those given twice, cost 0.06 s)."""
    keys = np.unique(np.concatenate([_keys(pairs, code), _keys(grouped, code)]))
    return keys // max(len(code), 1), keys % max(len(code), 1)


def _pair_cosines(names: Sequence[str], lo: np.ndarray, hi: np.ndarray, vectors: Mapping[str, np.ndarray] | None,
                  block: int = 512, kept: KeptCosines | None = None,
                  digests: Mapping[str, object] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The cosine of each pair's document vectors (the pairs as codes: ``names[lo[i]]``,
    ``names[hi[i]]``), a block of pairs at a time in numpy: one dot product per pair in Python
    was a tenth of the stage on a corpus. Returns each pair's two rows among ``vectors``' (-1:
    none, and its cosine is not one) and the cosines (float32). Blocks that fit the cache:
    120,000 pairs of 512-dim vectors took 1.0 s in blocks of 100,000 (two 245 MB gathers), 0.14 s
    in blocks of 8,192 and 0.075 in blocks of 512 (the same bits: each pair's dot product is its
    rows' alone). ``kept``: the cosines an earlier run computed, taken for the pairs whose
    vectors' ``digests`` are the same (:class:`sourcetrace.relate.columns.KeptCosines`)."""
    if not vectors or not len(lo):
        return np.full((len(lo), 2), -1, dtype=np.int64), np.zeros(len(lo), dtype=np.float32)
    row = {d: i for i, d in enumerate(vectors)}
    of_code = np.fromiter(map(row.get, names, repeat(-1)), dtype=np.int64, count=len(names))
    rows = np.column_stack([of_code[lo], of_code[hi]])
    values = list(vectors.values())

    def compute(at: np.ndarray) -> np.ndarray:
        """The cosines of the pairs at ``at``, from the vectors of their documents alone."""
        need = np.unique(rows[at])
        need = need[need >= 0]
        out = np.zeros(len(at), dtype=np.float32)
        if not len(need):
            return out
        mat = np.stack([np.asarray(values[i], dtype=np.float32) for i in need.tolist()])
        local = np.minimum(np.searchsorted(need, rows[at]), len(need) - 1)  # a row of none: any, not a cosine
        for s in range(0, len(at), block):
            out[s:s + block] = np.einsum("ij,ij->i", mat[local[s:s + block, 0]], mat[local[s:s + block, 1]])
        return out

    if kept is None:
        return rows, compute(np.arange(len(lo)))
    digests = digests or {}
    return rows, kept.cosines(names, [digests.get(d) for d in names], lo, hi, compute)
