"""Problems found in authors' files, reported as ``file:line:col: key.path: message``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tabletop.core.safetext import for_terminal

PathPart = str | int
KeyPath = tuple[PathPart, ...]

# An excerpt of the input quoted in a message never exceeds this, so a hostile
# file cannot make the message itself huge.
EXCERPT_LIMIT = 40
LINE_LIMIT = 500
"""A problem line never exceeds this (key paths and excerpts are shortened)."""


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when unknown
    col: int  # 1-based; 0 when unknown
    path: KeyPath
    message: str

    @property
    def dotted_path(self) -> str:
        return dotted(self.path)

    def __str__(self) -> str:
        """One line, at most LINE_LIMIT characters, with every control and
        invisible character in it (a file name, a key, a value) made visible."""
        where = for_terminal(self.file, one_line=True)
        if self.line:
            where += f":{self.line}:{self.col}"
        key = for_terminal(self.dotted_path, one_line=True) or "(document)"
        message = for_terminal(self.message, one_line=True)
        room = LINE_LIMIT - len(where) - len(message) - 4
        if len(key) > max(room, 40):
            key = "…" + key[-(max(room, 40) - 1):]
        line = f"{where}: {key}: {message}"
        return line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"


class ProblemsFound(Exception):
    """Raised when a file cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def dotted(path: Iterable[PathPart]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def excerpt(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", "\\n")
    if len(text) > EXCERPT_LIMIT:
        text = text[: EXCERPT_LIMIT - 1] + "…"
    return text


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` when a close choice exists, else ''."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
