"""One facilitator per session file, enforced with OS locks that a crash cannot leave stale.

Any number of other consoles append beside the facilitator (SQLite serialises
their commits); the lock below says who steers. A console that is not the
facilitator's holds only a :class:`FilePin`, so that it notices when its file
is removed or replaced.

Two ``flock`` locks, both released by the kernel when their holder dies (even
by ``kill -9``), so nothing stale ever blocks anyone:

* on the database file itself, which makes the rule hold per *file*: a second
  writer reaching it through a symlink or a hard link locks the same inode.
  The descriptor stays open until the writer's SQLite connection is closed,
  because closing any descriptor of the database drops the process's POSIX
  locks, which are SQLite's own (``flock`` and POSIX locks are independent);
* on a sidecar ``<session>.lock`` beside the file's real path, into which the
  holder writes who it is, so that a refused writer and the listings can say so.
  The sidecar is opened with ``O_NOFOLLOW`` and must be a regular file: a
  symlink planted there is refused, never followed or truncated.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import getpass
import json
import os
import socket
import stat
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
    name: str = ""
    """The facilitator's name, when they gave one (``--name``)."""

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        where = f"process {self.pid} of {self.user}@{self.host}, since {when}"
        return f"{self.name} ({where})" if self.name else where


def lock_path(session: Path) -> Path:
    """The sidecar of a session: beside the file a symlink points to, not the link."""
    real = Path(os.path.realpath(session))
    return real.with_name(real.name + ".lock")


class LockRefused(OSError):
    """The sidecar's place holds something that is not ours to write (a symlink, a FIFO)."""


class FilePin:
    """An open descriptor of a session file, to tell whether its name still names it.

    It stays open until the console's SQLite connection is closed: closing any
    descriptor of the database drops the process's POSIX locks, SQLite's own.
    """

    def __init__(self, database_fd: int) -> None:
        self._database_fd: int | None = database_fd
        info = os.fstat(database_fd)
        self.identity = (info.st_dev, info.st_ino)
        """Device and inode of the pinned database file."""

    @classmethod
    def open(cls, session: Path) -> FilePin:
        return cls(os.open(session, os.O_RDONLY | os.O_NOCTTY | os.O_CLOEXEC))

    def file_is_in_place(self, session: Path) -> bool:
        """Whether ``session`` still names the pinned file (not removed, not replaced)."""
        if self._database_fd is None:
            return False
        try:
            info = os.stat(session)
            alive = os.fstat(self._database_fd).st_nlink > 0
        except OSError:
            return False
        return alive and (info.st_dev, info.st_ino) == self.identity

    def release(self) -> None:
        if self._database_fd is not None:
            os.close(self._database_fd)
            self._database_fd = None


class WriterLock(FilePin):
    """The facilitator's exclusive, non-blocking lock; ``release`` removes the sidecar."""

    def __init__(self, fd: int, path: Path, database_fd: int) -> None:
        super().__init__(database_fd)
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, session: Path, name: str = "") -> WriterLock:
        """Take the lock or raise ``LockHeld``; raises ``OSError`` if the sidecar can't be made."""
        database_fd = os.open(session, os.O_RDONLY | os.O_NOCTTY | os.O_CLOEXEC)
        try:
            _lock_exclusive(database_fd)
        except BlockingIOError:
            os.close(database_fd)
            raise LockHeld(current_holder(session)) from None
        except OSError:
            os.close(database_fd)
            raise
        try:
            return cls._with_sidecar(session, database_fd, name)
        except BaseException:
            os.close(database_fd)  # also drops its flock
            raise

    @classmethod
    def _with_sidecar(cls, session: Path, database_fd: int, name: str) -> WriterLock:
        path = lock_path(session)
        # The previous holder unlinks the sidecar on release; if we locked a file
        # that was unlinked meanwhile, another process may hold a fresh one: retry.
        for _ in range(20):
            fd = _open_sidecar(path)
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
                if not _is_ours(fd):
                    os.close(fd)
                    raise LockRefused(errno.EEXIST, f"{path} exists and is not tabletop's lock "
                                      "file; move it away (tabletop never overwrites it)")
                _write_holder(fd, name)
                return cls(fd, path, database_fd)
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
        super().release()


def _open_sidecar(path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
                     | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockRefused(errno.ELOOP, f"a symbolic link sits where the lock file {path} "
                              "belongs; remove it (tabletop never follows it)") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockRefused(errno.EINVAL, f"{path} should be tabletop's lock file but is not a "
                          "regular file; remove it")
    os.set_blocking(fd, True)
    return fd


class LockHeld(Exception):
    def __init__(self, holder: Holder | None) -> None:
        self.holder = holder
        super().__init__(holder.describe() if holder else "another process")


def current_holder(session: Path) -> Holder | None:
    """Who holds the writer lock now, or None; never creates a file."""
    try:
        fd = os.open(lock_path(session), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                     | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
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


def _write_holder(fd: int, name: str) -> None:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    info: dict[str, object] = {
        "pid": os.getpid(), "host": socket.gethostname(), "user": user, "since": time.time()
    }
    if name:
        info["name"] = name
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)


def _is_ours(fd: int) -> bool:
    """Empty (just made, or left by a crash mid-write) or a holder record we wrote."""
    raw = os.pread(fd, 4097, 0)
    if not raw:
        return True
    if len(raw) > 4096:
        return False
    try:
        info = json.loads(raw)
    except ValueError:
        return False
    return isinstance(info, dict) and set(info) - {"name"} == {"pid", "host", "user", "since"}


def _read_holder(fd: int) -> Holder | None:
    try:
        raw = os.pread(fd, 4096, 0)
        info = json.loads(raw)
        return Holder(
            int(info["pid"]), str(info["host"]), str(info["user"]), float(info["since"]),
            str(info.get("name", ""))[:80],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
