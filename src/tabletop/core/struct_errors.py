"""msgspec's validation errors, said as people say them.

msgspec reports ``Expected `str` matching regex '^[a-z0-9]…' - at `$.teams[0].id```.
:func:`explain` finds the type at that path and says what it wants instead:
``teams[0].id`` and ``must be an id: lowercase letters, digits, '-' and '_'``.
The resolved scenario and the event payloads share it, so a damaged stored
scenario and a bad event read alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec
import msgspec.inspect as mi

from tabletop.core.problems import did_you_mean, excerpt
from tabletop.core.timefmt import DATETIME_PATTERN, DURATION_PATTERN, OFFSET_PATTERN
from tabletop.core.vocabulary import FILLED_PATTERN, ID_PATTERN, ITEM_REF_PATTERN

_PATTERNS = {
    ID_PATTERN: "an id: lowercase letters, digits, '-' and '_'",
    ITEM_REF_PATTERN: "a checklist item, written checklist-id/item-id",
    FILLED_PATTERN: "text that is not empty",
    OFFSET_PATTERN: "a story offset such as +2h30m or +1d 04:30",
    DURATION_PATTERN: "a duration such as 2h30m or 45m",
    DATETIME_PATTERN: "a date and time with a zone, such as 2026-03-14T06:00Z",
}

_AT = re.compile(r"^(?P<message>.*?)(?: - at `(?P<path>\$[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]*)`$")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<name>[^`]*)`$")
_ENUM = re.compile(r"^Invalid enum value (?P<value>.*)$", re.S)


@dataclass(frozen=True)
class Explained:
    path: str
    """Where, as ``teams[0].id``; empty for the value as a whole."""
    problem: str
    """What is wrong, to follow the path: ``is missing``, ``must be …``."""

    def __str__(self) -> str:
        return f"{self.path} {self.problem}" if self.path else self.problem


def explain(exc: msgspec.MsgspecError, root: Any) -> Explained:
    """One readable line for an error raised decoding or converting to ``root``."""
    found = _AT.match(str(exc))
    message, path = (found["message"], found["path"] or "$") if found else (str(exc), "$")
    steps: list[str | int] = [
        name if name else int(index) for name, index in _STEP.findall(path[1:])
    ]
    if missing := _MISSING.match(message):
        return Explained(_dotted([*steps, missing["name"]]), "is missing")
    if unknown := _UNKNOWN.match(message):
        where = _dotted(steps)
        field = f"unexpected field '{excerpt(unknown['name'])}'"
        return Explained("", f"{where}: {field}" if where else field)
    annotation = _type_at(root, steps)
    wanted = None if annotation is None else mi.type_info(annotation)
    if enum := _ENUM.match(message):
        choices = _choices(annotation)
        value = enum["value"].strip("'")
        if isinstance(wanted, mi.UnionType) and len(choices) < len(wanted.types):
            return Explained(_dotted(steps), f"must be {_want(wanted)}, not '{excerpt(value)}'")
        if choices:
            return Explained(
                _dotted(steps),
                f"must be one of {', '.join(choices)}, not '{excerpt(value)}'"
                + did_you_mean(value, choices),
            )
    filled = isinstance(wanted, mi.StrType) and wanted.pattern == FILLED_PATTERN
    if filled and message.startswith("Expected `str` matching"):
        return Explained(_dotted(steps), "must not be empty")
    if message.startswith("Expected") and isinstance(wanted, mi.LiteralType):
        # In the order the vocabulary gives them (msgspec sorts them).
        return Explained(_dotted(steps), f"must be one of {', '.join(_choices(annotation))}")
    if message.startswith("Expected") and wanted is not None:
        return Explained(_dotted(steps), f"must be {_want(wanted)}")
    return Explained(_dotted(steps), message)


def _dotted(steps: list[str | int]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _type_at(node: Any, steps: list[str | int]) -> Any:
    """The annotation at ``steps`` below ``node`` (kept as written, so that a
    Literal's values keep their order), or None."""
    for step in steps:
        node = _step(node, step)
    return node


def _bare(node: Any) -> Any:
    while get_origin(node) is Annotated:
        node = get_args(node)[0]
    return node


def _step(node: Any, step: str | int) -> Any:
    node = _bare(node)
    origin = get_origin(node)
    if origin in (Union, UnionType):
        for option in get_args(node):
            found = _step(option, step)
            if found is not None:
                return found
        return None
    if isinstance(node, type) and issubclass(node, msgspec.Struct) and isinstance(step, str):
        fields = msgspec.structs.fields(node)
        return next((f.type for f in fields if f.encode_name == step), None)
    if origin in (list, tuple, set, frozenset) and isinstance(step, int):
        return get_args(node)[0]
    if origin is dict:
        return get_args(node)[1]
    return None


def _choices(node: Any) -> list[str]:
    node = _bare(node)
    origin = get_origin(node)
    if origin is Literal:
        return [str(value) for value in get_args(node)]
    if origin in (Union, UnionType):
        return [choice for option in get_args(node) for choice in _choices(option)]
    return []


def _want(node: mi.Type) -> str:
    if isinstance(node, mi.UnionType):
        kinds = [option for option in node.types if not isinstance(option, mi.NoneType)]
        wants = " or ".join(dict.fromkeys(_want(option) for option in kinds))
        return wants + (" or null" if len(kinds) < len(node.types) else "")
    if isinstance(node, mi.StrType):
        if node.pattern is not None:
            return _PATTERNS.get(node.pattern, f"text matching {node.pattern}")
        if node.min_length:
            return "text of at least one character" if node.min_length == 1 else (
                f"text of at least {node.min_length} characters"
            )
        return "text"
    if isinstance(node, mi.IntType | mi.FloatType):
        what = "a whole number" if isinstance(node, mi.IntType) else "a number"
        if node.ge is not None and node.le is not None:
            return f"{what} from {node.ge} to {node.le}"
        if node.ge is not None:
            return f"{what} of at least {node.ge}"
        return what if node.le is None else f"{what} of at most {node.le}"
    if isinstance(node, mi.BoolType):
        return "true or false"
    if isinstance(node, mi.LiteralType):
        if len(node.values) == 1:
            return f"'{node.values[0]}'"
        return "one of " + ", ".join(str(value) for value in node.values)
    if isinstance(node, mi.ListType | mi.VarTupleType):
        least = node.min_length or 0
        entries = "one entry" if least == 1 else f"{least} entries"
        return f"a list of at least {entries}" if least else "a list"
    if isinstance(node, mi.StructType | mi.DictType | mi.TypedDictType | mi.DataclassType):
        return "a mapping of fields"
    return "something else"
