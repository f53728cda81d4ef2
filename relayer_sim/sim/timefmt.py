"""Simulated time for people: ``1d 02:03:04.500``."""

from __future__ import annotations

from typing import Final

_NS_PER_MS: Final = 1_000_000


def format_elapsed(ns: int) -> str:
    """A non-negative duration in ns as ``[Dd ]HH:MM:SS.mmm``, days only when there are any.

    Milliseconds are cut, never rounded up, so an event is never shown later than it happened.
    """
    if ns < 0:
        raise ValueError(f"a duration is not negative: {ns} ns")
    seconds, milliseconds = divmod(ns // _NS_PER_MS, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}.{milliseconds:03d}"
    return f"{days}d {clock}" if days else clock
