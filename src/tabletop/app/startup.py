"""Garbage collection around a console's start.

Loading makes many objects and almost no reference cycles, so the cyclic
collector would only scan them again and again (30-70 ms a pass). It is paused
while loading; then what is alive (modules, the scenario, the journal), which
lives as long as the console, is frozen out of later collections.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while loading: it makes many objects and
    almost no reference cycles, so the collector would only re-scan them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def freeze_survivors() -> None:
    """Keep what loading left alive out of every later collection. Loading leaves
    only a few hundred cyclic objects behind (probed), which this keeps too."""
    gc.freeze()
