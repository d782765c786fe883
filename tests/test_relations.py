import random

import numpy as np

from sourcetrace.records import Document, Passage, Relation
from sourcetrace.relate.relations import (
    FOUND_ALONE,
    MIN_EVIDENCE_CHARS,
    MIN_KEPT_SENTENCES,
    MIN_TAKEN_WORDS,
    OWN_RATIO,
    PairText,
    _quote_marks,
    relate,
    relations_for,
)

STATEMENT = "The ministers met on Thursday. They agreed on the water plan. They thanked the host. " * 9
REPORT = "The statement said: \"The ministers met on Thursday.\" Rain fell in the capital all day long. " * 6


def _pt(doc_id: str, text: str, lang: str = "en", date: str | None = None) -> PairText:
    return PairText(Document(doc_id, f"{doc_id}.txt", 0, len(text), lang, date=date), text)


def _passages(a: PairText, b: PairText, kind: str, share_a: float, share_b: float, n: int = 4) -> list[Passage]:
    la, lb = int(len(a.text) * share_a / n), int(len(b.text) * share_b / n)
    return [Passage(a.doc.id, i * la, (i + 1) * la, b.doc.id, i * lb, (i + 1) * lb, kind, 0.9) for i in range(n)]


def test_translation_needs_two_languages_and_near_full_coverage():
    en, ar = _pt("en", STATEMENT), _pt("ar", "ترجمة " + STATEMENT, "ar")
    rel = relate(en, ar, _passages(en, ar, "translation", 0.95, 0.95))
    assert (rel.type, rel.source) == ("translation", "en")
    assert any("translation" in e for e in rel.evidence)
    partial = relate(en, ar, _passages(en, ar, "translation", 0.6, 0.6))
    assert partial.type != "translation"


def test_translation_direction_from_a_marker_before_the_english_prior():
    en = _pt("en", "Unofficial translation. " + STATEMENT)
    ar = _pt("ar", STATEMENT, "ar")
    rel = relate(en, ar, _passages(en, ar, "translation", 0.95, 0.95))
    assert rel.source == "ar"


def test_a_translation_without_marker_or_date_has_no_direction():
    """Which language a text is in says nothing of which came first (issue 19: human translations
    of English originals came out as Arabic sources)."""
    en, ar = _pt("en", STATEMENT), _pt("ar", STATEMENT, "ar")
    rel = relate(en, ar, _passages(en, ar, "translation", 0.95, 0.95))
    assert (rel.type, rel.source) == ("translation", None)
    assert rel.evidence[-1].startswith("direction unknown")
    dated = relate(_pt("en", STATEMENT, date="2024-03-13"), _pt("ar", STATEMENT, "ar", date="2024-03-14"),
                   _passages(en, ar, "translation", 0.95, 0.95))
    assert dated.source == "en"


def test_copy_and_revision():
    a, b = _pt("a", STATEMENT, date="2024-03-13"), _pt("b", STATEMENT, date="2024-03-14")
    rel = relate(a, b, _passages(a, b, "verbatim", 0.9, 0.9))
    assert (rel.type, rel.source) == ("copy", "a")
    later = _pt("c", STATEMENT, date="2025-03-12")
    rev = relate(a, later, _passages(a, later, "near-verbatim", 0.7, 0.7))
    assert (rev.type, rev.source) == ("revision", "a")


def test_a_year_only_in_what_a_partial_translation_leaves_out_makes_no_revision():
    """A partial translation drops the sentences it drops: the original's latest year may stand in
    one of them (a TED talk's 2015, bench/realtext.py); where the text both carry names the same
    latest year, that is no later version. A year changed in the shared text still is."""
    kept = ["In 2014 the team found a bone in the ice.", "It was the leg of a camel.", "Nobody believed it."]
    dropped = "In 2015 the museum showed the bone to the public."
    en = _pt("en", " ".join(kept[:2] + [dropped] + kept[2:]))
    ar = _pt("ar", " ".join(kept), "ar")  # stands for its Arabic: the years are written alike

    def shared(x: PairText, y: PairText) -> list[Passage]:
        return [Passage(x.doc.id, x.text.index(k), x.text.index(k) + len(k), y.doc.id, y.text.index(k),
                        y.text.index(k) + len(k), "translation", 0.9) for k in kept]

    assert (en.latest_year, ar.latest_year) == (2015, 2014)
    rel = relate(en, ar, shared(en, ar))
    assert rel.type == "derived" and rel.coverage_b > 0.95
    later = _pt("ar2", ar.text.replace("2014", "2016"), "ar")
    moved = [Passage(p.a, p.a_start, p.a_end, "ar2", p.b_start, p.b_end, p.kind, p.score) for p in shared(en, ar)]
    assert relate(en, later, moved).type == "revision"


def test_derived_report_points_at_its_source():
    statement, report = _pt("s", STATEMENT), _pt("r", REPORT)
    rel = relate(report, statement, _passages(report, statement, "verbatim", 0.7, 0.2, n=2))
    assert (rel.type, rel.source) == ("derived", "s")
    assert rel.coverage_a > rel.coverage_b


