"""Misbehaviour in the 07-tendermint reference: forks (equivocation and lunatic) and time
violations found and verified, conflicts of a single header with the stored states, and the
misbehaviours ibc-go refuses."""

from __future__ import annotations

import pytest

from relayer_sim.formats import light_blocks as lb
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.ics07 import errors
from relayer_sim.ics07.client import TENDERMINT_V1, TendermintClient
from relayer_sim.ics07.errors import ClientError, reason_of
from relayer_sim.vm import MemoryStorage
from tests.ics07 import (
    SECOND,
    TRUSTING,
    Block,
    Keys,
    TestChain,
    digest,
    env,
    header_message,
    keys,
    update,
)
from tests.ics07.test_reference_updates import apply, corrupt, start


def evidence(first: Block, second: Block, chain: TestChain, trusted: int = 1) -> bytes:
    trusted_validators = chain.validators.validators
    return lb.pack_any(
        lb.misbehaviour(
            header_message(first, trusted, trusted_validators),
            header_message(second, trusted, trusted_validators),
        )
    )


def verified(client: TendermintClient, message: bytes, now: int) -> str | None:
    try:
        client.verify_client_message(message, env(now))
    except ClientError as error:
        return reason_of(str(error))
    return None


def fork(chain: TestChain, height: int) -> tuple[Block, Block]:
    """An honest block and a conflicting one at ``height`` (another app hash), both signed by
    the whole validator set: equivocation."""
    honest = chain.block(height)
    forged = chain.block(height, app_hash=digest("forged state"))
    return forged, honest


def test_a_fork_is_verified_found_and_freezes_the_client() -> None:
    chain = TestChain()
    client = start(chain)
    forged, honest = fork(chain, 10)
    message = evidence(forged, honest, chain)
    now = honest.time_ns + SECOND
    assert verified(client, message, now) is None
    assert client.check_for_misbehaviour(message, env(now))
    client.update_state_on_misbehaviour(message, env(now))
    assert client.status(env(now)) == "Frozen"


def test_a_lunatic_fork_by_a_third_of_the_trusted_power_is_misbehaviour() -> None:
    chain = TestChain()  # 40, 30, 20, 10
    client = start(chain)
    coalition = keys([40], seed=b"validator")  # the 40 power validator alone (> 1/3)
    honest = chain.block(10)
    lunatic = chain.block(10, validators=coalition, app_hash=digest("invented"))
    message = evidence(lunatic, honest, chain)
    now = honest.time_ns + SECOND
    assert verified(client, message, now) is None
    assert client.check_for_misbehaviour(message, env(now))


def test_a_fork_signed_by_less_than_the_trust_level_is_not_evidence() -> None:
    chain = TestChain()  # 40, 30, 20, 10
    client = start(chain)
    smallest = chain.validators.validators.validators[2:]  # 20 + 10 of 100
    coalition = Keys(
        lb.validator_set(lb.Member(v.pub_key, v.voting_power) for v in smallest),
        chain.validators.keys,
    )
    honest = chain.block(10)
    lunatic = chain.block(10, validators=coalition, app_hash=digest("invented"))
    message = evidence(lunatic, honest, chain)
    assert verified(client, message, honest.time_ns + SECOND) == errors.NOT_ENOUGH_VOTING_POWER


def test_a_time_violation_is_found() -> None:
    chain = TestChain()
    client = start(chain)
    tenth = chain.block(10)
    eleventh = chain.block(11, time_ns=tenth.time_ns)
    message = evidence(eleventh, tenth, chain)
    now = tenth.time_ns + SECOND
    assert verified(client, message, now) is None
    assert client.check_for_misbehaviour(message, env(now))
    honest = evidence(chain.block(11), tenth, chain)
    assert not client.check_for_misbehaviour(honest, env(now))


def test_the_same_header_twice_is_no_misbehaviour() -> None:
    chain = TestChain()
    client = start(chain)
    tenth = chain.block(10)
    assert not client.check_for_misbehaviour(
        evidence(tenth, tenth, chain), env(tenth.time_ns + SECOND)
    )


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("chain ids differ", errors.INVALID_MISBEHAVIOUR),
        ("header 1 below header 2", errors.INVALID_MISBEHAVIOUR),
        ("no trusted validators", errors.INVALID_MISBEHAVIOUR),
        ("zero trusted height", errors.INVALID_MISBEHAVIOUR),
        ("bad signature", errors.INVALID_SIGNATURE),
        ("unknown trusted height", errors.CONSENSUS_STATE_NOT_FOUND),
    ],
)
def test_invalid_misbehaviour_is_refused(case: str, reason: str) -> None:
    chain = TestChain()
    client = start(chain)
    forged, honest = fork(chain, 10)
    first = header_message(forged, 1, chain.validators.validators)
    second = header_message(honest, 1, chain.validators.validators)
    if case == "chain ids differ":
        first = header_message(chain.block(10, chain_id="gaia-2"), 1, chain.validators.validators)
    elif case == "header 1 below header 2":
        first = header_message(chain.block(9), 1, chain.validators.validators)
    elif case == "no trusted validators":
        second.ClearField("trusted_validators")
    elif case == "zero trusted height":
        second.trusted_height.revision_height = 0
    elif case == "bad signature":
        second = header_message(corrupt(honest, 0), 1, chain.validators.validators)
    else:
        second.trusted_height.revision_height = 5
    message = lb.pack_any(tendermint_pb2.Misbehaviour(header_1=first, header_2=second))
    assert verified(client, message, honest.time_ns + SECOND) == reason


def test_misbehaviour_from_an_expired_trusted_state_is_refused() -> None:
    chain = TestChain()
    client = start(chain)
    forged, honest = fork(chain, 10)
    message = evidence(forged, honest, chain)
    first = chain.blocks[1]
    assert verified(client, message, first.time_ns + TRUSTING) == errors.TRUSTING_PERIOD_EXPIRED
    assert verified(client, message, first.time_ns + TRUSTING - 1) is None


def test_a_header_conflicting_with_a_stored_state_is_misbehaviour() -> None:
    chain = TestChain()
    client = start(chain)
    forged, honest = fork(chain, 10)
    now = honest.time_ns + SECOND
    apply(client, update(honest, 1, chain.validators.validators), now)
    assert not client.check_for_misbehaviour(
        update(honest, 1, chain.validators.validators), env(now)
    )
    assert client.check_for_misbehaviour(update(forged, 1, chain.validators.validators), env(now))


def test_a_header_breaking_time_order_with_its_neighbours_is_misbehaviour() -> None:
    chain = TestChain()
    client = start(chain)
    tenth = chain.block(10)
    now = tenth.time_ns + SECOND
    apply(client, update(tenth, 1, chain.validators.validators), now)
    trusted = chain.validators.validators
    in_order = chain.block(5)
    late = chain.block(5, time_ns=tenth.time_ns)
    early = chain.block(5, time_ns=chain.blocks[1].time_ns)
    assert not client.check_for_misbehaviour(update(in_order, 1, trusted), env(now))
    assert client.check_for_misbehaviour(update(late, 1, trusted), env(now))
    assert client.check_for_misbehaviour(update(early, 1, trusted), env(now))


def test_check_for_misbehaviour_needs_a_client() -> None:
    chain = TestChain()
    tenth = chain.block(10)
    empty = TendermintClient(MemoryStorage(), TENDERMINT_V1)
    with pytest.raises(ClientError, match=errors.MALFORMED_CLIENT_STATE):
        empty.check_for_misbehaviour(update(tenth, 1, chain.validators.validators), env(0))
