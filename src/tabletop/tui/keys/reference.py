"""The key reference the help lists: every key as bound now (the user's keymap
applied), its binding id, what it does, and which roles may use it.

Plain data, built without a screen, so tests can read it as the help shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import format_key

from tabletop.core.roles import ROLES, Role
from tabletop.session import events as ev
from tabletop.session.permissions import may_record
from tabletop.tui.keys.bindings import KEY_GROUPS, every_binding

RECORDS: dict[str, type[ev.Payload]] = {
    "deliver-next": ev.InjectDelivered,
    "record-decision": ev.DecisionRecorded,
    "rate": ev.ItemRated,
    "toggle-pause": ev.ClockPaused,
    "hotwash": ev.HotwashEntry,
    "record-observation": ev.ObservationRecorded,
    "rating-met": ev.ItemRated,
    "rating-partial": ev.ItemRated,
    "rating-not-met": ev.ItemRated,
    "rating-na": ev.ItemRated,
    "rating-save": ev.ItemRated,
    "hotwash-entry": ev.HotwashEntry,
    "hotwash-action": ev.ImprovementAction,
    "hotwash-objective": ev.ObjectiveRated,
}
"""What a key records, by binding id: a role that may not record it has no use for
the key, and the console hides it (the main screen's, as ConsoleScreen.check_action)."""
STAFF_ONLY: frozenset[str] = frozenset({"history", "evaluation"})
"""Keys a scribe's console does not offer (the history names every team's injects)."""

_NAMES = {"enter": "enter", "escape": "esc", "tab": "tab"}
"""Key names the help spells out where Textual's footer shows a symbol."""


@dataclass(frozen=True)
class KeyRow:
    keys: tuple[str, ...]
    """As shown, e.g. ("?", "f1")."""
    binding_id: str | None
    """None for a key of Textual's own, which no keymap rebinds."""
    does: str
    roles: tuple[Role, ...] | None = None
    """The roles that may use it; None for every role."""
    records: bool = False
    rebound: bool = False
    """The user's keymap set its keys."""

    def usable_by(self, role: Role, read_only: bool) -> bool:
        if self.records and read_only:
            return False
        return self.roles is None or role in self.roles


@dataclass(frozen=True)
class KeySection:
    title: str
    rows: tuple[KeyRow, ...]


def key_display(key: str) -> str:
    """A key name as a person reads it: ``question_mark`` is ``?``, ``ctrl+s`` stays."""
    *modifiers, name = key.strip().split("+")
    return "+".join([*modifiers, _NAMES.get(name) or format_key(name)])


def bound_keys(binding: Binding, keymap: Mapping[str, str]) -> tuple[str, ...]:
    """``binding``'s keys now: the keymap's for its id, else its own."""
    keys = keymap.get(binding.id or "") or binding.key
    return tuple(key_display(key) for key in keys.split(",") if key.strip())


def keys_for(binding_id: str, keymap: Mapping[str, str]) -> tuple[str, ...]:
    """The keys bound now to the binding with ``binding_id`` (none if no such binding)."""
    found = next((b for b in every_binding() if b.id == binding_id), None)
    return () if found is None else bound_keys(found, keymap)


def roles_for(binding_id: str) -> tuple[Role, ...] | None:
    """The roles that may use the key, or None if every role may."""
    if binding_id in STAFF_ONLY:
        return tuple(role for role in ROLES if role != "scribe")
    needs = RECORDS.get(binding_id)
    if needs is None:
        return None
    return tuple(role for role in ROLES if may_record(role, needs))


def _row(binding: Binding, keymap: Mapping[str, str]) -> KeyRow:
    binding_id = binding.id or ""
    return KeyRow(
        keys=bound_keys(binding, keymap),
        binding_id=binding.id,
        does=binding.tooltip or binding.description,
        roles=roles_for(binding_id),
        records=binding_id in RECORDS,
        rebound=binding_id in keymap,
    )


def palette_section(keymap: Mapping[str, str]) -> KeySection:
    """The command palette's own keys: Textual's, without ids, so fixed."""
    from textual.command import CommandPalette

    rows = [
        KeyRow(tuple(key_display(k) for k in b.key.split(",")), None, b.description)
        for b in CommandPalette.BINDINGS
        if isinstance(b, Binding)
    ]
    rows.append(KeyRow(("enter",), None, "Run the highlighted command"))
    opens = " / ".join(keys_for("command-palette", keymap))
    return KeySection(f"Command palette ({opens}: every command, by name)", tuple(rows))


def key_reference(keymap: Mapping[str, str]) -> list[KeySection]:
    """Every screen's keys, in the order of KEY_GROUPS, then the palette's."""
    sections = [
        KeySection(title, tuple(_row(b, keymap) for b in bindings if isinstance(b, Binding)))
        for title, bindings in KEY_GROUPS
    ]
    return [*sections, palette_section(keymap)]
