"""The Textual apps and the factories that build them (used by the CLI and the tests).

``make_app`` builds the facilitator console over an open writer session;
``make_present_app`` builds the read-only participant view. Neither opens or
creates files: the caller hands in the session and closes what it opened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import BindingType

from tabletop.session.session import Session
from tabletop.tui.console.screen import ConsoleScreen
from tabletop.tui.keys.bindings import APP_BINDINGS, binding_ids
from tabletop.tui.keys.keymap import load_keymap
from tabletop.tui.visible_controls import install as show_controls_visibly

# Before any widget draws: nothing the console or present shows reaches the
# terminal as a control character.
show_controls_visibly()

if TYPE_CHECKING:
    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

    from tabletop.tui.console.palette import ConsoleCommands


def _console_commands() -> type[ConsoleCommands]:
    """The palette's commands, their module imported when the palette first opens."""
    from tabletop.tui.console.palette import ConsoleCommands

    return ConsoleCommands


class ConsoleApp(App[None]):
    """The console of one recorder (the facilitator's by default). Quitting closes
    the session cleanly."""

    TITLE = "tabletop"
    INHERIT_BINDINGS = False
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS
    COMMANDS: ClassVar = {_console_commands}
    COMMAND_PALETTE_DISPLAY = "ctrl+p"

    def __init__(
        self,
        session: Session,
        *,
        where: str,
        notices: Sequence[str] = (),
        keymap_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.console_screen = ConsoleScreen(session, where=where, notices=notices)
        self.keymap_file = keymap_file
        self.user_keymap: dict[str, str] = {}
        """The keys the keymap file set, by binding id (the help shows them)."""
        self.session_closed = False
        self.clock_stopped_at: float | None = None
        """Play seconds at which closing stopped a running clock (None: it was not)."""

    def get_default_screen(self) -> ConsoleScreen:
        # The console is the bottom of the stack: no blank default screen to
        # mount, lay out and render first, then suspend.
        return self.console_screen

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Keys pressed while the console is still loading are kept and run, in
        order, once it is ready: never lost, and never run against widgets that
        are not there yet."""
        screen = self.console_screen
        if default_namespace is screen and not screen.ready:
            screen.defer_action(action)
            return True
        return await super().run_action(action, default_namespace, namespaces)

    def on_mount(self) -> None:
        problems: list[str] = []
        if self.keymap_file is not None:
            result = load_keymap(self.keymap_file, binding_ids())
            if result.keymap:
                self.user_keymap = result.keymap
                self.set_keymap(result.keymap)
            problems = result.problems
        # On the console, where they stay visible; plain text (the file is the user's).
        for problem in problems:
            self.notify(problem, title="Keymap", severity="warning", timeout=10, markup=False)

    def close_session(self) -> None:
        """Stop the play clock, checkpoint and release the session; safe to call twice.

        The clock is paused here, at the moment the console closes: left running,
        a resumed session would roll the play clock back to the last event.
        """
        if not self.session_closed:
            self.session_closed = True
            self.console_screen.stop_following()
            try:
                # Only the facilitator's console steers the clock; the others leave it be.
                recorder = self.session.recorder
                if recorder.is_facilitator and not self.session.read_only \
                        and not self.session.state.paused:
                    self.session.toggle_pause()
                    self.clock_stopped_at = self.session.play_seconds()
            finally:
                self.session.close()

    def action_quit_console(self) -> None:
        try:
            self.close_session()
        except Exception as exc:  # still leave; the journal is already durable
            self.notify(str(exc), severity="error", markup=False)
        self.exit()

    async def action_quit(self) -> None:
        self.action_quit_console()

    def action_help(self) -> None:
        """Open the help over whatever is on screen; the help key again closes it."""
        from tabletop.tui.keys.reference import key_reference
        from tabletop.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(key_reference(self.user_keymap),
                                    role=self.session.recorder.role,
                                    read_only=self.session.read_only,
                                    keymap_file=self.keymap_file))

    def action_command_palette(self) -> None:
        from tabletop.tui.console.palette import ConsolePalette

        # Only over the console itself: opened over a form or another dialog, its
        # commands acted on the console behind (a delivery behind a decision form).
        if self.use_command_palette and self.screen is self.console_screen:
            self.push_screen(ConsolePalette(id="--command-palette"))
        elif not isinstance(self.screen, ConsolePalette):
            self.bell()


class PresentApp(App[None]):
    """The participant view: read-only, follows the consoles live."""

    TITLE = "tabletop present"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self, session: Session, *, team: str | None = None, poll: float = 1.0,
        show_all: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.team = team
        self.poll = poll
        self.show_all = show_all

    def on_mount(self) -> None:
        from tabletop.tui.screens.present import PresentScreen  # not needed by the console

        self.theme = "textual-dark"
        self.push_screen(PresentScreen(self.session, team=self.team, poll=self.poll,
                                       show_all=self.show_all))


def make_app(
    session: Session,
    *,
    where: str | None = None,
    notices: Sequence[str] = (),
    keymap_file: Path | None = None,
) -> ConsoleApp:
    """The console over ``session``; ``where`` is the session's place as shown on screen."""
    shown = where if where is not None else session.location
    return ConsoleApp(session, where=shown, notices=notices, keymap_file=keymap_file)


def make_present_app(
    session: Session, *, team: str | None = None, poll: float = 1.0, show_all: bool = False
) -> PresentApp:
    return PresentApp(session, team=team, poll=poll, show_all=show_all)
