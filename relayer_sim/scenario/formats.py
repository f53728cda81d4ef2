"""The counterparties' wire formats against the rest of the scenario, checked in one place once
every field is valid: a client's contract, and a contract governance migrates a client to, must
read the format of the counterparty the client follows; a contract governance stores must read
one that some counterparty speaks (a shipped contract reads the one its name says; a contract
file may read either). The host binary runs one format's native client, so the native clients
follow counterparties of one format. What a format cannot honour yet is refused with its field.
"""

from __future__ import annotations

from relayer_sim.counterparty.wire.tendermint import UNBONDING_PERIOD_NS
from relayer_sim.scenario.actions import Migrate, StoreCode
from relayer_sim.scenario.contracts import TENDERMINT, format_read_by
from relayer_sim.scenario.durations import format_duration
from relayer_sim.scenario.errors import Findings, show
from relayer_sim.scenario.fields import NATIVE
from relayer_sim.scenario.schema import Scenario


def check_format(scenario: Scenario, found: Findings) -> None:
    """Record each field that does not fit a counterparty's format (a client that names no
    counterparty, or a migration of no client, is the references' fault, not one here)."""
    spoken: set[str] = {spec.format for spec in scenario.counterparty_specs()}
    native: str | None = None
    for index, client in enumerate(scenario.clients):
        followed = scenario.counterparty_named(client.counterparty)
        if followed is None:
            continue
        speaks, path = followed.format, f"clients[{index}]"
        _check_supported(found, path, client.trusting_period, speaks)
        _check_reads(
            found, f"{path}.contract", client.contract, {speaks}, "the counterparty's format"
        )
        if client.contract == NATIVE:
            if native is not None and speaks != native:
                expected = f"a counterparty of {native}, the format of the other native clients"
                found.add(f"{path}.counterparty", expected, f"a counterparty of {speaks}")
            native = native or speaks
    clients = {client.name: client for client in scenario.clients}
    for index, entry in enumerate(scenario.timeline):
        path = f"timeline[{index}].contract"
        if isinstance(entry, Migrate) and entry.client in clients:
            followed = scenario.counterparty_named(clients[entry.client].counterparty)
            if followed is not None:
                what = "the format of the client's counterparty"
                _check_reads(found, path, entry.contract, {followed.format}, what)
        elif isinstance(entry, StoreCode):
            _check_reads(found, path, entry.contract, spoken, "a format a counterparty speaks")


def native_format(scenario: Scenario) -> str:
    """The wire format of the host binary's native clients: their counterparties' (the
    first counterparty's when the scenario has none)."""
    for client in scenario.clients:
        if client.contract == NATIVE:
            return scenario.followed_by(client.name).format
    return scenario.counterparty_specs()[0].format


def _check_supported(found: Findings, path: str, trusting_period: int, speaks: str) -> None:
    """What the simulator cannot do yet in the format ``speaks``: add each such field here."""
    if speaks == TENDERMINT and trusting_period >= UNBONDING_PERIOD_NS:
        expected = (
            f"a duration below {format_duration(UNBONDING_PERIOD_NS)}, the "
            f"counterparty's unbonding period in the {TENDERMINT} format"
        )
        written = show(format_duration(trusting_period))
        found.add(f"{path}.trusting_period", expected, written)


def _check_reads(found: Findings, path: str, contract: str, formats: set[str], what: str) -> None:
    reads = format_read_by(contract)
    if reads is not None and reads not in formats:
        expected = f"a contract that reads {what}, {' or '.join(sorted(formats))}"
        found.add(path, expected, f"{show(contract)}, which reads {reads}")
