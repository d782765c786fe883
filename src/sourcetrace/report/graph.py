"""A family's graph: documents in layers from the origin down, relations as curved edges, each
labelled in a box of its own.

igraph's Sugiyama layout orders the layered graph (see ``_arrange``); this module only computes
the geometry (plain data); the ``svg`` macro of templates/graph.html draws it, in the corpus
report and on the web app's family page.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sourcetrace.records import Document, Family, Relation
from sourcetrace.relate.lineage import is_directed, undirected
from sourcetrace.report.direction import is_rtl, lang_tag
from sourcetrace.report.templating import short

NODE_W, NODE_H, GAP_X, PAD = 190, 48, 44, 24  # NODE_W: the narrowest box; a longer id widens it
NODE_TITLE_CHARS = 28
HEAD_CHAR_W, TITLE_CHAR_W, NODE_PAD = 7.6, 6.6, 8.0  # the 12px bold id line and the title, generously
# Edge labels: 11px text in a box of their own; the rows of documents and of labels alternate.
LABEL_CHAR_W, LABEL_PAD, LABEL_H = 7.0, 6.0, 18
GAP_ROW = 30  # between a row of documents and the row of labels below it
GAP_SLOT = 14  # between a label or an edge's bend and its neighbour in a row
BEND_W = 10  # room kept for a long edge passing through a row
SLOT_UNIT = 60  # pixels per unit of igraph's x (its slots are 1 apart at least); rows are then pushed apart to fit
PORT_STEP = 22  # between the ends of two edges leaving one side of a box
SUGIYAMA_ITERATIONS = 200
TRANSPOSE_SWEEPS = 24

TYPE_COLOURS = {"translation": "#2e8b57", "copy": "#c0392b", "derived": "#d35400", "revision": "#2c6fbb",
                "related": "#8a8a90"}


@dataclass
class Node:
    doc: str
    anchor: str  # the document's anchor in a page (data-doc-anchor, for the corpus filter)
    href: str
    classes: str
    x: float  # centre
    y: float
    left: float  # of the box
    top: float
    width: float  # of the box: wide enough for the id line
    head: str  # "id · lang[ · origin]"
    title: str  # shortened
    rtl: bool
    lang: str | None  # a plausible language tag, else None
    tip: str


@dataclass
class Edge:
    classes: str
    d: str  # the SVG path: a quadratic curve between the two boxes
    colour: str
    dashed: bool
    tip: str
    arrow: str | None  # polygon points of the arrowhead of a directed relation
    label: str  # "type · coverage of source/derived"
    label_x: float  # centre of the label's box
    label_y: float  # the text's baseline
    label_w: float  # the box kept for the label, which nothing else in the graph overlaps
    label_h: float


@dataclass
class Graph:
    family: str
    width: float
    height: float
    node_height: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def flow(r: Relation) -> tuple[str, str]:
    """(from, to): source first for a directed relation, else as recorded."""
    if is_directed(r) and r.source == r.b:
        return r.b, r.a
    return r.a, r.b


def coverage(r: Relation, doc_id: str) -> float:
    """The share of ``doc_id``'s content that the relation's passages cover."""
    return r.coverage_a if r.a == doc_id else r.coverage_b


def _pct(x: float) -> str:
    return f"{x:.0%}"


def layers(members: Sequence[str], origin: str | None, rels: Sequence[Relation]) -> dict[str, int]:
    """Layer of each member: the longest path to it from the origin along directed relations, so
    that a document is drawn below every document it took text from (a report copying another
    report sits a layer below it, not beside it). A directed cycle, which contradictory evidence
    can make, is cut where a depth-first walk from the origin closes it.

    Members the directed relations do not reach (joined by a related pair, or only pointing at
    the family) go one layer below their nearest placed neighbour.
    """
    down: dict[str, list[str]] = defaultdict(list)
    near: dict[str, set[str]] = defaultdict(set)
    has_in: set[str] = set()
    for r in rels:
        near[r.a].add(r.b)
        near[r.b].add(r.a)
        if is_directed(r):
            src, dst = flow(r)
            down[src].append(dst)
            has_in.add(dst)
    roots = [origin] if origin in members else [m for m in members if down.get(m) and m not in has_in]
    if not roots:
        roots = [members[0]]
    # Depth-first from the roots: the reverse of the order nodes finish in is a topological order
    # of the edges that do not close a cycle (an edge into a node still on the walk does).
    finished: list[str] = []
    state: dict[str, int] = {}  # 1 on the walk, 2 finished
    keep: dict[str, list[str]] = defaultdict(list)
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(set(down.get(root, ())))))]
        while stack:
            m, children = stack[-1]
            d = next(children, None)
            if d is None:
                state[m] = 2
                finished.append(m)
                stack.pop()
            elif state.get(d) != 1:
                keep[m].append(d)
                if d not in state:
                    state[d] = 1
                    stack.append((d, iter(sorted(set(down.get(d, ()))))))
    layer = {r: 0 for r in roots}
    for m in reversed(finished):
        for d in keep[m]:
            layer[d] = max(layer.get(d, 0), layer[m] + 1)
    while len(layer) < len(members):
        placed = False
        for m in members:
            if m in layer:
                continue
            ls = [layer[n] for n in near[m] if n in layer]
            if ls:
                layer[m] = min(ls) + 1
                placed = True
        if not placed:  # not connected at all (should not happen in a family): put it last
            bottom = max(layer.values()) + 1
            for m in members:
                layer.setdefault(m, bottom)
    return layer


def _arrowhead(fx: float, fy: float, ex: float, ey: float, size: float = 10) -> str:
    """Points of a triangle at (ex, ey) pointing along the direction from (fx, fy).

    Drawn, not a <marker>: a marker needs url(#id), and the report keeps to no url() at all so
    that a plain check for external references stays simple.
    """
    dx, dy = ex - fx, ey - fy
    n = math.hypot(dx, dy) or 1
    ux, uy = dx / n, dy / n
    bx, by = ex - ux * size, ey - uy * size
    px, py = -uy * size * 0.45, ux * size * 0.45
    return f"{ex:.1f},{ey:.1f} {bx + px:.1f},{by + py:.1f} {bx - px:.1f},{by - py:.1f}"


def label_width(text: str) -> float:
    """The width kept for an edge label's box: a generous per-character width of the 11px label
    font (wide fonts such as DejaVu Sans stay inside it), plus padding."""
    return LABEL_CHAR_W * len(text) + 2 * LABEL_PAD


@dataclass
class _Slot:
    """A vertex of the layered graph: a document, an edge's label, or a bend of a long edge."""
    rank: int
    width: float
    x: float = 0.0  # igraph's x first, then the placed centre


def _transpose(slots: Sequence[_Slot], routes: Sequence[Sequence[int]]) -> list[list[int]]:
    """Each row's slots in igraph's order, then improved: two neighbours in a row trade places
    while that removes crossings with the rows above and below (the transpose step of Gansner et
    al.'s dot), which igraph's barycenter ordering does not do; up to TRANSPOSE_SWEEPS sweeps."""
    near: dict[int, list[int]] = defaultdict(list)
    for route in routes:
        for a, b in zip(route, route[1:], strict=False):
            near[a].append(b)
            near[b].append(a)
    by_rank: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(slots):
        by_rank[s.rank].append(i)
    rows = [sorted(by_rank[r], key=lambda i: (slots[i].x, i)) for r in sorted(by_rank)]
    pos = {i: k for row in rows for k, i in enumerate(row)}

    def crossings(u: int, v: int) -> int:  # between u's and v's segments, u left of v
        return sum(slots[a].rank == slots[b].rank and pos[a] > pos[b] for a in near[u] for b in near[v])

    for _ in range(TRANSPOSE_SWEEPS):
        better = False
        for row in rows:
            for k in range(len(row) - 1):
                u, v = row[k], row[k + 1]
                if crossings(v, u) < crossings(u, v):
                    row[k], row[k + 1], pos[u], pos[v] = v, u, k + 1, k
                    better = True
        if not better:
            break
    return rows


def _place_rows(slots: Sequence[_Slot], rows: Sequence[Sequence[int]], node_count: int) -> None:
    """Centres each row's slots, in the order given, where igraph put them (its x in units of
    SLOT_UNIT, taken in that order), pushed apart just enough that boxes of their own widths keep
    their gaps; then the row is shifted by the mean push so that it stays centred where igraph put it."""
    for row in rows:
        want = sorted(slots[i].x * SLOT_UNIT for i in row)
        got: list[float] = []
        for k, i in enumerate(row):
            x = want[k]
            if k:
                j = row[k - 1]
                gap = GAP_X if i < node_count and j < node_count else GAP_SLOT
                x = max(x, got[-1] + (slots[j].width + slots[i].width) / 2 + gap)
            got.append(x)
        shift = sum(w - g for w, g in zip(want, got, strict=True)) / len(row)
        for k, i in enumerate(row):
            slots[i].x = got[k] + shift


def _row_centres(kinds: Sequence[str]) -> list[float]:
    """The y of each rank: a row of documents is NODE_H high, a row of labels LABEL_H."""
    ys: list[float] = []
    y = PAD
    for kind in kinds:
        h = NODE_H if kind == "node" else LABEL_H
        ys.append(y + h / 2)
        y += h + GAP_ROW
    return ys


def _ranks(members: Sequence[str], widths: Sequence[float], layer: Mapping[str, int], rels: Sequence[Relation]
           ) -> tuple[dict[int, int], list[int], list[str]]:
    """The rank of each layer of documents, the label rank of each relation, and what each rank
    holds. Below each layer of documents come the labels of the relations whose upper end is in
    it: on one row, or on two (staggered, in turn) when one would be wider than the widest row
    of documents; on none when there are none."""
    per_layer: dict[int, list[int]] = defaultdict(list)
    for k, r in enumerate(rels):
        per_layer[min(layer[r.a], layer[r.b])].append(k)
    widest = max(sum(w + GAP_X for m, w in zip(members, widths, strict=True) if layer[m] == lv)
                 for lv in set(layer.values()))
    node_rank: dict[int, int] = {}
    label_rank = [0] * len(rels)
    kinds: list[str] = []
    for lv in range(max(layer.values()) + 1):
        node_rank[lv] = len(kinds)
        kinds.append("node")
        ks = per_layer.get(lv, [])
        rows = 0 if not ks else 2 if sum(label_width(_edge_text(rels[k])) + GAP_SLOT for k in ks) > widest else 1
        for i, k in enumerate(ks):
            label_rank[k] = len(kinds) + i % rows
        kinds += ["label"] * rows
    return node_rank, label_rank, kinds


def _path(pts: Sequence[tuple[float, float]]) -> str:
    """A smooth SVG path through the points: one cubic per step, leaving and reaching each point
    vertically (so it runs straight through a row, and turns only between rows)."""
    out = [f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"]
    for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False):
        reach = math.copysign(max(abs(y2 - y1) / 2, 4.0), y2 - y1)
        out.append(f"C{x1:.1f},{y1 + reach:.1f} {x2:.1f},{y2 - reach:.1f} {x2:.1f},{y2:.1f}")
    return " ".join(out)


def _edge(r: Relation, pts: Sequence[tuple[float, float]], label: tuple[float, float]) -> Edge:
    """An edge drawn through ``pts`` (from its source when directed), its label centred at ``label``."""
    directed = is_directed(r)
    src, dst = flow(r)
    colour = TYPE_COLOURS.get(r.type, TYPE_COLOURS["related"]) if directed else TYPE_COLOURS["related"]
    # A directed type without a source is drawn without an arrowhead, and said in words.
    unknown = undirected(r)
    how = f"{r.type}, direction unknown" if unknown else r.type
    tip = (f"{src} {'→' if directed else '~'} {dst}: {how}; covers {_pct(coverage(r, src))} of {src}, "
           f"{_pct(coverage(r, dst))} of {dst}; score {r.score:.2f}, {r.passages} passages")
    text = _edge_text(r)
    (ex, ey), ty = pts[-1], math.copysign(1.0, pts[-1][1] - pts[-2][1])
    return Edge(classes=f"edge {'directed' if directed else 'related'} t-{re.sub(r'[^a-z-]', '', r.type)}",
                d=_path(pts), colour=colour, dashed=not directed, tip=tip,
                arrow=_arrowhead(ex, ey - ty * 10, ex, ey) if directed else None,
                label=text, label_x=label[0], label_y=label[1] + 4, label_w=label_width(text), label_h=LABEL_H)


def _ports(ends: Mapping[tuple[int, str], list[tuple[float, int, int]]], node_x: Sequence[float],
           widths: Sequence[float]) -> dict[tuple[int, int], float]:
    """Where each edge meets a document's box: the edges leaving one side are spread along it in
    the order of where they go, so that they do not start on top of each other."""
    port: dict[tuple[int, int], float] = {}
    for (node, _side), items in ends.items():
        items.sort()
        step = min(PORT_STEP, widths[node] * 0.7 / max(len(items) - 1, 1))
        for k, (_x, edge, end) in enumerate(items):
            port[(edge, end)] = node_x[node] + (k - (len(items) - 1) / 2) * step
    return port


def _arrange(members: Sequence[str], widths: Sequence[float], layer: Mapping[str, int], rels: Sequence[Relation]
             ) -> tuple[list[tuple[float, float]], list[tuple[list[tuple[float, float]], tuple[float, float]]],
                        float, float]:
    """The layered layout: node centres, and for each relation its points (from its source when
    directed) and its label's centre; then the width and height.

    Each relation's label is a vertex of its own in the layered graph, on the label rank just below
    the upper of its two documents, so igraph's Sugiyama layout orders labels with the documents
    and the bends of long edges (its dummy vertices) to keep crossings few, and every label gets a
    slot of its own: no two boxes in a row overlap, and rows do not share any height.
    """
    import igraph  # imported here: only drawing a graph needs it

    index = {m: i for i, m in enumerate(members)}
    n = len(members)
    node_rank, label_rank, kinds = _ranks(members, widths, layer, rels)
    slots = [_Slot(node_rank[layer[m]], w) for m, w in zip(members, widths, strict=True)]
    links: list[tuple[int, int]] = []
    plan: list[tuple[int, int, int]] = []  # per relation: its upper document, lower document, label slot
    for k, r in enumerate(rels):
        u, v = index[r.a], index[r.b]
        top, bottom = (u, v) if (slots[u].rank, u) <= (slots[v].rank, v) else (v, u)
        lab = len(slots)
        slots.append(_Slot(label_rank[k], label_width(_edge_text(r))))
        links.append((top, lab))
        links.append((bottom, lab) if slots[bottom].rank == slots[top].rank else (lab, bottom))
        plan.append((top, bottom, lab))
    g = igraph.Graph(n=len(slots), edges=links, directed=True)
    placed = g.layout_sugiyama(layers=[s.rank for s in slots], hgap=1, vgap=1, maxiter=SUGIYAMA_ITERATIONS)
    for s, (x, _y) in zip(slots, placed, strict=True):
        s.x = x
    # The bends of long edges become slots too, so that rows make room for them.
    bends: list[list[int]] = []
    for route in placed.edge_routing:
        ids = []
        for x, y in route:
            ids.append(len(slots))
            slots.append(_Slot(int(round(y)), BEND_W, x))
        bends.append(ids)
    routes: list[list[int]] = []  # slot ids from the upper document to the lower (or back up to it)
    for k, (top, bottom, lab) in enumerate(plan):
        # igraph's edges: 2k from the upper document to the label, 2k+1 on to the lower document
        # (or, between two documents of one row, from the other document up to the label).
        on = bends[2 * k + 1] if slots[bottom].rank > slots[lab].rank else bends[2 * k + 1][::-1]
        routes.append([top, *bends[2 * k], lab, *on, bottom])
    _place_rows(slots, _transpose(slots, routes), n)
    left = min(s.x - s.width / 2 for s in slots)
    for s in slots:
        s.x += PAD - left
    ys = _row_centres(kinds)
    node_x = [s.x for s in slots[:n]]

    # Which side of its box each end leaves from, and in what order along it.
    ends: dict[tuple[int, str], list[tuple[float, int, int]]] = defaultdict(list)
    for k, route in enumerate(routes):
        for end, (node, nxt) in enumerate(((route[0], route[1]), (route[-1], route[-2]))):
            side = "bottom" if slots[nxt].rank > slots[node].rank else "top"
            ends[(node, side)].append((slots[nxt].x, k, end))
    port = _ports(ends, node_x, widths)

    out: list[tuple[list[tuple[float, float]], tuple[float, float]]] = []
    for k, (r, route) in enumerate(zip(rels, routes, strict=True)):
        # Within a row the edge runs straight up or down through its own slot (past the top and
        # the bottom of the row's boxes), so it crosses no box: between the rows there are none.
        # An edge between two documents of one row only touches the top of its label.
        pts: list[tuple[float, float]] = []
        for j, i in enumerate(route):
            x, y, half = slots[i].x, ys[slots[i].rank], (NODE_H if kinds[slots[i].rank] == "node" else LABEL_H) / 2
            if j in (0, len(route) - 1):
                below = slots[route[1 if j == 0 else -2]].rank > slots[i].rank
                pts.append((port[(k, 0 if j == 0 else 1)], y + (half + 3) * (1 if below else -1)))
            elif slots[route[j - 1]].rank < slots[i].rank < slots[route[j + 1]].rank:
                pts += [(x, y - half), (x, y + half)]
            elif slots[route[j - 1]].rank > slots[i].rank > slots[route[j + 1]].rank:
                pts += [(x, y + half), (x, y - half)]
            else:  # the turn of an edge between two documents of one row: the top of its label
                pts.append((x, y - half))
        if is_directed(r) and members[route[0]] != flow(r)[0]:
            pts.reverse()
        lab = plan[k][2]
        out.append((pts, (slots[lab].x, ys[slots[lab].rank])))
    width = max(s.x + s.width / 2 for s in slots) + PAD
    height = ys[-1] + (NODE_H if kinds[-1] == "node" else LABEL_H) / 2 + PAD
    return [(node_x[i], ys[slots[i].rank]) for i in range(n)], out, width, height


def _edge_text(r: Relation) -> str:
    src, dst = flow(r)
    return f"{r.type}{'?' if undirected(r) else ''} · {_pct(coverage(r, src))}/{_pct(coverage(r, dst))}"


def layout(fam: Family, docs: Mapping[str, Document], rels: Sequence[Relation], anchors: Mapping[str, str],
           hrefs: Mapping[str, str] | None = None) -> Graph | None:
    """The family's graph; each node links to ``hrefs[id]`` (default: ``#`` and its anchor).
    None when no member is among ``docs``."""
    members = [m for m in fam.documents if m in docs]
    if not members:
        return None
    layer = layers(members, fam.origin, rels)
    drawn = [r for r in rels if r.a in layer and r.b in layer and r.a != r.b]
    heads = {m: f"{m} · {docs[m].lang}" + (" · origin" if m == fam.origin else "") for m in members}
    titles = {m: short(docs[m].title or "", NODE_TITLE_CHARS) for m in members}
    widths = [max(NODE_W, HEAD_CHAR_W * len(heads[m]) + 2 * NODE_PAD, TITLE_CHAR_W * len(titles[m]) + 2 * NODE_PAD)
              for m in members]
    centres, routes, width, height = _arrange(members, widths, layer, drawn)
    graph = Graph(fam.id, width, height, NODE_H)
    graph.edges = [_edge(r, pts, lab) for r, (pts, lab) in zip(drawn, routes, strict=True)]
    for m, (x, y), w in zip(members, centres, widths, strict=True):
        d = docs[m]
        graph.nodes.append(Node(
            doc=m, anchor=anchors[m], href=hrefs[m] if hrefs else "#" + anchors[m],
            classes=" ".join(["node"] + (["origin"] if m == fam.origin else []) + (["rtl"] if is_rtl(d.lang) else [])),
            x=x, y=y, left=x - w / 2, top=y - NODE_H / 2, width=w, head=heads[m], title=titles[m],
            rtl=is_rtl(d.lang), lang=lang_tag(d.lang), tip=" · ".join(v for v in (m, d.lang, d.title, d.date) if v)))
    return graph
