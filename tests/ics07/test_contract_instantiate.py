"""The built tendermint contracts against the reference on ``instantiate``: ibc-go
``LightClientModule.Initialize``'s order (decode the client state, ``Validate`` it, only then decode
the consensus state and ``ValidateBasic`` it) over every combination of a valid, invalid and
malformed client and consensus state — compared on outcome, reason and stored bytes
(``tests/ics07/twin.py``); and ``ClientState.Validate``'s order of rules, compared on the full
error text for client states that break two rules at once."""

from __future__ import annotations

import pytest

from relayer_sim.formats import light_blocks as lb
from relayer_sim.ics07 import errors
from relayer_sim.ics07.client import TENDERMINT_V1, TENDERMINT_V2
from relayer_sim.ics07.verify import Profile
from relayer_sim.lightclient.client import ClientError
from relayer_sim.vm import WasmVM
from tests.ics07 import DRIFT, SECOND, T0, TRUSTING, UNBONDING, client_state, env
from tests.ics07.twin import CHECKSUM, Twin, refusal, store_contracts


@pytest.fixture(scope="module")
def checksums(vm: WasmVM) -> dict[str, bytes]:
    return store_contracts(vm)


#: A truncated ``Any`` (field 1, length 5, one byte): no decoder reads it.
MALFORMED = b"\x0a\x05x"

CLIENT_STATES = {
    "valid": lb.pack_any(client_state(1)),
    # trusting period not below the unbonding period
    "invalid": lb.pack_any(client_state(1, trusting_ns=UNBONDING)),
    "malformed": MALFORMED,
}
CONSENSUS_STATES = {
    "valid": lb.pack_any(lb.consensus_state(T0, b"\x01" * 32, b"\x02" * 32)),
    # no root
    "invalid": lb.pack_any(lb.consensus_state(T0, b"", b"\x02" * 32)),
    "malformed": MALFORMED,
}


def expected(client: str, consensus: str) -> str | None:
    """The first refusal in ibc-go's order: the client state decoded and validated, then the
    consensus state."""
    if client == "malformed":
        return errors.MALFORMED_CLIENT_STATE
    if client == "invalid":
        return errors.INVALID_CLIENT_STATE
    if consensus == "malformed":
        return errors.MALFORMED_CONSENSUS_STATE
    if consensus == "invalid":
        return errors.INVALID_CONSENSUS_STATE
    return None


@pytest.mark.parametrize("profile", [TENDERMINT_V1, TENDERMINT_V2], ids=lambda p: p.name)
@pytest.mark.parametrize("consensus", sorted(CONSENSUS_STATES))
@pytest.mark.parametrize("client", sorted(CLIENT_STATES))
def test_instantiate_checks_in_ibc_go_order(
    vm: WasmVM, checksums: dict[str, bytes], profile: Profile, client: str, consensus: str
) -> None:
    """An invalid client state is refused as such whatever the consensus state bytes, malformed
    ones included; a malformed or invalid consensus state is reached only after a valid client
    state."""
    twin = Twin(vm, checksums, profile)
    got = refusal(
        twin.instantiate,
        CLIENT_STATES[client],
        CONSENSUS_STATES[consensus],
        CHECKSUM,
        env(T0 + SECOND),
    )
    assert got == expected(client, consensus)


def _breaking(
    *,
    revision: int = 1,
    height: int = 1,
    trusting_ns: int = TRUSTING,
    drift_ns: int = DRIFT,
    specs: bool = True,
    path: tuple[str, ...] = ("upgrade", "upgradedIBCState"),
) -> bytes:
    state = lb.client_state(
        chain_id="gaia-1",
        trust_level=(1, 3),
        trusting_period_ns=trusting_ns,
        unbonding_period_ns=UNBONDING,
        max_clock_drift_ns=drift_ns,
        latest_height=lb.height(revision, height),
        upgrade_path=path,
    )
    if not specs:
        del state.proof_specs[:]
    return lb.pack_any(state)


#: Client states breaking two rules of ``ClientState.Validate``, and the one ibc-go reports: the
#: latest height's revision number, then its revision height, then trusting < unbonding.
TWO_RULES = {
    "revision height zero, trusting not below unbonding": (
        _breaking(height=0, trusting_ns=UNBONDING),
        "latest revision height is zero",
    ),
    "revision mismatch, trusting not below unbonding": (
        _breaking(revision=2, trusting_ns=UNBONDING),
        "latest height revision differs from the chain id's",
    ),
    "revision mismatch, revision height zero": (
        _breaking(revision=0, height=0),
        "latest height revision differs from the chain id's",
    ),
    "no clock drift, trusting not below unbonding": (
        _breaking(drift_ns=0, trusting_ns=UNBONDING),
        "max clock drift must be positive",
    ),
    "trusting not below unbonding, no proof specs": (
        _breaking(trusting_ns=UNBONDING + 1, specs=False),
        "trusting period is not below the unbonding period",
    ),
    "no proof specs, a blank upgrade path key": (
        _breaking(specs=False, path=("upgrade", " ")),
        "no proof specs",
    ),
}


@pytest.mark.parametrize("profile", [TENDERMINT_V1, TENDERMINT_V2], ids=lambda p: p.name)
@pytest.mark.parametrize("case", sorted(TWO_RULES))
def test_client_state_rules_in_ibc_go_order_same_full_text(
    vm: WasmVM, checksums: dict[str, bytes], profile: Profile, case: str
) -> None:
    """The contract and the reference report the same rule, in the same words."""
    client, problem = TWO_RULES[case]
    twin = Twin(vm, checksums, profile)
    twin.details = True
    with pytest.raises(ClientError) as caught:
        twin.instantiate(client, CONSENSUS_STATES["valid"], CHECKSUM, env(T0 + SECOND))
    assert str(caught.value) == f"{errors.INVALID_CLIENT_STATE}: {problem}"
