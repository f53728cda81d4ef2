"""Refused transactions grouped by why, the one way the run summary and the report both count
them: reasons that differ only in the heights they name (``client state height < proof height
(1-202 < 1-269)``) are one reason, those heights written ``…``; other numbers (``34 of 100``
voting power) tell reasons apart and are kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

#: A height ``revision-height``, not part of a longer word (``08-wasm-0`` is no height).
_HEIGHT: Final = re.compile(r"(?<![\w-])\d+-\d+(?![\w-])")
ANY_HEIGHT: Final = "…"


def reason_pattern(reason: str) -> str:
    """``reason`` with every height it names written ``…``."""
    return _HEIGHT.sub(ANY_HEIGHT, reason)


@dataclass(frozen=True)
class RefusalGroup:
    """The transactions of one message type refused for one reason."""

    message: str
    #: The reason whole if every refusal gave the same, else its pattern.
    reason: str
    count: int
    first_ns: int


@dataclass
class _Seen:
    count: int
    first_ns: int
    first_reason: str
    varied: bool = False


class RefusalTally:
    """Refusals counted as they come (a run may refuse thousands: only each group is kept),
    grouped by message type and reason pattern."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], _Seen] = {}

    def add(self, time_ns: int, message: str, reason: str) -> None:
        key = (message, reason_pattern(reason))
        seen = self._groups.get(key)
        if seen is None:
            self._groups[key] = _Seen(1, time_ns, reason)
        else:
            seen.count += 1
            seen.varied = seen.varied or reason != seen.first_reason

    def groups(self) -> list[RefusalGroup]:
        """The groups in the order of their first refusal."""
        return [
            RefusalGroup(
                message, pattern if seen.varied else seen.first_reason, seen.count, seen.first_ns
            )
            for (message, pattern), seen in self._groups.items()
        ]
