"""The chains of a scenario: the counterparty the clients follow and the host that runs them."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from relayer_sim.host.limits import MAX_TX_GAS
from relayer_sim.scenario.base import Model, mismatch
from relayer_sim.scenario.contracts import SIM_TENDERMINT, Format
from relayer_sim.scenario.durations import MINUTE, SECOND, format_duration
from relayer_sim.scenario.fields import (
    Duration,
    DurationOrZero,
    Entries,
    Name,
    PositiveInt,
    Quorum,
    StoreName,
    Threshold,
)


def _within_host_gas(gas: int) -> int:
    if gas > MAX_TX_GAS:
        raise mismatch(f"a gas limit of at most {MAX_TX_GAS}, the host's maximum")
    return gas


class ValidatorPower(Model):
    """A validator and its voting power (a counterparty signer, or a host governance voter)."""

    name: Name
    """The validator's name; its keys are derived from it and the seed."""
    power: PositiveInt
    """Its voting power, more than 0; all validators' together at most
    ``MAX_TOTAL_VOTING_POWER``."""


class CounterpartySpec(Model):
    """The simulated source chain whose headers the clients verify."""

    name: Name = "counterparty"
    """The chain's name; its chain id is ``<name>-1``."""
    block_time: Duration = 6 * SECOND
    """The time between two blocks."""
    block_jitter: DurationOrZero = 0
    """Each block time varies by a uniform draw in [-jitter, +jitter]; less than ``block_time``."""
    consensus: Literal["tm-ed25519", "tm-secp256k1"] = "tm-ed25519"
    """The consensus version at genesis; ``consensus_switch`` changes it."""
    format: Format = SIM_TENDERMINT
    """The wire format it speaks: ``sim-tendermint`` (our msgpack, read by the
    ``sim-tendermint-*`` contracts) or ``tendermint`` (CometBFT, the Cosmos SDK and ibc-go byte
    for byte, read by the ``tendermint-*`` contracts). Every client's contract must read it; a
    contract file may read either."""
    validators: Entries[ValidatorPower] = Field(
        default=(
            ValidatorPower(name="alice", power=40),
            ValidatorPower(name="bob", power=30),
            ValidatorPower(name="carol", power=20),
            ValidatorPower(name="dave", power=10),
        ),
        min_length=1,
    )
    """The validator set at genesis, each name once."""
    commitment_prefix: StoreName = "ibc"
    """The store its IBC state is proven under, named in its connection ends (a Cosmos SDK
    chain's is ``ibc``)."""

    @property
    def chain_id(self) -> str:
        """The chain id headers carry: the name at revision 1."""
        return f"{self.name}-1"

    @model_validator(mode="after")
    def _jitter_below_block_time(self) -> CounterpartySpec:
        if self.block_jitter >= self.block_time:
            expected = f"a jitter shorter than the block time ({format_duration(self.block_time)})"
            raise mismatch(expected, field="block_jitter")
        return self


class HostSpec(Model):
    """The chain that runs 08-wasm: where clients live, governance stores code, packets land."""

    chain_id: Name = "host-1"
    """The host's chain id."""
    block_time: Duration = 5 * SECOND
    """The time between two host blocks."""
    dialect: Literal["v10", "v0.1"] = "v10"
    """The 08-wasm API: ``v10`` (ibc-go v10/v11) or ``v0.1`` (08-wasm v0.1, ibc-go v7.3/v8.0)."""
    voting_period: Duration = 10 * MINUTE
    """How long a governance proposal is open for votes."""
    quorum: Quorum = Fraction(1, 3)
    """The share of all voting power that must vote for a proposal to count, ``"n/d"``."""
    threshold: Threshold = Fraction(1, 2)
    """The share of non-abstaining votes that ``Yes`` must exceed, ``"n/d"``."""
    validators: Entries[ValidatorPower] = Field(
        default=(ValidatorPower(name="val-a", power=1),), min_length=1
    )
    """The governance voters, each name once; they vote ``Yes`` on the timeline's proposals."""
    tx_gas_limit: Annotated[PositiveInt, AfterValidator(_within_host_gas)] = 20_000_000
    """The SDK gas limit of every transaction the relayers and governance send, at most the
    host's block gas limit (``relayer_sim.host.chain.MAX_TX_GAS``)."""
    binary: Literal["v1", "v2"] = "v1"
    """The host binary at genesis, which fixes its native light client (``contract =
    "native"``): ``v1`` verifies tm-ed25519 headers, ``v2`` tm-secp256k1 ones too. Only a
    ``software_upgrade`` changes it."""
    upgrade_delay: Duration = 30 * MINUTE
    """How long the host stays halted at a software upgrade while its validators install the
    new binary."""
