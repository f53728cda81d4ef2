"""The wall-clock deadline of a call, enforced by wasmtime's epoch interruption.

Compiled code checks the engine's epoch at every function entry and loop header and traps
(``TrapCode.INTERRUPT``) once it passes the store's deadline. One daemon thread per engine advances
the epoch every ``TICK_SECONDS``; a call's deadline is a number of ticks, so it fires between
``deadline`` and ``deadline + TICK_SECONDS`` after the call starts. Only calls that run that long
can see it: every shorter call runs exactly as without it (fuel, not time, decides the rest).
"""

from __future__ import annotations

import math
import threading
import time
from functools import cache
from typing import Final

import wasmtime

TICK_SECONDS: Final = 0.05


class EpochTicker:
    """Advances one engine's epoch every tick, from a daemon thread started on first use."""

    def __init__(self, engine: wasmtime.Engine) -> None:
        self._engine = engine
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def deadline(self, seconds: float) -> int:
        """The epoch deadline (in ticks from now) that makes a store trap once ``seconds`` of
        wall time have passed; starts the ticker if it is not running."""
        self._start()
        return math.ceil(seconds / TICK_SECONDS) + 1

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wasm-epoch-ticker", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            self._engine.increment_epoch()


@cache
def ticker(engine: wasmtime.Engine) -> EpochTicker:
    """The one ticker of ``engine``."""
    return EpochTicker(engine)