def test_a_report_quoting_several_sentences_in_quotation_marks_is_derived_below_half_coverage():
    said = ["The ministers agreed to fund the new water plan for the southern provinces this year.",
            "They thanked the host government for its generous welcome and careful preparations.",
            "The next meeting of the council will be held in the spring in the northern capital."]
    statement = _pt("s", " ".join(said) + " Other business was left for a later meeting of the council. " * 5)
    filler = "Rain fell in the capital all day long, and traffic was slow on every road. " * 4
    report = _pt("r", "".join(f'The statement said: "{x}" ' for x in said) + filler)

    def quoted(kind: str, marked: bool = True) -> list[Passage]:
        rtext = report.text if marked else report.text.replace('"', " ")
        return [Passage("r", rtext.index(x), rtext.index(x) + len(x), "s", statement.text.index(x),
                        statement.text.index(x) + len(x), kind, 1.0) for x in said]

    rel = relate(report, statement, quoted("verbatim"))
    assert rel.coverage_a < 0.5 and rel.coverage_b < 0.5
    assert (rel.type, rel.source) == ("derived", "s")
    assert any("quoted word for word" in e for e in rel.evidence)
    # Unmarked, or one quote only, the same share is only related (stock sentences recur).
    unmarked = _pt("r", report.text.replace('"', " "))
    assert relate(unmarked, statement, quoted("verbatim", marked=False)).type == "related"
    assert relate(report, statement, quoted("verbatim")[:1]).type == "related"


def test_two_quotes_make_a_report_derived_however_little_of_either_they_cover():
    """A report that quotes two of its source's sentences in quotation marks, among much of its own
    text and paraphrase, is derived at any coverage (planted reports quoting two sentences cover
    0.21-0.30 of each side and came out related; bench/trace.py)."""
    said = ["The ministers agreed to fund the new water plan for the southern provinces this year.",
            "They thanked the host government for its generous welcome and careful preparations."]
    statement = _pt("s", " ".join(said) + " Other business was left for a later meeting of the council. " * 12)
    report = _pt("r", "".join(f'The statement said: "{x}" ' for x in said)
                 + "Rain fell in the capital all day long, and traffic was slow on every road. " * 8)
    passages = [Passage("r", report.text.index(x), report.text.index(x) + len(x), "s", statement.text.index(x),
                        statement.text.index(x) + len(x), "verbatim", 1.0) for x in said]
    rel = relate(report, statement, passages)
    assert rel.coverage_a < 0.3 and rel.coverage_b < 0.3
    assert (rel.type, rel.source) == ("derived", "s")


def test_a_near_copy_keeping_one_short_sentence_whole_is_not_only_related():
    """A near-copy whose longer sentences all had a figure changed keeps some short sentence as it
    was, names and date included: that sentence, whole and 5+ words, is the word-for-word evidence
    a copy needs; a shorter piece of a sentence is not."""
    kept = "The meeting ended in Beit Mishmish on 8 June 2020."
    first = "Officials of the prison inspection board said {} people received aid in February."
    last = " Under the plan, {} cases will be added in the northern district courts by 2015."
    a = _pt("a", first.format(52) + " " + kept + last.format(72))
    b = _pt("b", first.format(28) + " " + kept + last.format(9084))
    reworded = [Passage("a", 0, a.text.index(kept) - 2, "b", 0, b.text.index(kept) - 2, "near-verbatim", 0.8),
                Passage("a", a.text.index("Under"), len(a.text) - 1, "b", b.text.index("Under"), len(b.text) - 1,
                        "near-verbatim", 0.8)]
    one = Passage("a", a.text.index(kept), a.text.index(kept) + len(kept) - 1, "b", b.text.index(kept),
                  b.text.index(kept) + len(kept) - 1, "verbatim", 1.0)
    assert relate(a, b, reworded + [one]).type in ("copy", "derived")
    part = Passage("a", one.a_start, one.a_start + 24, "b", one.b_start, one.b_start + 24, "verbatim", 1.0)
    assert relate(a, b, reworded + [part]).type == "related"


def test_derived_without_any_cue_names_no_source():
    a, b = _pt("a", STATEMENT), _pt("b", STATEMENT)
    rel = relate(a, b, _passages(a, b, "near-verbatim", 0.6, 0.6))
    assert (rel.type, rel.source) == ("derived", None)
    assert "direction unknown: no cue tells which came first" in rel.evidence


def test_one_frame_with_other_names_and_figures_is_not_a_copy():
    a, b = _pt("a", STATEMENT), _pt("b", STATEMENT)
    frame = [Passage(p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end, "near-verbatim", 0.8)
             for p in _passages(a, b, "near-verbatim", 0.9, 0.9)]
    rel = relate(a, b, frame)
    assert rel.type == "related"
    assert "no sentence taken word for word" in rel.evidence[-1]
    last = frame[-1]
    kept = frame[:-1] + [Passage(last.a, last.a_start, last.a_end, last.b, last.b_start, last.b_end, "verbatim", 1.0)]
    assert relate(a, b, kept).type in ("copy", "derived")
    # Across languages there is no word to keep: a translation is typed as before.
    ar = _pt("ar", STATEMENT, "ar")
    assert relate(a, ar, _passages(a, ar, "translation", 0.95, 0.95)).type == "translation"


def test_related_by_some_text_or_by_topic_and_none_otherwise():
    a, b = _pt("a", STATEMENT), _pt("b", REPORT)
    assert relate(a, b, _passages(a, b, "paraphrase", 0.1, 0.1)).type == "related"
    assert relate(a, b, [], doc_cosine=0.7).type == "related"
    assert relate(a, b, [], doc_cosine=0.1) is None


