"""Minimal visual reordering of bidirectional text for terminals that do not do bidi.

A terminal draws code points left to right in the order it receives them, so Arabic shows
backwards unless the text is put into visual order first. This is a small subset of the Unicode
Bidirectional Algorithm (UAX #9) for one paragraph per line with no explicit embeddings: strong
R/L runs, numbers kept left-to-right (W4, W5, W7), neutrals resolved between runs (N1, N2),
trailing whitespace at paragraph level (L1), reversal by level (L2) and bracket mirroring (L4).
It does not shape letters (terminals show Arabic in isolated or terminal-shaped forms).
"""

from __future__ import annotations

import unicodedata

_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))


def _classes(line: str) -> list[str]:
    """One of R (right-to-left), L, D (number), N (neutral) per code point."""
    out: list[str] = []
    raw = [unicodedata.bidirectional(ch) for ch in line]
    for b in raw:
        if b in ("R", "AL"):
            c = "R"
        elif b == "L":
            c = "L"
        elif b in ("EN", "AN"):
            c = "D"
        elif b == "NSM":  # a mark takes the class of what it marks (W1)
            c = out[-1] if out else "N"
        else:
            c = "N"
        out.append(c)
    # W4: a single separator between two digits is part of the number ("2,000", "4.5", "15:30").
    for i in range(1, len(line) - 1):
        if raw[i] in ("CS", "ES") and out[i - 1] == "D" and out[i + 1] == "D":
            out[i] = "D"
    # W5: terminators next to a number join it ("50%", "$20").
    for i in range(1, len(line)):
        if raw[i] == "ET" and out[i - 1] == "D":
            out[i] = "D"
    for i in range(len(line) - 2, -1, -1):
        if raw[i] == "ET" and out[i + 1] == "D":
            out[i] = "D"
    return out


def base_is_rtl(text: str) -> bool:
    """Direction of the first strong character (P2, P3); left-to-right when there is none."""
    for ch in text:
        b = unicodedata.bidirectional(ch)
        if b in ("R", "AL"):
            return True
        if b == "L":
            return False
    return False


def _visual_line(line: str, rtl: bool) -> str:
    if not line:
        return line
    cls = _classes(line)
    base = "R" if rtl else "L"
    # W7: a number whose preceding strong is L is left-to-right text.
    prev_strong = base
    for i, c in enumerate(cls):
        if c in ("R", "L"):
            prev_strong = c
        elif c == "D" and prev_strong == "L":
            cls[i] = "L"
    # N1/N2: neutrals between two runs of one direction take it (numbers count as R), else base.
    n = len(cls)
    i = 0
    while i < n:
        if cls[i] != "N":
            i += 1
            continue
        j = i
        while j < n and cls[j] == "N":
            j += 1
        before = base if i == 0 else ("R" if cls[i - 1] == "D" else cls[i - 1])
        after = base if j == n else ("R" if cls[j] == "D" else cls[j])
        fill = before if before == after else base
        for k in range(i, j):
            cls[k] = fill
        i = j
    base_level = 1 if rtl else 0
    if rtl:
        levels = [1 if c == "R" else 2 for c in cls]
    else:
        levels = [0 if c == "L" else 1 if c == "R" else 2 for c in cls]
    # L1: trailing whitespace goes back to the paragraph level.
    k = n - 1
    while k >= 0 and line[k].isspace():
        levels[k] = base_level
        k -= 1
    chars = list(line)
    for idx, lv in enumerate(levels):  # L4: mirrored glyphs in right-to-left runs
        if lv % 2:
            chars[idx] = _MIRROR.get(chars[idx], chars[idx])
    # L2: from the highest level down to the lowest odd one, reverse every run at or above it.
    order = list(range(n))
    top = max(levels)
    low_odd = min(lv for lv in levels if lv % 2) if any(lv % 2 for lv in levels) else top + 1
    for lv in range(top, low_odd - 1, -1):
        i = 0
        while i < n:
            if levels[order[i]] < lv:
                i += 1
                continue
            j = i
            while j < n and levels[order[j]] >= lv:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    return "".join(chars[idx] for idx in order)


def visual(text: str, rtl: bool | None = None) -> str:
    """``text`` in display order, line by line; ``rtl`` forces the paragraph direction."""
    return "\n".join(_visual_line(line, base_is_rtl(line) if rtl is None else rtl)
                     for line in text.split("\n"))
