"""Where a session lives: a file (SQLite, the embedded default) or a session in a
PostgreSQL database, named by a URL.

``postgresql://host/db?session=NAME``: the ``session`` query parameter names
the session; everything else goes to libpq as it is, so a Unix socket
(``postgresql:///db?host=/run/postgresql&user=u&session=NAME``), TLS options
(``sslmode=verify-full``) and a service (``service=…``) all work. Credentials
belong in libpq's usual places (``PGPASSWORD``, ``~/.pgpass``, ``PGSERVICE``): a
URL holding a password is accepted, with a warning, and shown without it.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

SCHEMES = ("postgresql", "postgres")
SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
"""A session's name in a database: what a file name would be, without the folder."""


@dataclass(frozen=True)
class PostgresLocation:
    conninfo: str
    """The URL as libpq takes it: everything but ``session``."""
    session: str | None
    """The session's name; None where a command names the database only (a listing)."""
    shown: str
    """The URL for messages and listings: the password, if any, masked."""
    has_password: bool

    def __str__(self) -> str:
        return self.shown

    def with_session(self, name: str) -> PostgresLocation:
        check_session_name(name)
        return PostgresLocation(
            self.conninfo, name, _shown(self.conninfo, name), self.has_password
        )

    @property
    def secrets(self) -> list[str]:
        """The password the URL holds, as written and decoded, to keep out of any
        message (libpq's own may quote it)."""
        parts = urllib.parse.urlsplit(self.conninfo)
        found = [v for k, v in urllib.parse.parse_qsl(parts.query) if k == "password"]
        raw = parts.netloc.rpartition("@")[0].partition(":")[2]
        # As written and as libpq decodes it: a message may quote either.
        return [secret for secret in {*found, raw, urllib.parse.unquote(raw)} if secret]

    @property
    def brief(self) -> str:
        """The session and its database in a few words, for a console's header:
        ``exercise-1 in db.example/ops``, or ``exercise-1 in ops`` on this machine's
        socket (the session first: a long URL is cut)."""
        parts = urllib.parse.urlsplit(self.conninfo)
        query = dict(urllib.parse.parse_qsl(parts.query))
        host = parts.hostname or query.get("host") or query.get("service") or ""
        database = parts.path.lstrip("/") or query.get("dbname") or ""
        if not host or host.startswith("/"):  # this machine's socket: its folder says little
            return f"{self.session} in {database}"
        return f"{self.session} in {host}/{database}"

    @property
    def database(self) -> str:
        """The URL of the database alone, for messages (no session, no password)."""
        return _shown(self.conninfo, None)


Location = Path | PostgresLocation


def is_url(text: str) -> bool:
    return text.split(":", 1)[0].lower() in SCHEMES and "://" in text


def parse_location(text: str) -> Location:
    """A path, or a PostgreSQL URL; ValueError (one line) for a URL that cannot be one."""
    return parse_url(text) if is_url(text) else Path(text)


def parse_url(text: str) -> PostgresLocation:
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError("the URL contains control characters")
    parts = urllib.parse.urlsplit(text)
    if parts.fragment:
        raise ValueError("a PostgreSQL URL has no '#' part")
    try:
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False)
    except ValueError as exc:
        raise ValueError(f"the URL's query cannot be read: {exc}") from None
    sessions = [value for key, value in query if key == "session"]
    if len(sessions) > 1:
        raise ValueError("the URL names more than one session (session=… twice)")
    session = sessions[0] if sessions else None
    if session is not None:
        check_session_name(session)
    rest = [(key, value) for key, value in query if key != "session"]
    conninfo = _url(parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(rest, safe="/"))
    has_password = parts.password is not None or any(key == "password" for key, _ in rest)
    return PostgresLocation(conninfo, session, _shown(conninfo, session), has_password)


def check_session_name(name: str) -> None:
    if not SESSION_NAME.fullmatch(name):
        raise ValueError(
            f"session={name[:40]!r} is not a session name: up to 100 letters, digits, "
            "'.', '-' and '_', starting with a letter or digit"
        )


def _shown(conninfo: str, session: str | None) -> str:
    """The URL without its password, with the session named last."""
    parts = urllib.parse.urlsplit(conninfo)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        name = user.split(":", 1)[0]
        netloc = f"{name}:***@{host}"
    query = [
        (key, "***" if key == "password" else value)
        for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    ]
    if session is not None:
        query.append(("session", session))
    # Readable, not escaped: '/' in host=/run/postgresql stays '/'.
    shown_query = "&".join(f"{key}={value}" for key, value in query)
    return _url(parts.scheme, netloc, parts.path, shown_query)


def _url(scheme: str, netloc: str, path: str, query: str) -> str:
    """urlunsplit drops the '//' of an empty host, which libpq needs (a Unix socket)."""
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def password_warning(location: Location) -> str | None:
    """What to tell a user who put a password in a URL: ``ps`` and shell history show it."""
    if isinstance(location, PostgresLocation) and location.has_password:
        return (
            "the URL holds a password, which other users can read in `ps` and shell "
            "history; put it in PGPASSWORD, ~/.pgpass or a PGSERVICE entry instead"
        )
    return None