def test_relations_for_groups_passages_by_pair_and_uses_vectors():
    a, b, c = _pt("a", STATEMENT), _pt("b", STATEMENT, "ar"), _pt("c", REPORT)
    vec = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0]), "c": np.array([0.8, 0.6])}
    passages = _passages(a, b, "translation", 0.95, 0.95)
    rels = relations_for([a, b, c], passages, vec, pairs=[("a", "c"), ("b", "c")])
    assert [(r.a, r.b, r.type) for r in rels] == [("a", "b", "translation"), ("a", "c", "related"),
                                                  ("b", "c", "related")]
    # Neither side is marked a translation nor dated: the JSON says so instead of naming a source.
    assert "source" not in rels[0].to_json() and rels[0].to_json()["direction"] == "unknown"
    assert "direction" not in rels[1].to_json()  # a related pair has no direction to know


def test_short_shared_phrases_are_not_evidence_of_copying():
    a, b = _pt("a", STATEMENT), _pt("b", REPORT)
    phrase = [Passage("a", 0, 30, "b", 0, 30, "verbatim", 1.0), Passage("a", 100, 140, "b", 90, 130, "verbatim", 1.0)]
    rel = relate(a, b, phrase)
    assert (rel.type, rel.coverage_a, rel.passages) == ("related", 0.0, 2)
    assert "short shared phrases" in rel.evidence[0]


def test_two_editions_that_differ_in_spelling_are_a_copy():
    # Issue 17: two editions of one book keep 73% of their shared text word for word; the rest
    # differs in spelling and markup and aligns as paraphrase. Covering each other, they are copies.
    a, b = _pt("a", STATEMENT), _pt("b", STATEMENT)
    kept = _passages(a, b, "verbatim", 0.9, 0.9, n=10)
    mixed = kept[:7] + [Passage(p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end, "paraphrase", 0.8) for p in kept[7:]]
    assert relate(a, b, mixed).type == "copy"
    mostly_reworded = kept[:3] + [Passage(p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end, "paraphrase", 0.8)
                                  for p in kept[3:]]
    assert relate(a, b, mostly_reworded).type == "derived"


def test_a_block_of_running_text_taken_word_for_word_is_derived_however_small_a_share():
    # Issue 17, PAN's web texts: a paragraph of one inserted verbatim into a long unrelated text
    # covers a few percent of either; it was taken all the same. Which one covers more says
    # nothing of which came first, so no source without another cue.
    block = ("Heat stroke can kill a dog within minutes, so cool the animal at once by moving it into the "
             "shade and wetting its coat with cool water. Call a veterinarian on the way, because the pet may "
             "be dehydrated and need fluids. Never leave a dog in a parked car, not even for a few minutes "
             "with the windows open.")
    host = _pt("host", "Rain fell in the capital all day long. " * 60 + block + " The match ended in a draw. " * 40)
    origin = _pt("origin", "Owners ask us every summer what to do. " * 10 + block + " Our advice ends here. " * 10)
    start_h, start_o = host.text.index(block), origin.text.index(block)
    taken = [Passage("host", start_h, start_h + len(block), "origin", start_o, start_o + len(block), "verbatim", 1.0)]
    rel = relate(host, origin, taken)
    assert rel.coverage_a < 0.2 and rel.coverage_b < 0.5
    assert (rel.type, rel.source) == ("derived", None)
    assert any("block of" in e for e in rel.evidence)
    # One sentence of it is a sentence, not a block: only related.
    first = block.index(".") + 1
    one = [Passage("host", start_h, start_h + first, "origin", start_o, start_o + first, "verbatim", 1.0)]
    assert relate(host, origin, one).type == "related"


def test_whole_short_sentences_taken_word_for_word_among_its_own_make_a_report_derived():
    """Issue 17's generated reports (bench/everyday.py): half of another's sentences, each under
    60 characters, shuffled among the report's own. Each is a whole sentence kept word for word,
    no phrase; together, MIN_TAKEN_WORDS words or more, they were taken as a block is, whatever
    share of either they cover, and so do MIN_KEPT_SENTENCES of them. Fewer, or phrases cut inside
    sentences, are not."""
    taken = ["Seven ships left the harbour before noon.", "The baker sold every loaf by nine.",
             "Our neighbour painted his fence bright green.", "Three children waited at the old bus stop.",
             "The river rose after a week of storms.", "A small dog barked at the passing train.",
             "Lamps were lit along the quiet main road.", "The teacher read a long poem aloud today."]
    assert all(len(t) < MIN_EVIDENCE_CHARS for t in taken) and sum(len(t.split()) for t in taken) >= MIN_TAKEN_WORDS
    assert MIN_KEPT_SENTENCES == 3
    own = [f"Our own correspondent wrote this long sentence number {k} about quite another matter entirely."
           for k in range(12)]
    rest = [f"The source went on with a sentence of its own, number {k}, that no report took." for k in range(14)]
    source = _pt("source", " ".join(taken[:4] + rest[:7] + taken[4:] + rest[7:]))
    body = own[:3] + taken[5:] + own[3:7] + taken[:2] + own[7:] + taken[2:5]
    report = _pt("report", " ".join(body))

    def shared(sentences: list[str], cut: int = 1) -> list[Passage]:
        """Each sentence's passage, as the aligner spans it: up to its final period, or `cut` before."""
        return [Passage("source", source.text.index(t), source.text.index(t) + len(t) - cut, "report",
                        report.text.index(t), report.text.index(t) + len(t) - cut, "verbatim", 1.0) for t in sentences]

    rel = relate(source, report, shared(taken))
    assert max(rel.coverage_a, rel.coverage_b) < 0.5
    assert (rel.type, rel.source) == ("derived", None)
    assert any("whole sentences taken word for word" in e for e in rel.evidence)
    few = relate(source, report, shared(taken[:2]))  # two sentences, 13 words
    assert few.type == "related"
    assert relate(source, report, shared(taken[:3])).type == "derived"  # three, 20 words
    phrases = relate(source, report, shared(taken, cut=6))  # each stops before its last word
    assert phrases.type == "related"


