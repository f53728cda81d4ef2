"""The built tendermint contracts against the reference on proofs: membership and non-membership
with real IAVL + multistore proofs in both dialects, delay periods at their bounds, a planned
upgrade (also to a shorter unbonding period), recovery from a substitute, the metadata a v0.1
host exports, and migrate."""

from __future__ import annotations

import pytest

from relayer_sim.formats import light_blocks as lb
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.ics07 import encode, errors
from relayer_sim.ics07.client import TENDERMINT_V1, TENDERMINT_V2, TendermintClient
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import processed_time_key
from relayer_sim.vm import MemoryStorage, WasmVM
from relayer_sim.vm.storage import PrefixStore
from tests.ics07 import (
    HOUR,
    SECOND,
    TRUSTING,
    UNBONDING,
    Block,
    TestChain,
    client_state,
    env,
    genesis,
    update,
)
from tests.ics07.twin import Start, Twin, refusal, starter, store_contracts

KEY, VALUE = b"commitments/ports/transfer/channels/channel-0/sequences/1", b"\x01" * 32
ABSENT = b"receipts/ports/transfer/channels/channel-0/sequences/9"


@pytest.fixture(scope="module")
def checksums(vm: WasmVM) -> dict[str, bytes]:
    return store_contracts(vm)


@pytest.fixture
def start(vm: WasmVM, checksums: dict[str, bytes]) -> Start:
    return starter(vm, checksums)


def proven(start: Start, dialect: str = "v10") -> tuple[TestChain, Twin, Block, int]:
    """A twin pair updated to block 5, whose state holds ``KEY``."""
    chain = TestChain()
    twin = start(chain, dialect=dialect)
    chain.ibc.set(KEY, VALUE)
    fifth = chain.block(5)
    now = fifth.time_ns + SECOND
    twin.update(update(fifth, 1, chain.validators.validators), env(now))
    return chain, twin, fifth, now


@pytest.mark.parametrize("dialect", ["v10", "v0.1"])
def test_membership_and_non_membership_with_real_proofs(start: Start, dialect: str) -> None:
    chain, twin, fifth, now = proven(start, dialect)
    twin.verify_membership(fifth.height, chain.prove(fifth, KEY), [b"ibc", KEY], VALUE, env(now))
    absent = chain.prove(fifth, ABSENT, present=False)
    twin.verify_non_membership(fifth.height, absent, [b"ibc", ABSENT], env(now))


@pytest.mark.parametrize(
    "case",
    [
        "wrong value",
        "wrong key",
        "wrong store",
        "above the latest height",
        "no consensus state there",
        "not a proof",
        "present key proven absent",
        "absent key proven present",
        "one path element",
    ],
)
def test_membership_refusals_agree(start: Start, case: str) -> None:
    chain, twin, fifth, now = proven(start)
    height, proof, path, value = fifth.height, chain.prove(fifth, KEY), [b"ibc", KEY], VALUE
    if case == "wrong value":
        value = b"\x02" * 32
    elif case == "wrong key":
        path = [b"ibc", ABSENT]
    elif case == "wrong store":
        path = [b"bank", KEY]
    elif case == "above the latest height":
        height = Height(1, 6)
    elif case == "no consensus state there":
        height = Height(1, 3)
    elif case == "not a proof":
        proof = b"\x0a\x05\x0a"
    elif case == "absent key proven present":
        proof = chain.prove(fifth, ABSENT, present=False)
    elif case == "one path element":
        path = [KEY]
    if case == "present key proven absent":
        got = refusal(twin.verify_non_membership, height, proof, path, env(now))
    else:
        got = refusal(twin.verify_membership, height, proof, path, value, env(now))
    assert got is not None


def test_delay_periods_are_inclusive_bounds(start: Start) -> None:
    chain, twin, fifth, now = proven(start)
    proof, path = chain.prove(fifth, KEY), [b"ibc", KEY]

    def check(delay_time: int, delay_blocks: int, at: object) -> str | None:
        return refusal(
            twin.verify_membership, fifth.height, proof, path, VALUE, at, delay_time, delay_blocks
        )

    assert check(10 * SECOND, 0, env(now + 10 * SECOND - 1)) == errors.DELAY_PERIOD_NOT_PASSED
    assert check(10 * SECOND, 0, env(now + 10 * SECOND)) is None
    assert check(0, 5, env(now, height=104)) == errors.DELAY_PERIOD_NOT_PASSED
    assert check(0, 5, env(now, height=105)) is None
    for store in (twin.reference.store, twin.contract.storage):
        store.delete(processed_time_key(fifth.height))
    assert check(SECOND, 0, env(now + HOUR)) == errors.DELAY_PERIOD_NOT_PASSED
    assert check(0, 0, env(now)) is None


