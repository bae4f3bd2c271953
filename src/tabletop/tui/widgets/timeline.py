"""The timeline: phases and injects, each with its state, for any number of injects.

A Line API widget: only the rows on screen are ever rendered, and after a step
only the rows whose state changed are refreshed, so a 5,000-inject scenario
costs no more per keystroke than a 5-inject one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tabletop.session.state import InjectState, SessionState
from tabletop.tui.keys.bindings import TIMELINE_BINDINGS
from tabletop.tui.widgets.fitting import shorten_title

Signature = tuple[str, bool, int | None, bool, bool]

# Glyphs carry the state without colour; exceptional states also get a word.
GLYPHS = {
    "pending": "○",
    "delivered": "●",
    "held": "‖",
    "skipped": "⊘",
    "skipped-branch": "⤳",
}
WORDS = {
    "held": "HELD",
    "skipped": "skipped",
    "skipped-branch": "branch not taken",
}
LEGEND = "●done ›next ‖held ⊘skip ⤳branch ★new"


class Row(NamedTuple):  # a frozen dataclass would take ~1 ms more to define at start-up
    kind: str
    """'phase' or 'inject'."""
    key: str


WEEK = timedelta(days=7)


def story_time_format(state: SessionState) -> str:
    """``%H:%M`` for a one-day story; with the weekday when it spans days; with the
    date too when it spans more than a week, where a weekday names two days and
    "Thu 09:00" after "Fri 09:30" would read as out of order."""
    story_time_of = state.scenario.story_time_of
    days = [story_time_of(s.inject).date() for s in state.injects.values()]
    span = max(days) - min(days) if days else timedelta(0)
    if span >= WEEK:
        return "%a %d %b %H:%M"
    return "%a %H:%M" if span else "%H:%M"


NARROW_ROW = 32
"""Rows narrower than this show the story time in a shorter form, leaving room for
the title."""
NARROW_FORMATS = {"%a %d %b %H:%M": "%d.%m %H:%M", "%a %H:%M": "%a %H:%M"}


class Timeline(ScrollView, can_focus=True):
    """Phases and injects in timeline order, with a cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--phase",
        "timeline--cursor",
        "timeline--current",
        "timeline--delivered",
        "timeline--muted",
        "timeline--held",
    }
    DEFAULT_CSS = """
    Timeline { background: $surface; overflow-x: hidden; }
    Timeline > .timeline--phase { background: $primary-muted; text-style: bold; }
    Timeline > .timeline--cursor { background: $accent; color: $text; text-style: bold; }
    Timeline > .timeline--current { text-style: bold reverse; }
    Timeline > .timeline--delivered { color: $text; }
    Timeline > .timeline--muted { color: $text-muted; text-style: strike; }
    Timeline > .timeline--held { color: $warning; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = TIMELINE_BINDINGS

    class Viewed(Message):
        """The user asked to see an inject (enter or click)."""

        def __init__(self, inject_id: str) -> None:
            super().__init__()
            self.inject_id = inject_id

    def __init__(
        self, state: SessionState, phase_label: Callable[[str], str], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.state = state
        self.phase_label = phase_label
        self.rows: list[Row] = []
        self.row_of: dict[str, int] = {}
        self.phase_rows: dict[str, list[int]] = {}
        self.cursor = 0
        self._signatures: dict[str, Signature] = {}
        self._marked: tuple[str | None, str | None] = (None, None)
        """The current and the next inject at the last sync."""
        self._read = 0
        """How far ``state.changed`` has been read."""
        self.border_title = "Timeline"
        self.border_subtitle = LEGEND
        self.time_format = "%H:%M"
        """Rows carry the weekday when the story spans days, and the date when it
        spans more than a week (set by :meth:`rebuild`)."""
        self._pass: tuple[Style, str | None] | None = None
        """The base style and the next inject, while a pass renders rows."""

    # ----------------------------------------------------------- structure

    def rebuild(self) -> None:
        """Lay out the rows again; needed only when injects are added."""
        rows: list[Row] = []
        last_phase: str | None = None
        for inject_id in self.state.order:
            inject_state = self.state.injects.get(inject_id)
            if inject_state is None:
                continue
            phase = inject_state.inject.phase
            if phase != last_phase:
                rows.append(Row("phase", phase))
                last_phase = phase
            rows.append(Row("inject", inject_id))
        self.rows = rows
        # An unscripted inject written after a jump can stretch the story's span.
        self.time_format = story_time_format(self.state)
        self.row_of = {row.key: n for n, row in enumerate(rows) if row.kind == "inject"}
        self.phase_rows = {}
        for n, row in enumerate(rows):
            if row.kind == "phase":
                self.phase_rows.setdefault(row.key, []).append(n)
        upcoming = self._upcoming()
        self._signatures = {key: self._signature(key, upcoming) for key in self.row_of}
        self._marked = (self.state.current_inject, upcoming)
        self._read = len(self.state.changed)
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        # Only the height is virtual: rows are cut to the width, never scrolled
        # sideways. Leaving the width out means that no resize changes the
        # virtual size, and so none lays out the whole screen once more.
        self.virtual_size = Size(0, len(rows))
        self.refresh()

    def sync(self) -> None:
        """Refresh the rows whose state changed since the last call."""
        if len(self.row_of) != len(self.state.injects):
            self.rebuild()
            return
        upcoming = self._upcoming()
        # Only these rows can differ: injects whose state changed since the last
        # call, and the rows marked current or next, before and after.
        changed = self.state.changed
        keys = {*changed[self._read :], *self._marked, self.state.current_inject, upcoming}
        self._read = len(changed)
        self._marked = (self.state.current_inject, upcoming)
        for key in keys:
            if key is None or key not in self.row_of:
                continue
            signature = self._signature(key, upcoming)
            if self._signatures.get(key) != signature:
                self._signatures[key] = signature
                self.refresh_line(self.row_of[key])

    def refresh_phase(self, phase_id: str) -> None:
        """Redraw a phase's header (its actual play time moves every second)."""
        for n in self.phase_rows.get(phase_id, ()):
            self.refresh_line(n)

    def _upcoming(self) -> str | None:
        upcoming = self.state.next_inject()
        return upcoming.inject.id if upcoming else None

    def _signature(self, key: str, upcoming: str | None) -> Signature:
        s = self.state.injects[key]
        return (
            s.status,
            s.unscripted,
            s.play_minute,
            key == self.state.current_inject,
            key == upcoming,
        )

    # -------------------------------------------------------------- cursor

    @property
    def cursor_inject(self) -> str | None:
        if not self.rows:
            return None
        row = self.rows[self.cursor]
        return row.key if row.kind == "inject" else None

    def move_to(self, inject_id: str) -> None:
        if inject_id in self.row_of:
            self._set_cursor(self.row_of[inject_id])

    def _set_cursor(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        old, self.cursor = self.cursor, index
        self.refresh_line(old)
        self.refresh_line(index)
        top = round(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        if index < top:
            self.scroll_to(y=max(0, index - 1), animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 2, animate=False)

    def action_cursor(self, step: int) -> None:
        self._set_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(1, self.size.height - 1))

    def action_edge(self, end: int) -> None:
        self._set_cursor(len(self.rows) - 1 if end else 0)

    def action_view(self) -> None:
        if self.cursor_inject:
            self.post_message(self.Viewed(self.cursor_inject))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:  # on the border
            return
        self._set_cursor(round(self.scroll_y) + offset.y)
        self.action_view()

    # ----------------------------------------------------------- rendering

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every row of one pass shares is worked out once for the pass:
        # the widget's own style walks all its ancestors.
        self._pass = (self.rich_style, self._upcoming())
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def render_line(self, y: int) -> Strip:
        base, upcoming = self._pass or (self.rich_style, self._upcoming())
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        if row.kind == "phase":
            text, style = self._phase_text(row.key), self._style("timeline--phase")
        else:
            text, style = self._inject_text(self.state.injects[row.key], upcoming, width)
        if index == self.cursor and self.has_focus:
            style = style + self._style("timeline--cursor")
        elif index == self.cursor:
            style = style + Style(underline=True)
        text.truncate(width, overflow="ellipsis", pad=True)
        text.stylize(style)
        segments = list(text.render(self.app.console))
        return Strip(segments).crop_extend(0, width, base + style).simplify()

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component, partial=True)

    def _phase_text(self, phase_id: str) -> Text:
        phase = self.state.scenario.phase_by_id.get(phase_id)
        title = phase.title if phase else phase_id
        return Text(f"━ {title}  {self.phase_label(phase_id)}")

    def _inject_text(
        self, s: InjectState, upcoming: str | None, width: int
    ) -> tuple[Text, Style]:
        inject = s.inject
        current = inject.id == self.state.current_inject
        glyph = "▶" if current else GLYPHS.get(s.status, "?")
        if upcoming == inject.id:
            glyph = "›"
        story = self.state.scenario.story_time_of(inject).strftime(
            NARROW_FORMATS.get(self.time_format, self.time_format) if width < NARROW_ROW
            else self.time_format
        )
        text = Text(f"{glyph} {story} ")
        if s.unscripted:
            text.append("★ ")
        word = WORDS.get(s.status)
        suffix = f" [{word}]" if word else ""
        # Cut from the middle: branches often differ only at the end of their titles.
        room = width - text.cell_len - cell_len(suffix)
        if room < 12:  # a narrow column: the glyph says it, the title needs the room
            suffix, room = "", width - text.cell_len
        room = max(room, 6)
        text.append(shorten_title(inject.title, room))
        text.append(suffix)
        if current:
            return text, self._style("timeline--current")
        if s.status in ("skipped", "skipped-branch"):
            return text, self._style("timeline--muted")
        if s.status == "held":
            return text, self._style("timeline--held")
        if s.status == "delivered":
            return text, self._style("timeline--delivered")
        return text, Style()

    def on_focus(self) -> None:
        self.refresh_line(self.cursor)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor)
