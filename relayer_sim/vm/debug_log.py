"""Where a contract's ``debug`` messages go, and how many of them one call may send.

A contract can call ``debug`` in a loop for as long as its gas lasts; written out, that is hundreds
of megabytes. Each call passes at most ``max_messages`` messages and ``max_bytes`` bytes to the
handler, then counts the rest and reports them in one line when the call ends.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

DebugHandler = Callable[[str], None]

_log = structlog.get_logger("relayer_sim.vm")


def log_debug(message: str) -> None:
    """The default debug handler: contract debug messages go to the structured log.

    Unconfigured, structlog prints to stdout; library code never prints, so the message is
    dropped until the application configures logging (``relayer_sim.sim.logging``).
    """
    if structlog.is_configured():
        _log.debug("contract debug", message=message)


class DebugBudget:
    """One call's quota of debug output in front of a ``DebugHandler``."""

    def __init__(self, handler: DebugHandler, max_messages: int, max_bytes: int) -> None:
        self._handler = handler
        self._messages_left = max_messages
        self._bytes_left = max_bytes
        self._suppressed = 0
        self._suppressed_bytes = 0

    def emit(self, message: bytes) -> None:
        """Pass ``message`` on if the quota allows it, else count it as suppressed."""
        if self._messages_left > 0 and len(message) <= self._bytes_left:
            self._messages_left -= 1
            self._bytes_left -= len(message)
            self._handler(message.decode("utf-8", errors="replace"))
        else:
            self._suppressed += 1
            self._suppressed_bytes += len(message)

    def close(self) -> None:
        """Report the suppressed messages, if any, in one line."""
        if self._suppressed:
            self._handler(
                f"{self._suppressed} debug messages suppressed "
                f"({self._suppressed_bytes} bytes over this call's quota)"
            )
            self._suppressed = self._suppressed_bytes = 0
