"""export/tsv.py: src, tgt, score, doc_a, doc_b a line, whitespace collapsed; on the seeds, the same
23 lines as the TMX units."""

from __future__ import annotations

import io

from conftest import seed_doc_id
from export_samples import sample_tables
from sourcetrace import export
from sourcetrace.export.bitext import units
from sourcetrace.export.tsv import one_line, write
from test_export_tmx import units_of


def test_lines_source_first_with_whitespace_collapsed():
    tables = sample_tables()
    tables.passages[0].b_end += 28  # a span over the tab and the newline of statement_en.txt
    out = io.StringIO()
    assert write(units(tables), out) == 2
    lines = out.getvalue().splitlines()
    assert lines[0] == "The ministers met today. They agreed on aid. A third\tاجتمع الوزراء اليوم.\t0.9700\ten#1\tar#1"
    assert [len(line.split("\t")) for line in lines] == [5, 5]


def test_one_line():
    assert one_line(" a\tb\n\nc\u2028d  ") == "a b c d"


def test_seeds_tsv_has_the_tmx_units(seed_trace, tmp_path):
    ar, en = seed_doc_id(seed_trace, "000"), seed_doc_id(seed_trace, "002a")
    tables = export.read_outputs(seed_trace)
    selection = export.Selection(pair=(en, ar))
    assert export.write("tsv", tables, tmp_path / "pairs.tsv", selection) == 23
    assert export.write("tmx", tables, tmp_path / "pairs.tmx", selection) == 23
    expected = ["\t".join((one_line(u["tuvs"][0]["seg"]), one_line(u["tuvs"][1]["seg"]), u["x-score"],
                           u["tuvs"][0]["x-document"], u["tuvs"][1]["x-document"]))
                for u in units_of((tmp_path / "pairs.tmx").read_bytes())]
    assert (tmp_path / "pairs.tsv").read_text(encoding="utf-8").splitlines() == expected
