"""TMX 1.4b: one translation unit per cross-language passage, written by translate-toolkit.

Each ``<tu>`` has ``tuid`` (its number), ``srclang`` (the source side's language) and the props
``x-kind`` and ``x-score``; each ``<tuv>`` has ``xml:lang`` and the props ``x-document``,
``x-start`` and ``x-end`` (its span of the file's text, DESIGN.md's offsets), then the exact
text in ``<seg>``. The header's ``srclang`` is the units' source language, or ``*all*`` when
they have several. translate-toolkit is imported here only: it is an optional dependency (see
pyproject.toml's ``tmx`` extra).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from lxml import etree

from sourcetrace.export.bitext import Segment, Unit
from sourcetrace.export.tables import ExportError


def write(units: Iterable[Unit], out: BinaryIO) -> int:
    """Write the units as a TMX document to ``out``; returns how many."""
    try:
        from translate.storage.tmx import tmxfile
    except ImportError as exc:
        raise ExportError("tmx needs translate-toolkit: pip install 'sourcetrace[tmx]'") from exc

    units = list(units)
    srclangs = {u.source.lang for u in units}
    store = tmxfile(sourcelanguage=srclangs.pop() if len(srclangs) == 1 else "*all*")
    for n, u in enumerate(units, 1):
        tu = store.addsourceunit(u.source.text, u.source.lang)
        tu.settarget(u.target.text, u.target.lang, append=True)
        tu.xmlelement.set("tuid", str(n))
        tuvs = tu.getlanguageNodes()
        # The DTD's order: a <tu>'s props before its <tuv>s, a <tuv>'s props before its <seg>.
        for at, (name, value) in enumerate((("x-kind", u.kind), ("x-score", f"{u.score:.4f}"))):
            tu.xmlelement.insert(at, _prop(tu.namespaced("prop"), name, value))
        for tuv, seg in zip(tuvs, (u.source, u.target), strict=True):
            for at, (name, value) in enumerate(_located(seg)):
                tuv.insert(at, _prop(tu.namespaced("prop"), name, value))
    store.serialize(out)
    return len(units)


def _located(seg: Segment) -> tuple[tuple[str, str], ...]:
    return ("x-document", seg.doc), ("x-start", str(seg.start)), ("x-end", str(seg.end))


def _prop(tag: str, name: str, value: str) -> etree._Element:
    prop = etree.Element(tag)
    prop.set("type", name)
    prop.text = value
    return prop
