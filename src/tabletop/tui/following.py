"""The messages a screen gets when another console has appended to its session."""

from __future__ import annotations

from textual.message import Message


class Followed(Message):
    """Another console appended: read what is new (posted from the follower's thread;
    ``post_message`` is thread-safe, and the handler runs on the app's own loop)."""


class StoreReach(Message):
    """The session's store went out of reach (``trouble`` says how) or came back (None)."""

    def __init__(self, trouble: str | None) -> None:
        super().__init__()
        self.trouble = trouble


class StateChanged(Message):
    """The console has applied new events to the session state: a screen shown over
    it redraws what it shows of that state."""

    bubble = False
