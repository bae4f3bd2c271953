"""One writer per session file, enforced with an OS lock that a crash cannot leave stale.

The lock is ``flock`` on a sidecar ``<session>.lock`` file, not on the
database itself: closing any extra descriptor of the database would drop
SQLite's own POSIX locks. The kernel releases an ``flock`` when its holder
dies, even by ``kill -9``, so a stale sidecar file never blocks anyone. The
holder writes who it is into the sidecar so that a refused writer can say so.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Holder:
    """Who holds a session's writer lock."""

    pid: int
    host: str
    user: str
    since: float

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        return f"process {self.pid} of {self.user}@{self.host}, since {when}"


def lock_path(session: Path) -> Path:
    return session.with_name(session.name + ".lock")


class WriterLock:
    """An exclusive, non-blocking writer lock; ``release`` removes the sidecar file."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, session: Path) -> WriterLock:
        """Take the lock or raise ``LockHeld``; raises ``OSError`` if the sidecar can't be made."""
        path = lock_path(session)
        # The previous holder unlinks the sidecar on release; if we locked a file
        # that was unlinked meanwhile, another process may hold a fresh one: retry.
        for _ in range(20):
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                _lock_exclusive(fd)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise LockHeld(holder) from None
            except OSError:
                os.close(fd)
                raise
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                _write_holder(fd)
                return cls(fd, path)
            os.close(fd)
        raise LockHeld(None)

    def release(self) -> None:
        if self._fd is None:
            return
        # Unlink while still holding the lock, so nobody can lock the old inode
        # and believe it is current.
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None


class LockHeld(Exception):
    def __init__(self, holder: Holder | None) -> None:
        self.holder = holder
        super().__init__(holder.describe() if holder else "another process")


def current_holder(session: Path) -> Holder | None:
    """Who holds the writer lock now, or None; never creates a file."""
    try:
        fd = os.open(lock_path(session), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd) or Holder(0, "?", "?", 0.0)
        except OSError:
            return None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _lock_exclusive(fd: int) -> None:
    # A few quick retries: `current_holder` (used by listings) takes a shared
    # lock for an instant, which must not turn away a real writer.
    for attempt in range(4):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if attempt == 3:
                raise
            time.sleep(0.02)


def _write_holder(fd: int) -> None:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    info = {"pid": os.getpid(), "host": socket.gethostname(), "user": user, "since": time.time()}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)


def _read_holder(fd: int) -> Holder | None:
    try:
        raw = os.pread(fd, 4096, 0)
        info = json.loads(raw)
        return Holder(int(info["pid"]), str(info["host"]), str(info["user"]), float(info["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
