"""Family graphs on real family shapes: overlapping boxes, size and time of the layout (issue 20).

    python bench/graph_layout.py [--html OUT.html] [--grandalf]

Shapes: a star of 10 reports of one source, the same with edges between the reports (sibling
edges, some of them a second relation of one pair), a chain of revisions with a translation of
each, and a family of 30 (a tree of reports of reports with cross links). For each: how many
pairs of edge labels overlap, how many labels overlap a document's box, how many documents
overlap, how often two edges that share no document cross, the drawing's size, and the
CPU milliseconds per layout (this process's, steadier than wall time on a shared machine). It measures whatever
``sourcetrace.report.graph.layout`` is on the path (PYTHONPATH=../main/src measures main's), and
with --grandalf the same layered graph (labels as vertices) laid out by grandalf's Sugiyama
layout, when grandalf is importable. --html writes the graphs into one page to look at.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable, Sequence

from sourcetrace.records import Document, Family, Relation
from sourcetrace.report import graph as G

Box = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]
LABEL_CHAR_W, LABEL_PAD, LABEL_H = 7.0, 6.0, 18  # the label box the browser test bounds text with


def _doc(i: int, lang: str = "en") -> Document:
    return Document(f"d{i:02d}", f"d{i:02d}.txt", 0, 100, lang, title=f"Report number {i} on the meeting")


def _rel(a: int, b: int, kind: str, source: int | None = None, cov: float = 0.6) -> Relation:
    return Relation(f"d{a:02d}", f"d{b:02d}", kind, cov, cov * 0.8, 0.9,
                    source=f"d{source:02d}" if source is not None else None, passages=3)


def star(siblings: bool) -> list[Relation]:
    rels = [_rel(0, i, "derived" if i % 3 else "copy", 0) for i in range(1, 11)]
    if siblings:
        rels += [_rel(i, i + 1, "related") for i in range(1, 10)]
        rels += [_rel(i, i + 2, "copy", i) for i in range(1, 9, 2)]  # a report copying another
        rels += [_rel(2, 5, "derived"), _rel(3, 8, "translation")]  # direction unknown
        rels += [_rel(1, 2, "copy", 1), _rel(4, 5, "derived", 5)]  # a second relation of one pair
    return rels


def chain() -> list[Relation]:
    rels = [_rel(i, i + 1, "revision", i) for i in range(0, 7)]
    rels += [_rel(i, i + 7, "translation", i) for i in range(0, 7)]
    return rels


def family30() -> list[Relation]:
    rnd = random.Random(20)
    rels = [_rel(rnd.randrange(max(1, i // 2)) if i > 1 else 0, i, rnd.choice(["derived", "copy", "translation"]),
                 None) for i in range(1, 30)]
    rels = [Relation(r.a, r.b, r.type, r.coverage_a, r.coverage_b, r.score, source=r.a, passages=3) for r in rels]
    for _ in range(14):
        a, b = rnd.sample(range(1, 30), 2)
        rels.append(_rel(a, b, rnd.choice(["related", "related", "derived"])))
    return rels


SHAPES: dict[str, Callable[[], list[Relation]]] = {
    "star of 10": lambda: star(False),
    "star of 10 + siblings": lambda: star(True),
    "chain of 7 + translations": chain,
    "family of 30": family30,
}


def family(rels: Sequence[Relation]) -> tuple[Family, dict[str, Document]]:
    ids = sorted({d for r in rels for d in (r.a, r.b)})
    docs = {d: _doc(int(d[1:]), "ar" if int(d[1:]) % 4 == 3 else "en") for d in ids}
    return Family("family:d00", ids, "d00"), docs


def label_box(x: float, baseline: float, text: str) -> Box:
    w = LABEL_CHAR_W * len(text) + 2 * LABEL_PAD
    cy = baseline - 4
    return (x - w / 2, cy - LABEL_H / 2, x + w / 2, cy + LABEL_H / 2)


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def pairs(boxes: Sequence[Box]) -> int:
    return sum(overlap(boxes[i], boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes)))


def _bezier(ps: Sequence[Point], steps: int = 12) -> list[Point]:
    """Points along a quadratic or cubic Bezier curve (its control points ``ps``), the start left out."""
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        pts = list(ps)
        while len(pts) > 1:  # de Casteljau
            pts = [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for a, b in zip(pts, pts[1:], strict=False)]
        out.append(pts[0])
    return out


def polyline(d: str) -> list[Point]:
    """An SVG path of M, Q and C commands (the graphs' edges, before and after) as a polyline."""
    pts: list[Point] = []
    cmd, buf = "M", []
    for tok in re.findall(r"[MQC]|-?[\d.]+,-?[\d.]+", d):
        if tok in "MQC":
            cmd, buf = tok, []
            continue
        x, y = tok.split(",")
        buf.append((float(x), float(y)))
        if cmd == "M":
            pts.append(buf.pop())
        elif len(buf) == {"Q": 2, "C": 3}[cmd]:
            pts += _bezier([pts[-1], *buf])
            buf = []
    return pts


def _cross(p: Point, q: Point, r: Point, s: Point) -> bool:
    def side(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return side(p, q, r) * side(p, q, s) < 0 and side(r, s, p) * side(r, s, q) < 0


def crossings(lines: Sequence[list[Point]], rels: Sequence[Relation]) -> int:
    """Points where two edges that share no document cross."""
    n = 0
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            if {rels[i].a, rels[i].b} & {rels[j].a, rels[j].b}:
                continue
            a, b = lines[i], lines[j]
            n += sum(_cross(a[k], a[k + 1], b[m], b[m + 1]) for k in range(len(a) - 1) for m in range(len(b) - 1))
    return n


def ours(fam: Family, docs: dict[str, Document], rels: Sequence[Relation]
         ) -> tuple[list[Box], list[Box], list[list[Point]], float, float]:
    g = G.layout(fam, docs, rels, {d: d for d in docs})
    assert g is not None and len(g.edges) == len(rels)
    # (main's layout, the baseline, had one width for every box: g.node_width)
    nodes = [(n.left, n.top, n.left + getattr(n, "width", getattr(g, "node_width", 0)), n.top + g.node_height)
             for n in g.nodes]
    labels = [label_box(e.label_x, e.label_y, e.label) for e in g.edges]
    return nodes, labels, [polyline(e.d) for e in g.edges], g.width, g.height


def grandalf_layout(fam: Family, docs: dict[str, Document], rels: Sequence[Relation]
                    ) -> tuple[list[Box], list[Box], list[list[Point]], float, float]:
    """The same layered graph as ours (documents, and each relation's label as a vertex between
    its two documents), laid out by grandalf with the boxes' real sizes."""
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    class View:
        def __init__(self, w: float, h: float) -> None:
            self.w, self.h, self.xy = w, h, (0.0, 0.0)

    class EdgeView:
        pts: list[Point] = []

        def setpath(self, pts: list[Point]) -> None:
            self.pts = list(pts)

    layer = G.layers(fam.documents, fam.origin, rels)
    vs = {d: Vertex(d) for d in fam.documents}
    for v in vs.values():
        v.view = View(G.NODE_W, G.NODE_H)
    labels: list[tuple[Vertex, str]] = []
    edges = []
    for k, r in enumerate(rels):
        text = G._edge_text(r)
        lab = Vertex(f"label{k}")
        lab.view = View(LABEL_CHAR_W * len(text) + 2 * LABEL_PAD, LABEL_H)
        labels.append((lab, text))
        top, bottom = sorted((r.a, r.b), key=lambda d: (layer[d], d))
        edges.append(Edge(vs[top], lab))
        edges.append(Edge(vs[bottom], lab) if layer[top] == layer[bottom] else Edge(lab, vs[bottom]))
        for e in edges[-2:]:
            e.view = EdgeView()
    g = Graph(list(vs.values()) + [lab for lab, _ in labels], edges)
    for core in g.C:
        sug = SugiyamaLayout(core)
        sug.xspace, sug.yspace = 20, 30
        sug.init_all(roots=[v for v in core.sV if v.data == fam.origin] or None)
        sug.draw()
    nodes = [(v.view.xy[0] - G.NODE_W / 2, v.view.xy[1] - G.NODE_H / 2, v.view.xy[0] + G.NODE_W / 2,
              v.view.xy[1] + G.NODE_H / 2) for v in vs.values()]
    boxes = [label_box(lab.view.xy[0], lab.view.xy[1] + 4, text) for lab, text in labels]
    every = nodes + boxes
    # each relation's line: to its label and on (its two edges' routes through grandalf's dummies)
    lines = [edges[2 * k].view.pts + (edges[2 * k + 1].view.pts[::-1] if edges[2 * k + 1].v[1] is edges[2 * k].v[1]
                                      else edges[2 * k + 1].view.pts)[1:] for k in range(len(rels))]
    return nodes, boxes, lines, max(b[2] for b in every) - min(b[0] for b in every), max(b[3] for b in every) - min(
        b[1] for b in every)


def measure(name: str, how: Callable, fam: Family, docs: dict[str, Document], rels: Sequence[Relation]) -> str:
    how(fam, docs, rels)  # the first call imports the layout library
    t0 = time.process_time()
    runs = 0
    while True:
        nodes, labels, lines, w, h = how(fam, docs, rels)
        runs += 1
        if time.process_time() - t0 > 0.5 and runs >= 3:
            break
    ms = (time.process_time() - t0) / runs * 1000
    ll, ln = pairs(labels), sum(overlap(a, b) for a in labels for b in nodes)
    return (f"{name:<28} {len(nodes):>4} {len(labels):>5} {ll:>11} {ln:>10} {pairs(nodes):>9} "
            f"{crossings(lines, rels):>9} {w:>6.0f}x{h:<5.0f} {ms:>8.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--html", help="write the graphs into this page")
    ap.add_argument("--grandalf", action="store_true", help="also lay out the same graphs with grandalf")
    args = ap.parse_args()
    layouts: list[tuple[str, Callable]] = [(f"sourcetrace ({G.__file__.split('/src/')[0]})", ours)]
    if args.grandalf:
        try:
            import grandalf  # noqa: F401
            layouts.append(("grandalf", grandalf_layout))
        except ImportError:
            print("grandalf is not installed: measuring sourcetrace's layout alone")
    for title, how in layouts:
        print(f"\n{title}")
        print(f"{'shape':<28} {'docs':>4} {'edges':>5} {'label/label':>11} {'label/node':>10} {'node/node':>9} {'crossings':>9} "
              f"{'size':>12} {'cpu ms':>8}")
        for name, make in SHAPES.items():
            rels = make()
            fam, docs = family(rels)
            print(measure(name, how, fam, docs, rels))
    if args.html:
        from sourcetrace.report.templating import inline_asset, macro

        parts = []
        for name, make in SHAPES.items():
            rels = make()
            fam, docs = family(rels)
            svg = macro("graph.html", "svg", G.layout(fam, docs, rels, {d: d for d in docs}))
            parts.append(f"<h2>{name}</h2><div class='graphbox'>{svg}</div>")
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(f"<!doctype html><meta charset=utf-8><style>{inline_asset('corpus.css')}</style>" + "".join(parts))
        print(f"\nwrote {args.html}")


if __name__ == "__main__":
    main()
