"""Properties of the built tendermint contracts against the reference: whatever bytes arrive — a
signed update, evidence, client and consensus states or proofs mangled at random, or client
states with fields drawn at random — the contract and the reference agree on the outcome, the
reason and every stored byte (the ``Twin`` asserts it on each call). And what updates cost in
gas, at 4 and at 100 validators."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relayer_sim.formats import light_blocks as lb
from relayer_sim.ics07.client import PROFILES, TENDERMINT_V1, TENDERMINT_V2
from relayer_sim.lightclient.client import ClientError
from relayer_sim.vm import WasmVM
from tests.ics07 import (
    DRIFT,
    SECOND,
    TRUSTING,
    UNBONDING,
    Keys,
    TestChain,
    env,
    genesis,
    header_message,
    keys,
    update,
)
from tests.ics07.twin import CHECKSUM, Twin, refusal, starter, store_contracts

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def checksums(vm: WasmVM) -> dict[str, bytes]:
    return store_contracts(vm)


def mangle(data: bytes, draw: st.DataObject) -> bytes:
    """``data`` with one bit flipped, a byte dropped, a byte inserted or the tail cut."""
    kind = draw.draw(st.sampled_from(["flip", "drop", "insert", "cut"]))
    index = draw.draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        return (
            data[:index]
            + bytes([data[index] ^ (1 << draw.draw(st.integers(0, 7)))])
            + data[index + 1 :]
        )
    if kind == "drop":
        return data[:index] + data[index + 1 :]
    if kind == "insert":
        return data[:index] + bytes([draw.draw(st.integers(0, 255))]) + data[index:]
    return data[:index]


# One chain for all examples: a client trusting block 1, an honest block 10 whose state holds
# KEY, a fork at 10.
KEY, VALUE = b"clients/07-tendermint-0/clientState", b"\x05" * 40
CHAIN = TestChain()
CHAIN.ibc.set(KEY, VALUE)
FIRST, TENTH = CHAIN.block(1), CHAIN.block(10)
FORGED = CHAIN.block(10, app_hash=b"\x07" * 32)
TRUSTED = CHAIN.validators.validators
NOW = TENTH.time_ns + SECOND
UPDATE = update(TENTH, 1, TRUSTED)
EVIDENCE = lb.pack_any(
    lb.misbehaviour(header_message(FORGED, 1, TRUSTED), header_message(TENTH, 1, TRUSTED))
)
GENESIS = genesis(FIRST)


def fresh(vm: WasmVM, checksums: dict[str, bytes], profile_name: str) -> Twin:
    twin = Twin(vm, checksums, PROFILES[profile_name])
    twin.instantiate(*GENESIS, CHECKSUM, env(FIRST.time_ns + SECOND))
    return twin


@SETTINGS
@given(draw=st.data(), profile=st.sampled_from(sorted(PROFILES)))
def test_mangled_client_messages_are_judged_alike(
    vm: WasmVM, checksums: dict[str, bytes], draw: st.DataObject, profile: str
) -> None:
    twin = fresh(vm, checksums, profile)
    message = mangle(draw.draw(st.sampled_from([UPDATE, EVIDENCE])), draw)
    calls: list[Callable[..., object]] = [
        twin.verify_client_message,
        twin.check_for_misbehaviour,
        twin.update_state,
    ]
    for call in calls:
        refusal(call, message, env(NOW))


@SETTINGS
@given(draw=st.data())
def test_mangled_states_are_instantiated_or_refused_alike(
    vm: WasmVM, checksums: dict[str, bytes], draw: st.DataObject
) -> None:
    twin = Twin(vm, checksums, TENDERMINT_V1)
    client, consensus = GENESIS
    if draw.draw(st.booleans()):
        client = mangle(client, draw)
    else:
        consensus = mangle(consensus, draw)
    if refusal(twin.instantiate, client, consensus, CHECKSUM, env(FIRST.time_ns)) is None:
        refusal(twin.status, env(NOW))


@SETTINGS
@given(
    chain_id=st.sampled_from(["gaia-1", "gaia", "a-b-7", " ", "", "x" * 51, "gaia-01"]),
    revision=st.integers(0, 2),
    height=st.integers(0, 3),
    trust=st.tuples(st.integers(0, 4), st.integers(0, 4)),
    trusting=st.sampled_from([0, -SECOND, TRUSTING, UNBONDING]),
    drift=st.sampled_from([0, DRIFT, -1]),
    path=st.sampled_from([(), ("upgrade", "upgradedIBCState"), ("upgrade", " ")]),
    timestamp=st.sampled_from([0, SECOND // 2, SECOND, FIRST.time_ns]),
    next_hash=st.sampled_from([b"", b"\x01" * 32, b"\x01" * 31]),
    root=st.sampled_from([b"", b"r"]),
)
def test_client_states_are_validated_alike(
    vm: WasmVM,
    checksums: dict[str, bytes],
    chain_id: str,
    revision: int,
    height: int,
    trust: tuple[int, int],
    trusting: int,
    drift: int,
    path: tuple[str, ...],
    timestamp: int,
    next_hash: bytes,
    root: bytes,
) -> None:
    state = lb.client_state(
        chain_id=chain_id,
        trust_level=trust,
        trusting_period_ns=trusting,
        unbonding_period_ns=UNBONDING,
        max_clock_drift_ns=drift,
        latest_height=lb.height(revision, height),
        upgrade_path=path,
    )
    consensus = lb.consensus_state(timestamp, root, next_hash)
    twin = Twin(vm, checksums, TENDERMINT_V2)
    refusal(twin.instantiate, lb.pack_any(state), lb.pack_any(consensus), CHECKSUM, env(NOW))


@SETTINGS
@given(draw=st.data(), present=st.booleans())
def test_mangled_proofs_are_judged_alike(
    vm: WasmVM, checksums: dict[str, bytes], draw: st.DataObject, present: bool
) -> None:
    twin = fresh(vm, checksums, TENDERMINT_V1.name)
    twin.update(UPDATE, env(NOW))
    key = KEY if present else KEY + b"/absent"
    proof = mangle(CHAIN.prove(TENTH, key, present=present), draw)
    path = [b"ibc", key]
    if present:
        refusal(twin.verify_membership, TENTH.height, proof, path, VALUE, env(NOW))
    else:
        refusal(twin.verify_non_membership, TENTH.height, proof, path, env(NOW))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    powers=st.lists(st.integers(0, 50), min_size=1, max_size=6).filter(lambda p: sum(p) > 0),
    schemes=st.lists(st.sampled_from(["ed25519", "secp256k1"]), min_size=6, max_size=6),
    absent=st.sets(st.integers(0, 5)),
    corrupted=st.one_of(st.none(), st.integers(0, 5)),
    height=st.sampled_from([2, 7]),
    profile=st.sampled_from(sorted(PROFILES)),
)
def test_random_commits_are_tallied_alike(
    vm: WasmVM,
    checksums: dict[str, bytes],
    powers: list[int],
    schemes: list[str],
    absent: set[int],
    corrupted: int | None,
    height: int,
    profile: str,
) -> None:
    """Sets of mixed key types and powers, votes absent at random, one signature corrupted:
    which signatures are checked, in which order, and what is refused first, agree."""
    members, signing = [], {}
    for index, power in enumerate(powers):
        one = keys([power], schemes[index], seed=bytes([index]))
        members += [lb.Member(v.pub_key, v.voting_power) for v in one.validators.validators]
        signing.update(one.keys)
    validators = Keys(lb.validator_set(members), signing)
    chain = TestChain(validators=validators)
    twin = starter(vm, checksums)(chain, PROFILES[profile])
    block = chain.block(height, absent=sorted(i for i in absent if i < len(powers)))
    if corrupted is not None and corrupted < len(powers):
        sig = block.signed.commit.signatures[corrupted]
        if sig.signature:
            sig.signature = sig.signature[:-1] + bytes([sig.signature[-1] ^ 1])
    refusal(twin.update, update(block, 1, validators.validators), env(block.time_ns + SECOND))


# --- gas ------------------------------------------------------------------------------------------

#: The SDK gas a host grants a transaction's messages is bounded by its block gas; CosmWasm gas
#: is 140,000 to one SDK gas. An update must fit comfortably in a few million SDK gas.
SDK_GAS = 140_000


@pytest.mark.parametrize(
    ("scheme", "validators", "verify_bound", "store_bound"),
    [
        ("ed25519", 4, 10_000, 5_000),
        ("ed25519", 100, 70_000, 20_000),
        ("secp256k1", 100, 210_000, 20_000),
    ],
)
def test_update_gas(
    vm: WasmVM,
    checksums: dict[str, bytes],
    scheme: str,
    validators: int,
    verify_bound: int,
    store_bound: int,
) -> None:
    """Verifying an adjacent and a skipping update stays under ``verify_bound`` SDK gas, and
    storing it under ``store_bound`` (about twice what these contracts measure: at 100
    validators an ed25519 update verifies for ~28,000 adjacent and ~35,000 skipping, a
    secp256k1 one for ~76,000 and ~105,000, most of it the signature imports)."""
    chain = TestChain(validators=keys([10] * validators, scheme))
    twin = starter(vm, checksums)(chain, TENDERMINT_V2)
    second, tenth = chain.block(2), chain.block(10)
    now = tenth.time_ns + SECOND
    for block, trusted in ((second, 1), (tenth, 2)):
        message = update(block, trusted, chain.validators.validators)
        twin.verify_client_message(message, env(now))
        assert twin.gas < verify_bound * SDK_GAS
        twin.update_state(message, env(now))
        assert twin.gas < store_bound * SDK_GAS


def test_a_refused_update_changes_nothing(vm: WasmVM, checksums: dict[str, bytes]) -> None:
    twin = fresh(vm, checksums, TENDERMINT_V1.name)
    before = twin.dump(twin.contract.storage)
    with pytest.raises(ClientError):
        twin.update_state(b"\x0a\x01x", env(NOW))
    assert twin.dump(twin.contract.storage) == before