def test_a_commentary_quoting_its_base_in_lemmata_is_derived_with_the_base_as_source():
    verses = [f"verse number {i} of the poem sings of the long night and the road to the well" for i in range(12)]
    base = _pt("base", "".join(f"{v} {i}\n" for i, v in enumerate(verses)))
    gloss = "the poet means that the night was long and the riders tired, and he praises the host who waited"
    commentary = _pt("commentary", "".join(f"{v}\nHe said: {gloss}.\n" for v in verses))
    lemmata = [Passage("commentary", commentary.text.index(v), commentary.text.index(v) + len(v), "base",
                       base.text.index(v), base.text.index(v) + len(v), "verbatim", 1.0) for v in verses]
    rel = relate(commentary, base, lemmata)
    assert rel.coverage_b > rel.coverage_a  # the base is the more covered: containment would say otherwise
    assert (rel.type, rel.source) == ("derived", "base")
    assert "a commentary and its base text" in rel.evidence[-1]
    # The same passages with nothing of its own between them: no commentary.
    bare = _pt("bare", "".join(f"{v}\n" for v in verses))
    same = [Passage("bare", bare.text.index(v), bare.text.index(v) + len(v), "base", base.text.index(v),
                    base.text.index(v) + len(v), "verbatim", 1.0) for v in verses]
    assert relate(bare, base, same).type == "copy"


def _prose_pair(lemma_words: int = 7, gloss_words: int = 40, base_words: int = 12, mark: str = "",
                order: list[int] | None = None) -> tuple[PairText, PairText, list[Passage]]:
    """A prose base of 14 paragraphs and a commentary quoting a few words of each (its lemma) in
    order, each followed by its own explanation: the base's text runs on between two lemmata too."""
    def word(kind: str, i: int, k: int) -> str:  # words of letters alone, distinct
        return kind + "".join("abcdefghij"[int(d)] for d in f"{i:02d}{k:02d}")

    lemmata = [" ".join(word("lem", i, k) for k in range(lemma_words)) for i in range(14)]
    base = _pt("base", "".join(f"{lem} " + " ".join(word("base", i, k) for k in range(base_words)) + ".\n"
                               for i, lem in enumerate(lemmata)))
    order = order or list(range(14))
    commentary = _pt("commentary", "".join(f"{mark}{lemmata[i]} " + " ".join(word("own", i, k) for k in range(gloss_words))
                                           + ".\n" for i in order))
    passages = [Passage("commentary", commentary.text.index(lem), commentary.text.index(lem) + len(lem), "base",
                        base.text.index(lem), base.text.index(lem) + len(lem), "verbatim", 1.0) for lem in lemmata]
    return commentary, base, passages


def test_a_commentary_quoting_a_prose_base_in_short_lemmata_is_derived_with_the_base_as_source():
    # OpenITI's hadith, grammar, medicine and Qur'an commentaries (bench/commentaries.py): the base's
    # own text runs on between two lemmata, so the verse rule above (nothing between them) misses them.
    commentary, base, lemmata = _prose_pair()
    rel = relate(commentary, base, lemmata)
    assert rel.coverage_b > rel.coverage_a
    assert (rel.type, rel.source) == ("derived", "base")
    assert "short lemmata" in rel.evidence[-1]
    assert relate(base, commentary, [Passage(p.b, p.b_start, p.b_end, p.a, p.a_start, p.a_end, p.kind, p.score)
                                     for p in lemmata]).source == "base"  # whichever is given first


def test_shared_page_markers_and_heading_marks_are_no_text_taken():
    # Every OpenITI file held as it is repeats "# PageV00P000" and "###" lines: aligned across
    # unrelated books, 14 of them in quotation marks made a commentary `derived` from the Muwatta.
    marks = "\n# PageV00P000\n### | "
    a = _pt("a", "".join(f"«كلام {i} هنا»{marks}" for i in range(6)), "ar")
    b = _pt("b", "".join(f"نص آخر {i}{marks}" for i in range(6)), "ar")
    passages = [Passage("a", a.text.index(marks, a.text.index(f"{i} هنا")), a.text.index(marks, a.text.index(f"{i} هنا"))
                        + len(marks), "b", b.text.index(marks, b.text.index(f"آخر {i}")),
                        b.text.index(marks, b.text.index(f"آخر {i}")) + len(marks), "verbatim", 1.0) for i in range(6)]
    assert relate(a, b, passages) is None  # no text shared, no topic given
    worded = [Passage(p.a, p.a_start - 6, p.a_end, p.b, p.b_start - 6, p.b_end, "verbatim", 1.0) for p in passages]
    assert relate(a, b, worded) is not None  # a word of letters on both sides: shared text


def test_the_text_whose_author_died_first_is_the_source_whatever_the_other_cues():
    # OpenITI headers and Shamela title pages state the author's death (AH); al-Khattabi (d. 388) on
    # Abu Dawud (d. 275), whose text is the more covered: containment alone names the commentary.
    heads = {"base": "#META# 011.AuthorDIED\t:: 275\n#META#Header#End#\n",
             "commentary": "#META# المؤلف: أبو سليمان الخطابي (319 - 388 ه)\n#META#Header#End#\n"}
    rels = {}
    for dated in (False, True):
        base_text = (heads["base"] if dated else "") + STATEMENT
        comm_text = (heads["commentary"] if dated else "") + STATEMENT + " Rain fell in the capital all day long." * 30
        base, commentary = _pt("base", base_text), _pt("commentary", comm_text)
        start, cstart = base_text.index(STATEMENT), comm_text.index(STATEMENT)
        shared = [Passage("commentary", cstart, cstart + len(STATEMENT), "base", start, start + len(STATEMENT),
                          "verbatim", 1.0)]
        rels[dated] = relate(commentary, base, shared)
    assert rels[False].type == rels[True].type == "derived"
    assert rels[False].source == "commentary"  # the base is 'made of' the shared text
    assert rels[True].source == "base" and "died in 275 AH" in rels[True].evidence[0]
    assert _pt("x", "ولد سنة 388هـ في بست").author_died is None  # a year in running text is no death


