"""Examples for the reference, taken from the shipped scenarios: each table shown as a real,
valid file writes it (and a test runs every shipped scenario, so no example goes stale)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from relayer_sim.scenario.shipped import SCENARIOS_DIR, shipped_scenarios
from relayer_sim.scenario.written import toml_inline


@dataclass(frozen=True)
class Example:
    """A table as a shipped scenario writes it."""

    #: The file, relative to the repository (``scenarios/fork-detected.toml``).
    source: str
    toml: str


def find_example(sections: Sequence[str], tag: tuple[str, str] | None = None) -> Example | None:
    """The first table of one of ``sections`` (``"host"``, ``"timeline"``…) in the shipped
    scenarios (the top folder's first), with ``tag``'s field (a dotted path: ``update.policy``)
    set to its value when given; None if no scenario has one."""
    for source, data in _shipped():
        for section in sections:
            value = data.get(section)
            entries = value if isinstance(value, list) else [value] if value else []
            for entry in entries:
                if tag is None or _at(entry, tag[0]) == tag[1]:
                    header = f"[[{section}]]" if isinstance(value, list) else f"[{section}]"
                    lines = [f"{key} = {toml_inline(item)}" for key, item in entry.items()]
                    return Example(source, "\n".join([header, *lines]))
    return None


@cache
def _shipped() -> tuple[tuple[str, Mapping[str, Any]], ...]:
    root = SCENARIOS_DIR.parent
    return tuple(
        (str(path.relative_to(root)), tomllib.loads(path.read_text(encoding="utf-8")))
        for path in shipped_scenarios()
    )


def _at(entry: Mapping[str, Any], path: str) -> object:
    value: object = entry
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value
