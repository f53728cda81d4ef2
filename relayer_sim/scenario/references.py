"""The checks that need the whole scenario: names are unique, every name used refers to something
that exists, times fall within the run, voting power adds up to what CometBFT allows, and
``after`` triggers do not wait on each other in a circle. They run once every field is valid,
in the file's order, so one file gets one answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from relayer_sim.scenario.actions import (
    CHAIN_ACTIONS,
    Action,
    CreateClient,
    Fork,
    Garbage,
    GovernanceEntry,
    Migrate,
    Recover,
    RelayerOffline,
    ValidatorChange,
    ValidatorsOffline,
)
from relayer_sim.scenario.channels import traffic_path
from relayer_sim.scenario.durations import format_duration
from relayer_sim.scenario.errors import Invalid, show
from relayer_sim.scenario.expectations import (
    ExpectClientHeightAtLeast,
    ExpectClientStatus,
    ExpectMaxClientLag,
    ExpectMisbehaviourDetected,
)
from relayer_sim.scenario.fields import MAX_TOTAL_VOTING_POWER
from relayer_sim.scenario.limits import every_validator
from relayer_sim.scenario.schema import Scenario

#: The names the runtime gives its own actors, which no chain or agent of a scenario may take.
SIMULATOR_ACTORS: Final = ("host", "metrics", "governance", "timeline", "expect")

_ABOUT_A_CLIENT = (
    ExpectClientStatus,
    ExpectMaxClientLag,
    ExpectMisbehaviourDetected,
    ExpectClientHeightAtLeast,
)


def check_references(scenario: Scenario) -> None:
    """Raise ``Invalid`` at the first name, time or trigger in ``scenario`` that cannot be."""
    chains = _check_chains(scenario)
    _check_actor_names(scenario)
    _unique("host.validators", [v.name for v in scenario.host.validators])
    _check_total_power("host.validators", [v.power for v in scenario.host.validators])
    clients = _unique("clients", [client.name for client in scenario.clients])
    for index, client in enumerate(scenario.clients):
        if client.create_at is not None:
            _within(f"clients[{index}].create_at", client.create_at, scenario.duration)
        at = f"clients[{index}].counterparty"
        _names_a_chain(at, client.counterparty, chains, "the counterparty it follows")
    relayers = _unique("relayers", [relayer.name for relayer in scenario.relayers])
    for index, relayer in enumerate(scenario.relayers):
        _known(f"relayers[{index}].client", relayer.client, clients, "clients")
    _unique("monitors", [monitor.name for monitor in scenario.monitors])
    for index, monitor in enumerate(scenario.monitors):
        _known(f"monitors[{index}].client", monitor.client, clients, "clients")
    channels = _unique("channels", [channel.name for channel in scenario.channels])
    for index, channel in enumerate(scenario.channels):
        _known(f"channels[{index}].client", channel.client, clients, "clients")
    _unique("traffic", [traffic.name for traffic in scenario.traffic])
    for index, traffic in enumerate(scenario.traffic):
        if traffic.channel is not None:
            at = traffic_path(len(scenario.traffic), index)
            _known(f"{at}.channel", traffic.channel, channels, "channels")
    _check_timeline(scenario, clients, relayers, chains)
    for index, expectation in enumerate(scenario.expect):
        if isinstance(expectation, _ABOUT_A_CLIENT):
            _known(f"expect[{index}].client", expectation.client, clients, "clients")


def _check_chains(scenario: Scenario) -> list[str]:
    """The counterparties' names, each once, and each one's validators."""
    specs = scenario.counterparty_specs()
    if scenario.counterparties:
        names = _unique("counterparties", [spec.name for spec in specs])
    else:
        names = [specs[0].name]
    for index, spec in enumerate(specs):
        at = f"{scenario.counterparty_path(index)}.validators"
        _unique(at, [v.name for v in spec.validators])
        _check_total_power(at, _most_power(scenario, spec.name))
    return names


def _names_a_chain(path: str, name: str | None, chains: Sequence[str], what: str) -> None:
    """``name`` is one of the counterparties; ``None`` only when there is one."""
    if name is not None:
        _known(path, name, chains, "counterparties")
    elif len(chains) > 1:
        raise Invalid(path, f"{what}: one of {', '.join(chains)}", "none")


def _check_actor_names(scenario: Scenario) -> None:
    """Chains, relayers, monitors and traffic senders are actors of the run, each named by
    its scenario name in the trace: no two alike, none the name of the simulator's own."""
    actors = [
        *(
            (f"{scenario.counterparty_path(index)}.name", spec.name)
            for index, spec in enumerate(scenario.counterparty_specs())
        ),
        *((f"relayers[{index}].name", r.name) for index, r in enumerate(scenario.relayers)),
        *((f"monitors[{index}].name", m.name) for index, m in enumerate(scenario.monitors)),
        *(
            (f"{traffic_path(len(scenario.traffic), index)}.name", t.name)
            for index, t in enumerate(scenario.traffic)
        ),
    ]
    taken: dict[str, str] = {}
    for path, name in actors:
        if name in SIMULATOR_ACTORS:
            expected = (
                f"a name other than the simulator's own actors ({', '.join(SIMULATOR_ACTORS)})"
            )
            raise Invalid(path, expected, show(name))
        if name in taken:
            raise Invalid(path, f"a name not taken by {taken[name]}", show(name))
        taken[name] = path.removesuffix(".name")


