"""The fact diff views (report/facts.py): escaped HTML, old → new, orientation, terminal table."""

from __future__ import annotations

from rich.console import Console

from sourcetrace.records import FactDiff
from sourcetrace.report.facts import counts, fact_diff_html, fact_diff_table, orient_diffs

TEXT_A = "<b>5</b> on 4 June"
TEXT_B = "$7 <script>x</script> on 4 June"
DIFFS = [FactDiff("A", 3, 4, "B", 0, 2, "money", "changed", "5 USD", "7 USD"),
         FactDiff("A", 12, 18, "B", 25, 31, "date", "same", "--06-04", "--06-04"),
         FactDiff("A", None, None, "B", 3, 21, "org", "added", None, "<x>")]


def test_html_escapes_text_and_values_and_shows_old_and_new():
    page = fact_diff_html(DIFFS, TEXT_A, TEXT_B)
    assert "<script>" not in page and "&lt;x&gt;" in page
    assert '<span class="fv-old">5 USD</span> → <span class="fv-new">7 USD</span>' in page
    assert page.index("changed") < page.index("added") < page.index('class="fs-same"')
    assert "same" not in fact_diff_html(DIFFS, TEXT_A, TEXT_B, show_same=False).split("<tbody>")[1]


def test_orientation_swaps_sides_and_dropped_with_added():
    flipped = orient_diffs(DIFFS, "B", "A")
    assert [d.status for d in flipped] == ["changed", "same", "dropped"]
    assert (flipped[0].value_a, flipped[0].value_b, flipped[0].a_start) == ("7 USD", "5 USD", 0)
    assert orient_diffs(DIFFS, "A", "C") == []
    assert counts(DIFFS) == {"changed": 1, "added": 1, "same": 1}


def test_terminal_table_lists_changes_not_kept_facts():
    console = Console(width=120, record=True)
    console.print(fact_diff_table(DIFFS, TEXT_A, TEXT_B, reorder_rtl=False))
    out = console.export_text()
    assert "5 USD → 7 USD" in out and "added" in out and "--06-04" not in out


def test_rows_name_the_passage_they_were_found_in():
    from sourcetrace.records import Passage

    ps = [Passage("A", 0, 11, "B", 0, 22, "paraphrase", 0.8)]
    page = fact_diff_html(DIFFS, TEXT_A, TEXT_B, passages=ps)
    assert "<th>passage</th>" in page
    assert '<td class="st">changed</td><td>p0</td>' in page  # in the passage
    assert '<td class="st">same</td><td>—</td>' in page  # paired outside passages


def test_a_relative_date_no_document_date_resolved_says_what_it_says():
    # Issue 19: an undated copy's "on Thursday" was shown as its key, -W-4.
    diffs = [FactDiff("A", 0, 11, "B", None, None, "date", "dropped", "-W-4", None)]
    page = fact_diff_html(diffs, "on Thursday", "")
    assert "a Thursday, date not stated" in page and "-W-4" not in page
    console = Console(width=120, record=True)
    console.print(fact_diff_table(diffs, "on Thursday", "", reorder_rtl=False))
    assert "a Thursday, date not stated" in console.export_text()


def test_each_fact_finds_the_first_passage_holding_it_as_reading_them_all_does():
    import random

    from sourcetrace.records import Passage
    from sourcetrace.report.facts import SPAN_BLOCK, _passages_of

    def first(d: FactDiff, passages: list[Passage]) -> int | None:  # every passage read, in order
        for i, p in enumerate(passages):
            if (d.a_start is not None and p.a_start < d.a_end and d.a_start < p.a_end) or (
                    d.b_start is not None and p.b_start < d.b_end and d.b_start < p.b_end):
                return i
        return None

    rng = random.Random(5)
    size, found = 6 * SPAN_BLOCK, []
    for _ in range(30):
        passages = []
        for _ in range(rng.randint(1, 40)):  # overlapping, out of order, some long, some empty
            sa, sb = rng.randrange(size), rng.randrange(size)
            la, lb = rng.choice([0, 1, 50, 900, 2 * SPAN_BLOCK]), rng.choice([0, 3, 70, SPAN_BLOCK + 1])
            passages.append(Passage("A", sa, min(size, sa + la), "B", sb, min(size, sb + lb), "verbatim", 1.0))
        diffs = []
        for _ in range(60):
            sa, sb = rng.randrange(size), rng.randrange(size)
            a = (sa, sa + rng.choice([0, 1, 8, 40])) if rng.random() < 0.8 else (None, None)
            b = (sb, sb + rng.choice([0, 2, 12])) if rng.random() < 0.8 else (None, None)
            diffs.append(FactDiff("A", *a, "B", *b, "money", "changed", "1", "2"))
        where = _passages_of(diffs, passages)
        assert [where[id(d)] for d in diffs] == [first(d, passages) for d in diffs]
        found += where.values()
    assert None in found and len(set(found)) > 20  # facts outside every passage, and in many
