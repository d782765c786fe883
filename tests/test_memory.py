"""bench/memory.py: a process tree's resident memory summed and each stage's peak found."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from memory import STAGE, sample, stage_peaks  # noqa: E402


def test_each_stage_peak_is_its_largest_sum_with_the_cli_and_the_others_apart():
    k = 1024 * 1024  # KiB in a GiB
    samples = [
        (0.0, [(1, "sourcetrace", k // 8)]),
        (1.0, [(1, "sourcetrace", k // 4), (2, "python", k // 2)]),  # read: 768 MiB
        (2.0, [(1, "sourcetrace", k), (2, "python", k // 4), (3, "python", k // 2)]),  # candidates: 1,792
        (3.0, [(1, "sourcetrace", 2 * k)]),  # candidates: 2,048, the CLI alone
        (4.0, [(1, "sourcetrace", k // 2), (2, "python", 512)]),  # facts: under 1 MiB not listed
    ]
    got = stage_peaks(samples, [(0.5, "read"), (1.5, "candidates"), (3.5, "facts")])
    assert got == [("start", 128, 128, []), ("read", 768, 256, [512]), ("candidates", 2048, 2048, []),
                   ("facts", 512, 512, [])]


def test_progress_lines_name_their_stage():
    assert STAGE.search("sourcetrace: read 1200/10000, 10.1 s").group(1) == "read"
    assert STAGE.search("sourcetrace: candidates, 0.0 s").group(1) == "candidates"
    assert STAGE.search("sourcetrace: quote index 3/9, 1.0 s").group(1) == "quote index"
    assert STAGE.search("wrote out/") is None


def test_a_tree_is_its_root_and_every_descendant():
    child = subprocess.Popen([sys.executable, "-c",
                              "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
                              "'import time; time.sleep(30)']); time.sleep(30)"])
    try:
        for _ in range(100):  # the grandchild started
            tree = sample(child.pid, cpu := {})
            if len(tree) >= 2:
                break
            time.sleep(0.05)
        assert {p for p, _, _ in tree} >= {child.pid} and len(tree) == 2
        assert all(kib > 0 for _, _, kib in tree) and child.pid in cpu
        assert os.getpid() not in {p for p, _, _ in tree}
    finally:
        for p, _, _ in sample(child.pid, {}):
            if p != child.pid:
                os.kill(p, 9)
        child.kill()
        child.wait()
