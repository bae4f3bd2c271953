"""What can go wrong with a session store, each a one-line message for people."""

from __future__ import annotations

from tabletop.session.store.locking import Holder


class SessionError(Exception):
    """A session file cannot be used; ``str()`` is a one-line message for people."""


class SessionNotFound(SessionError):
    pass


class SessionCorrupt(SessionError):
    pass


class SessionLocked(SessionError):
    def __init__(self, message: str, holder: Holder | None = None) -> None:
        super().__init__(message)
        self.holder = holder


class SessionTooNew(SessionError):
    pass


class SessionWrongExercise(SessionError):
    pass


class JournalWriteError(SessionError):
    pass


class SessionUnreachable(JournalWriteError):
    """The store's server cannot be reached just now (a lost connection, a server
    away): a console says so and keeps going, and tries again."""


class SessionFileGone(JournalWriteError):
    """The open session file no longer has its name: removed, renamed or replaced."""
