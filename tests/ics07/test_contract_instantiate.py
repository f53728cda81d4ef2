"""The built tendermint contracts against the reference on ``instantiate``: ibc-go
``LightClientModule.Initialize``'s order (decode the client state, ``Validate`` it, only then decode
the consensus state and ``ValidateBasic`` it) over every combination of a valid, invalid and
malformed client and consensus state — compared on outcome, reason and stored bytes
(``tests/ics07/twin.py``)."""

from __future__ import annotations

import pytest

from relayer_sim.formats import light_blocks as lb
from relayer_sim.ics07 import errors
from relayer_sim.ics07.client import TENDERMINT_V1, TENDERMINT_V2
from relayer_sim.ics07.verify import Profile
from relayer_sim.vm import WasmVM
from tests.ics07 import SECOND, T0, UNBONDING, client_state, env
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
