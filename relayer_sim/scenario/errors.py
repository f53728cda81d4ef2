"""Why a scenario file is refused: every fault found, each one line naming the file, the place
in it and what belongs there.

A user fixes a scenario in an editor, so each line points at one spot (a field path like
``timeline[2].action`` or a line and column) and says what would be accepted there. A file with
three mistakes gets three lines, so one edit fixes them all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final

#: The most faults a refusal shows; a file wrong in thousands of places says how many more.
MAX_SHOWN_FAULTS: Final = 25


@dataclass(frozen=True)
class Fault:
    """One thing wrong in a scenario."""

    #: The place: a field path (``relayers[0].client``), ``line 3, column 7`` (or ``end of
    #: document``) when the text is not UTF-8 or not TOML, or ``""`` when the whole file is
    #: at fault.
    path: str
    #: What would be accepted there.
    expected: str
    #: What was found instead, as the file writes it (``"explode"``, ``nothing``…).
    got: str | None = None

    def line(self, source: str) -> str:
        where = f"{source}: {self.path}" if self.path else source
        found = f" (got {self.got})" if self.got is not None else ""
        return f"{where}: expected {self.expected}{found}"


class ScenarioError(Exception):
    """A scenario that cannot be read or is not valid; ``lines()`` are the lines to show, one
    per fault, ``str()`` all of them."""

    def __init__(self, source: str, faults: Sequence[Fault]) -> None:
        if not faults:
            raise ValueError("a ScenarioError needs a fault")
        #: Where the scenario came from: a file path, or the name given to ``parse_scenario``.
        self.source = source
        #: Every fault found, in the file's order.
        self.faults = tuple(faults)
        super().__init__(source, self.faults)

    @classmethod
    def at(cls, source: str, path: str, expected: str, got: str | None = None) -> ScenarioError:
        """The refusal of a file with one fault (it cannot be read, or is not TOML)."""
        return cls(source, [Fault(path, expected, got)])

    @property
    def path(self) -> str:
        """The first fault's place."""
        return self.faults[0].path

    @property
    def expected(self) -> str:
        return self.faults[0].expected

    @property
    def got(self) -> str | None:
        return self.faults[0].got

    def lines(self) -> list[str]:
        """A line per fault, at most ``MAX_SHOWN_FAULTS`` and then how many more."""
        shown = [fault.line(self.source) for fault in self.faults[:MAX_SHOWN_FAULTS]]
        hidden = len(self.faults) - len(shown)
        if hidden:
            shown.append(f"{self.source}: and {hidden} more faults")
        return shown

    def __str__(self) -> str:
        return "\n".join(self.lines())


class Findings:
    """The faults the checks of a whole scenario find, in the order found: a check records a
    fault and goes on, so that one reading reports them all."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, path: str, expected: str, got: str | None = None) -> None:
        self.faults.append(Fault(path, expected, got))

    def __bool__(self) -> bool:
        return bool(self.faults)

    def located(self, source: str) -> ScenarioError:
        return ScenarioError(source, self.faults)


def show(value: object) -> str:
    """``value`` as a scenario file writes it: strings quoted, ``true``, tables and lists named."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else f'{text[:58]}…"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list" if value else "an empty list"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)
