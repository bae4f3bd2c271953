"""Reading and writing the user's files safely: one bounded reader, one safe writer.

Every command that writes a file the user named (a report, an export, a new
session from an import) goes through :func:`write_output`, and every file we
read whole goes through :func:`read_bounded`. The rules they enforce:

* a session file is never overwritten, whatever name, symlink or hard link
  reaches it;
* a FIFO or a character device (``/dev/null``, ``/dev/stdout``) is written to
  as a stream, never replaced; a socket, a folder or a block device is refused;
* a regular file is replaced atomically (a temporary file with an
  unpredictable name, made with ``O_EXCL`` in the same folder, then renamed),
  so a failure never leaves half a file;
* reads stop at a size limit, also for pipes and FIFOs, which have no size.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
SESSION_APPLICATION_ID = 0x54544F50  # "TTOP", at offset 68 of the SQLite header
_CHUNK = 1 << 20


class UnsafeOutput(Exception):
    """The target cannot be written without harm; ``str()`` is one line for people."""


class TooLarge(Exception):
    """An input went past its size limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"it is larger than the limit of {limit:,} bytes")
        self.limit = limit


def reason(exc: OSError) -> str:
    """An OS error as the few words people need (no errno numbers, no repr)."""
    return exc.strerror or str(exc)


# ------------------------------------------------------------------ reading


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a file, pipe or FIFO, refusing (TooLarge) past ``limit`` bytes.

    Raises OSError as the system reports it (missing, a folder, no permission).
    A FIFO that no program writes to reads as empty instead of waiting forever.
    """
    # Opened non-blocking, so that opening a FIFO does not wait for a writer;
    # then blocking again, so that reads wait for the data a writer sends.
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        os.set_blocking(fd, True)
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise TooLarge(limit)
        parts: list[bytes] = []
        total = 0
        while True:
            part = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not part:
                return b"".join(parts)
            parts.append(part)
            total += len(part)
            if total > limit:
                raise TooLarge(limit)
    finally:
        os.close(fd)


def is_session_file(path: Path) -> bool:
    """Whether ``path`` (followed if a symlink) holds a tabletop session's header."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        head = os.pread(fd, 72, 0)
    except OSError:
        return False
    finally:
        os.close(fd)
    return (
        head.startswith(SQLITE_HEADER)
        and len(head) >= 72
        and int.from_bytes(head[68:72], "big") == SESSION_APPLICATION_ID
    )


# ------------------------------------------------------------------ writing


def write_output(target: Path, data: bytes | str, *, protect: Iterable[Path] = ()) -> None:
    """Write ``data`` to the file the user named, by the rules in the module docstring.

    ``protect`` names files that must not be the target: the session a report
    is made from first, then the files beside it. They are compared by
    identity (device and inode) and by real path, so no name reaches them.
    Raises UnsafeOutput for a target refused on purpose, OSError when the
    system refuses.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    protect = list(protect)
    real = os.path.realpath(target)
    for n, other in enumerate(protect):
        # By name too: a file beside the session that does not exist yet (its
        # WAL, its lock) must not be created by us either.
        if real == os.path.realpath(other):
            if n == 0:
                raise UnsafeOutput(f"{target} is the session file itself; refusing to overwrite it")
            raise UnsafeOutput(
                f"{target} belongs to the session {protect[0]}; refusing to write it"
            )
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        if os.path.islink(target):
            raise UnsafeOutput(
                f"{target} is a symbolic link to a file that does not exist; "
                "name the file itself"
            ) from None
        info = None
    if info is not None:
        _refuse_unsafe(target, info, protect)
        if not stat.S_ISREG(info.st_mode):
            _write_stream(target, payload)
            return
        _replace_atomically(Path(real), payload, mode=stat.S_IMODE(info.st_mode))
        return
    _create_new(target, payload)


def create_exclusively(target: Path, data: bytes) -> None:
    """Write a new file; never replaces anything (FileExistsError if the name is taken)."""
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "a file with this name already exists", str(target))
    _create_new(target, data)


def copy_new(source: Path, target: Path) -> None:
    """Copy a regular file to a new name; never replaces anything (FileExistsError
    if the name is taken) and never follows a link at ``source`` itself."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "a file with this name already exists", str(target))
    with os.fdopen(os.open(source, flags), "rb") as reading:
        if not stat.S_ISREG(os.fstat(reading.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(source))
        fd, temp = temporary_beside(target)
        try:
            with os.fdopen(fd, "wb", closefd=True) as writing:
                while part := reading.read(_CHUNK):
                    writing.write(part)
                writing.flush()
                os.fchmod(writing.fileno(), _default_mode())
                os.fsync(writing.fileno())
            link_new(temp, target)
        finally:
            with contextlib.suppress(OSError):
                temp.unlink()
    fsync_folder(target.parent)


def _refuse_unsafe(target: Path, info: os.stat_result, protect: Iterable[Path]) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise UnsafeOutput(f"{target} is a folder")
    if stat.S_ISSOCK(mode):
        raise UnsafeOutput(f"{target} is a socket; name a file, a FIFO or '-'")
    if stat.S_ISBLK(mode):
        raise UnsafeOutput(f"{target} is a block device; refusing to write to it")
    for other in protect:
        with contextlib.suppress(OSError):
            theirs = os.stat(other)
            if (theirs.st_dev, theirs.st_ino) == (info.st_dev, info.st_ino):
                raise UnsafeOutput(
                    f"{target} is the session file itself; refusing to overwrite it"
                )
    if stat.S_ISREG(mode) and is_session_file(target):
        raise UnsafeOutput(f"{target} is a session file; refusing to overwrite it")


def _write_stream(target: Path, payload: bytes) -> None:
    """A FIFO or character device: written to as it is, never replaced."""
    try:
        # Non-blocking open: a FIFO that nobody reads fails at once instead of hanging.
        fd = os.open(target, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise UnsafeOutput(f"{target} is a FIFO that no program is reading") from None
        raise
    try:
        os.set_blocking(fd, True)
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)


def temporary_beside(target: Path) -> tuple[int, Path]:
    """A new file with an unpredictable name in the target's folder (O_EXCL, O_NOFOLLOW)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        temp = target.with_name(f".{target.name[:80]}.{os.urandom(8).hex()}.tmp")
        try:
            return os.open(temp, flags, 0o600), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target))


def _fill(fd: int, payload: bytes, mode: int) -> None:
    with os.fdopen(fd, "wb", closefd=True) as handle:
        handle.write(payload)
        handle.flush()
        os.fchmod(handle.fileno(), mode)
        os.fsync(handle.fileno())


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _replace_atomically(target: Path, payload: bytes, *, mode: int) -> None:
    fd, temp = temporary_beside(target)
    try:
        _fill(fd, payload, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_folder(target.parent)


def _create_new(target: Path, payload: bytes) -> None:
    fd, temp = temporary_beside(target)
    try:
        _fill(fd, payload, _default_mode())
        link_new(temp, target)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    fsync_folder(target.parent)


def link_new(source: Path, target: Path) -> None:
    """Give ``source`` the name ``target``; fails (FileExistsError) rather than replace.

    A hard link never follows a symlink planted at ``target`` and never
    replaces it. Where the file system has no hard links, a rename after a
    check is the fallback.
    """
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "a file with this name already exists",
                                  str(target)) from None
        os.rename(source, target)


def fsync_folder(folder: Path) -> None:
    """Make a new or renamed name durable (best effort: some systems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
