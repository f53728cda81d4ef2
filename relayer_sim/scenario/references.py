"""The checks that need the whole scenario: names are unique, every name used refers to something
that exists, times fall within the run, voting power adds up to what CometBFT allows, and
``after`` triggers do not wait on each other in a circle. They run once every field is valid and
record every fault, in the file's order; a check that depends on a name already found wrong
(the chain of a fork whose relayer does not exist) is skipped rather than reported twice.
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
from relayer_sim.scenario.chains import CounterpartySpec
from relayer_sim.scenario.channels import traffic_path
from relayer_sim.scenario.durations import format_duration
from relayer_sim.scenario.errors import Findings, show
from relayer_sim.scenario.expectations import (
    ExpectClientHeightAtLeast,
    ExpectClientStatus,
    ExpectMaxClientLag,
    ExpectMisbehaviourDetected,
    Windowed,
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


def check_references(scenario: Scenario, found: Findings) -> None:
    """Record every name, time or trigger in ``scenario`` that cannot be."""
    _References(scenario, found).check()


class _References:
    def __init__(self, scenario: Scenario, found: Findings) -> None:
        self.scenario, self.found = scenario, found

    def check(self) -> None:
        scenario = self.scenario
        chains = self._chains()
        self._actor_names()
        self.unique("host.validators", [v.name for v in scenario.host.validators])
        self.total_power("host.validators", [v.power for v in scenario.host.validators])
        clients = self.unique("clients", [client.name for client in scenario.clients])
        #: The clients whose counterparty is known: only their chain can be looked up.
        following: set[str] = set()
        for index, client in enumerate(scenario.clients):
            if client.create_at is not None:
                self.within(f"clients[{index}].create_at", client.create_at)
            at = f"clients[{index}].counterparty"
            if self.names_a_chain(at, client.counterparty, chains, "the counterparty it follows"):
                following.add(client.name)
        relayers = self.unique("relayers", [relayer.name for relayer in scenario.relayers])
        for index, relayer in enumerate(scenario.relayers):
            self.known(f"relayers[{index}].client", relayer.client, clients, "clients")
        self.unique("monitors", [monitor.name for monitor in scenario.monitors])
        for index, monitor in enumerate(scenario.monitors):
            self.known(f"monitors[{index}].client", monitor.client, clients, "clients")
        channels = self.unique("channels", [channel.name for channel in scenario.channels])
        for index, channel in enumerate(scenario.channels):
            self.known(f"channels[{index}].client", channel.client, clients, "clients")
        self.unique("traffic", [traffic.name for traffic in scenario.traffic])
        for index, traffic in enumerate(scenario.traffic):
            if traffic.channel is not None:
                at = traffic_path(len(scenario.traffic), index)
                self.known(f"{at}.channel", traffic.channel, channels, "channels")
        _Timeline(self, clients, relayers, chains, following).check()
        for index, expectation in enumerate(scenario.expect):
            if isinstance(expectation, _ABOUT_A_CLIENT):
                self.known(f"expect[{index}].client", expectation.client, clients, "clients")
            if isinstance(expectation, Windowed) and expectation.during is not None:
                self.within(f"expect[{index}].during[1]", expectation.during[1])

    def _chains(self) -> list[str]:
        """The counterparties' names, each once, and each one's validators."""
        scenario = self.scenario
        specs = scenario.counterparty_specs()
        if scenario.counterparties:
            names = self.unique("counterparties", [spec.name for spec in specs])
        else:
            names = [specs[0].name]
        for index, spec in enumerate(specs):
            at = f"{scenario.counterparty_path(index)}.validators"
            self.unique(at, [v.name for v in spec.validators])
            self.total_power(at, _most_power(scenario, spec))
        return names

    def _actor_names(self) -> None:
        """Chains, relayers, monitors and traffic senders are actors of the run, each named by
        its scenario name in the trace: no two alike, none the name of the simulator's own."""
        scenario = self.scenario
        actors = [
            *(
                (scenario.counterparty_path(index), spec.name)
                for index, spec in enumerate(scenario.counterparty_specs())
            ),
            *((f"relayers[{index}]", r.name) for index, r in enumerate(scenario.relayers)),
            *((f"monitors[{index}]", m.name) for index, m in enumerate(scenario.monitors)),
            *(
                (traffic_path(len(scenario.traffic), index), t.name)
                for index, t in enumerate(scenario.traffic)
            ),
        ]
        taken: dict[str, str] = {}
        for at, name in actors:
            if name in SIMULATOR_ACTORS:
                own = ", ".join(SIMULATOR_ACTORS)
                self.found.add(
                    f"{at}.name",
                    f"a name other than the simulator's own actors ({own})",
                    show(name),
                )
            elif name in taken and not _same_section(taken[name], at):
                self.found.add(f"{at}.name", f"a name not taken by {taken[name]}", show(name))
            taken.setdefault(name, at)

    def names_a_chain(self, path: str, name: str | None, chains: Sequence[str], what: str) -> bool:
        """Whether ``name`` picks one counterparty: one of them, or ``None`` when there is
        one."""
        if name is not None:
            return self.known(path, name, chains, "counterparties")
        if len(chains) > 1:
            self.found.add(path, f"{what}: one of {', '.join(chains)}", "none")
            return False
        return True

    def unique(self, section: str, names: Sequence[str | None]) -> list[str]:
        """The names of ``section``'s entries (``None``: unnamed), each used once."""
        first: dict[str, int] = {}
        for index, name in enumerate(names):
            if name is None:
                continue
            if name in first:
                expected = f"a name not taken by {section}[{first[name]}]"
                self.found.add(f"{section}[{index}].name", expected, show(name))
            else:
                first[name] = index
        return list(first)

    def known(self, path: str, name: str, known: Sequence[str], what: str) -> bool:
        if name in known:
            return True
        listed = f": {', '.join(known)}" if known else ", but there are none"
        self.found.add(path, f"one of the {what}{listed}", show(name))
        return False

    def known_each(self, path: str, names: Sequence[str], known: Sequence[str], what: str) -> None:
        listed: set[str] = set()
        for index, name in enumerate(names):
            if not self.known(f"{path}[{index}]", name, known, what):
                continue
            if name in listed:
                self.found.add(f"{path}[{index}]", f"{what} listed once each", show(name))
            listed.add(name)

    def within(self, path: str, time: int) -> None:
        duration = self.scenario.duration
        if time > duration:
            expected = f"a time within the scenario's duration ({format_duration(duration)})"
            self.found.add(path, expected, format_duration(time))

    def total_power(self, path: str, powers: Sequence[int]) -> None:
        if sum(powers) > MAX_TOTAL_VOTING_POWER:
            expected = f"powers adding up to at most {MAX_TOTAL_VOTING_POWER} (CometBFT's maximum)"
            self.found.add(path, expected, str(sum(powers)))