def test_prose_lemmata_need_order_short_lemmata_and_a_side_named_by_two_votes():
    scrambled = [(5 * i) % 14 for i in range(14)]
    out_of_order = relate(*_prose_pair(order=scrambled))
    assert "short lemmata" not in " ".join(out_of_order.evidence)
    # Whole passages of 25 words each (an abridgement keeps sentences): not lemmata.
    long_ones = relate(*_prose_pair(lemma_words=25))
    assert "short lemmata" not in " ".join(long_ones.evidence)
    # Explanations no longer than the base's own text between two lemmata: only the coverage votes.
    even = relate(*_prose_pair(gloss_words=12))
    assert "short lemmata" not in " ".join(even.evidence)
    # The commentary marking its lemmata («قوله») is one vote: not enough alone.
    marked_only = relate(*_prose_pair(gloss_words=12, mark="وقوله: "))
    assert "short lemmata" not in " ".join(marked_only.evidence)
    # With a second (its explanations OWN_RATIO times the base's text between two lemmata), enough.
    marked = relate(*_prose_pair(gloss_words=int(OWN_RATIO * 12), mark="وقوله: "))
    assert (marked.type, marked.source) == ("derived", "base")
    assert "marks 100% of them as quoted, the other 0%" in marked.evidence[-1]


def test_two_editions_of_a_diwan_sharing_short_verses_in_order_are_a_copy():
    # Issue 17 (OpenITI): each verse is 35-55 characters, under the length a phrase must reach,
    # and one edition numbers its verses where the other does not. Many lines kept in order are no
    # formula: the editions are copies. The same lines in scrambled order prove nothing.
    verses = [f"sang the riders of night {i} by the well" for i in range(14)]
    numbered = _pt("numbered", "".join(f"{v} {i + 1}\n" for i, v in enumerate(verses)))
    plain = _pt("plain", "".join(f"{v}\n" for v in verses))

    def lines(order: list[int]) -> list[Passage]:
        return [Passage("numbered", numbered.text.index(verses[i]), numbered.text.index(verses[i]) + len(verses[i]),
                        "plain", plain.text.index(verses[j]), plain.text.index(verses[j]) + len(verses[j]),
                        "verbatim", 1.0) for i, j in zip(range(len(verses)), order, strict=True)]

    assert all(len(v) < 60 for v in verses)
    rel = relate(numbered, plain, lines(list(range(len(verses)))))
    assert rel.type == "copy" and rel.coverage_a > 0.75
    scrambled = [(7 * i) % len(verses) for i in range(len(verses))]
    assert relate(numbered, plain, lines(scrambled)).type == "related"


def test_pairs_placed_by_order_alone_do_not_make_a_translation_or_a_derived_text():
    """Across languages, pairs none of which the aligner found on its own (each placed by order,
    scoring under FOUND_ALONE) share only an order; one pair found on its own makes them evidence."""
    en, ar = _pt("en", STATEMENT), _pt("ar", STATEMENT, "ar")
    placed = [Passage(p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end, "translated-paraphrase", 0.05)
              for p in _passages(en, ar, "translation", 0.95, 0.95)]
    rel = relate(en, ar, placed)
    assert rel.type == "related" and any("order alone" in e for e in rel.evidence)
    found = placed[:-1] + [Passage(placed[-1].a, placed[-1].a_start, placed[-1].a_end, placed[-1].b,
                                   placed[-1].b_start, placed[-1].b_end, "translation", FOUND_ALONE)]
    assert relate(en, ar, found).type == "translation"
    # in one language the scores of reuse passages say nothing of order: unchanged
    same = _pt("en2", STATEMENT)
    copied = [Passage("en", p.a_start, p.a_end, "en2", p.b_start, p.b_end, "verbatim", 0.05)
              for p in _passages(en, same, "verbatim", 0.95, 0.95)]
    assert relate(en, same, copied).type == "copy"


def test_many_short_pairs_in_order_covering_both_whole_make_a_translation_though_none_was_found_alone():
    """Short archaic verses score low one by one (quran100 of bench/realtext.py: USE's best pair
    0.42): eleven pairs in order covering both documents are a translation, in order or not a
    derived text; the same pairs out of order, or covering half of the longer side, share an order only."""
    en, ar = _pt("en", STATEMENT), _pt("ar", STATEMENT, "ar")

    def placed(n: int, share_b: float, order: list[int]) -> list[Passage]:
        la, lb = len(en.text) // n, int(len(ar.text) * share_b) // n
        return [Passage("en", i * la, (i + 1) * la, "ar", j * lb, (j + 1) * lb, "translated-paraphrase", 0.1)
                for i, j in zip(range(n), order, strict=True)]

    rel = relate(en, ar, placed(11, 1.0, list(range(11))))
    assert rel.type == "translation" and any("in order" in e for e in rel.evidence)
    assert relate(en, ar, placed(11, 0.6, list(range(11)))).type == "derived"  # a partial rendering
    assert relate(en, ar, placed(11, 1.0, [(5 * i) % 11 for i in range(11)])).type == "related"
    assert relate(en, ar, placed(11, 0.45, list(range(11)))).type == "related"  # half of one side
    assert relate(en, ar, placed(9, 1.0, list(range(9)))).type == "related"  # too few to be more than an order



