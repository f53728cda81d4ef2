"""The ``[sweep]`` table: the parameter values and seeds ``relayer-sim sweep`` runs a scenario
over. An ordinary run ignores it; each run of a sweep is the scenario with the table removed
and one value set at each path."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BeforeValidator, Field

from relayer_sim.scenario.base import Model, mismatch
from relayer_sim.scenario.fields import UINT64_MAX
from relayer_sim.scenario.written import Written, string

#: ``1..200`` (both ends included) or ``1,5,9``.
_SEEDS: Final = re.compile(r"([0-9]{1,20})\.\.([0-9]{1,20})|[0-9]{1,20}(,[0-9]{1,20})*")
#: A field's dotted path: table and field names, list entries by index (``relayers[0].drop``).
_PATH: Final = re.compile(r"[a-z_]+(\[[0-9]{1,6}\])?(\.[a-z_]+(\[[0-9]{1,6}\])?)*")
#: The most seeds a sweep may list, and runs it may make.
MAX_RUNS: Final = 100_000


def parse_seeds(text: str) -> tuple[int, ...]:
    """The seeds ``text`` names: ``1..200`` (inclusive) or ``1,5,9``, each a u64."""
    match = _SEEDS.fullmatch(text)
    if match is None:
        raise ValueError('seeds written "1..200" or "1,5,9"')
    if match[1] is not None:
        first, last = int(match[1]), int(match[2])
        if first > last or last - first >= MAX_RUNS:
            raise ValueError(f"a range from low to high of at most {MAX_RUNS} seeds")
        seeds = tuple(range(first, last + 1))
    else:
        seeds = tuple(dict.fromkeys(int(part) for part in text.split(",")))
    if max(seeds) > UINT64_MAX:
        raise ValueError("seeds of at most 2^64 - 1")
    return seeds


def check_path(path: str) -> str:
    if not _PATH.fullmatch(path) or path.split(".")[0].split("[")[0] in ("sweep", "seed"):
        raise ValueError("a field's dotted path, like host.voting_period or relayers[0].drop")
    return path


def _seeds(value: object) -> tuple[int, ...]:
    if isinstance(value, tuple):  # a model built in Python, or the default
        return value
    if not isinstance(value, str):
        raise mismatch('seeds written "1..200" or "1,5,9"')
    try:
        return parse_seeds(value)
    except ValueError as error:
        raise mismatch(str(error)) from None


def _seeds_text(seeds: object) -> object:
    return ",".join(str(seed) for seed in seeds) if isinstance(seeds, tuple) else seeds


#: The seeds of a sweep, kept as a tuple, written ``"1..200"`` or ``"1,5,9"``.
Seeds = Annotated[
    tuple[int, ...],
    BeforeValidator(_seeds),
    Written(
        'seeds, "1..200" (both ends included) or "1,5,9"',
        string(pattern=_SEEDS.pattern),
        _seeds_text,
    ),
]


def _parameters(values: dict[str, list[Any]]) -> dict[str, list[Any]]:
    for path, listed in values.items():
        try:
            check_path(path)
        except ValueError as error:
            raise mismatch(str(error), got=repr(path)) from None
        if not listed:
            raise mismatch("at least one value", field=path)
    return values


class SweepTable(Model):
    """What ``relayer-sim sweep`` runs the scenario over: every combination of the values
    under ``set``, each with every seed (an ordinary run ignores this table)."""

    seeds: Seeds = (0,)
    """The seeds each combination runs with."""
    set: Annotated[dict[str, list[Any]], Field(strict=False), AfterValidator(_parameters)] = Field(
        default_factory=dict
    )
    """Field paths and the values each takes: ``{ "host.voting_period" = ["5m", "10m"] }``;
    each value as the field is written in a file."""
