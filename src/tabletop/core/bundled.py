"""Where the bundled library lives: exercises, injects, checklists, frameworks and templates.

Inside the installed package (``tabletop/_bundled``), or the source checkout's
top level. Core, because the report needs the templates and the authoring layer
the library, and neither may import the other.
"""

from __future__ import annotations

import functools
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # src/tabletop, or site-packages/tabletop


@functools.cache
def bundled_dir() -> Path:
    """The bundled library: inside the installed package, or the source checkout."""
    packaged = _PACKAGE / "_bundled"
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parents[1]


def templates_dir() -> Path:
    return bundled_dir() / "templates"
