"""The hot wash: strengths and areas for improvement per objective, and the
improvement actions (the improvement plan's columns) that come out of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tabletop.app.forms import FormSpec
from tabletop.core.vocabulary import OBJECTIVE_RATING_LABELS
from tabletop.session.state import ObservationState, SessionState
from tabletop.tui.keys.bindings import HOTWASH_BINDINGS

FormFactory = Callable[[], FormSpec]


OBSERVED = {"strength": "+ observed   ", "improvement": "- observed   "}


def _about(state: SessionState, o: ObservationState, objective: str | None) -> bool:
    """An observation belongs under its objective, else under the first objective its
    item evaluates, else under 'General'."""
    owner = next((x.id for x in state.scenario.objectives if x.concerns(o.objective, o.item)),
                 None)
    return owner == objective


def hotwash_text(state: SessionState) -> Text:
    text = Text()
    live = state.live_observations()
    groups: list[tuple[str | None, str]] = [(o.id, o.text) for o in state.scenario.objectives]
    groups.append((None, "General (no single objective)"))
    for objective, title in groups:
        entries = [e for e in state.hotwash if e.objective == objective]
        observed = [o for o in live if _about(state, o, objective)]
        override = state.objective_overrides.get(objective) if objective else None
        if objective is None and not entries and not observed:
            continue
        text.append(f"{objective or '—'}: {title}\n", style="bold underline")
        if override is not None:
            label = OBJECTIVE_RATING_LABELS.get(override.rating, override.rating)
            text.append(f"  rated {label} ({override.reason})\n", style="italic")
        if not entries and not observed:
            text.append("  nothing recorded yet\n", style="italic")
        for o in observed:  # the evaluators' observations: what the hot wash starts from
            mark = OBSERVED.get(o.kind, "· observed   ")
            team = f" [{o.team}]" if o.team else ""
            text.append(f"  {mark}  #{o.number} {o.text}{team}\n", style="dim")
        for entry in entries:
            mark = "+ strength   " if entry.kind == "strength" else "- improvement"
            team = f" [{entry.team}]" if entry.team else ""
            text.append(f"  {mark}  {entry.text}{team}\n")
    text.append("\nIMPROVEMENT ACTIONS\n", style="bold underline")
    if not state.actions:
        text.append("  none yet\n", style="italic")
    for action in state.actions:
        item = f" ({action.item})" if action.item else ""
        text.append(f"  • {action.action}{item}\n    ")
        who = ", POC ".join(part for part in (action.organisation, action.poc) if part)
        when = (f"{action.start} to {action.completion}" if action.start and action.completion
                else f"from {action.start}" if action.start
                else f"by {action.completion}" if action.completion else "no dates yet")
        columns = [who or "no organisation yet", when]
        columns += [f"{label} {value}" for label, value in (
            ("element", action.element), ("capability", action.capability),
            ("answers observation", _number(state, action.observation)),
        ) if value]
        text.append(", ".join(columns) + "\n")
    return text


def _number(state: SessionState, seq: int | None) -> str:
    """An observation as people call it (#2), not by its journal seq."""
    found = state.observations.get(seq) if seq is not None else None
    return f"#{found.number}" if found is not None else ""


class HotwashScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = HOTWASH_BINDINGS
    DEFAULT_CSS = """
    HotwashScreen { align: center middle; }
    HotwashScreen > Vertical {
        width: 110; max-width: 100%; height: 90%; border: thick $accent;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, state: SessionState, forms: dict[str, FormFactory]) -> None:
        super().__init__()
        self.state = state
        self.forms = forms

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Hot wash"
            box.border_subtitle = "e entry · a action · o rate objective · escape close"
            with VerticalScroll():
                yield Static(hotwash_text(self.state), id="hotwash-text")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A form this console's role may not fill in has no key."""
        return action != "open" or parameters[:1] == () or parameters[0] in self.forms

    def action_open(self, which: str) -> None:
        from tabletop.tui.screens.form import FormScreen

        if which not in self.forms:
            return
        self.app.push_screen(FormScreen(self.forms[which]()), lambda _saved: self.redraw())

    def redraw(self) -> None:
        self.query_one("#hotwash-text", Static).update(hotwash_text(self.state))

    def action_close(self) -> None:
        self.dismiss(None)
