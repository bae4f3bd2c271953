"""Rate checklist items for one team: met, partially met, not met, not applicable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from tabletop.core.vocabulary import RATING_LABELS, RATINGS
from tabletop.session.state import SessionState
from tabletop.tui.screens.form import error_message
from tabletop.tui.widgets.fields import FieldInput

MARKS = {"met": "✓", "partial": "◐", "not_met": "✗", "na": "–"}

SaveRating = Callable[[str, str, str], None]
"""(item ref, rating, note) -> None; raises when nothing could be recorded."""


def item_label(state: SessionState, team: str, ref: str) -> Text:
    rating = state.ratings.get((team, ref))
    mark = MARKS.get(rating.rating, "?") if rating else "·"
    word = RATING_LABELS.get(rating.rating, rating.rating) if rating else "unrated"
    item = state.scenario.item_by_ref[ref][1]
    text = Text(f"{mark} {word:<14} ", style="bold" if rating else "")
    text.append(f"{ref}: {item.text}")
    return text


class RatingScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save rating", id="rating-save", priority=True,
                tooltip="Record the rating for the highlighted item"),
        Binding("escape", "close", "Close", id="rating-close", tooltip="Close the ratings"),
    ]
    DEFAULT_CSS = """
    RatingScreen { align: center middle; }
    RatingScreen > Vertical {
        width: 110; max-width: 100%; height: 90%; border: thick $accent;
        background: $surface; padding: 0 1;
    }
    RatingScreen OptionList { height: 1fr; }
    RatingScreen Label { margin-top: 1; text-style: bold; }
    RatingScreen #rating-error { color: $error; text-style: bold; height: auto; }
    """

    def __init__(
        self, state: SessionState, team: str, items: Sequence[str], on_save: SaveRating
    ) -> None:
        super().__init__()
        self.state = state
        self.team = team
        self.items = list(items)
        self.on_save = on_save

    def compose(self) -> ComposeResult:
        team = self.state.scenario.team_by_id.get(self.team)
        with Vertical() as box:
            box.border_title = Text(f"Rate checklist items: {team.name if team else self.team}")
            box.border_subtitle = "ctrl+s save · escape close"
            yield OptionList(
                *(Option(item_label(self.state, self.team, ref), id=ref) for ref in self.items),
                id="rating-items",
            )
            yield Label("Rating")
            yield Select(
                [(RATING_LABELS[r], r) for r in RATINGS],
                value="met",
                allow_blank=False,
                id="rating-value",
            )
            yield Label("Note (what you saw)")
            yield FieldInput(placeholder="short note", id="rating-note")
            yield Static("", id="rating-error")
        yield Footer()

    def on_mount(self) -> None:
        items = self.query_one("#rating-items", OptionList)
        items.highlighted = 0 if self.items else None
        items.focus()

    def action_save(self) -> None:
        # Let keys still queued for the focused field (the note) land first.
        (self.focused or self).call_later(self._save)

    def _save(self) -> None:
        items = self.query_one("#rating-items", OptionList)
        error = self.query_one("#rating-error", Static)
        if items.highlighted is None:
            error.update("✗ Highlight an item to rate")
            return
        ref = self.items[items.highlighted]
        rating = self.query_one("#rating-value", Select).value
        note = self.query_one("#rating-note", Input)
        try:
            self.on_save(ref, str(rating), note.value.strip())
        except Exception as exc:  # keep the note; say what went wrong
            error.update(Text(f"✗ {error_message(exc)}"))
            return
        error.update(Text(f"✓ Saved {ref}: {RATING_LABELS.get(str(rating), str(rating))}"))
        items.replace_option_prompt(ref, item_label(self.state, self.team, ref))
        note.value = ""
        if items.highlighted < len(self.items) - 1:
            items.highlighted += 1
        items.focus()

    def action_close(self) -> None:
        self.dismiss(None)
