"""Turn pydantic's validation errors into located, readable problems.

Pydantic reports locations in model terms (with union tags such as
``'inject'`` or ``"literal['all']"``); we map them back onto the YAML data so
that each problem names the key path an author sees and its line and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from tabletop.authoring.model import FILE_MODELS, Strict
from tabletop.authoring.yamlsource import Document
from tabletop.core.problems import KeyPath, Problem, did_you_mean, excerpt
from tabletop.core.timefmt import DATETIME_PATTERN, DURATION_PATTERN, OFFSET_PATTERN

_PATTERN_HINTS = {
    OFFSET_PATTERN: "is not a story offset; write e.g. '+30m', '+2h15m', '+04:30' or '+1d 04:30'",
    DURATION_PATTERN: "is not a duration; write e.g. '3h', '2h30m' or '45m'",
    DATETIME_PATTERN: "is not a date and time with a zone; write e.g. '2026-03-14T06:00:00Z'",
}


def _all_models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    stack: list[type[BaseModel]] = list(FILE_MODELS.values())
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.append(model)
        stack.extend(c for c in Strict.__subclasses__() if c not in seen)
        stack.extend(c for c in model.__subclasses__() if c not in seen)
    return seen


_KEYSETS: list[frozenset[str]] = []


def _keysets() -> list[frozenset[str]]:
    if not _KEYSETS:
        for model in _all_models():
            _KEYSETS.append(
                frozenset(info.alias or name for name, info in model.model_fields.items())
            )
    return _KEYSETS


def allowed_keys(siblings: Iterable[str]) -> set[str]:
    """Keys of every model whose fields include all the given sibling keys."""
    present = set(siblings)
    out: set[str] = set()
    for keys in _keysets():
        if present <= keys:
            out |= keys
    return out


def data_path(data: Any, loc: tuple[int | str, ...]) -> KeyPath:
    """Keep the parts of a pydantic loc that address the data; drop union tags."""
    path: list[int | str] = []
    node = data
    for n, part in enumerate(loc):
        last = n == len(loc) - 1
        if part in ("inject", "use") and len(path) >= 2 and path[-2] == "injects":
            continue  # the tag pydantic adds for the inline-or-library union
        if _addresses(node, part):
            path.append(part)
            node = node[part]
        elif last and isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a missing key
    return tuple(path)


def _addresses(node: Any, part: int | str) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _is_tag(part: str) -> bool:
    return "[" in part or part in ("inject", "use") or part.startswith("function-")


def _message(error: Any, doc: Document, path: KeyPath) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        parent = _node(doc.data, path[:-1])
        siblings = [k for k in parent if k != key] if isinstance(parent, dict) else []
        return f"unknown key '{excerpt(key)}'" + did_you_mean(key, allowed_keys(siblings))
    if kind == "missing":
        return f"missing required key '{path[-1] if path else '?'}'"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        hint = ""
        if isinstance(value, str):
            options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
            hint = did_you_mean(value, options)
        return f"'{excerpt(value)}' is not allowed here; expected {expected}{hint}"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        hint = _PATTERN_HINTS.get(pattern, "")
        if hint:
            return f"'{excerpt(value)}' {hint}"
        if "[a-z0-9]" in pattern and "/" in pattern:
            return f"'{excerpt(value)}' is not a checklist item reference ('checklist-id/item-id')"
        if "[a-z0-9]" in pattern:
            return (
                f"'{excerpt(value)}' is not a valid id "
                "(lowercase letters, digits, '-' and '_', up to 64)"
            )
        return f"'{excerpt(value)}' does not match the expected pattern"
    if kind in ("string_type", "int_type", "int_parsing", "float_type", "float_parsing"):
        wanted = {"string_type": "text"}.get(kind, "a number")
        extra = " (quote it to make it text)" if kind == "string_type" else ""
        return f"expected {wanted}, got {_type_name(value)} '{excerpt(value)}'{extra}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys, got {_type_name(value)}"
    if kind == "list_type":
        return f"expected a list, got {_type_name(value)}"
    if kind == "too_short":
        need = error.get("ctx", {}).get("min_length", 1)
        return f"needs at least {need} {'entry' if need == 1 else 'entries'}"
    return str(error["msg"])


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _node(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def problems_from(exc: ValidationError, doc: Document) -> list[Problem]:
    by_path: dict[KeyPath, Problem] = {}
    union_paths: dict[KeyPath, int] = {}
    for error in exc.errors():
        loc = tuple(error["loc"])
        path = data_path(doc.data, loc)
        is_union = any(isinstance(p, str) and "[" in p for p in loc)
        if is_union:
            union_paths[path] = union_paths.get(path, 0) + 1
        if path in by_path:
            continue
        by_path[path] = doc.problem(path, _message(error, doc, path))
    for path, count in union_paths.items():
        if count > 1 and path and path[-1] == "to":
            value = _node(doc.data, path)
            by_path[path] = doc.problem(
                path, f"'{excerpt(value)}' must be 'all' or a list of team ids"
            )
    return list(by_path.values())
