"""The help: every key as bound now, its binding id, what it does and who may use it.

Keys this console's role may not use are dimmed, not left out: the help is also
where a facilitator learns what the evaluator's console can do.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tabletop.core.roles import ROLES, Role
from tabletop.tui.keys.bindings import HELP_BINDINGS
from tabletop.tui.keys.reference import KeySection

REBOUND = "*"
"""Marks keys the user's keymap set."""
WIDE = 100
"""From this many columns on, who may use a key has a column of its own."""


def who_may(roles: tuple[Role, ...] | None) -> str:
    """Nothing for a key every role may use, else the roles (or the one left out)."""
    if roles is None:
        return ""
    left_out = [role for role in ROLES if role not in roles]
    return f"all but {left_out[0]}" if len(left_out) == 1 else ", ".join(roles)


def section_table(section: KeySection, role: Role, read_only: bool, *, wide: bool) -> Table:
    """One screen's keys; every section has the same column widths, so they line up.
    Narrow, who may use a key goes under what it does."""
    table = Table(title=section.title, title_justify="left", title_style="bold",
                  expand=True, box=None, padding=(0, 1), header_style="dim")
    table.add_column("keys", width=12 if wide else 10)
    table.add_column("binding id", no_wrap=True, width=19)
    table.add_column("what it does", ratio=1)
    if wide:
        table.add_column("who may use it", width=22)
    for row in section.rows:
        usable = row.usable_by(role, read_only)
        keys = " / ".join(row.keys) + (REBOUND if row.rebound else "")
        who = Text(who_may(row.roles), style="italic" if usable else "dim italic")
        does = Text(row.does, style="" if usable else "dim")
        if not wide and who:
            does.append_text(Text("\nmay use: ", style=who.style) + who)
        cells = [
            Text(keys, style="bold" if usable else "dim"),
            Text(row.binding_id or "(fixed)", style="" if usable else "dim"),
            does,
        ]
        table.add_row(*cells, *([who] if wide else []))
    return table


def intro_text(role: Role, read_only: bool, keymap_file: Path | None, rebound: bool) -> Text:
    text = Text()
    text.append(f"This console: {role}{', read-only' if read_only else ''}. ", style="bold")
    text.append("Dimmed keys are for other roles; this console does not offer them.\n")
    if keymap_file is None:
        text.append("No keymap file is read.")
    else:
        text.append("To change a key, name its binding id in ")
        text.append(str(keymap_file), style="bold")
        text.append(', e.g. deliver-next = "n,f5"')
        if rebound:
            text.append(f"; {REBOUND} marks keys it set.")
        else:
            text.append("." if keymap_file.is_file() else " (there is none yet).")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = HELP_BINDINGS
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 110; max-width: 100%; height: 90%; border: thick $accent;
        background: $surface; padding: 0 1;
    }
    HelpScreen #help-intro { margin-bottom: 1; }
    HelpScreen .help-section { margin-bottom: 1; }
    """

    def __init__(
        self,
        sections: Sequence[KeySection],
        *,
        role: Role,
        read_only: bool = False,
        keymap_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.sections = list(sections)
        self.role = role
        self.read_only = read_only
        self.keymap_file = keymap_file
        self.wide = True

    def compose(self) -> ComposeResult:
        self.wide = self.app.size.width >= WIDE
        rebound = any(row.rebound for section in self.sections for row in section.rows)
        with Vertical() as box:
            box.border_title = "Help: every key and its binding id"
            box.border_subtitle = "escape or q closes"
            with VerticalScroll(id="help-keys"):
                yield Static(intro_text(self.role, self.read_only, self.keymap_file, rebound),
                             id="help-intro")
                for section in self.sections:
                    yield Static(section_table(section, self.role, self.read_only,
                                               wide=self.wide), classes="help-section")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-keys").focus()  # arrows and page keys scroll

    def on_resize(self, event: events.Resize) -> None:
        if (event.size.width >= WIDE) != self.wide:
            self.refresh(recompose=True)

    def action_close(self) -> None:
        self.dismiss(None)