@pytest.mark.parametrize("extra", [b"\x00", b"\xff\xff\xff"], ids=["9 bytes", "11 bytes"])
def test_a_processed_time_longer_than_8_bytes_is_read_by_its_first_8(
    start: Start, extra: bytes
) -> None:
    """ibc-go reads a processed time with ``sdk.BigEndianToUint64`` (``binary.BigEndian.Uint64``):
    a longer value counts by its first 8 bytes, the rest ignored."""
    chain, twin, fifth, now = proven(start)
    proof, path = chain.prove(fifth, KEY), [b"ibc", KEY]
    key = processed_time_key(fifth.height)
    stored = twin.reference.store.get(key)
    assert stored == now.to_bytes(8, "big")
    twin.load([(key, stored + extra)])

    def check(at: int) -> str | None:
        return refusal(twin.verify_membership, fifth.height, proof, path, VALUE, env(at), SECOND)

    assert check(now + SECOND - 1) == errors.DELAY_PERIOD_NOT_PASSED
    assert check(now + SECOND) is None


def test_a_processed_time_shorter_than_8_bytes_counts_as_missing(start: Start) -> None:
    """Both refuse a 1- to 7-byte processed time as ``delay period not passed`` (Go's
    ``binary.BigEndian.Uint64`` would panic on it; an empty value is not found in Go too)."""
    chain, twin, fifth, now = proven(start)
    proof, path = chain.prove(fifth, KEY), [b"ibc", KEY]
    twin.load([(processed_time_key(fifth.height), now.to_bytes(8, "big")[1:])])
    got = refusal(twin.verify_membership, fifth.height, proof, path, VALUE, env(now + HOUR), 1)
    assert got == errors.DELAY_PERIOD_NOT_PASSED


# --- upgrade --------------------------------------------------------------------------------------


def planned_upgrade(
    start: Start, unbonding_ns: int = UNBONDING
) -> tuple[TestChain, Twin, Block, bytes, bytes, int]:
    """A chain that plans an upgrade to ``gaia-2`` after height 20 and a twin updated to it."""
    chain = TestChain()
    twin = start(chain, TENDERMINT_V2)
    upgraded = client_state(1, chain_id="gaia-2", unbonding_ns=unbonding_ns)
    new_validators = lb.set_hash(chain.validators.validators)
    upgraded_consensus = tendermint_pb2.ConsensusState(next_validators_hash=new_validators)
    upgraded_consensus.timestamp.seconds = 1_700_001_000
    consensus_any = encode.consensus_state_any(upgraded_consensus)
    zeroed = tendermint_pb2.ClientState(chain_id="gaia-2", upgrade_path=upgraded.upgrade_path)
    zeroed.unbonding_period.CopyFrom(upgraded.unbonding_period)
    zeroed.latest_height.CopyFrom(upgraded.latest_height)
    zeroed.proof_specs.extend(upgraded.proof_specs)
    chain.upgrade.set(b"upgradedIBCState/20/upgradedClient", encode.client_state_any(zeroed))
    chain.upgrade.set(b"upgradedIBCState/20/upgradedConsState", consensus_any)
    last = chain.block(20)
    now = last.time_ns + SECOND
    twin.update(update(last, 1, chain.validators.validators), env(now))
    return chain, twin, last, encode.client_state_any(upgraded), consensus_any, now


def upgrade_proofs(chain: TestChain, last: Block) -> tuple[bytes, bytes]:
    return (
        chain.prove(last, b"upgradedIBCState/20/upgradedClient", "upgrade"),
        chain.prove(last, b"upgradedIBCState/20/upgradedConsState", "upgrade"),
    )


