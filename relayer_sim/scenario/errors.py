"""Why a scenario file is refused: one line naming the file, the place in it and what belongs there.

A user fixes a scenario in an editor, so the message points at one spot (a field path like
``timeline[2].action`` or a line and column) and says what would be accepted there.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time


class ScenarioError(Exception):
    """A scenario that cannot be read or is not valid; ``str()`` is the one line to show."""

    def __init__(self, source: str, path: str, expected: str, got: str | None = None) -> None:
        #: Where the scenario came from: a file path, or the name given to ``parse_scenario``.
        self.source = source
        #: The place in it: a field path (``relayers[0].client``), ``line 3, column 7`` (or
        #: ``end of document``) when the text is not UTF-8 or not TOML, or ``""`` when the whole
        #: file is at fault.
        self.path = path
        #: What would be accepted there.
        self.expected = expected
        #: What was found instead, as the file writes it (``"explode"``, ``nothing``…).
        self.got = got
        super().__init__(source, path, expected, got)

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        found = f" (got {self.got})" if self.got is not None else ""
        return f"{where}: expected {self.expected}{found}"


class Invalid(Exception):
    """A fault found by a check that does not know the source; ``located`` gives the
    ``ScenarioError`` to raise."""

    def __init__(self, path: str, expected: str, got: str | None = None) -> None:
        self.path, self.expected, self.got = path, expected, got
        super().__init__(path, expected, got)

    def located(self, source: str) -> ScenarioError:
        return ScenarioError(source, self.path, self.expected, self.got)


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
