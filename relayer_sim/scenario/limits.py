"""Sanity limits on a scenario's scale, and the ``[limits]`` table that loosens them.

Every value within the hard bounds of its field is one the runtime can honour, but not every
such scenario ends: a million validators, a century of simulated time or a block every
millisecond would run for days or exhaust memory, and is far more likely a slip than a plan.
So a scenario past a limit is refused with the limit named, and a file that means it says so::

    [limits]
    validators = 1000
    duration = "365d"

The limits are checked before the cross-references, so no later check works on a list of a
million entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

from relayer_sim.scenario.actions import ValidatorChange
from relayer_sim.scenario.base import Model
from relayer_sim.scenario.channels import traffic_path
from relayer_sim.scenario.durations import DAY, MILLISECOND, written_duration
from relayer_sim.scenario.errors import Findings
from relayer_sim.scenario.fields import Duration, PositiveInt
from relayer_sim.scenario.relayers import UpdateOnInterval

if TYPE_CHECKING:
    from relayer_sim.scenario.schema import Scenario

#: Stands for a duration in the hint that says how to loosen a limit on time.
_A_TIME: Final = '"…"'


class Limits(Model):
    """How large a scenario may be (``[limits]``); each field loosens one limit."""

    validators: PositiveInt = 200
    """The most validators of any chain (a counterparty's counting those a
    ``validator_change`` adds)."""
    counterparties: PositiveInt = 20
    """The most ``[[counterparties]]``."""
    clients: PositiveInt = 100
    """The most ``[[clients]]``."""
    relayers: PositiveInt = 100
    """The most ``[[relayers]]``."""
    monitors: PositiveInt = 100
    """The most ``[[monitors]]``."""
    timeline: PositiveInt = 1000
    """The most ``[[timeline]]`` entries."""
    duration: Duration = 30 * DAY
    """The longest run."""
    blocks: PositiveInt = 1_000_000
    """The most blocks any chain makes in a run: its duration over the block time."""
    packets: PositiveInt = 1_000_000
    """The most packets ``[traffic]`` sends in a run: its duration over ``every``."""
    packet_bytes: PositiveInt = 256 * 1024 * 1024
    """The most payload ``[traffic]`` sends in a run, in bytes: its packets times ``size``
    (the runtime keeps every packet it sent)."""
    period: Duration = 100 * MILLISECOND
    """The shortest period of anything that repeats: a block time, the packet interval, a
    monitor's poll, a relayer's update interval."""


def check_limits(scenario: Scenario, found: Findings) -> None:
    """Record each part of ``scenario`` past one of its ``limits``."""
    limits = scenario.limits
    for path, count, name in _counts(scenario):
        if count > getattr(limits, name):
            found.add(path, f"at most {getattr(limits, name)} {_loosen(name, 'N')}", str(count))
    if scenario.duration > limits.duration:
        longest = written_duration(limits.duration)
        expected = f"at most {longest} {_loosen('duration', _A_TIME)}"
        found.add("duration", expected, written_duration(scenario.duration))
    for path, period, counted in _periods(scenario):
        count = scenario.duration // period
        if period < limits.period:
            shortest = written_duration(limits.period)
            expected = f"at least {shortest} {_loosen('period', _A_TIME)}"
            found.add(path, expected, written_duration(period))
        elif counted is not None and count > getattr(limits, counted):
            limit = getattr(limits, counted)
            expected = f"at most {limit} {counted} in the run {_loosen(counted, 'N')}"
            apart, run = written_duration(period), written_duration(scenario.duration)
            got = f"{count} {counted}, {apart} apart for {run}"
            found.add(path, expected, got)
    payload = 0
    for index, traffic in enumerate(scenario.traffic):
        payload += scenario.duration // traffic.every * traffic.size
        if payload > limits.packet_bytes:
            expected = f"at most {limits.packet_bytes} bytes of packets in the run"
            got = f"{payload} bytes, with {scenario.duration // traffic.every} of {traffic.size}"
            path = f"{traffic_path(len(scenario.traffic), index)}.size"
            found.add(path, f"{expected} {_loosen('packet_bytes', 'N')}", got)
            break  # the total is past the limit: every later entry would say so again


def every_validator(scenario: Scenario, chain: str) -> list[str]:
    """Every validator the counterparty ``chain`` can have: at genesis, or joined by the
    timeline (a change naming an unknown chain joins none)."""
    spec = scenario.counterparty_named(chain)
    names = [] if spec is None else [validator.name for validator in spec.validators]
    for entry in scenario.timeline:
        if not isinstance(entry, ValidatorChange) or entry.power == 0:
            continue
        changed = scenario.counterparty_named(entry.counterparty)
        if changed is not None and changed.name == chain and entry.validator not in names:
            names.append(entry.validator)
    return names


def _counts(scenario: Scenario) -> Iterator[tuple[str, int, str]]:
    """(field path, how many, the limit on it)."""
    yield "counterparties", len(scenario.counterparty_specs()), "counterparties"
    for index, spec in enumerate(scenario.counterparty_specs()):
        path = f"{scenario.counterparty_path(index)}.validators"
        yield path, len(set(every_validator(scenario, spec.name))), "validators"
    yield "host.validators", len(scenario.host.validators), "validators"
    yield "clients", len(scenario.clients), "clients"
    yield "relayers", len(scenario.relayers), "relayers"
    yield "monitors", len(scenario.monitors), "monitors"
    yield "timeline", len(scenario.timeline), "timeline"


def _periods(scenario: Scenario) -> Iterator[tuple[str, int, str | None]]:
    """(field path, a period, the limit on how many of it a run may have, if any)."""
    for index, spec in enumerate(scenario.counterparty_specs()):
        yield f"{scenario.counterparty_path(index)}.block_time", spec.block_time, "blocks"
    yield "host.block_time", scenario.host.block_time, "blocks"
    for index, traffic in enumerate(scenario.traffic):
        yield f"{traffic_path(len(scenario.traffic), index)}.every", traffic.every, "packets"
    for index, monitor in enumerate(scenario.monitors):
        yield f"monitors[{index}].poll", monitor.poll, None
    for index, relayer in enumerate(scenario.relayers):
        if isinstance(relayer.update, UpdateOnInterval):
            yield f"relayers[{index}].update.every", relayer.update.every, None


def _loosen(name: str, value: str) -> str:
    """How the message says to loosen the limit ``name``."""
    return f"(the limit {name}; a [limits] table with {name} = {value} changes it)"
