"""Terminal view of a comparison of two documents: header, summary, aligned passages, leftovers.

Built as a rich renderable that lays itself out at render time, because Arabic cells must be
wrapped in logical order and only then put into visual order line by line: that needs the
column width, which only the console knows.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sourcetrace.records import Document, FactDiff, Passage, Sentence
from sourcetrace.relate.coverage import orient, summarize
from sourcetrace.report.bidi import visual
from sourcetrace.report.direction import is_rtl
from sourcetrace.report.facts import fact_diff_table

KIND_STYLES: dict[str, str] = {
    "verbatim": "bold red",
    "near-verbatim": "dark_orange",
    "paraphrase": "yellow",
    "translation": "green",
    "translated-paraphrase": "cyan",
}
OTHER_STYLE = "magenta"

KIND_WIDTH = 21  # len("translated-paraphrase")
SCORE_WIDTH = 5
MAX_LINES = 4  # lines of a passage cell before it is cut with an ellipsis


def fit(text: str, width: int, max_lines: int = MAX_LINES, *, rtl: bool = False, reorder: bool = True) -> str:
    """Wrap ``text`` to ``width`` in logical order, keep ``max_lines``, then reorder RTL lines.

    Wrapping before reordering keeps the first words on the first line; reordering a whole
    paragraph and letting the table wrap it would show its last words first.
    """
    width = max(width, 4)
    lines = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last if len(last) < width else last[: width - 1].rstrip()) + "…"
    if rtl and reorder:
        lines = [visual(line, rtl=True) for line in lines]
    return "\n".join(lines)


def _kind_text(kind: str) -> Text:
    return Text(kind, style=KIND_STYLES.get(kind, OTHER_STYLE))


class CompareView:
    """Rich renderable for one document pair; see :func:`render_compare_terminal`."""

    def __init__(self, doc_a: Document, text_a: str, doc_b: Document, text_b: str,
                 passages: Sequence[Passage], sentences_a: Sequence[Sentence],
                 sentences_b: Sequence[Sentence], *, reorder_rtl: bool = True,
                 fact_diffs: Sequence[FactDiff] | None = None) -> None:
        self.doc_a, self.text_a, self.doc_b, self.text_b = doc_a, text_a, doc_b, text_b
        self.fact_diffs = fact_diffs
        self.passages = sorted(orient(doc_a, doc_b, passages), key=lambda p: (p.a_start, p.a_end, p.b_start))
        self.summary: dict[str, Any] = summarize(doc_a, doc_b, self.passages, sentences_a, sentences_b)
        self.reorder = reorder_rtl

    def _cell(self, doc: Document, text: str, start: int, end: int, width: int, max_lines: int,
              *, offsets: bool = False) -> Text:
        rtl = is_rtl(doc.lang)
        # Justification belongs to the whole Text, so the offsets line goes in the same object.
        cell = Text(justify="right" if rtl else "left")
        if offsets:
            cell.append(f"[{start}, {end})\n", style="dim")
        cell.append(fit(text[start:end], width, max_lines, rtl=rtl, reorder=self.reorder))
        return cell

    def _header(self) -> Table:
        t = Table(box=box.SIMPLE_HEAD, show_edge=False, expand=True, pad_edge=False)
        t.add_column("")
        t.add_column("A", ratio=1)
        t.add_column("B", ratio=1)
        a, b = self.doc_a, self.doc_b

        def show(doc: Document, value: str | None) -> Text:
            if not value:
                return Text("—", style="dim")
            # Titles are short: one line, so reordering the whole string is right.
            rtl = is_rtl(doc.lang) or None
            return Text(visual(value, rtl) if self.reorder else value)

        t.add_row("id", Text(a.id, style="bold"), Text(b.id, style="bold"))
        t.add_row("lang", Text(a.lang), Text(b.lang))
        t.add_row("title", show(a, a.title), show(b, b.title))
        t.add_row("date", show(a, a.date), show(b, b.date))
        t.add_row("span", Text(f"{a.path} [{a.start}, {a.end})", style="dim"),
                  Text(f"{b.path} [{b.start}, {b.end})", style="dim"))
        return t

    def _summary(self) -> Text:
        s = self.summary
        out = Text()
        for side, doc in (("a", self.doc_a), ("b", self.doc_b)):
            out.append(f"coverage {side.upper()} ({doc.id}): ", style="bold")
            out.append(f"{s[f'coverage_{side}']:.1%}")
            out.append(f" ({s[f'covered_chars_{side}']}/{s[f'content_chars_{side}']} chars)   ", style="dim")
        out.append("\n")
        out.append(f"passages: {s['passages']}", style="bold")
        for kind, count in s["kinds"].items():
            out.append("  ")
            out.append_text(_kind_text(kind))
            out.append(f" {count}")
        out.append(f"\nonly in A: {len(s['omitted'])} of {s['sentences_a']} sentences   "
                   f"only in B: {len(s['added'])} of {s['sentences_b']} sentences")
        return out

    def _passages(self, width: int) -> Table:
        # 4 columns: 5 borders + 2 padding each.
        col = max((width - KIND_WIDTH - SCORE_WIDTH - 5 - 8) // 2, 10)
        t = Table(title="passages, in order of A", box=box.SQUARE, show_lines=True, expand=False)
        # Headers and titles given as strings are markup: a document id is escaped.
        t.add_column(f"A {escape(self.doc_a.id)}", width=col, overflow="fold")
        t.add_column("kind", width=KIND_WIDTH, no_wrap=True)
        t.add_column("score", width=SCORE_WIDTH, justify="right", no_wrap=True)
        t.add_column(f"B {escape(self.doc_b.id)}", width=col, overflow="fold")
        for p in self.passages:
            left = self._cell(self.doc_a, self.text_a, p.a_start, p.a_end, col, MAX_LINES, offsets=True)
            right = self._cell(self.doc_b, self.text_b, p.b_start, p.b_end, col, MAX_LINES, offsets=True)
            t.add_row(left, _kind_text(p.kind), Text(f"{p.score:.2f}"), right)
        return t

    def _leftovers(self, title: str, doc: Document, text: str, spans: list[tuple[int, int]],
                   width: int) -> RenderableType:
        if not spans:
            return Text(f"{title}: none", style="dim")
        off_w = max(len(f"[{s}, {e})") for s, e in spans)
        t = Table(title=escape(title), box=box.SIMPLE, show_header=False, expand=False)
        t.add_column("span", width=off_w, style="dim", no_wrap=True)
        body_w = max(width - off_w - 6, 10)
        t.add_column("sentence", width=body_w, overflow="fold")
        for s, e in spans:
            t.add_row(f"[{s}, {e})", self._cell(doc, text, s, e, body_w, 2))
        return t

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        s = self.summary
        yield Group(
            self._header(),
            self._summary(),
            Text(""),
            self._passages(width) if self.passages else Text("no passages", style="dim"),
            Text(""),
            self._leftovers(f"only in A ({self.doc_a.id}, omitted from B)", self.doc_a, self.text_a,
                            s["omitted"], width),
            self._leftovers(f"only in B ({self.doc_b.id}, added)", self.doc_b, self.text_b, s["added"], width),
            *([] if self.fact_diffs is None else
              [Text(""), fact_diff_table(self.fact_diffs, self.text_a, self.text_b, reorder_rtl=self.reorder,
                                         title="facts (kept ones not listed)")]),
        )


def render_compare_terminal(doc_a: Document, text_a: str, doc_b: Document, text_b: str,
                            passages: Sequence[Passage], sentences_a: Sequence[Sentence],
                            sentences_b: Sequence[Sentence], *, reorder_rtl: bool = True,
                            fact_diffs: Sequence[FactDiff] | None = None) -> RenderableType:
    """Rich renderable comparing ``doc_a`` with ``doc_b`` (texts are the FILE texts).

    Arabic cells are put into visual order because most terminals do not apply bidi; pass
    ``reorder_rtl=False`` for a terminal that does (it would otherwise reverse them twice).
    """
    return CompareView(doc_a, text_a, doc_b, text_b, passages, sentences_a, sentences_b,
                       reorder_rtl=reorder_rtl, fact_diffs=fact_diffs)
