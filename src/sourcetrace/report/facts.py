"""Views of a fact diff: an HTML table and a rich terminal table, changed facts highlighted old → new.

Shared by the compare and diff commands, the corpus report and the timeline. Document text is
escaped by the template engine (HTML) or passed as plain text (rich), never as markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from rich.table import Table
from rich.text import Text

from sourcetrace.factcheck.dates import shown
from sourcetrace.records import FactDiff, Passage
from sourcetrace.report.bidi import visual
from sourcetrace.report.templating import macro, short

STATUSES = ("changed", "dropped", "added", "same")
STATUS_STYLES = {"changed": "bold yellow", "dropped": "red", "added": "green", "same": "dim"}
SNIPPET = 60  # chars of a fact's text shown

def _snip(text: str, start: int | None, end: int | None) -> str:
    if start is None or end is None:
        return ""
    return short(text[start:end], SNIPPET)


def counts(diffs: Sequence[FactDiff]) -> dict[str, int]:
    """Facts per status, in display order."""
    c = Counter(d.status for d in diffs)
    return {s: c[s] for s in STATUSES if c[s]}


# A fact is looked up among the passages of its side by blocks of this many characters: two books'
# fact diffs each read against every passage made ``compare --html`` quadratic (bench/README bigbook39).
SPAN_BLOCK = 4096


class _Spans:
    """The spans of one side of a pair's passages, by the character blocks they touch: the first
    (lowest index) span overlapping a given one, without reading every span."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self.spans = list(spans)
        self.blocks: dict[int, list[int]] = {}
        for i, (start, end) in enumerate(self.spans):
            for b in _blocks(start, end):
                self.blocks.setdefault(b, []).append(i)

    def first(self, start: int, end: int) -> int | None:
        """The lowest index whose span overlaps [start, end) as ``s < end and start < e``."""
        best = None
        for b in _blocks(start, end):
            for i in self.blocks.get(b, ()):
                if best is not None and i >= best:
                    break  # a block's indices ascend
                s, e = self.spans[i]
                if s < end and start < e:
                    best = i
                    break
        return best


def _blocks(start: int, end: int) -> range:
    """The blocks a span's characters fall in (an empty span: the block of its place)."""
    return range(start // SPAN_BLOCK, max(start, end - 1) // SPAN_BLOCK + 1)


def _passages_of(diffs: Sequence[FactDiff], passages: Sequence[Passage]) -> dict[int, int | None]:
    """For each diff (by ``id``), the index of the first passage (side a in d.a) holding the fact
    on either side, or None."""
    a = _Spans([(p.a_start, p.a_end) for p in passages])
    b = _Spans([(p.b_start, p.b_end) for p in passages])
    where: dict[int, int | None] = {}
    for d in diffs:
        found = [i for i in (a.first(d.a_start, d.a_end) if d.a_start is not None else None,
                             b.first(d.b_start, d.b_end) if d.b_start is not None else None) if i is not None]
        where[id(d)] = min(found) if found else None
    return where


@dataclass
class FactRow:
    """One row of the fact diff table, as shown."""

    status: str
    type: str
    passage: str  # "p3", or "—" when paired by its context outside passages
    text_a: str
    span_a: str
    text_b: str
    span_b: str
    value_a: str
    value_b: str
    value: str  # the one value of a fact that did not change, or is on one side only


@dataclass
class FactTable:
    """A fact diff as the ``fact_diff`` macro (templates/macros.html) shows it."""

    rows: list[FactRow]
    summary: str  # "1 changed, 2 added"
    with_passages: bool  # rows name the passage they were found in


def fact_table(diffs: Sequence[FactDiff], text_a: str, text_b: str, *, show_same: bool = True,
               passages: Sequence[Passage] = ()) -> FactTable:
    """The rows of the fact diff: status, type, A's text and value, B's text and value. With the
    pair's ``passages`` (side a in A, in the order the page numbers them p0, p1 …) each row names
    the passage it was found in ("—": paired by its context outside passages)."""
    where = _passages_of(diffs, passages) if passages else {}
    order = sorted(diffs, key=lambda d: (STATUSES.index(d.status), where.get(id(d)) is None,
                                         where.get(id(d)) or 0))
    rows = []
    for d in order:
        if d.status == "same" and not show_same:
            continue
        pid = where.get(id(d))
        rows.append(FactRow(
            d.status, d.type, f"p{pid}" if pid is not None else "—",
            _snip(text_a, d.a_start, d.a_end), f"[{d.a_start}, {d.a_end})" if d.a_start is not None else "",
            _snip(text_b, d.b_start, d.b_end), f"[{d.b_start}, {d.b_end})" if d.b_start is not None else "",
            shown(d.value_a), shown(d.value_b), shown(d.value_a if d.value_a is not None else d.value_b)))
    return FactTable(rows, ", ".join(f"{n} {s}" for s, n in counts(diffs).items()), bool(passages))


def fact_diff_html(diffs: Sequence[FactDiff], text_a: str, text_b: str, *, show_same: bool = True,
                   passages: Sequence[Passage] = ()) -> Markup:
    """The fact diff as an HTML table (see :func:`fact_table`); a changed fact shows its old value
    struck through and its new value in bold."""
    return macro("macros.html", "fact_diff",
                 fact_table(diffs, text_a, text_b, show_same=show_same, passages=passages))


def fact_diff_table(diffs: Sequence[FactDiff], text_a: str, text_b: str, *, reorder_rtl: bool = True,
                    show_same: bool = False, title: str = "facts") -> Table:
    """A rich table of the fact diff (same facts left out unless ``show_same``)."""
    summary = ", ".join(f"{n} {s}" for s, n in counts(diffs).items()) or "none"
    table = Table(title=f"{title}: {summary}", title_justify="left", show_lines=False, pad_edge=False)
    for col in ("status", "type", "A", "value", "B"):
        table.add_column(col, overflow="fold", no_wrap=col in ("status", "type"))

    def cell(text: str, start: int | None, end: int | None) -> Text:
        s = _snip(text, start, end)
        shown = visual(s) if reorder_rtl and s else s
        return Text(f"{shown} [{start}, {end})" if s else "")

    for d in sorted(diffs, key=lambda d: STATUSES.index(d.status)):
        if d.status == "same" and not show_same:
            continue
        if d.status == "changed":
            value = Text(shown(d.value_a), style="strike red") + Text(" → ") + Text(shown(d.value_b),
                                                                                     style="bold green")
        else:
            value = Text(shown(d.value_a if d.value_a is not None else d.value_b))
        table.add_row(Text(d.status, style=STATUS_STYLES[d.status]), d.type, cell(text_a, d.a_start, d.a_end),
                      value, cell(text_b, d.b_start, d.b_end))
    return table


_FLIP = {"dropped": "added", "added": "dropped"}


def orient_diffs(diffs: Sequence[FactDiff], doc_a: str, doc_b: str) -> list[FactDiff]:
    """The diffs between the two documents with side ``a`` in ``doc_a`` (dropped and added swap)."""
    out: list[FactDiff] = []
    for d in diffs:
        if d.a == doc_a and d.b == doc_b:
            out.append(d)
        elif d.a == doc_b and d.b == doc_a:
            out.append(FactDiff(d.b, d.b_start, d.b_end, d.a, d.a_start, d.a_end, d.type,
                                _FLIP.get(d.status, d.status), d.value_b, d.value_a))
    return out