@pytest.mark.parametrize("unbonding_ns", [UNBONDING, UNBONDING // 2, UNBONDING - 7])
def test_a_proven_upgrade_moves_the_client_to_the_new_revision(
    start: Start, unbonding_ns: int
) -> None:
    chain, twin, last, upgraded, consensus, now = planned_upgrade(start, unbonding_ns)
    twin.verify_upgrade_and_update_state(
        upgraded, consensus, *upgrade_proofs(chain, last), env(now)
    )
    assert twin.status(env(now)) == "Active"
    new_chain = TestChain(chain_id="gaia-2")
    first = new_chain.block(2, time_ns=1_700_001_000 * SECOND + SECOND)
    message = update(first, 1, chain.validators.validators)
    assert twin.update(message, env(first.time_ns + SECOND)) == [Height(2, 2)]


@pytest.mark.parametrize(
    "case",
    [
        "not above the latest height",
        "another client state",
        "swapped proofs",
        "not a client state",
        "not a proof",
        "frozen",
    ],
)
def test_upgrade_refusals_agree_and_change_nothing(start: Start, case: str) -> None:
    chain, twin, last, upgraded, consensus, now = planned_upgrade(start)
    client_proof, consensus_proof = upgrade_proofs(chain, last)
    if case == "not above the latest height":
        upgraded = encode.client_state_any(client_state(20))
    elif case == "another client state":
        upgraded = encode.client_state_any(client_state(1, chain_id="gaia-3"))
    elif case == "swapped proofs":
        client_proof, consensus_proof = consensus_proof, client_proof
    elif case == "not a client state":
        upgraded = consensus
    elif case == "not a proof":
        client_proof = b"\xff"
    else:
        twin.update_state_on_misbehaviour(b"", env(now))
    got = refusal(
        twin.verify_upgrade_and_update_state,
        upgraded,
        consensus,
        client_proof,
        consensus_proof,
        env(now),
    )
    assert got is not None


# --- recovery, metadata, migrate ------------------------------------------------------------------


def recovery_entries(**substitute: object) -> list[tuple[bytes, bytes]]:
    """A recovery store: a frozen subject trusting block 1 and an active substitute at block
    10 (written by the reference, whose states the other tests prove byte-equal)."""
    chain = TestChain()
    store = MemoryStorage()
    first, tenth = chain.block(1), chain.block(10)
    subject = TendermintClient(PrefixStore(store, b"subject/"), TENDERMINT_V1)
    subject.instantiate(*genesis(first), b"subject-code", env(first.time_ns + SECOND))
    subject.update_state_on_misbehaviour(b"", env(first.time_ns + SECOND))
    TendermintClient(PrefixStore(store, b"substitute/"), TENDERMINT_V1).instantiate(
        *genesis(tenth, **substitute),  # type: ignore[arg-type]
        b"other",
        env(tenth.time_ns, 150),
    )
    return list(store.scan(None, None, True))


@pytest.mark.parametrize(
    "substitute",
    [{"trusting_ns": TRUSTING - HOUR}, {"trust_level": (1, 2)}, {}],
    ids=["matching", "other trust level", "same"],
)
def test_recovery_agrees(
    vm: WasmVM, checksums: dict[str, bytes], substitute: dict[str, object]
) -> None:
    twin = Twin(vm, checksums, TENDERMINT_V1)
    twin.load(recovery_entries(**substitute))
    refusal(twin.migrate_client_store, env(TestChain().block(10).time_ns + HOUR, 300))


def test_recovery_without_a_substitute_consensus_state(
    vm: WasmVM, checksums: dict[str, bytes]
) -> None:
    twin = Twin(vm, checksums, TENDERMINT_V1)
    twin.load(
        [(k, v) for k, v in recovery_entries() if not k.startswith(b"substitute/consensusStates/")]
    )
    assert refusal(twin.migrate_client_store, env(0)) == errors.INVALID_SUBSTITUTE


def test_export_metadata_timestamps_and_migrate(start: Start) -> None:
    _, twin, fifth, now = proven(start, "v0.1")
    exported = twin.export_metadata(env(now))
    assert [key for key, _ in exported][-2:] == [
        b"iterateConsensusStates" + bytes(7) + b"\x01" + bytes(7) + b"\x01",
        b"iterateConsensusStates" + bytes(7) + b"\x01" + bytes(7) + b"\x05",
    ]
    assert twin.timestamp_at_height(fifth.height, env(now)) == fifth.time_ns
    assert refusal(twin.timestamp_at_height, Height(1, 4), env(now)) == (
        errors.CONSENSUS_STATE_NOT_FOUND
    )
    twin.switch_code(TENDERMINT_V2)
    twin.migrate(env(now))
    assert twin.status(env(now)) == "Active"
    empty = Twin(twin.contract.vm, twin.checksums, TENDERMINT_V2)
    assert refusal(empty.migrate, env(now)) == errors.MALFORMED_CLIENT_STATE
