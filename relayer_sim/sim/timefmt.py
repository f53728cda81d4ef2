"""Simulated time for people: ``1d 02:03:04.500`` where there is room, ``1d2h3m4.5s`` in a
table cell where there is not."""

from __future__ import annotations

from typing import Final

_NS_PER_MS: Final = 1_000_000
_MS_PER_S: Final = 1000
#: The units of a compact duration above the second, largest first, in milliseconds.
_UNITS: Final = (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000))


def format_elapsed(ns: int) -> str:
    """A non-negative duration in ns as ``[Dd ]HH:MM:SS.mmm``, days only when there are any.

    Milliseconds are cut, never rounded up, so an event is never shown later than it happened.
    """
    seconds, milliseconds = divmod(_whole_ms(ns), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}.{milliseconds:03d}"
    return f"{days}d {clock}" if days else clock


def format_span(ns: int) -> str:
    """A non-negative duration in ns, compact for a narrow table cell: ``54m50s``, ``2h``,
    ``1h0m5s``, ``1d2h3m4.5s``, ``1.25s``, ``250ms``, ``0s``.

    Exactly what ``format_elapsed`` says (milliseconds cut, never rounded) in about half the
    columns: every unit is named, from the largest present down to the smallest present, and
    none between them is left out, so no two durations read the same.
    """
    ms = _whole_ms(ns)
    if ms < _MS_PER_S:
        return f"{ms}ms" if ms else "0s"
    parts: list[tuple[int, str]] = []  # (how many, as text), largest unit first
    for unit, size in _UNITS:
        count, ms = divmod(ms, size)
        if count or parts:
            parts.append((count, f"{count}{unit}"))
    seconds = f"{ms // _MS_PER_S}.{ms % _MS_PER_S:03d}".rstrip("0").rstrip(".")
    parts.append((ms, f"{seconds}s"))
    while not parts[-1][0]:  # trailing zero units say nothing: 2h, not 2h0m0s
        parts.pop()
    return "".join(text for _, text in parts)


def _whole_ms(ns: int) -> int:
    """``ns`` in whole milliseconds, cut; a negative duration is a bug in the caller."""
    if ns < 0:
        raise ValueError(f"a duration is not negative: {ns} ns")
    return ns // _NS_PER_MS
