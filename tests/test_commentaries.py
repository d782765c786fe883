from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from commentaries import PAIRS, UNRELATED, cut, key  # noqa: E402

BOOK = """######OpenITI#
#META# 000.SortField :: x
#META#Header#End#
# مقدمة
### | كتاب الطهارة
# باب الماء
~~ الماء طهور
### | كتاب الصلاة
# باب المواقيت
### | كتاب الزكاة
# باب النصاب
"""


def test_a_cut_keeps_the_header_and_the_headings_from_start_up_to_stop():
    first = cut(BOOK, stop="كتاب الصلاة")
    assert first.startswith("######OpenITI#") and "#META#Header#End#" in first
    assert "الماء طهور" in first and "كتاب الصلاة" not in first and "المواقيت" not in first
    middle = cut(BOOK, start="كتاب الصلاة", stop="كتاب الزكاة")
    assert "كتاب الصلاة" in middle and "المواقيت" in middle
    assert "الطهارة" not in middle and "النصاب" not in middle and "#META# 000.SortField" in middle
    assert cut(BOOK) == BOOK
    # A stop word in running text is no heading: the cut runs on.
    assert "النصاب" in cut(BOOK.replace("### | كتاب الزكاة", "كتاب الزكاة"), start="كتاب الصلاة", stop="كتاب الزكاة")


def test_every_pair_is_one_commentary_and_one_base_and_the_keys_are_distinct():
    keys = [key("commentary", p.commentary) for p in PAIRS] + [key("base", p.base) for p in PAIRS] + \
        [key("unrelated", w) for w in UNRELATED]
    assert len(set(keys)) == len(keys) == 2 * len(PAIRS) + len(UNRELATED)
    # Nothing from the held-out centuries (0700AH on).
    assert all(int(w.repo.split("/")[1][:4]) < 700 for p in PAIRS for w in (p.commentary, p.base)
               if w.repo.startswith("OpenITI/"))
