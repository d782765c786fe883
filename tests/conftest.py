from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpora" / "seeds"
DEMO = ROOT / "demo" / "corpus"


@pytest.fixture
def seeds() -> Path:
    if not (SEEDS / "gold.json").exists():
        pytest.skip("../shared/corpora/seeds is not beside the project")
    return SEEDS


def run_on_seeds(command: str, out: Path, *extra: str) -> None:
    """Run `sourcetrace COMMAND` on every seed file with its output in `out` (skip without seeds)."""
    import subprocess
    import sys

    if not (SEEDS / "gold.json").exists():
        pytest.skip("../shared/corpora/seeds is not beside the project")
    files = sorted(str(p) for p in SEEDS.glob("*.txt"))
    res = subprocess.run([sys.executable, "-m", "sourcetrace", command, *files, "--db", str(out / "s.db"),
                          "--out", str(out), *extra], capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr


def score_seeds(out: Path) -> dict[str, str]:
    """eval/score.py's figures for an output directory."""
    import json
    import subprocess
    import sys

    res = subprocess.run([sys.executable, str(SEEDS.parent.parent / "eval" / "score.py"), str(SEEDS / "gold.json"),
                          str(out), "--json"], capture_output=True, text=True, timeout=120)
    return json.loads(res.stdout)
