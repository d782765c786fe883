"""Views of a fact diff: an HTML table and a rich terminal table, changed facts highlighted old → new.

Shared by the compare and diff commands, the corpus report and the timeline. Every piece of
document text is escaped (HTML) or passed as plain text (rich), never as markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape

from rich.table import Table
from rich.text import Text

from sourcetrace.records import FactDiff, Passage
from sourcetrace.report.bidi import visual

STATUSES = ("changed", "dropped", "added", "same")
STATUS_STYLES = {"changed": "bold yellow", "dropped": "red", "added": "green", "same": "dim"}
SNIPPET = 60  # chars of a fact's text shown

FACT_CSS = """
table.facts { border-collapse:collapse; width:100%; font-size:13px; margin:6px 0; }
table.facts th, table.facts td { border-top:1px solid #e6e6ea; padding:3px 8px; text-align:start; vertical-align:top; }
table.facts th { background:#f4f4f7; font-weight:600; }
.fs-changed { background:#fff3c4; }
.fs-dropped td.st { color:#b00020; }
.fs-added td.st { color:#1f7a35; }
.fs-same { color:#77777d; }
.fv-old { text-decoration:line-through; color:#b00020; }
.fv-new { font-weight:600; color:#1f7a35; }
"""


def _value(value: object) -> str:
    return "" if value is None else str(value)


def _snip(text: str, start: int | None, end: int | None) -> str:
    if start is None or end is None:
        return ""
    flat = " ".join(text[start:end].split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


def counts(diffs: Sequence[FactDiff]) -> dict[str, int]:
    """Facts per status, in display order."""
    c = Counter(d.status for d in diffs)
    return {s: c[s] for s in STATUSES if c[s]}


def _passage_of(d: FactDiff, passages: Sequence[Passage]) -> int | None:
    """Index of the first passage (side a in d.a) holding the fact on either side."""
    for i, p in enumerate(passages):
        if (d.a_start is not None and p.a_start < d.a_end and d.a_start < p.a_end) or (
                d.b_start is not None and p.b_start < d.b_end and d.b_start < p.b_end):
            return i
    return None


def fact_diff_html(diffs: Sequence[FactDiff], text_a: str, text_b: str, *, show_same: bool = True,
                   passages: Sequence[Passage] = ()) -> str:
    """A table of the fact diff: status, type, A's text and value, B's text and value; a changed
    fact shows its old value struck through and its new value in bold. With the pair's
    ``passages`` (side a in A, in the order the page numbers them p0, p1 …) each row names the
    passage it was found in ("—": paired by its context outside passages)."""
    rows = []
    where = {id(d): _passage_of(d, passages) for d in diffs} if passages else {}
    order = sorted(diffs, key=lambda d: (STATUSES.index(d.status), where.get(id(d)) is None,
                                         where.get(id(d)) or 0))
    for d in order:
        if d.status == "same" and not show_same:
            continue
        if d.status == "changed":
            value = (f'<span class="fv-old">{escape(_value(d.value_a))}</span> → '
                     f'<span class="fv-new">{escape(_value(d.value_b))}</span>')
        else:
            value = escape(_value(d.value_a if d.value_a is not None else d.value_b))
        span_a = f"[{d.a_start}, {d.a_end})" if d.a_start is not None else ""
        span_b = f"[{d.b_start}, {d.b_end})" if d.b_start is not None else ""
        pid = where.get(id(d))
        place = (f"<td>p{pid}</td>" if pid is not None else "<td>—</td>") if passages else ""
        rows.append(
            f'<tr class="fs-{escape(d.status)}"><td class="st">{escape(d.status)}</td>{place}<td>{escape(d.type)}</td>'
            f'<td dir="auto">{escape(_snip(text_a, d.a_start, d.a_end))} <span class="off">{span_a}</span></td>'
            f'<td dir="ltr">{value}</td>'
            f'<td dir="auto">{escape(_snip(text_b, d.b_start, d.b_end))} <span class="off">{span_b}</span></td></tr>')
    if not rows:
        return '<p class="none">No facts in the aligned passages.</p>'
    summary = ", ".join(f"{n} {s}" for s, n in counts(diffs).items())
    head = "<th>passage</th>" if passages else ""
    return (f'<div class="factdiff"><p>Facts: {escape(summary)}</p><table class="facts"><thead><tr><th>status</th>'
            f"{head}<th>type</th><th>in A</th><th>value</th><th>in B</th></tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table></div>')


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
            value = Text(_value(d.value_a), style="strike red") + Text(" → ") + Text(_value(d.value_b),
                                                                                     style="bold green")
        else:
            value = Text(_value(d.value_a if d.value_a is not None else d.value_b))
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
