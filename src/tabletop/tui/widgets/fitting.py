"""Fitting text into a narrow column so that neighbours stay distinguishable."""

from __future__ import annotations

from rich.cells import cell_len

ELLIPSIS = "…"


def shorten_middle(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, cut in the middle: "Frigates leave port"
    and "Frigates stay in port" differ at the end, which cutting the end would hide."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    room = width - 1
    head_room = (room + 1) // 2
    head = _fit(text, head_room)
    tail = _fit(text[::-1], room - cell_len(head))[::-1]
    return head.rstrip() + ELLIPSIS + tail.lstrip()


def _fit(text: str, width: int) -> str:
    """The longest start of ``text`` in at most ``width`` cells."""
    out = []
    used = 0
    for char in text:
        size = cell_len(char)
        if used + size > width:
            break
        out.append(char)
        used += size
    return "".join(out)


def shorten_title(title: str, width: int) -> str:
    """A title in ``width`` cells: a short label before a colon ("SITREP: …") goes
    first when the room is short, as branches often share it, then the middle."""
    if cell_len(title) > width:
        label, colon, rest = title.partition(": ")
        if colon and rest and cell_len(label) <= 12:
            title = rest
    return shorten_middle(title, width)
