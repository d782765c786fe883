"""Arabic in display order, for terminals that do not apply bidi themselves.

A terminal draws code points left to right in the order it receives them, so Arabic shows
backwards unless the text is put into visual order first. python-bidi does that (the Unicode
Bidirectional Algorithm, UAX #9). Its pure-Python ``bidi.algorithm`` is used rather than the
Rust wrapper at the top level because only it mirrors brackets and guillemets in right-to-left
runs (rule L4): a terminal draws glyphs as received, so "(داعش)" must arrive mirrored to still
enclose. Letters are not shaped (terminals show Arabic in isolated or terminal-shaped forms).
HTML never needs this: browsers reorder, and the pages only mark direction (report/direction.py).
"""

from __future__ import annotations

from bidi.algorithm import get_display


def visual(text: str, rtl: bool | None = None) -> str:
    """``text`` in display order, each line a paragraph of its own; ``rtl`` forces the paragraph
    direction (by default, that of the line's first strong character)."""
    base = None if rtl is None else ("R" if rtl else "L")
    return "\n".join(get_display(line, base_dir=base) if line else line for line in text.split("\n"))
