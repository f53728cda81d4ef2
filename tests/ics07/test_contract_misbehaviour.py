"""The built tendermint contracts against the reference on misbehaviour: equivocation and lunatic
forks verified, found and freezing the client; forks below the trust level; time violations;
invalid evidence with its reasons; headers that conflict with stored consensus states."""

from __future__ import annotations

import pytest

from relayer_sim.formats import light_blocks as lb
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.ics07 import errors
from relayer_sim.ics07.client import TENDERMINT_V2
from relayer_sim.vm import WasmVM
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
from tests.ics07.test_contract_updates import corrupt
from tests.ics07.twin import Start, refusal, starter, store_contracts


@pytest.fixture(scope="module")
def checksums(vm: WasmVM) -> dict[str, bytes]:
    return store_contracts(vm)


@pytest.fixture
def start(vm: WasmVM, checksums: dict[str, bytes]) -> Start:
    return starter(vm, checksums)


def evidence(first: Block, second: Block, chain: TestChain, trusted: int = 1) -> bytes:
    trusted_validators = chain.validators.validators
    return lb.pack_any(
        lb.misbehaviour(
            header_message(first, trusted, trusted_validators),
            header_message(second, trusted, trusted_validators),
        )
    )


def fork(chain: TestChain, height: int) -> tuple[Block, Block]:
    """A forged block and the honest one at ``height``, both signed by the whole set."""
    honest = chain.block(height)
    forged = chain.block(height, app_hash=digest("forged state"))
    return forged, honest


@pytest.mark.parametrize("dialect", ["v10", "v0.1"])
def test_a_fork_is_verified_found_and_freezes_the_client(start: Start, dialect: str) -> None:
    chain = TestChain()
    twin = start(chain, dialect=dialect)
    forged, honest = fork(chain, 10)
    now = honest.time_ns + SECOND
    assert twin.update(evidence(forged, honest, chain), env(now)) == []
    assert twin.status(env(now)) == "Frozen"


def test_a_lunatic_fork_and_one_below_the_trust_level(start: Start) -> None:
    chain = TestChain()  # 40, 30, 20, 10
    twin = start(chain)
    honest = chain.block(10)
    now = honest.time_ns + SECOND
    coalition = keys([40], seed=b"validator")  # the 40 power validator alone (> 1/3)
    lunatic = chain.block(10, validators=coalition, app_hash=digest("invented"))
    twin.verify_client_message(evidence(lunatic, honest, chain), env(now))
    assert twin.check_for_misbehaviour(evidence(lunatic, honest, chain), env(now))
    smallest = chain.validators.validators.validators[2:]  # 20 + 10 of 100
    weak = Keys(
        lb.validator_set(lb.Member(v.pub_key, v.voting_power) for v in smallest),
        chain.validators.keys,
    )
    too_few = chain.block(10, validators=weak, app_hash=digest("invented"))
    message = evidence(too_few, honest, chain)
    assert refusal(twin.verify_client_message, message, env(now)) == (
        errors.NOT_ENOUGH_VOTING_POWER
    )


def test_time_violations_and_the_same_header_twice(start: Start) -> None:
    chain = TestChain()
    twin = start(chain, TENDERMINT_V2)
    tenth = chain.block(10)
    eleventh = chain.block(11, time_ns=tenth.time_ns)
    now = tenth.time_ns + SECOND
    twin.verify_client_message(evidence(eleventh, tenth, chain), env(now))
    assert twin.check_for_misbehaviour(evidence(eleventh, tenth, chain), env(now))
    assert not twin.check_for_misbehaviour(evidence(chain.block(11), tenth, chain), env(now))
    assert not twin.check_for_misbehaviour(evidence(tenth, tenth, chain), env(now))


@pytest.mark.parametrize(
    "case",
    [
        "chain ids differ",
        "header 1 below header 2",
        "no trusted validators",
        "zero trusted height",
        "bad signature",
        "unknown trusted height",
        "no header",
        "no second header",
        "wrong trusted validators",
    ],
)
def test_invalid_misbehaviour_is_refused_alike(start: Start, case: str) -> None:
    chain = TestChain()
    twin = start(chain)
    forged, honest = fork(chain, 10)
    trusted = chain.validators.validators
    first = header_message(forged, 1, trusted)
    second = header_message(honest, 1, trusted)
    if case == "chain ids differ":
        first = header_message(chain.block(10, chain_id="gaia-2"), 1, trusted)
    elif case == "header 1 below header 2":
        first = header_message(chain.block(9), 1, trusted)
    elif case == "no trusted validators":
        second.ClearField("trusted_validators")
    elif case == "zero trusted height":
        second.trusted_height.revision_height = 0
    elif case == "bad signature":
        second = header_message(corrupt(honest, 0), 1, trusted)
    elif case == "unknown trusted height":
        second.trusted_height.revision_height = 5
    elif case == "no header":
        second.signed_header.ClearField("header")
    elif case == "wrong trusted validators":
        second = header_message(honest, 1, keys([1, 2], seed=b"x").validators)
    evidence_message = tendermint_pb2.Misbehaviour(header_1=first, header_2=second)
    if case == "no second header":
        evidence_message.ClearField("header_2")
    message = lb.pack_any(evidence_message)
    now = honest.time_ns + SECOND
    assert refusal(twin.verify_client_message, message, env(now)) is not None
    # an error of check_for_misbehaviour counts as none found; the twins agree on it either way
    refusal(twin.check_for_misbehaviour, message, env(now))


def test_misbehaviour_from_an_expired_trusted_state(start: Start) -> None:
    chain = TestChain()
    twin = start(chain)
    forged, honest = fork(chain, 10)
    message = evidence(forged, honest, chain)
    first = chain.blocks[1]
    assert refusal(twin.verify_client_message, message, env(first.time_ns + TRUSTING)) == (
        errors.TRUSTING_PERIOD_EXPIRED
    )
    twin.verify_client_message(message, env(first.time_ns + TRUSTING - 1))


def test_headers_conflicting_with_stored_states(start: Start) -> None:
    chain = TestChain()
    twin = start(chain)
    forged, honest = fork(chain, 10)
    trusted = chain.validators.validators
    now = honest.time_ns + SECOND
    twin.update(update(honest, 1, trusted), env(now))
    assert not twin.check_for_misbehaviour(update(honest, 1, trusted), env(now))
    assert twin.check_for_misbehaviour(update(forged, 1, trusted), env(now))
    in_order = chain.block(5)
    late = chain.block(5, time_ns=honest.time_ns)
    early = chain.block(5, time_ns=chain.blocks[1].time_ns)
    assert not twin.check_for_misbehaviour(update(in_order, 1, trusted), env(now))
    assert twin.check_for_misbehaviour(update(late, 1, trusted), env(now))
    assert twin.check_for_misbehaviour(update(early, 1, trusted), env(now))
    # an update that conflicts freezes the client through 02-client's flow
    assert twin.update(update(forged, 1, trusted), env(now)) == []
    assert twin.status(env(now)) == "Frozen"
