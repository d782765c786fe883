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