def _hadith_book(doc_id: str, chains: list[str], sayings: list[str]) -> PairText:
    """A numbered hadith collection: "N -", a chain of transmitters, the saying in «»."""
    return _pt(doc_id, "".join(f"{i + 1} -\n{c}: «{s}»\n" for i, (c, s) in enumerate(zip(chains, sayings, strict=True))),
               "ar")


def test_numbered_items_and_chains_of_transmitters_do_not_relate_two_hadith_collections():
    """Issue 17 (OpenITI): two parts of Ibn al-Sawwaf's hadith and Tabarani's Awail share their
    items' numbers ("1 -" against "1 -", in order, each just after the » closing the hadith before)
    and chains of transmitters that end just before an opening «; they came out derived. Neither
    is text taken: a number has no letter, and a chain ending at an opening mark is not quoted."""
    chain = "حدثنا عبد الله بن أحمد بن حنبل عن أبي صالح عن أبي هريرة قال قال رسول الله صلى الله عليه وسلم"
    own = [f"حدثنا رجل من أهل البصرة رقم {i} عن شيخ له" for i in range(12)]
    text = "من صام يوما في سبيل الله باعد الله وجهه عن النار سبعين خريفا ومن قام ليلة القدر غفر له"
    other = "السلام اسم من أسماء الله وضعه في الأرض فأفشوه بينكم فإن الرجل إذا سلم على القوم فردوا عليه"
    chains = [chain if i < 3 else c for i, c in enumerate(own)]
    one = _hadith_book("one", chains, [f"{text} {i}" for i in range(12)])
    two = _hadith_book("two", chains, [f"{other} {i}" for i in range(12)])

    def same(x: str, nth: int, a: PairText = one) -> Passage:
        a0, b0 = -1, -1
        for _ in range(nth + 1):
            a0, b0 = a.text.index(x, a0 + 1), two.text.index(x, b0 + 1)
        return Passage(a.doc.id, a0, a0 + len(x), "two", b0, b0 + len(x), "verbatim", 1.0)

    numbers = [same(f"{i + 1} -", 0) for i in range(12)]
    assert relate(one, two, numbers) is None
    rel = relate(one, two, numbers + [same(chain, i) for i in range(3)])
    assert rel.type == "related" and rel.coverage_a < 0.2
    # The same chains between quotation marks, on one side, are quotes taken word for word.
    quoting = _pt("quoting", one.text.replace(chain, f"«{chain}»"), "ar")
    assert relate(quoting, two, [same(chain, i, quoting) for i in range(3)]).type == "derived"


def test_german_low_quotes_close_with_the_mark_english_opens_with():
    """„…“ and ‚…‘ face the span they quote; a lone “ after a span opens the next quote."""
    quote = "Wir werden das Abkommen einhalten"

    def marks(text: str) -> tuple[bool, bool]:
        start = text.index(quote)
        return _quote_marks(_pt("de", text, "de"), start, start + len(quote))

    assert marks(f"Er sagte: „{quote}“, und ging.") == (True, True)
    assert marks(f"Er sagte: ‚{quote}‘, und ging.") == (True, True)
    assert marks(f"Er sagte: {quote} “Nein”.") == (False, False)
    assert marks(f"Er sagte: “{quote}” und ging.") == (True, True)


def test_pair_cosines_are_none_only_where_a_document_has_no_vector():
    from sourcetrace.relate.relations import _pair_cosines

    vectors = {"a": np.array([1.0, 0.0], dtype=np.float32), "b": np.array([0.6, 0.8], dtype=np.float32),
               "c": np.array([0.0, 1.0], dtype=np.float32)}
    names = ["a", "b", "c", "x"]
    lo, hi = np.array([0, 1, 0, 0]), np.array([1, 2, 3, 2])  # a-b, b-c, a-x, a-c
    expected = [0.6, 0.8, None, 0.0]
    for block in (1, 2, 8):  # blocks with and without a pair lacking a vector
        rows, got = _pair_cosines(names, lo, hi, vectors, block=block)
        assert got.dtype == np.float32 and rows.tolist() == [[0, 1], [1, 2], [0, -1], [0, 2]]
        assert [None if (r < 0).any() else round(float(c), 6) for r, c in zip(rows, got, strict=True)] == expected
    rows, _ = _pair_cosines(names, lo[:2], hi[:2], None)
    assert (rows < 0).all()


def test_pairs_to_type_are_the_pairs_of_given_distinct_documents_sorted_once_each():
    from sourcetrace.relate.relations import _pairs_to_type

    rng = random.Random(1)
    ids = [f"d{i}" for i in rng.sample(range(1000), 60)]  # codes in sorted order, not in numeric order
    given = ids[:50]
    code = {d: i for i, d in enumerate(sorted(given))}
    pairs = [(rng.choice(ids), rng.choice(ids)) for _ in range(400)]
    grouped = {tuple(sorted((rng.choice(ids), rng.choice(ids)))): [] for _ in range(50)}
    want = sorted({(min(x, y), max(x, y)) for x, y in [*pairs, *grouped] if x in code and y in code and x != y})
    lo, hi = _pairs_to_type(pairs, grouped, code)
    names = sorted(given)
    assert [(names[x], names[y]) for x, y in zip(lo.tolist(), hi.tolist(), strict=True)] == want



