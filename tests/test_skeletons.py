"""text.skeletons: names meet across scripts by their consonants."""

import pytest

from sourcetrace.text.skeletons import same_name, skeleton, strong_skeleton, transliterate

SKELETONS = [
    ("Pompeo", "bmb"), ("Washington", "wsngtn"), ("Layla", "lyl"), ("Müller", "mlr"),
    ("Christoph", "srstf"), ("Kadhimi", "kdm"), ("Stoltenberg", "stltnbrg"),
]  # fmt: skip


@pytest.mark.parametrize(("word", "skel"), SKELETONS)
def test_skeleton(word: str, skel: str) -> None:
    assert skeleton(word) == skel


@pytest.mark.parametrize(("skel", "strong"), [("wsngtn", "sngtn"), ("lyl", "l"), ("bwb", "b"), ("", "")])
def test_strong_skeleton_drops_w_and_y_then_doubles(skel: str, strong: str) -> None:
    assert strong_skeleton(skel) == strong


SAME = [
    ("بومبيو", "Pompeo", True),
    ("واشنطن", "Washington", True),  # one consonant apart, four or more: the same name
    ("الكاظمي", "Kadhimi", False),  # the article must go first (the callers strip it)
    ("كاظمي", "Kadhimi", True),
    ("ستولتنبرغ", "Stoltenberg", True),
    ("إلى", "Layla", False),  # one strong consonant: w/y must agree too
    ("ليلى", "Layla", True),
    ("بغداد", "Pompeo", False),
]


@pytest.mark.parametrize(("arabic", "latin", "same"), SAME)
def test_same_name_across_scripts(arabic: str, latin: str, same: bool) -> None:
    assert same_name(skeleton(transliterate(arabic)), skeleton(latin)) is same
