"""document_terms reads its patterns' matches in one pass over the digit runs: the same terms as
scanning the text with each pattern (``finditer``, then what may not come before a match)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.text import terms
from sourcetrace.text.normalize import _fold, normalize_text
from sourcetrace.text.terms import document_terms


def _scanned(text: str) -> set[str]:
    """The terms as each pattern's own scan of the text finds them (what document_terms must equal)."""
    norm = normalize_text(text)
    not_before = [(terms._DATE_DMY, str.isdigit), (terms._DATE_MDY, lambda c: c.isalnum() or c == "_"),
                  (terms._DATE_ISO, str.isdigit), (terms._DATE_SLASH, str.isdigit)]
    out = set()
    for rx, bad in not_before:
        for m in rx.finditer(norm):
            if m.start() == 0 or not bad(norm[m.start() - 1]):
                g = m.group("m")
                key = terms._date(m, int(g) if g.isdigit() else terms._MONTH.get(g, 0))
                out.add(key) if key else None
    for m in terms._NUMBER.finditer(norm):
        if m.start() == 0 or not (norm[m.start() - 1].isdigit() or norm[m.start() - 1] in ".,"):
            key = terms._number(m.group())
            out.add(key) if key else None
    for m in terms._NAME.finditer(text):
        s, word = m.start(), m.group()
        if s and (text[s - 1].isalnum() or text[s - 1] in "_'-"):
            continue
        if terms._SENTENCE_START.search(text, max(0, s - 3), s) and not word.isupper():
            continue
        key = normalize_text(word)
        if len(key) >= 3 and key not in terms._NOT_NAMES:
            out.add("name:" + key)
    return out


# Pieces that make dates, numbers and names collide: digits of every length, separators, month
# names (first, paired, glued to a word), superscript digits, sentence ends.
PIECES = ["4", "12", "123", "2020", "12345", "0", "²", " ", "  ", "\n", ",", ".", "/", "-", " / ",
          "june", "jun", "sept", "may", "march", "حزيران", "يونيو", "كانون الثاني", "تشرين", "من ",
          "عام ", "x", "Smith", "NATO", "The", "Foo-Bar", "O'", "(", "\u201c", "3.5", "1,000,000"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_terms_are_each_patterns_scan(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert document_terms(text) == _scanned(text)


def test_dates_written_every_way_and_their_near_misses():
    for text in ["1.5 june 2020", "x1234-06-07 2020-06-07", "0012 00,5 1,000,000 3,5 .5 ٢٠٢٠",
                 "12/06/2020 112/06/2020 1.2.2020", "june/july 4, 2020 xjune 4, 2020",
                 "²4 june 2020 x²2020-06-07 ³3/4/2020", "1 2 3 4 june 2020 12345 6 may 2021",
                 "2020-06-07-08 12/12/12/2020", "june / july 4, 2020 xmay 5, 2021 may  6 2022",
                 "maymay 4, 2020 june 4 july 5, 2020 may 1 2 2020", "4 حزيران/يونيو 2020 و3 كانون الثاني 2021"]:
        assert document_terms(text) == _scanned(text), text
    assert {"date:2020-06-04", "date:2021-01-03"} <= document_terms("4 حزيران/يونيو 2020 و 3 كانون الثاني 2021")
    assert "date:2020-06-04" in document_terms("On June/July 4, 2020 it rained.")  # the first name


def test_month_names_and_spaces_keep_what_the_one_pass_assumes():
    # A month name holds no digit, no slash and no space at either end; every space folds to a space.
    for name in terms._MONTH:
        assert not re.search(r"[\d/]", name) and name == name.strip()
    assert all(_fold(chr(c)) == " " for c in range(0x110000) if chr(c).isspace())
