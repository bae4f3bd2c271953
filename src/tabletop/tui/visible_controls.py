"""Control and invisible characters in anything the console draws become visible.

Scenario text, decisions, team names and file names reach the screen through
many widgets. An ESC among them would reach the terminal raw (Rich and
Textual drop only BEL, BS, VT, FF and CR), and a bidi override would reverse a
line on the projector. One mechanism covers every widget: the translation
tables that Rich's ``Text`` and Textual's ``Content`` apply to all text they are
given. Each unsafe character becomes one visible one (a C0 control its
Unicode control picture, such as ␛; anything else �), so the spans that
style the text stay where they were. The CLI shows the same characters as
escapes (``tabletop.core.safetext``); here one column per character is what
keeps the layout right.

Both tables are private: Textual is pinned exactly, and
``tests/tui/test_visible_controls.py`` fails if either moves.
"""

from __future__ import annotations

import rich.control
import textual.content

from tabletop.core.safetext import INVISIBLE_RANGES

_REPLACEMENT = "\ufffd"


def glyphs() -> dict[int, str]:
    """Each unsafe code point (the C0 controls but tab and newline, and the CLI's
    own list) and the single character it is shown as."""
    table = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
    for first, last in INVISIBLE_RANGES:
        table.update({code: _REPLACEMENT for code in range(first, last + 1)})
    table[0x7F] = "\u2421"  # ␡
    return table


def install() -> None:
    """Make every later Text and Content show unsafe characters (idempotent).

    What the libraries already delete (BEL, BS, VT, FF, CR) stays deleted.
    """
    tables: list[dict[int, str | None]] = [
        rich.control._CONTROL_STRIP_TRANSLATE,  # type: ignore[list-item]
        textual.content._CONTROL_STRIP_TRANSLATE,  # type: ignore[list-item]
    ]
    for table in tables:
        for code, glyph in glyphs().items():
            table.setdefault(code, glyph)
