"""Following the other consoles: a wake-up when anyone else has appended.

A background thread asks the store's change counter (SQLite's
``data_version``: a read of shared memory, no disk) every 30 ms and calls
``wake`` once per change; the console then reads the new events. That keeps an
event from another console on screen within about two frames, while the thread
costs under 1% of a core when nothing happens (measured in
``benchmarks/budgets/recorders.py``; a whole idle console, about 1.5%).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

FOLLOW_EVERY = 0.03
"""Seconds between two looks at the change counter: follow latency against idle CPU
(at 20 ms the thread alone took 1.2% of a core here)."""


class Follower:
    def __init__(
        self,
        counter: Callable[[], int],
        wake: Callable[[], None],
        *,
        every: float = FOLLOW_EVERY,
    ) -> None:
        self._counter = counter
        self._wake = wake
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tabletop-follow", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)

    def _run(self) -> None:
        last: int | None = None
        # time.sleep, not Event.wait: a timed wait on a condition costs about twice
        # the CPU while idle, and stopping within one interval is soon enough.
        while not self._stop.is_set():
            time.sleep(self._every)
            try:
                now = self._counter()
            except Exception:  # the store closed under us, or a brief hiccup: look again
                continue
            if now != last:  # the first look too: anything appended before it started
                try:
                    self._wake()
                except Exception:  # the console is going away
                    return
            last = now
