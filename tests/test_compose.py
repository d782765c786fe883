from sourcetrace.align.compose import compose, merge_composed, translation_pairs
from sourcetrace.records import Document, Passage

EN = Document("en", "en.txt", 0, 100, "en")
AR = Document("ar", "ar.txt", 0, 80, "ar")
REP = Document("rep", "rep.txt", 0, 60, "ar")
TRANSLATION = [Passage("en", 0, 50, "ar", 0, 40, "translation", 0.9),
               Passage("en", 51, 100, "ar", 41, 80, "translation", 0.8)]


def test_translation_pairs_need_coverage_of_both_sides():
    pairs = translation_pairs([EN, AR, REP], TRANSLATION)
    assert set(pairs) == {("ar", "en"), ("en", "ar")}
    assert translation_pairs([EN, AR], TRANSLATION[:1]) == {}


def test_copy_of_the_translation_maps_to_the_original():
    copy = Passage("rep", 10, 45, "ar", 45, 78, "near-verbatim", 0.95)
    out = compose([EN, AR, REP], [*TRANSLATION, copy])
    assert out == [Passage("rep", 10, 45, "en", 51, 100, "translated-near-verbatim", 0.8)]


def test_a_short_shared_phrase_is_not_mapped_through_a_whole_sentence():
    phrase = Passage("rep", 0, 8, "ar", 2, 9, "verbatim", 1.0)
    assert compose([EN, AR, REP], [*TRANSLATION, phrase]) == []


def test_merge_prefers_composed_where_they_overlap():
    composed = [Passage("rep", 10, 45, "en", 51, 100, "translated-near-verbatim", 0.8)]
    direct = [Passage("en", 55, 90, "rep", 12, 40, "translated-paraphrase", 0.6),
              Passage("en", 0, 20, "rep", 50, 60, "translation", 0.7)]
    assert merge_composed(direct, composed) == [composed[0], direct[1]]


def test_any_language_maps_a_report_of_the_original_to_the_translation():
    # rep (Arabic) paraphrases the English original: through en~ar it meets the Arabic translation
    report = Passage("rep", 5, 30, "en", 52, 98, "translated-paraphrase", 0.7)
    assert compose([EN, AR, REP], [*TRANSLATION, report]) == []
    out = compose([EN, AR, REP], [*TRANSLATION, report], any_language=True)
    assert out == [Passage("rep", 5, 30, "ar", 41, 80, "translated-paraphrase", 0.7)]


def test_one_region_reached_by_two_routes_is_one_passage():
    # rep~en composed through ar and again through a revision of ar: the better scored stands,
    # whatever order the engine hands them in; a sentence said twice (one side shared) stays twice
    via_ar = Passage("rep", 10, 45, "en", 51, 100, "translated-near-verbatim", 0.8)
    via_revision = Passage("en", 51, 100, "rep", 10, 46, "translated-paraphrase", 0.75)
    repeated = Passage("rep", 50, 60, "en", 51, 100, "translated-paraphrase", 0.7)
    for composed in ([via_ar, via_revision, repeated], [repeated, via_revision, via_ar]):
        assert sorted(merge_composed([], composed), key=lambda p: p.score) == [repeated, via_ar]
