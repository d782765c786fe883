from sourcetrace.segment.boilerplate import boilerplate_lines, is_boilerplate_phrase, lines_of, merge_spans


def _flags(text: str) -> list[tuple[str, bool]]:
    spans = lines_of(text)
    return [(text[s:e], f) for (s, e), f in zip(spans, boilerplate_lines(text, spans), strict=True)]


def test_lines_of_keeps_offsets_and_empty_lines():
    text = "a\n\nbc\n"
    assert lines_of(text) == [(0, 1), (2, 2), (3, 5)]
    assert lines_of(text, 3, 5) == [(3, 5)]
    for s, e in lines_of(text):
        assert "\n" not in text[s:e]


def test_known_phrases_on_short_lines_only():
    assert is_boilerplate_phrase("قد يعجبك ايضا")
    assert is_boilerplate_phrase("You may also like")
    assert is_boilerplate_phrase("This website uses cookies to improve your experience. Accept Read More")
    assert is_boilerplate_phrase("اقرأ أيضا: الوزير يزور المدينة")
    assert not is_boilerplate_phrase("The minister said the plan would be read more widely next year " * 5)
    assert not is_boilerplate_phrase("وقال الوزير إن الاجتماع ناقش خطة المياه.")


def test_repeated_caption_lines_are_boilerplate_and_paragraphs_are_not():
    text = ("عنوان الخبر الرئيسي\n\nصورة لمبنى الوزارة\nصورة لمبنى الوزارة\n\n"
            "قال الوزير إن الخطة تبدأ الشهر المقبل.\nقال الوزير إن الخطة تبدأ الشهر المقبل.\n")
    flags = dict(_flags(text))
    assert flags["صورة لمبنى الوزارة"] is True
    assert flags["عنوان الخبر الرئيسي"] is False
    # A repeated sentence (ends in a full stop) is content, not a caption.
    assert flags["قال الوزير إن الخطة تبدأ الشهر المقبل."] is False


def test_nbsp_only_line_is_boilerplate_but_blank_line_is_not():
    flags = _flags("text.\n\u00a0\n\nmore.")
    assert ("\u00a0", True) in flags
    assert ("", False) in flags


def test_merge_spans_joins_blocks_separated_by_whitespace_only():
    text = "aaa\n\nbbb\nccc"
    assert merge_spans([(0, 3), (5, 8)], text) == [(0, 8)]
    assert merge_spans([(0, 3), (9, 12)], text) == [(0, 3), (9, 12)]


def test_a_metadata_header_behind_a_marker_or_fenced_is_boilerplate():
    from sourcetrace.segment.boilerplate import front_matter

    marked = ["######OpenITI#", "", "#META# 000.SortField\t:: JK_000001", "#META# المؤلف: أبو محمد",
              "#META# [a note that is no field]", "#META# 011.AuthorDIED\t:: 281", "#META#Header#End#", "",
              "### | باب", "# قال أبو محمد"]
    assert front_matter(marked) == 7
    # the marker may change on a field (older headers), never on a heading after the header
    assert front_matter(["#000000# 000.SortField :: x", "#NewRec# 010.AuthorNAME :: y", "#NewRec# 011.Died :: 281",
                         "### | a heading", "body"]) == 3
    assert front_matter(["---", "title: A", "date: 2020-01-01", "author: B", "---", "Body text."]) == 5
    # closed by its end marker, notes outnumbering the fields are the header's too
    witnesses = ["######OpenITI#", "", "#META# author: أبو القاسم", "#META# title: شرح", "#META# ed_info: X (2017).",
                 "#META# Manuscript witnesses:", "#META# * CB1 = a library", "#META# * E1 (pagination: P)",
                 "#META# * E5 (pagination: P)", "#META# * H = a library", "#META# * P1 (pagination: P)",
                 "#META# * V1 = a library", "#META#Header#End#", "", "# بسم الله"]
    assert front_matter(witnesses) == 13
    assert front_matter([line for line in witnesses if line != "#META#Header#End#"]) == 0  # unclosed: half rule
    # too few fields, fields with no marker or fence, a marker only on some lines, clock times: none
    assert front_matter(["#META# a :: 1", "#META# b :: 2", "Body."]) == 0
    assert front_matter(["Title: A", "Date: 1 May", "Author: B", "Place: C", "Body."]) == 0
    assert front_matter(["#META# a :: 1", "b :: 2", "#META# c :: 3", "#META# d :: 4"]) == 0
    assert front_matter(["%% 10:30 the meeting", "%% 11:00 lunch", "%% 12:15 talks", "Body."]) == 0
    assert front_matter(["---", "title: A", "date: B", "Body text goes on here."]) == 0
    text = "\n".join(marked)
    spans = lines_of(text)
    assert boilerplate_lines(text, spans)[:9] == [True, False, True, True, True, True, True, False, False]
