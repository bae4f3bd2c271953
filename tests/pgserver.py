"""The PostgreSQL server the store tests run against, when there is one.

CI starts a throwaway server (``.ci/postgres start DIR``) and exports its URL as
``TABLETOP_TEST_POSTGRES``; without it, every test that needs the server skips
and says why. A URL that is set but does not answer is an error, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ENV = "TABLETOP_TEST_POSTGRES"
TLS_ENV = "TABLETOP_TEST_POSTGRES_TLS"


def server_url() -> str:
    url = os.environ.get(ENV)
    if not url:
        pytest.skip(
            f"no PostgreSQL server for the store tests: set {ENV} to a database URL "
            "(`.ci/postgres start DIR` starts one and prints it; CI does)"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: pip install -c constraints.txt -e '.[dev]'")
    return url


def tls_url() -> str:
    """The same server over TCP with TLS, its certificate checked (verify-full)."""
    server_url()
    url = os.environ.get(TLS_ENV)
    if not url:
        pytest.skip(f"no TLS address for the test server: set {TLS_ENV} "
                    "(`.ci/postgres start DIR` writes it to DIR/tls-url when openssl is there)")
    return url


def with_param(url: str, **params: str) -> str:
    extra = "&".join(f"{key}={value}" for key, value in params.items())
    return url + ("&" if "?" in url else "?") + extra


def unique_session(url: str) -> str:
    """A URL naming a new session in the test database. Its connections carry the
    session's name as their application_name, so that a test can cut exactly
    them (:func:`cut`) and never another test's running beside it."""
    name = f"t-{uuid.uuid4().hex[:12]}"
    return with_param(url, session=name, application_name=name)


def cut(url: str, where: str, *args: object) -> int:
    """End the server side of the connections ``where`` picks (a condition on
    pg_stat_activity, with ``%s`` for ``args``), as a dropped network would; how many."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ({where}) "
            "AND pid != pg_backend_pid()", args,
        ).fetchall()
    return len(rows)


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new, empty database on the test server (for tests of the schema itself)."""
    import psycopg

    name = f"tabletop_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    base, _, query = url.partition("?")
    head = base.rsplit("/", 1)[0]
    try:
        yield f"{head}/{name}" + (f"?{query}" if query else "")
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
