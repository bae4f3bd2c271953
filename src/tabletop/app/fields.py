"""What a form asks for, apart from the form itself (``tabletop.tui.screens.form``).

Kept free of widgets, so the console can describe its forms at start-up and
import the form screen only when one is first opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

FieldKind = Literal["line", "text", "select", "multi"]
Values = dict[str, Any]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind = "line"
    choices: Sequence[tuple[str, str]] = ()
    """(label, value) pairs for 'select' and 'multi'."""
    value: str | Sequence[str] = ""
    """Initial value: text, the selected value, or the values ticked."""
    required: bool = False
    placeholder: str = ""


def error_message(exc: BaseException) -> str:
    """One line a facilitator can act on, whatever went wrong."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return message or type(exc).__name__


CONFIRMED = "confirmed"
"""The key of ``Values`` that holds the questions already answered yes (their keys)."""


class AskFirst(Exception):
    """Saving needs a yes first: the form asks ``question``; on yes it submits the same
    values again with ``key`` added to ``values[CONFIRMED]``; on no it stays open."""

    def __init__(self, key: str, title: str, question: str) -> None:
        super().__init__(question)
        self.key = key
        self.title = title
        self.question = question


def ask_first(values: Values, key: str, title: str, question: str) -> None:
    """Raise :class:`AskFirst` unless ``key`` was already answered yes."""
    if key not in values.get(CONFIRMED, ()):
        raise AskFirst(key, title, question)
