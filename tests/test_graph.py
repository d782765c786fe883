"""The family graph's layout (report/graph.py): layered, every label in a box nothing else overlaps,
no edge across a box."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, dense_family
from sourcetrace.records import Document, Family, Relation
from sourcetrace.report.graph import Graph, layers, layout

TYPES = ["translation", "copy", "derived", "revision", "related"]


def _docs(n: int) -> dict[str, Document]:
    return {f"d{i}": Document(f"d{i}", f"d{i}.txt", 0, 10, "ar" if i % 3 == 2 else "en",
                              title=f"A report of the meeting, number {i}") for i in range(n)}


def _graph(n: int, rels: list[Relation], origin: str | None = "d0") -> Graph:
    docs = _docs(n)
    g = layout(Family("family:d0", list(docs), origin), docs, rels, {d: "a-" + d for d in docs})
    assert g is not None
    return g


def _dense() -> Graph:
    docs, _, rels, fam = dense_family()
    g = layout(fam, docs, rels, {d: d for d in docs})
    assert g is not None
    return g


def _boxes(g: Graph) -> list[tuple[str, tuple[float, float, float, float]]]:
    out = [(f"node {n.doc}", (n.left, n.top, n.left + n.width, n.top + g.node_height)) for n in g.nodes]
    for k, e in enumerate(g.edges):
        cy = e.label_y - 4
        out.append((f"label {k} {e.label}", (e.label_x - e.label_w / 2, cy - e.label_h / 2,
                                             e.label_x + e.label_w / 2, cy + e.label_h / 2)))
    return out


def _curve(d: str, steps: int = 16) -> list[tuple[float, float]]:
    """Points along an edge's path (M, then cubic steps)."""
    nums = [float(v) for v in re.findall(r"-?[\d.]+", d)]
    pts = [(nums[0], nums[1])]
    for k in range(2, len(nums), 6):
        (x0, y0), (x1, y1, x2, y2, x3, y3) = pts[-1], nums[k:k + 6]
        for i in range(1, steps + 1):
            t = i / steps
            a, b, c, e = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            pts.append((a * x0 + b * x1 + c * x2 + e * x3, a * y0 + b * y1 + c * y2 + e * y3))
    return pts


def _edges_through_boxes(g: Graph) -> list[tuple[int, str]]:
    """(edge, box) where an edge runs through a box that is not its own label's."""
    boxes = _boxes(g)
    hits = []
    for k, e in enumerate(g.edges):
        for name, (left, top, right, bottom) in boxes:
            if name.startswith(f"label {k} "):
                continue
            if any(left + 1 < x < right - 1 and top + 1 < y < bottom - 1 for x, y in _curve(e.d)):
                hits.append((k, name))
    return hits


def _overlaps(g: Graph) -> list[tuple[str, str]]:
    boxes = _boxes(g)
    return [(a, b) for i, (a, p) in enumerate(boxes) for b, q in boxes[i + 1:]
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]


def test_a_dense_star_with_sibling_edges_has_no_overlapping_boxes():
    g = _dense()
    assert len(g.edges) == len(dense_family()[2])
    assert _overlaps(g) == []
    assert _edges_through_boxes(g) == []
    for _, (left, top, right, bottom) in _boxes(g):
        assert left >= 0 and right <= g.width and top >= 0 and bottom <= g.height


@st.composite
def families(draw):
    n = draw(st.integers(2, 30))
    rels = [Relation(f"d{draw(st.integers(0, i - 1))}", f"d{i}", draw(st.sampled_from(TYPES)), 0.5, 0.4, 0.8,
                     source=f"d{draw(st.integers(0, i - 1))}" if draw(st.booleans()) else None)
            for i in range(1, n)]  # a tree joins every member ...
    for _ in range(draw(st.integers(0, 2 * n))):  # ... and extra edges, siblings and pairs related twice
        a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        kind = draw(st.sampled_from(TYPES))
        src = draw(st.sampled_from([None, f"d{a}", f"d{b}"])) if kind != "related" else None
        rels.append(Relation(f"d{a}", f"d{b}", kind, 0.5, 0.4, 0.8, source=src))
    rels = [Relation(r.a, r.b, r.type, r.coverage_a, r.coverage_b, r.score,
                     source=r.source if r.source in (r.a, r.b) and r.type != "related" else None) for r in rels]
    return n, rels


@settings(max_examples=40, deadline=None)
@given(families())
def test_no_two_boxes_overlap_and_no_edge_crosses_a_box_in_any_family(fam):
    n, rels = fam
    g = _graph(n, rels)
    assert len(g.nodes) == n
    assert len(g.edges) == sum(r.a != r.b for r in rels)
    assert _overlaps(g) == []
    assert _edges_through_boxes(g) == []


def test_a_report_copying_a_sibling_is_drawn_below_it_and_a_cycle_is_cut():
    rels = [Relation("d0", "d1", "derived", 0.5, 0.5, 0.9, source="d0"),
            Relation("d0", "d2", "derived", 0.5, 0.5, 0.9, source="d0"),
            Relation("d1", "d2", "copy", 0.5, 0.5, 0.9, source="d1"),
            Relation("d2", "d3", "copy", 0.5, 0.5, 0.9, source="d2"),
            Relation("d3", "d1", "copy", 0.5, 0.5, 0.9, source="d3"),  # contradicts d1 → d2 → d3
            Relation("d3", "d4", "related", 0.5, 0.5, 0.5)]
    assert layers([f"d{i}" for i in range(5)], "d0", rels) == {"d0": 0, "d1": 1, "d2": 2, "d3": 3, "d4": 4}


def test_edges_run_from_box_to_box_and_direction_unknown_has_no_arrowhead():
    rels = [Relation("d0", "d1", "translation", 0.9, 0.9, 0.9, source="d0"),
            Relation("d1", "d2", "derived", 0.5, 0.5, 0.9),  # direction unknown
            Relation("d2", "d0", "copy", 0.5, 0.5, 0.9, source="d2")]  # points up
    g = _graph(3, rels)
    nodes = {n.doc: n for n in g.nodes}
    known, unknown, up = g.edges
    assert known.arrow and not known.dashed and known.label == "translation · 90%/90%"
    assert unknown.arrow is None and unknown.dashed and unknown.label.startswith("derived?")
    assert "direction unknown" in unknown.tip
    for e, (src, dst) in ((known, ("d0", "d1")), (up, ("d2", "d0"))):
        pts = [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", e.d)]
        tip = tuple(map(float, e.arrow.split()[0].split(",")))
        assert tip == pts[-1]  # the arrowhead sits at the end of the path
        for (x, y), doc in ((pts[0], src), (pts[-1], dst)):  # both ends just outside their boxes
            n = nodes[doc]
            assert n.left <= x <= n.left + n.width
            assert min(abs(y - n.top), abs(y - n.top - g.node_height)) <= 4


def test_the_layout_is_the_same_in_every_process():
    code = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import test_graph as t; "
            "g = t._dense(); print([(n.x, n.y) for n in g.nodes], [(e.d, e.label_x, e.label_y) for e in g.edges])")
    outs = {subprocess.run([sys.executable, "-c", code, str(ROOT / "src"), str(ROOT / "tests")], check=True,
                           capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert len(outs) == 1
    g = _dense()
    assert outs == {f"{[(n.x, n.y) for n in g.nodes]} {[(e.d, e.label_x, e.label_y) for e in g.edges]}\n"}