def _check_forged_route(scenario: Scenario, at: str, relayer: str) -> None:
    """A forged packet rides a channel over the client its byzantine relayer attacks."""
    client = next(r.client for r in scenario.relayers if r.name == relayer)
    if not any(channel.client == client for channel in scenario.channel_specs()):
        expected = f"a channel over client {client} (the forged packet rides it)"
        raise Invalid(f"{at}.forge_packet", expected, "none")


def _check_timeline(
    scenario: Scenario, clients: list[str], relayers: list[str], chains: list[str]
) -> None:
    entries = scenario.timeline
    names = _unique("timeline", [entry.name for entry in entries])
    byzantine = [relayer.name for relayer in scenario.relayers if relayer.byzantine]
    created_later = [client.name for client in scenario.clients if client.create_at is None]
    creations: dict[str, int] = {}
    voters = [validator.name for validator in scenario.host.validators]
    for index, entry in enumerate(entries):
        at = f"timeline[{index}]"
        if isinstance(entry, GovernanceEntry):
            for voter in entry.votes:
                _known(f"{at}.votes.{voter}", voter, voters, "host validators")
        if entry.at is not None:
            _within(f"{at}.at", entry.at, scenario.duration)
        if entry.after is not None:
            _known(f"{at}.after", entry.after, names, "named timeline entries")
        if isinstance(entry, Fork | Garbage):
            _known(f"{at}.relayer", entry.relayer, byzantine, "byzantine relayers")
        _check_entry_chain(scenario, at, entry, chains)
        chain = scenario.entry_counterparty(entry)
        validators = [] if chain is None else every_validator(scenario, chain.name)
        match entry:
            case Migrate():
                _known(f"{at}.client", entry.client, clients, "clients")
            case Recover():
                _known(f"{at}.subject", entry.subject, clients, "clients")
                others = [name for name in clients if name != entry.subject]
                _known(f"{at}.substitute", entry.substitute, others, "other clients")
            case CreateClient():
                what = 'clients with create_at = "never"'
                _known(f"{at}.client", entry.client, created_later, what)
                if entry.client in creations:
                    expected = f"a client not created by timeline[{creations[entry.client]}]"
                    raise Invalid(f"{at}.client", expected, show(entry.client))
                creations[entry.client] = index
            case Fork():
                _known_each(f"{at}.coalition", entry.coalition, validators, "validators")
                if entry.forge_packet:
                    _check_forged_route(scenario, at, entry.relayer)
            case RelayerOffline():
                honest = [name for name in relayers if name not in byzantine]
                _known(f"{at}.relayer", entry.relayer, honest, "honest relayers")
            case ValidatorChange() if entry.power == 0:
                _known(f"{at}.validator", entry.validator, validators, "validators")
            case ValidatorsOffline():
                _known_each(f"{at}.validators", entry.validators, validators, "validators")
    _check_no_cycle(entries)


