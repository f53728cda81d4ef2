"""The counterparty's wire format against the rest of the scenario, checked in one place once
every field is valid: a client's contract, and a contract governance stores or migrates a client
to, must read the format the counterparty speaks (a shipped contract reads the one its name
says; a contract file, like the host binary's native client, may read either), and what a
format cannot honour yet is refused with its field."""

from __future__ import annotations

from relayer_sim.counterparty.wire.tendermint import UNBONDING_PERIOD_NS
from relayer_sim.scenario.actions import Migrate, StoreCode
from relayer_sim.scenario.contracts import TENDERMINT, format_read_by
from relayer_sim.scenario.durations import format_duration
from relayer_sim.scenario.errors import Invalid, show
from relayer_sim.scenario.schema import Scenario


def check_format(scenario: Scenario) -> None:
    """Raise ``Invalid`` at the first field that does not fit the counterparty's format."""
    speaks = scenario.counterparty.format
    _check_supported(scenario, speaks)
    for index, client in enumerate(scenario.clients):
        _check_reads(f"clients[{index}].contract", client.contract, speaks)
    for index, entry in enumerate(scenario.timeline):
        if isinstance(entry, StoreCode | Migrate):
            _check_reads(f"timeline[{index}].contract", entry.contract, speaks)


def _check_supported(scenario: Scenario, speaks: str) -> None:
    """What the simulator cannot do yet in the format ``speaks``: add each such field here."""
    if speaks == TENDERMINT:
        for index, client in enumerate(scenario.clients):
            if client.trusting_period >= UNBONDING_PERIOD_NS:
                expected = (
                    f"a duration below {format_duration(UNBONDING_PERIOD_NS)}, the "
                    f"counterparty's unbonding period in the {TENDERMINT} format"
                )
                written = show(format_duration(client.trusting_period))
                raise Invalid(f"clients[{index}].trusting_period", expected, written)


def _check_reads(path: str, contract: str, speaks: str) -> None:
    reads = format_read_by(contract)
    if reads is not None and reads != speaks:
        expected = f"a contract that reads the counterparty's format, {speaks}"
        raise Invalid(path, expected, f"{show(contract)}, which reads {reads}")