def _same_section(first: str, then: str) -> bool:
    """Whether two entries are of one list (``relayers[0]``, ``relayers[2]``), whose names
    its own uniqueness check already compares."""
    return first.partition("[")[0] == then.partition("[")[0] and "[" in first


class _Timeline:
    """The timeline's checks, entry by entry."""

    def __init__(
        self,
        references: _References,
        clients: list[str],
        relayers: list[str],
        chains: list[str],
        following: set[str],
    ) -> None:
        self.references, self.scenario = references, references.scenario
        self.found = references.found
        self.clients, self.relayers, self.chains = clients, relayers, chains
        self.following = following
        self.byzantine = [r.name for r in self.scenario.relayers if r.byzantine]

    def check(self) -> None:
        scenario, check = self.scenario, self.references
        entries = scenario.timeline
        names = check.unique("timeline", [entry.name for entry in entries])
        voters = [validator.name for validator in scenario.host.validators]
        creations: dict[str, int] = {}
        for index, entry in enumerate(entries):
            at = f"timeline[{index}]"
            if isinstance(entry, GovernanceEntry):
                for voter in entry.votes:
                    check.known(f"{at}.votes.{voter}", voter, voters, "host validators")
            if entry.at is not None:
                check.within(f"{at}.at", entry.at)
            if entry.after is not None:
                check.known(f"{at}.after", entry.after, names, "named timeline entries")
            attacker = None
            if isinstance(entry, Fork | Garbage):
                known = check.known(
                    f"{at}.relayer", entry.relayer, self.byzantine, "byzantine relayers"
                )
                attacker = entry.relayer if known else None
            chain = self._entry_chain(at, entry, attacker)
            self._entry(at, entry, chain, attacker, creations, index)
        _check_no_cycle(self.found, entries)

    def _entry_chain(self, at: str, entry: Action, attacker: str | None) -> CounterpartySpec | None:
        """The counterparty the entry acts on or waits for, checked; ``None`` when it needs
        none or cannot be told (a fault already recorded)."""
        check, path, named = self.references, f"{at}.counterparty", entry.counterparty
        if isinstance(entry, Fork):
            client = next((r.client for r in self.scenario.relayers if r.name == attacker), None)
            if client not in self.following:
                return None
            followed = self.scenario.entry_counterparty(entry)
            assert followed is not None  # the relayer and its client's chain are known
            if named is not None and named != followed.name:
                expected = f"the counterparty its relayer's client follows, {followed.name}"
                self.found.add(path, expected, show(named))
            return followed
        if isinstance(entry, CHAIN_ACTIONS):
            what = "the counterparty it acts on"
        elif entry.at_height is not None:
            what = "the counterparty whose height it waits for"
        else:
            if named is not None:
                expected = f"no counterparty on a {entry.action} entry without an at_height trigger"
                self.found.add(path, expected, show(named))
            return None
        if not check.names_a_chain(path, named, self.chains, what):
            return None
        return self.scenario.counterparty_named(named)

    def _entry(
        self,
        at: str,
        entry: Action,
        chain: CounterpartySpec | None,
        attacker: str | None,
        creations: dict[str, int],
        index: int,
    ) -> None:
        check, clients = self.references, self.clients
        validators = None if chain is None else every_validator(self.scenario, chain.name)
        match entry:
            case Migrate():
                check.known(f"{at}.client", entry.client, clients, "clients")
            case Recover():
                check.known(f"{at}.subject", entry.subject, clients, "clients")
                others = [name for name in clients if name != entry.subject]
                check.known(f"{at}.substitute", entry.substitute, others, "other clients")
            case CreateClient():
                later = [c.name for c in self.scenario.clients if c.create_at is None]
                what = 'clients with create_at = "never"'
                if not check.known(f"{at}.client", entry.client, later, what):
                    return
                if entry.client in creations:
                    expected = f"a client not created by timeline[{creations[entry.client]}]"
                    self.found.add(f"{at}.client", expected, show(entry.client))
                else:
                    creations[entry.client] = index
            case Fork():
                if validators is not None:
                    check.known_each(f"{at}.coalition", entry.coalition, validators, "validators")
                if entry.forge_packet and attacker is not None:
                    self._forged_route(at, attacker)
            case RelayerOffline():
                honest = [name for name in self.relayers if name not in self.byzantine]
                check.known(f"{at}.relayer", entry.relayer, honest, "honest relayers")
            case ValidatorChange() if entry.power == 0 and validators is not None:
                check.known(f"{at}.validator", entry.validator, validators, "validators")
            case ValidatorsOffline() if validators is not None:
                check.known_each(f"{at}.validators", entry.validators, validators, "validators")

    def _forged_route(self, at: str, relayer: str) -> None:
        """A forged packet rides a channel over the client its byzantine relayer attacks."""
        client = next(r.client for r in self.scenario.relayers if r.name == relayer)
        if not any(channel.client == client for channel in self.scenario.channel_specs()):
            expected = f"a channel over client {client} (the forged packet rides it)"
            self.found.add(f"{at}.forge_packet", expected, "none")


def _most_power(scenario: Scenario, chain: CounterpartySpec) -> list[int]:
    """Each validator of the counterparty ``chain``: its largest power at genesis or after a
    ``validator_change``: whatever order the changes fire in, the total never exceeds their
    sum."""
    most = {validator.name: validator.power for validator in chain.validators}
    for entry in scenario.timeline:
        changed = scenario.counterparty_named(entry.counterparty)
        if (
            isinstance(entry, ValidatorChange)
            and changed is not None
            and changed.name == chain.name
        ):
            most[entry.validator] = max(most.get(entry.validator, 0), entry.power)
    return list(most.values())


def _check_no_cycle(found: Findings, entries: Sequence[Action]) -> None:
    """Each circle of ``after`` triggers, once, at its first entry in the file."""
    waits_on = {entry.name: entry.after for entry in entries if entry.name and entry.after}
    reported: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.name is None or entry.name in reported:
            continue
        circle = [entry.name]
        step = waits_on.get(entry.name)
        while step is not None and step not in circle:
            circle.append(step)
            step = waits_on.get(step)
        if step == entry.name:
            cycle = " -> ".join([*circle, entry.name])
            found.add(f"timeline[{index}].after", "after triggers without a cycle", cycle)
            reported.update(circle)
