"""Terminal views the commands print: rich renderables built from records, nothing printed here.

User text goes in through :func:`~sourcetrace.cli.console.markup` and
:func:`~sourcetrace.cli.console.row` (escaped) or as :class:`rich.text.Text` (never markup).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sourcetrace.cli.console import markup, row

# The report's views are imported by the view that shows them (the report package brings jinja2
# and the HTML templates: a trace's summary needs none of them).
if TYPE_CHECKING:
    from sourcetrace.records import Document, Fact, Relation

MAX_ROWS = 40  # rows of a terminal table; the JSONL files hold everything


def documents(rows: list[dict], read: int, unchanged: int, problems: int) -> RenderableType:
    """The documents `read` found (rows of ``read``'s JSON), then the count of files."""
    table = Table(title=f"{len(rows)} documents", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    cells = [(r["id"], f"{r['start']}-{r['end']}", r["lang"], r.get("date") or "",
              str(r["boilerplate_chars"]), str(r["sentences"]), r.get("title") or "") for r in rows]
    headers = ("id", "span", "lang", "date", "boiler", "sent", "title")
    for i, head in enumerate(headers):
        if head == "title":  # the one column that gives way in a narrow terminal
            table.add_column(head, no_wrap=True, overflow="ellipsis", min_width=10)
        else:
            width = max([len(head)] + [len(c[i]) for c in cells])
            table.add_column(head, no_wrap=True, min_width=width,
                             justify="right" if head in ("span", "boiler", "sent") else "left")
    for c in cells:
        row(table, *c)
    return Group(table, markup("read {read} file(s), {unchanged} unchanged, {problems} problem(s)",
                               read=read, unchanged=unchanged, problems=problems))


def _type_counts(relations: Sequence[Relation]) -> Counter[str]:
    """Each type's relations, the types in the order the relations first give them (what
    ``Counter(r.type for r in relations)`` holds). Of a trace's :class:`Relations`, from its records
    and the count of its topic relations (each ``related``), their records not made (a +1% rerun
    at 10k: ~120,000 made only to be counted)."""
    from sourcetrace.relate.columns import Relations

    if not isinstance(relations, Relations):
        return Counter(r.type for r in relations)
    first: dict[str, int] = {}
    counts: Counter[str] = Counter()
    positions = relations.positions.tolist()
    for at, r in zip(positions, relations.records, strict=True):
        first.setdefault(r.type, at)
        counts[r.type] += 1
    if len(relations.topic):
        # the first place no record holds: the first topic relation's
        place = next((i for i, at in enumerate(positions) if at != i), len(positions))
        first["related"] = min(first.get("related", place), place)
        counts["related"] += len(relations.topic)
    return Counter({t: counts[t] for t in sorted(first, key=first.__getitem__)})


def trace_summary(docs: list[Document], passages: list, relations: Sequence[Relation], fams: list, out: Path,
                  html: Path | None) -> RenderableType:
    """What a trace found: counts, who took from whom (strongest first), families and their origin."""
    from sourcetrace.relate.columns import on_shared_text

    # A topic relation is `related`: directed ones are among a trace's records (on_shared_text).
    directed = [r for r in on_shared_text(relations) if r.type != "related"]
    types = ", ".join(f"{k} {v}" for k, v in _type_counts(relations).most_common())
    lines: list[RenderableType] = [markup(
        "[bold]{docs} documents[/bold], {passages} passages, {relations} relations ({types}), {fams} families",
        docs=len(docs), passages=len(passages), relations=len(relations), types=types, fams=len(fams))]
    if directed:
        table = Table(title="who took from whom", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        id_width = max(len(d.id) for d in docs)
        table.add_column("source", no_wrap=True, min_width=min(id_width, 30))
        table.add_column("type", no_wrap=True)
        table.add_column("document", no_wrap=True, min_width=min(id_width, 30))
        table.add_column("covers", justify="right", no_wrap=True)
        for r in sorted(directed, key=lambda r: -r.score)[:MAX_ROWS]:
            if r.source is None:  # no evidence of which came first: never print one as the source
                row(table, "?", f"{r.type}, direction unknown", f"{r.a} ~ {r.b}",
                    f"{max(r.coverage_a, r.coverage_b):.0%}")
                continue
            other = r.b if r.source == r.a else r.a
            cov = r.coverage_b if r.source == r.a else r.coverage_a
            row(table, r.source, r.type, other, f"{cov:.0%}")
        lines.append(table)
        if len(directed) > MAX_ROWS:
            lines.append(markup("… {n} more in relations.jsonl", n=len(directed) - MAX_ROWS))
    for fam in fams[:MAX_ROWS]:
        lines.append(markup("family of {n}, origin [bold]{origin}[/bold]: {members}", n=len(fam.documents),
                            origin=fam.origin or "not determined",
                            members=", ".join(fam.documents[:12]) + (" …" if len(fam.documents) > 12 else "")))
    lines.append(markup("wrote {out}/: documents, sentences, passages, relations, families, facts, fact_diffs (.jsonl)", out=str(out)))
    if html:
        lines.append(markup("corpus report: {html}", html=str(html)))
    return Group(*lines)


def trace_facts(facts: int, docs: int, changed: int) -> Text:
    return markup("facts: {facts} in {docs} documents; {changed} changed between related documents "
                  "(facts.jsonl, fact_diffs.jsonl)", facts=facts, docs=docs, changed=changed)


def spark_summary(summary) -> RenderableType:
    """What a Spark trace found (``engines.spark.SparkSummary``): the counts the local run's
    summary opens with, where each table went, the slowest stages and the inputs not read."""
    c = summary.counts
    types = ", ".join(f"{k} {v}" for k, v in sorted(summary.relation_types.items(), key=lambda kv: -kv[1]))
    lines: list[RenderableType] = [markup(
        "[bold]{docs} documents[/bold], {passages} passages, {relations} relations ({types}), {fams} families",
        docs=c.get("documents", 0), passages=c.get("passages", 0), relations=c.get("relations", 0), types=types,
        fams=c.get("families", 0)),
        trace_facts(c.get("facts", 0), c.get("documents", 0), summary.changed_facts)]
    slow = sorted(summary.seconds.items(), key=lambda kv: -kv[1])[:6]
    lines.append(markup("stages (s): {times}", times=", ".join(f"{k} {v:.1f}" for k, v in slow)))
    for f in summary.failures:
        lines.append(markup("[red]not read[/red] {path}: {reason}", path=f.path, reason=f.reason))
    if summary.n_failures > len(summary.failures):
        lines.append(markup("… {n} more in failures/", n=summary.n_failures - len(summary.failures)))
    kind = "JSON-lines part files" if summary.format == "jsonl" else "Parquet"
    lines.append(markup("wrote {out}/: documents, sentences, passages, relations, families, facts, fact_diffs, "
                        "texts ({kind}, a directory each), settings.json", out=summary.out, kind=kind))
    return Group(*lines)


def relations(document: Document, rels: Sequence) -> RenderableType:
    """A document's head line, then its relations (oriented: ``a`` is the document) with evidence."""
    head = markup("[bold]{id}[/bold]  {lang}  {date}  {title}", id=document.id, lang=document.lang,
                  date=document.date or "", title=document.title or "")
    if not rels:
        return Group(head, Text("no relations (run `sourcetrace trace` over the files first)"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("other", "type", "source", "cov this", "cov other", "passages", "evidence"):
        table.add_column(col, overflow="fold", no_wrap=col in ("other", "type"))
    for r in rels:
        source = "direction unknown" if r.direction_unknown else r.source or ""
        row(table, r.b, r.type, source, f"{r.coverage_a:.0%}", f"{r.coverage_b:.0%}", str(r.passages),
            "; ".join(r.evidence))
    return Group(head, table)


def origin_chain(chain: Sequence[tuple[str, Relation | None]], relations: Sequence[Relation]) -> RenderableType:
    """A document, its closest source below it, … down to the origin, one indented line each; the
    last says whether it is an origin or a document whose relations' direction is unknown."""
    from sourcetrace.report.wording import chain_end

    lines = []
    for i, (d, rel) in enumerate(chain):
        label = chain_end(chain, relations) if rel is None else f"{rel.type} of ↓ ({'; '.join(rel.evidence[:2])})"
        lines.append(markup("{indent}{doc}  [dim]{label}[/dim]", indent="  " * i, doc=d, label=label))
    return Group(*lines)


def facts(facts: Sequence[Fact], docs: Sequence[Document], texts: dict[str, str], *, reorder: bool) -> Table:
    """One row a fact: document, span, type, normalized value and the text as it stands."""
    from sourcetrace.factcheck.dates import shown
    from sourcetrace.report.bidi import visual

    table = Table(title=f"{len(facts)} facts in {escape(', '.join(d.id for d in docs))}", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("doc", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("span", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("value", overflow="fold", max_width=24)
    table.add_column("text", overflow="fold", min_width=16)
    for f in facts:
        text = " ".join(texts[f.doc][f.start:f.end].split())
        row(table, f.doc, f"{f.start}-{f.end}", f.type, shown(f.value), visual(text) if reorder else text)
    return table


def fact_diff(a: Document, b: Document, passages: int, diffs: Sequence, text_a: str, text_b: str, *,
              reorder: bool, show_same: bool) -> RenderableType:
    """The two documents, then the facts B changed, dropped or added (and kept, with ``show_same``)."""
    from sourcetrace.report.facts import fact_diff_table

    head = markup("[bold]A[/bold] {a} ({a_lang})  →  [bold]B[/bold] {b} ({b_lang}): {n} passages",
                  a=a.id, a_lang=a.lang, b=b.id, b_lang=b.lang, n=passages)
    return Group(head, fact_diff_table(diffs, text_a, text_b, reorder_rtl=reorder, show_same=show_same,
                                       title="facts" if show_same else "facts (kept ones not listed; --all)"))


def timeline(tl, *, reorder: bool) -> RenderableType:
    """Versions in date order, then for each step the sentences dropped and added and the facts changed."""
    from sourcetrace.report.compare_terminal import fit
    from sourcetrace.report.facts import fact_diff_table

    lines: list[RenderableType] = [markup("[bold]versions[/bold]: {versions}", versions=" → ".join(
        f"{v.doc.id} ({v.date or 'no date'})" for v in tl.versions))]
    if tl.left_out:
        lines.append(markup("left out (share no text with another input): {ids}",
                            ids=", ".join(d.id for d in tl.left_out)))
    for st in tl.steps:
        a, b = st.old.doc, st.new.doc
        lines.append(markup("\n[bold]{a} → {b}[/bold]: {dropped} sentences dropped, {added} added, "
                            "{reworded} reworded", a=a.id, b=b.id, dropped=len(st.dropped), added=len(st.added),
                            reworded=len(st.reworded)))
        for sign, spans, text, lang in (("-", st.dropped, tl.texts[a.id], a.lang),
                                        ("+", st.added, tl.texts[b.id], b.lang)):
            for s_, e_ in spans[:MAX_ROWS]:
                line = fit(text[s_:e_], 100, 1, rtl=lang == "ar", reorder=reorder)
                lines.append(Text(f"  {sign} [{s_}, {e_}) {line}"))
        lines.append(fact_diff_table(st.facts, tl.texts[a.id], tl.texts[b.id], reorder_rtl=reorder,
                                     title="facts (kept ones not listed)"))
    return Group(*lines)


def search_hits(hits: Sequence, first) -> RenderableType:
    """Each hit: document, how it carries the quote, score, span, date, origin; its sentence with
    the matching words in bold; then the earliest document and the family's origin."""
    if not hits:
        return Text("no document carries this text")
    lines: list[RenderableType] = []
    for i, h in enumerate(hits, 1):
        head = Text(f"{i:>2}. ")
        head.append(h.doc, style="bold")
        head.append(f"  {h.kind} {h.score:.2f}  [{h.start}, {h.end})  {h.date or 'undated'}"
                    + (f"  origin {h.origin}" if h.origin else "") + (f"  via {h.via}" if h.via else ""))
        snippet = Text("    ")
        for piece, marked in h.parts():  # matching words in bold; whitespace runs folded
            snippet.append(re.sub(r"\s+", " ", piece), style="bold yellow" if marked else "")
        lines += [head, snippet]
    if first:
        lines.append(markup("earliest: {doc} ({date})", doc=first.doc, date=first.date))
    if hits[0].origin:
        lines.append(markup("origin: {origin}", origin=hits[0].origin))
    return Group(*lines)
