"""The console's footer: Textual's, rebuilt only when what it shows has changed.

Textual's :class:`~textual.widgets.Footer` recomposes, removing and mounting a
widget per key, every time the screen announces that its bindings may have
changed: on each focus change, screen resume and keymap change, usually with
the very same keys as before. On the console that is several rebuilds while it
opens, each restyling and relaying out the screen. This footer compares what it
would show with what it shows and skips the identical rebuilds.

Narrow, the footer leaves the palette and the help to the header, which names
their keys: the console's own keys need the whole width.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # private, like Textual's own use; pinned <9

NAMED_IN_THE_HEADER = frozenset({"help"})
"""Actions a narrow footer leaves out, as it leaves out the palette's key."""


class ConsoleFooter(Footer):
    _composed: Hashable = None
    """What the children were composed from (see :meth:`_shows`)."""

    def _shows(self) -> Hashable:
        """Everything :meth:`Footer.compose` reads to build the children."""
        if not self._bindings_ready:
            return None
        app = self.app
        active = self.screen.active_bindings
        keys = tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for (_, binding, enabled, tooltip) in active.values()
            if binding.show
        )
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, tooltip = found
                palette = (binding, enabled, tooltip, app.get_key_display(binding))
        return keys, palette, self.show_command_palette

    def compose(self) -> ComposeResult:
        # Textual's footer starts empty and fills in when the screen first
        # announces its bindings; the console's are known already, so the keys
        # are composed with the rest of the screen, and that announcement finds
        # nothing to change.
        self._bindings_ready = True
        self._composed = self._shows()
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                if not self.show_command_palette and widget.action in NAMED_IN_THE_HEADER:
                    continue
                # A key adds this class itself, but only once mounted, which
                # styles it (and its parts) a second time; a key is compact
                # like the footer, or by default when the footer does not say.
                compact = self.compact or widget.has_class("-command-palette")
                widget.set_class(compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        if self.is_attached and self._composed is not None and self._shows() == self._composed:
            return
        await super().recompose()
