"""Text from files, sessions and people, made safe to show or to print as JSON.

Scenario text, decisions, file names and stored metadata can carry control
characters: an ESC that repaints the terminal, a bidi override that makes a
line read backwards, a zero-width space that hides a difference. They are
never written raw. Terminals get visible escapes (``\\x1b``, ``<U+202E>``);
JSON gets its own ``\\uXXXX`` escapes, so the data itself is unchanged.
"""

from __future__ import annotations

import errno
import io
import json
import re
from typing import Any, TextIO

INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x7F, 0x9F),  # DEL and the C1 controls (CSI U+009B, NEL U+0085 ...)
    (0x061C, 0x061C),  # Arabic letter mark
    (0x200B, 0x200F),  # zero-width space and joiners, LRM, RLM
    (0x2028, 0x202E),  # line and paragraph separators, bidi embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidi isolates, deprecated formats
    (0xFEFF, 0xFEFF),  # zero-width no-break space (BOM)
)
"""Every code point past the C0 controls that tabletop never shows as it is:
the one list the CLI, JSON, the console and the HTML report all use."""
BIDI_RANGES: tuple[tuple[int, int], ...] = (
    (0x061C, 0x061C), (0x200E, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069),
)
"""The directional marks, embeddings, overrides and isolates among them."""


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


_INVISIBLE = _char_class(INVISIBLE_RANGES)
BIDI = re.compile(f"[{_char_class(BIDI_RANGES)}]")
_JSON_UNSAFE = re.compile(f"[{_INVISIBLE}]")
# Lone surrogates are bytes that were not UTF-8 (a file name, decoded with
# surrogateescape): shown as the byte they stand for, never written raw.
_SURROGATES = "\ud800-\udfff"
_TERMINAL_UNSAFE = re.compile(f"[\u0000-\u0008\u000b-\u001f{_INVISIBLE}{_SURROGATES}]")
_TERMINAL_UNSAFE_LINE = re.compile(f"[\u0000-\u001f{_INVISIBLE}{_SURROGATES}]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"<U+{code:04X}>"


def for_terminal(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control and invisible formatting character made visible.

    Tabs and newlines stay as they are, unless ``one_line`` (a message that
    must stay on its line), when they are escaped too.
    """
    pattern = _TERMINAL_UNSAFE_LINE if one_line else _TERMINAL_UNSAFE
    return pattern.sub(_visible, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """JSON with non-ASCII text kept readable but every control and invisible
    character escaped as ``\\uXXXX``: a terminal or editor shows it safely, and
    a JSON reader gets back exactly the same strings."""
    text = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)
    # These characters can only occur inside JSON strings (its syntax is
    # ASCII), where an escape means the same character.
    return _JSON_UNSAFE.sub(_json_escape, text)


class TerminalSafe(io.TextIOBase):
    """A text stream that passes everything written through :func:`for_terminal`.

    The CLI writes through it, so no message, table or Markdown it prints can
    carry a control character to the terminal, whichever code printed it. JSON
    needs nothing (:func:`json_text` escapes them already); data that must stay
    byte for byte (an HTML report on a pipe) is written to ``buffer``.
    """

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._stream = stream

    @property
    def stream(self) -> TextIO:
        if self._stream is None:  # started with the descriptor closed (`>&-`)
            raise OSError(errno.EBADF, "the output is closed")
        return self._stream

    def write(self, text: str) -> int:
        self.stream.write(for_terminal(text))
        return len(text)

    def flush(self) -> None:
        if self._stream is not None:
            self._stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def buffer(self) -> Any:
        return self.stream.buffer

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding
