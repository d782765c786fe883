"""How passage kinds are shown: a colour each, a CSS class each, and the order of the legend."""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup

from sourcetrace.relate.coverage import KINDS

KIND_COLOURS: dict[str, str] = {
    "verbatim": "#f4a3a3",
    "near-verbatim": "#f7c98b",
    "paraphrase": "#f3ec8a",
    "translation": "#9fd8a8",
    "translated-paraphrase": "#9cc7ef",
}
OTHER_COLOUR = "#d3b8ea"


def kind_class(kind: str) -> str:
    """The kind's CSS class; kinds come from stages, so keep them to a safe alphabet."""
    return "k-" + (re.sub(r"[^a-z0-9-]+", "-", kind.lower()) or "unknown")


def legend_kinds(kinds: Iterable[str] = ()) -> list[str]:
    """The canonical kinds in display order, then any others among ``kinds``."""
    return [*KINDS, *[k for k in kinds if k not in KINDS]]


def kind_css(kinds: Iterable[str] = ()) -> Markup:
    """Background colour rules for the canonical kinds and any others in ``kinds``.

    Safe to inline into <style>: class names are reduced to [a-z0-9-] and colours are ours.
    """
    return Markup("\n".join(f".{kind_class(k)} {{ background:{KIND_COLOURS.get(k, OTHER_COLOUR)}; }}"
                            for k in legend_kinds(kinds)))
