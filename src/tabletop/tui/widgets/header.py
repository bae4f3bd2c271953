"""The header: the handling marking as a bar everyone can see, then the title."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tabletop.tui.widgets.fitting import shorten_middle


class MarkingBar(Static):
    """The handling marking, e.g. TLP:AMBER, in a bar across the top (and the bottom)."""

    DEFAULT_CSS = """
    MarkingBar {
        width: 1fr;
        height: 1;
        background: $warning;
        color: $background;
        text-style: bold;
        content-align: center middle;
    }
    """

    def __init__(self, marking: str, *, id: str | None = None) -> None:
        super().__init__(f"■ {marking} ■", id=id, markup=False)
        self.marking = marking


class ExerciseHeader(Vertical):
    """Marking bar, exercise title and where the session is saved."""

    DEFAULT_CSS = """
    ExerciseHeader { height: 2; }
    ExerciseHeader > Horizontal { height: 1; background: $panel; }
    ExerciseHeader #title { width: 1fr; text-style: bold; padding: 0 1; }
    ExerciseHeader #where {
        width: auto; max-width: 60%; color: $text-muted; padding: 0 1; text-wrap: nowrap;
    }
    ExerciseHeader #where.-lost { color: $error; text-style: bold; }
    ExerciseHeader #palette-hint { width: auto; display: none; text-style: bold; padding: 0 1; }
    """

    def __init__(self, title: str, marking: str, where: str, *, keep: int = 0) -> None:
        """``keep`` is how many characters at the end of ``where`` must stay whole
        (who is at the console): the place before them is cut in the middle."""
        super().__init__()
        self._title = title
        self._marking = marking
        self._where = where
        self._keep = keep

    def _fitted(self) -> str:
        room = int(self.size.width * 0.6) - 2  # #where's max-width, less its padding
        if room <= 0 or len(self._where) <= room:
            return self._where
        place, kept = self._where[: len(self._where) - self._keep], self._where[
            len(self._where) - self._keep :]
        return shorten_middle(place, max(room - len(kept), 8)) + kept

    def on_resize(self) -> None:
        where = self.query_one("#where", Static)
        if not where.has_class("-lost"):
            where.update(self._fitted())

    def compose(self) -> ComposeResult:
        yield MarkingBar(self._marking)
        with Horizontal():
            yield Static(self._title, id="title", markup=False)
            yield Static(self._where, id="where", markup=False)
            yield Static("? help  ^p commands", id="palette-hint", markup=False)

    def show_connection(self, trouble: str | None) -> None:
        """Say, where the session's place is shown, that its server is out of reach
        (None: it is back)."""
        where = self.query_one("#where", Static)
        where.update(f"⚠ {trouble}" if trouble else self._fitted())
        where.set_class(trouble is not None, "-lost")
