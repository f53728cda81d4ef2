"""Durations as scenario files write them (``"250ms"``, ``"6s"``, ``"1h30m"``), as integer
nanoseconds.

Integers keep the simulation exact and replayable: a float of seconds would make event times
depend on rounding. Units go from the largest to the smallest, each at most once, so that a
slip like ``"30m1h"`` is refused rather than guessed at.
"""

from __future__ import annotations

import re
from typing import Final

MILLISECOND: Final = 1_000_000
SECOND: Final = 1000 * MILLISECOND
MINUTE: Final = 60 * SECOND
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR
#: The longest duration a file may write: about 100 years, so that the start of a run (a
#: recent Unix time in ns) plus two such durations still fits a simulated timestamp in int64.
MAX_DURATION: Final = 36500 * DAY

#: Nanoseconds per unit, largest first: the order units must appear in.
UNITS: Final = {"d": DAY, "h": HOUR, "m": MINUTE, "s": SECOND, "ms": MILLISECOND}
EXAMPLES: Final = '"6s", "250ms" or "1h30m"'

_DURATION = re.compile(r"(?:\d{1,20}(?:ms|s|m|h|d))+")
_PART = re.compile(r"(\d+)(ms|s|m|h|d)")


class DurationError(ValueError):
    """Text that is not a duration; ``expected`` says what would have been one."""

    def __init__(self, text: str, expected: str) -> None:
        self.text, self.expected = text, expected
        super().__init__(f"expected {expected} (got {text!r})")


def parse_duration(text: str) -> int:
    """Nanoseconds in ``text``: whole numbers with units ``d``, ``h``, ``m``, ``s``, ``ms``,
    at most ``MAX_DURATION`` in all."""
    if text.startswith("-"):
        raise DurationError(text, "a duration that is not negative")
    if not _DURATION.fullmatch(text):
        raise DurationError(text, f"a duration like {EXAMPLES}")
    ranks = list(UNITS)
    total, last_rank = 0, -1
    for part in _PART.finditer(text):
        amount, unit = part.groups()
        rank = ranks.index(unit)
        if rank <= last_rank:
            raise DurationError(text, 'units from the largest to the smallest, each once ("1h30m")')
        total, last_rank = total + int(amount) * UNITS[unit], rank
    if total > MAX_DURATION:
        raise DurationError(text, f"a duration of at most {format_duration(MAX_DURATION)}")
    return total


def format_duration(nanoseconds: int) -> str:
    """The shortest text ``parse_duration`` reads back as ``nanoseconds`` (``5400 s`` → ``1h30m``).

    For messages and documentation, which show defaults as a scenario file would write them.
    """
    if nanoseconds < 0 or nanoseconds % MILLISECOND:
        raise ValueError(f"{nanoseconds} ns is not a whole, non-negative number of milliseconds")
    if nanoseconds == 0:
        return "0s"
    parts = []
    for unit, size in UNITS.items():
        amount, nanoseconds = divmod(nanoseconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)


def written_duration(nanoseconds: int) -> str:
    """A duration as a file writes it, or in ns when it is not whole milliseconds (a scenario
    built in Python)."""
    if nanoseconds % MILLISECOND:
        return f"{nanoseconds} ns"
    return format_duration(nanoseconds)
