"""The real-text evaluation's breakdown of lost sentence pairs (bench/realtext.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from realtext import _pan_case, miss_shares, misses  # noqa: E402

GOLD = [((0, 10), (0, 10)), ((10, 20), (10, 20)), ((20, 30), (20, 30)), ((30, 40), (30, 40))]


def test_every_lost_area_goes_to_one_kind_of_miss():
    pred = [
        ((0, 10), (0, 10)),    # found whole
        ((10, 15), (10, 20)),  # half the verse on one side: half its area missed
        ((20, 30), (30, 40)),  # verses 3 and 4 swapped: each side of each is paired elsewhere
        ((30, 40), (20, 30)),
    ]
    lost = misses(pred, GOLD)
    assert lost["gold"] == 400
    assert lost["part of the verse missing"] == 50
    assert lost["both sides aligned elsewhere"] == 200
    assert miss_shares(lost) == {"part of the verse missing": 0.125, "both sides aligned elsewhere": 0.5}
    # verse 3 paired with verse 4's English alone: verse 4's Arabic is unpaired, its English is not
    lost = misses(pred[:3], GOLD)
    assert lost["one side aligned elsewhere"] == 200 and lost["both sides aligned elsewhere"] == 0


def test_a_pair_nobody_paired_is_unaligned():
    lost = misses([((0, 10), (0, 10))], GOLD[:2])
    assert lost["unaligned"] == 100 and lost["gold"] == 200


def test_a_pan_case_is_placed_where_the_two_texts_run_together_near_its_offsets():
    """PAN's offsets count its own files' characters; the copy mangled some ("’" -> "CI"), so a
    case drifts: it is placed where the two texts share the same text around PAN's offsets."""
    taken = ("The bachelor degree program is open to students who possess a high school diploma "
             "or its equivalent and want the standard four-year undergraduate degree.")
    susp = "Our own opening words, writtenCI here for this test. " * 3 + taken + " And our closing words here."
    src = "Some other page about colleges and fees. " + taken + " Fees are due in the spring."
    pan_offsets = {"this_offset": str(susp.index(taken) - 6), "this_length": str(len(taken)),
                   "source_offset": str(src.index(taken) + 4), "source_length": str(len(taken))}
    ga, gb = _pan_case(susp, src, pan_offsets)
    # the shared text, with at most the punctuation and spaces both texts have around it
    for text, (s, e) in ((susp, ga), (src, gb)):
        assert taken in text[s:e] and e - s <= len(taken) + 3
    far = {**pan_offsets, "this_offset": "0"}  # nowhere near the shared text: no case
    assert _pan_case(susp, src, far) is None