def test_pairs_given_with_their_codes_are_typed_as_the_same_pairs_given_as_ids():
    """The candidates' pairs come with their codes (records.CodedPairs): relate translates them
    through its own codes, the same pairs as coding each id; a list changed since is coded by id."""
    from sourcetrace.records import CodedPairs
    from sourcetrace.relate.relations import _pairs_to_type

    rng = random.Random(2)
    ids = sorted(f"d{i}" for i in rng.sample(range(1000), 60))  # the candidates' ids, sorted
    code = {d: i for i, d in enumerate(sorted(rng.sample(ids, 45)))}  # relate's: some of them only
    a, b = zip(*[sorted(rng.sample(range(len(ids)), 2)) for _ in range(300)], strict=True)
    a, b = np.array(a + (7,), dtype=np.int64), np.array(b + (7,), dtype=np.int64)  # and a document with itself
    plain = [(ids[x], ids[y]) for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    coded = CodedPairs(plain, ids, a, b)
    assert coded == plain and coded.coded() is not None
    grouped = {tuple(sorted(rng.sample(ids, 2))): [] for _ in range(20)}
    want = _pairs_to_type(plain, grouped, code)
    got = _pairs_to_type(coded, grouped, code)
    assert all(np.array_equal(x, y) for x, y in zip(got, want, strict=True)) and len(want[0])
    coded.append((ids[0], ids[1]))  # changed since: its codes no longer describe it
    assert coded.coded() is None
    want = _pairs_to_type([*plain, (ids[0], ids[1])], grouped, code)
    assert all(np.array_equal(x, y) for x, y in zip(_pairs_to_type(coded, grouped, code), want, strict=True))

# A partial translation in shuffled blocks (bench/realtext.py's quran93): the Arabic keeps six of
# the English verses, in two blocks of three, the second block first.
VERSES_EN = ["By the morning light.", "And by the night when it is still.", "Your Lord has not left you.",
             "What is to come is better for you than what has gone.", "Your Lord will give you and you will be content.",
             "Did He not find you an orphan and shelter you?", "He found you wandering and guided you.",
             "He found you in need and made you free of it.", "So do not wrong the orphan."]
VERSES_AR = ["ألم يجدك يتيما فآوى", "ووجدك ضالا فهدى", "ووجدك عائلا فأغنى",
             "والضحى", "والليل إذا سجى", "ما ودعك ربك وما قلى"]


def _verses(doc_id: str, verses: list[str], lang: str) -> tuple[PairText, list[tuple[int, int]]]:
    text, spans = "", []
    for v in verses:
        spans.append((len(text), len(text) + len(v)))
        text += v + "\n"
    return _pt(doc_id, text, lang), spans


def test_a_run_of_votes_lets_pairs_none_of_which_was_found_alone_make_a_partial_translation_derived():
    """Across languages, no pair over FOUND_ALONE and too few for the "covered in order" exception:
    placed by order alone, unless the pair's ballots hold a run of votes (``ran``,
    candidates/votes.py): then its coverage types it (a partial rendering is derived)."""
    en, en_spans = _verses("en", VERSES_EN, "en")
    ar, ar_spans = _verses("ar", VERSES_AR, "ar")
    kept = [(5, 0), (6, 1), (7, 2), (0, 3), (1, 4), (2, 5)]  # (English verse, Arabic verse)
    placed = [Passage("ar", *ar_spans[j], "en", *en_spans[i], "translated-paraphrase", 0.12) for i, j in kept]
    alone = relate(ar, en, placed)
    assert alone.type == "related" and any("order alone" in e for e in alone.evidence)
    rel = relate(ar, en, placed, ran=True)
    assert rel.type == "derived" and any("votes run in order" in e for e in rel.evidence)
    assert rel.coverage_a > 0.9 and 0.5 < rel.coverage_b < 0.8 and rel.source == "en"  # the Arabic made of the English
    # the run says the contents match; it types nothing itself: one verse each is some shared text
    assert relate(ar, en, placed[:1], ran=True).type == "related"
    # relations_for reads the run of the pair it is given for, the smaller id first
    assert [r.type for r in relations_for([ar, en], placed, ran={("ar", "en")})] == ["derived"]
    assert [r.type for r in relations_for([ar, en], placed, ran={("ar", "x")})] == ["related"]
    # one language: the votes are not read (the scores of reuse passages say nothing of order)
    en2, _ = _verses("en2", VERSES_EN, "en")
    same = [Passage("en", *en_spans[i], "en2", *en_spans[i], "verbatim", 0.05) for i in range(9)]
    assert relate(en, en2, same, ran=True).type == relate(en, en2, same).type


def test_candidates_in_any_order_with_repeats_self_pairs_and_unknown_ids_type_as_those_in_order():
    # relations_for checks in C that the candidates come each the smaller id first, of given
    # documents (pipeline.candidates gives them so), and walks them one by one only otherwise:
    # both ways give the same relations, in the same order.
    docs = [_pt(x, STATEMENT) for x in "abcd"]
    rng = np.random.default_rng(5)
    vec = {x: rng.normal(size=8).astype(np.float32) for x in "abc"}  # d has no vector
    vec["b"] = vec["a"] + 0.01  # a and b on one topic
    shared = _passages(docs[0], docs[2], "verbatim", 0.9, 0.9)
    in_order = [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c")]
    messy = [("b", "a"), ("a", "c"), ("a", "a"), ("c", "b"), ("a", "x"), ("a", "b"), ("d", "a")]
    want = relations_for(docs, shared, vec, pairs=in_order)
    got = {(r.a, r.b): r.type for r in want}
    assert got[("a", "b")] == "related" and got[("a", "c")] == "copy" and ("a", "d") not in got
    assert relations_for(docs, shared, vec, pairs=messy) == want
    assert relations_for(docs, shared, vec, pairs=[*in_order, ("a", "b")]) == want


def _edition(doc_id: str, lines: list[str], before: str = "", after: str = "") -> tuple[PairText, list[tuple[int, int]]]:
    """A book's lines with an editor's text before and after them, and each line's span."""
    text, spans = before, []
    for line in lines:
        spans.append((len(text), len(text) + len(line)))
        text += line + "\n"
    return _pt(doc_id, text + after, lang="ar"), spans


def test_two_editions_each_half_made_of_the_other_in_order_are_a_copy():
    """Two editions of one book, one with an editor's introduction, the other with endnotes
    (OpenITI, bench/books.py --editions-sample: 0.91/0.62, 0.66/0.85, 0.93/0.67 of each covered),
    are a copy, not one derived from the other; a text that quotes the other's lines in quotation
    marks, or takes them out of order, is not."""
    rng = random.Random(5)
    words = ["قال", "حدثنا", "محمد", "بن", "علي", "عن", "أبيه", "الشعر", "الديوان", "كتاب", "في", "من"]
    lines = [" ".join(rng.choice(words) for _ in range(16)) + "." for _ in range(40)]
    intro = "مقدمة المحقق " + " ".join(rng.choice(words) for _ in range(300)) + "\n"
    notes = "الحواشي " + " ".join(rng.choice(words) for _ in range(200)) + "\n"
    a, sa = _edition("a", lines, before=intro)
    b, sb = _edition("b", lines, after=notes)

    def passages(order: list[int]) -> list[Passage]:
        return [Passage("a", *sa[i], "b", *sb[j], "verbatim", 1.0) for i, j in zip(range(len(lines)), order, strict=True)]

    rel = relate(a, b, passages(list(range(len(lines)))))
    assert 0.5 <= min(rel.coverage_a, rel.coverage_b) < 0.75
    assert (rel.type, rel.source) == ("copy", None)
    shuffled = list(range(len(lines)))
    rng.shuffle(shuffled)
    assert relate(a, b, passages(shuffled)).type == "derived"
    # The same lines in quotation marks on one side: a report quoting its source.
    quoting, sq = _edition("a", [f"«{x}»" for x in lines], before=intro)
    rel = relate(quoting, b, [Passage("a", s + 1, e - 1, "b", *sb[i], "verbatim", 1.0) for i, (s, e) in enumerate(sq)])
    assert rel.type == "derived"


def test_a_quote_both_texts_mark_makes_neither_the_others_source():
    """Two hadith collections quote the same sayings, each between quotation marks: the quotes
    come from a third text, so they do not make one derived from the other (bench/books.py
    --editions-sample: four pairs of unrelated collections were derived on such quotes)."""
    sayings = ["إنما الأعمال بالنيات وإنما لكل امرئ ما نوى", "من كذب علي متعمدا فليتبوأ مقعده من النار"]
    own = "حدثنا محمد بن علي عن أبيه عن جده في كتاب الطهارة والصلاة والزكاة. " * 20
    a = _pt("a", own + "".join(f"قال رسول الله: «{x}». " for x in sayings) + own, lang="ar")
    b = _pt("b", own[:200] + "".join(f"وعنه قال: «{x}» وهو صحيح. " for x in sayings) + own[200:], lang="ar")
    both = [Passage("a", a.text.index(x), a.text.index(x) + len(x), "b", b.text.index(x), b.text.index(x) + len(x),
                    "verbatim", 1.0) for x in sayings]
    assert relate(a, b, both).type == "related"
    bare = _pt("b", b.text.replace("«", " ").replace("»", " "), lang="ar")
    assert relate(a, bare, both).type == "derived"  # marked on one side only: a text quoting the other


def test_a_quote_left_unmarked_by_a_text_that_marks_nothing_or_in_double_parentheses_is_no_quoting():
    """Two editions of a hadith collection, one with every hadith in quotation marks: the other
    punctuates nothing (OpenITI's JK files: Ibn Mandah's Fawa'id), or marks the hadith in double
    parentheses (al-Muradi's Dhikr), so no passage is quoted on one side only and the editions
    are a copy; against an edition that punctuates and leaves them bare it is a report quoting its
    source (bench/trace.py's planted reports), `derived`."""
    rng = random.Random(7)
    words = ["قال", "حدثنا", "محمد", "بن", "علي", "عن", "أبيه", "رسول", "الله", "النار", "في", "من"]
    lines = [" ".join(rng.choice(words) for _ in range(16)) for _ in range(40)]
    notes = "الحواشي " + " ".join(rng.choice(words) for _ in range(300)) + "\n"
    quoting, sq = _edition("a", [f'"{x}".' for x in lines], after=notes)

    def rel(lines_b: list[str], at: int) -> Relation:
        b, sb = _edition("b", lines_b)
        return relate(quoting, b, [Passage("a", s + 1, e - 2, "b", sb[i][0] + at, sb[i][0] + at + len(x), "verbatim", 1.0)
                                   for i, ((s, e), x) in enumerate(zip(sq, lines, strict=True))])

    assert rel(lines, 0).type == "copy"  # no punctuation at all
    assert rel([f"(( {x} ))." for x in lines], 3).type == "copy"
    assert rel([f")) {x} ((." for x in lines], 3).type == "copy"  # mirrored, as right-to-left files hold them
    assert rel([f"{x}." for x in lines], 0).type == "derived"
