"""Writing the output contract (DESIGN.md): one JSON object a line, UTF-8, ensure_ascii=False.

Files are written to a temporary name and renamed, so a killed run never leaves half a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False))
            fh.write("\n")
            n += 1
    os.replace(tmp, path)
    return n


def write_settings(outdir: Path, settings: dict[str, Any]) -> None:
    """Stamp the output with the versions and settings that produced it (sacrebleu-style)."""
    outdir.mkdir(parents=True, exist_ok=True)
    tmp = outdir / "settings.json.tmp"
    tmp.write_text(json.dumps(settings, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, outdir / "settings.json")
