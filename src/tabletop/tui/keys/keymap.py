"""The user's keymap file: binding id -> keys, read from the config folder.

The file is TOML, e.g. ``$XDG_CONFIG_HOME/tabletop/keymap.toml``::

    deliver-next = "n,f5"
    toggle-pause = ["space", "ctrl+space"]

A bad file never stops the console: problems come back as messages and the
default keys stay in force.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class KeymapResult:
    keymap: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def keymap_path(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "tabletop" / "keymap.toml"


def load_keymap(path: Path, known_ids: Iterable[str]) -> KeymapResult:
    """Read ``path`` if it exists; unknown ids and bad values are reported, not fatal."""
    result = KeymapResult()
    if not path.is_file():
        return result
    import tomllib  # only when there is a keymap to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        result.problems.append(f"{path}: cannot read keymap: {exc}")
        return result
    known = set(known_ids)
    for binding_id, value in data.items():
        if binding_id not in known:
            result.problems.append(f"{path}: unknown binding id {binding_id!r}")
            continue
        keys = _keys(value)
        if keys is None:
            result.problems.append(
                f"{path}: {binding_id}: expected a key string or a list of key strings"
            )
            continue
        result.keymap[binding_id] = keys
    return result


def _keys(value: object) -> str | None:
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = [str(v).strip() for v in value]
    else:
        return None
    parts = [part for part in parts if part]
    return ",".join(parts) if parts else None
