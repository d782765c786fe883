"""The real-text evaluation's breakdown of lost sentence pairs (bench/realtext.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from realtext import miss_shares, misses  # noqa: E402

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
