"""export/jsonl.py and export/rows.py: the tables as the JSON lines trace writes, narrowed, with texts."""

from __future__ import annotations

import json

from export_samples import TEXTS, sample_tables
from sourcetrace import export
from sourcetrace.export.jsonl import write
from sourcetrace.export.rows import TABLES, rows


def test_rows_are_the_records_json():
    tables = sample_tables()
    got = {name: list(r) for name, r in rows(tables).items()}
    assert got["passages"] == [p.to_json() for p in tables.passages]
    assert got["documents"][2] == {"id": "report#1", "path": "report.txt", "start": 0, "end": len(TEXTS["report.txt"]) - 1,
                                   "lang": "en", "title": "Report"}
    assert got["texts"] == [{"path": p, "text": t} for p, t in TEXTS.items()]


def test_with_text_and_a_pair(tmp_path):
    tables = export.Selection(pair=("en#1", "report#1")).apply(sample_tables())
    assert write(tables, tmp_path, with_text=True) == {
        "documents": 2, "sentences": 3, "passages": 1, "relations": 1, "families": 1, "texts": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.jsonl" for t in TABLES)
    passage = json.loads((tmp_path / "passages.jsonl").read_text(encoding="utf-8"))
    assert passage["text_a"] == "The ministers met today.\tThey agreed on aid."
    assert passage["text_b"] == "The Ministers met today. They agreed on more aid."
