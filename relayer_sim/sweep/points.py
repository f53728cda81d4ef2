"""The runs of a sweep: the scenario's data with one value set at each swept path, for every
combination and seed, each checked as a scenario file is before anything runs, and keyed by a
hash of what it runs."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from relayer_sim.scenario import ScenarioError
from relayer_sim.scenario.loading import scenario_from_data

_SEGMENT: Final = re.compile(r"([a-z_]+)(?:\[([0-9]+)\])?")


class SweepError(ValueError):
    """A sweep that cannot run: a path that leads nowhere, or a combination that is not a valid
    scenario; ``str()`` is one line per fault."""


@dataclass(frozen=True)
class RunPoint:
    """One run of a sweep."""

    #: A hash of the resolved scenario and the seed: the run's name on disk.
    key: str
    #: (path, value) of each swept parameter, in the sweep's order.
    params: tuple[tuple[str, Any], ...]
    seed: int
    #: The scenario's data with the values set and no ``[sweep]``.
    data: Mapping[str, Any]


def run_points(
    data: Mapping[str, Any],
    parameters: Sequence[tuple[str, Sequence[Any]]],
    seeds: Sequence[int],
    source: str,
    base_dir: Path | None,
) -> list[RunPoint]:
    """Every run: each combination of ``parameters`` (in their order, the first varying
    slowest) with each seed. Each combination is checked as a scenario once; every fault of
    every combination is one line of the ``SweepError``."""
    base = {key: value for key, value in data.items() if key != "sweep"}
    faults: list[str] = []
    points = []
    paths = [path for path, _ in parameters]
    for values in itertools.product(*(list(values) for _, values in parameters)):
        params = tuple(zip(paths, values, strict=True))
        try:
            resolved = with_values(base, params)
            scenario_from_data(resolved, source, base_dir)
        except (SweepError, ScenarioError) as error:
            where = ", ".join(f"{path}={value!r}" for path, value in params)
            faults += [f"{where}: {line}" for line in str(error).splitlines()]
            continue
        points += [RunPoint(run_key(resolved, seed), params, seed, resolved) for seed in seeds]
    if faults:
        raise SweepError("\n".join(faults))
    return points


def with_values(data: Mapping[str, Any], params: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """A deep copy of ``data`` with each value set at its dotted path; a table a path names
    that the file left out is created, a list entry must exist."""
    resolved: dict[str, Any] = copy.deepcopy(dict(data))
    for path, value in params:
        node: Any = resolved
        segments = path.split(".")
        for depth, segment in enumerate(segments):
            match = _SEGMENT.fullmatch(segment)
            if match is None:
                raise SweepError(f"{path}: not a field path")
            name, index = match[1], match[2]
            last = depth == len(segments) - 1
            if not isinstance(node, dict):
                raise SweepError(f"{path}: {'.'.join(segments[:depth])} is not a table")
            if index is None:
                if last:
                    node[name] = value
                else:
                    node = node.setdefault(name, {})
                continue
            entries = node.get(name)
            if not isinstance(entries, list) or int(index) >= len(entries):
                count = len(entries) if isinstance(entries, list) else 0
                raise SweepError(f"{path}: {name} has {count} entries, no [{index}]")
            if last:
                entries[int(index)] = value
            else:
                node = entries[int(index)]
    return resolved


def run_key(data: Mapping[str, Any], seed: int) -> str:
    """A hash of what a run runs: the resolved scenario and the seed (a contract file counts by
    its path, not its bytes)."""
    text = json.dumps({"scenario": data, "seed": seed}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