def _check_entry_chain(scenario: Scenario, at: str, entry: Action, chains: list[str]) -> None:
    """An entry names a counterparty where it acts on one or waits for one's height, and only
    there; a fork's is its relayer's client's."""
    path, named = f"{at}.counterparty", entry.counterparty
    if isinstance(entry, Fork):
        followed = scenario.entry_counterparty(entry)
        assert followed is not None
        if named is not None and named != followed.name:
            expected = f"the counterparty its relayer's client follows, {followed.name}"
            raise Invalid(path, expected, show(named))
    elif isinstance(entry, CHAIN_ACTIONS):
        _names_a_chain(path, named, chains, "the counterparty it acts on")
    elif entry.at_height is not None:
        _names_a_chain(path, named, chains, "the counterparty whose height it waits for")
    elif named is not None:
        expected = f"no counterparty on a {entry.action} entry without an at_height trigger"
        raise Invalid(path, expected, show(named))


def _most_power(scenario: Scenario, chain: str) -> list[int]:
    """Each validator of the counterparty ``chain``: its largest power at genesis or after a
    ``validator_change``: whatever order the changes fire in, the total never exceeds their
    sum."""
    spec = scenario.counterparty_named(chain)
    assert spec is not None
    most = {validator.name: validator.power for validator in spec.validators}
    for entry in scenario.timeline:
        changed = scenario.counterparty_named(entry.counterparty)
        if isinstance(entry, ValidatorChange) and changed is not None and changed.name == chain:
            most[entry.validator] = max(most.get(entry.validator, 0), entry.power)
    return list(most.values())


def _check_total_power(path: str, powers: Sequence[int]) -> None:
    if sum(powers) > MAX_TOTAL_VOTING_POWER:
        expected = f"powers adding up to at most {MAX_TOTAL_VOTING_POWER} (CometBFT's maximum)"
        raise Invalid(path, expected, str(sum(powers)))


def _check_no_cycle(entries: Sequence[Action]) -> None:
    waits_on = {entry.name: entry.after for entry in entries if entry.name and entry.after}
    for index, entry in enumerate(entries):
        if entry.name is None:
            continue
        circle = [entry.name]
        step = waits_on.get(entry.name)
        while step is not None and step not in circle:
            circle.append(step)
            step = waits_on.get(step)
        if step == entry.name:
            cycle = " -> ".join([*circle, entry.name])
            raise Invalid(f"timeline[{index}].after", "after triggers without a cycle", cycle)


def _unique(section: str, names: Sequence[str | None]) -> list[str]:
    """The names of ``section``'s entries (``None``: unnamed), refusing one used twice."""
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        if name is None:
            continue
        if name in first:
            expected = f"a name not taken by {section}[{first[name]}]"
            raise Invalid(f"{section}[{index}].name", expected, show(name))
        first[name] = index
    return list(first)


def _known(path: str, name: str, known: Sequence[str], what: str) -> None:
    if name not in known:
        listed = f": {', '.join(known)}" if known else ", but there are none"
        raise Invalid(path, f"one of the {what}{listed}", show(name))


def _known_each(path: str, names: Sequence[str], known: Sequence[str], what: str) -> None:
    listed: set[str] = set()
    for index, name in enumerate(names):
        _known(f"{path}[{index}]", name, known, what)
        if name in listed:
            raise Invalid(f"{path}[{index}]", f"{what} listed once each", show(name))
        listed.add(name)


def _within(path: str, time: int, duration: int) -> None:
    if time > duration:
        expected = f"a time within the scenario's duration ({format_duration(duration)})"
        raise Invalid(path, expected, format_duration(time))
