"""A family's graph: documents in layers from the origin down, relations as curved edges.

This module only computes the geometry (plain data); the ``svg`` macro of templates/graph.html
draws it, in the corpus report and on the web app's family page.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sourcetrace.records import Document, Family, Relation
from sourcetrace.relate.lineage import is_directed, undirected
from sourcetrace.report.direction import is_rtl, lang_tag
from sourcetrace.report.templating import short

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 190, 48, 44, 96, 24
NODE_TITLE_CHARS = 28

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
    label_x: float
    label_y: float


@dataclass
class Graph:
    family: str
    width: float
    height: float
    node_width: int
    node_height: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The unordered pair (a, b) as a key."""
    return (a, b) if a <= b else (b, a)


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
    """Layer of each member: its distance from the origin along directed relations.

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
    layer = {r: 0 for r in roots}
    todo = list(roots)
    while todo:  # breadth first: the shortest distance wins
        nxt: list[str] = []
        for m in todo:
            for d in sorted(down.get(m, ())):
                if d not in layer:
                    layer[d] = layer[m] + 1
                    nxt.append(d)
        todo = nxt
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


def _clip(cx: float, cy: float, tx: float, ty: float) -> tuple[float, float]:
    """Where the segment from a node's centre towards (tx, ty) leaves the node's box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    t = min((NODE_W / 2 + 3) / abs(dx) if dx else math.inf, (NODE_H / 2 + 3) / abs(dy) if dy else math.inf)
    return cx + dx * t, cy + dy * t


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


def _positions(members: list[str], layer: Mapping[str, int], rels: Sequence[Relation]
               ) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Centre of each node, and the graph's width and height."""
    rows: dict[int, list[str]] = defaultdict(list)
    for m in members:
        rows[layer[m]].append(m)
    # Order each row by the mean position of its neighbours above, to keep edges from crossing.
    pos: dict[str, float] = {}
    for lv in sorted(rows):
        def key(m: str) -> tuple[float, int]:
            ups = [pos[n] for r in rels for n in (r.a, r.b) if m in (r.a, r.b) and n != m and n in pos]
            return (sum(ups) / len(ups) if ups else math.inf, members.index(m))
        rows[lv].sort(key=key)
        for i, m in enumerate(rows[lv]):
            pos[m] = i
    widest = max(len(r) for r in rows.values())
    width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X
    height = PAD * 2 + (max(rows) + 1) * NODE_H + max(rows) * GAP_Y
    xy: dict[str, tuple[float, float]] = {}
    for lv, row in rows.items():
        row_w = len(row) * NODE_W + (len(row) - 1) * GAP_X
        x0 = (width - row_w) / 2
        for i, m in enumerate(row):
            xy[m] = (x0 + i * (NODE_W + GAP_X) + NODE_W / 2, PAD + lv * (NODE_H + GAP_Y) + NODE_H / 2)
    return xy, width, height


def _edge(r: Relation, xy: Mapping[str, tuple[float, float]], layer: Mapping[str, int], nth: int) -> Edge:
    directed = is_directed(r)
    src, dst = flow(r)
    (x1, y1), (x2, y2) = xy[src], xy[dst]
    # Bend an edge that would run along its row or through a row of nodes, and every second
    # edge of one pair, so that edges and labels do not sit on top of each other.
    span = abs(layer[dst] - layer[src])
    bend = (40 if span != 1 else 0) + 34 * nth
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    length = math.hypot(x2 - x1, y2 - y1) or 1
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length
    cx, cy = mx + nx * bend, my + ny * bend
    sx, sy = _clip(x1, y1, cx, cy)
    ex, ey = _clip(x2, y2, cx, cy)
    colour = TYPE_COLOURS.get(r.type, TYPE_COLOURS["related"]) if directed else TYPE_COLOURS["related"]
    # A directed type without a source is drawn without an arrowhead, and said in words.
    unknown = undirected(r)
    how = f"{r.type}, direction unknown" if unknown else r.type
    tip = (f"{src} {'→' if directed else '~'} {dst}: {how}; covers {_pct(coverage(r, src))} of {src}, "
           f"{_pct(coverage(r, dst))} of {dst}; score {r.score:.2f}, {r.passages} passages")
    return Edge(classes=f"edge {'directed' if directed else 'related'} t-{re.sub(r'[^a-z-]', '', r.type)}",
                d=f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}", colour=colour, dashed=not directed,
                tip=tip, arrow=_arrowhead(cx, cy, ex, ey) if directed else None,
                label=f"{r.type}{'?' if unknown else ''} · {_pct(coverage(r, src))}/{_pct(coverage(r, dst))}",
                label_x=0.25 * sx + 0.5 * cx + 0.25 * ex, label_y=0.25 * sy + 0.5 * cy + 0.25 * ey + 4)


def layout(fam: Family, docs: Mapping[str, Document], rels: Sequence[Relation], anchors: Mapping[str, str],
           hrefs: Mapping[str, str] | None = None) -> Graph | None:
    """The family's graph; each node links to ``hrefs[id]`` (default: ``#`` and its anchor).
    None when no member is among ``docs``."""
    members = [m for m in fam.documents if m in docs]
    if not members:
        return None
    layer = layers(members, fam.origin, rels)
    xy, width, height = _positions(members, layer, rels)
    graph = Graph(fam.id, width, height, NODE_W, NODE_H)
    seen_pairs: Counter[tuple[str, str]] = Counter()
    for r in rels:
        if r.a not in xy or r.b not in xy or r.a == r.b:
            continue
        key = pair_key(*flow(r))
        graph.edges.append(_edge(r, xy, layer, seen_pairs[key]))
        seen_pairs[key] += 1
    for m in members:
        d = docs[m]
        x, y = xy[m]
        origin = m == fam.origin
        graph.nodes.append(Node(
            doc=m, anchor=anchors[m], href=hrefs[m] if hrefs else "#" + anchors[m],
            classes=" ".join(["node"] + (["origin"] if origin else []) + (["rtl"] if is_rtl(d.lang) else [])),
            x=x, y=y, left=x - NODE_W / 2, top=y - NODE_H / 2, head=f"{m} · {d.lang}" + (" · origin" if origin else ""),
            title=short(d.title or "", NODE_TITLE_CHARS), rtl=is_rtl(d.lang), lang=lang_tag(d.lang),
            tip=" · ".join(v for v in (m, d.lang, d.title, d.date) if v)))
    return graph
