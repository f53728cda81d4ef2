"""A counterparty in the ``tendermint`` format produces what CometBFT and the Cosmos SDK produce:
chained headers with CometBFT hashes, commits whose signatures verify over CanonicalVote sign
bytes, a multistore app hash with ICS-23 proofs that ibc-go's verification accepts, and the
07-tendermint messages and states around them."""

from __future__ import annotations

from itertools import pairwise

import nacl.signing
import pytest
from google.protobuf import any_pb2

from relayer_sim.counterparty import Coalition, CounterpartyChain, RosterChange, UpgradePlan
from relayer_sim.counterparty.chain import DAY, SECOND
from relayer_sim.counterparty.wire import ClientParams
from relayer_sim.counterparty.wire.tendermint import NativeBlock
from relayer_sim.formats import cometbft, multistore
from relayer_sim.formats.proto.ibc.core.commitment.v1 import commitment_pb2
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.formats.proto.tendermint.types import validator_pb2
from relayer_sim.lightclient.headers import TM_SECP256K1, Height
from relayer_sim.lightclient.packets import Packet
from relayer_sim.lightclient.paths import upgrade_paths
from relayer_sim.lightclient.schemes import SCHEMES
from relayer_sim.lightclient.states import DEFAULT_TRUST_LEVEL, DEFAULT_UPGRADE_PATH
from tests.lightclient.chains import VALIDATORS, advance, commit_packet, make_chain

PACKET = Packet(1, "transfer", "channel-0", "transfer", "channel-0", b"hello")


def tendermint_chain(**overrides: object) -> CounterpartyChain:
    return make_chain(VALIDATORS, "counterparty", format="tendermint", **overrides)


def _native(chain: CounterpartyChain, height: Height) -> NativeBlock:
    native = chain.block(height).signed.native
    assert isinstance(native, NativeBlock)
    return native


def _unpack(data: bytes, url: str) -> bytes:
    packed = any_pb2.Any.FromString(data)
    assert packed.type_url == url
    return packed.value


def test_headers_chain_by_cometbft_block_ids_and_commit_hashes() -> None:
    chain = tendermint_chain()
    advance(chain, 3)
    blocks = [_native(chain, Height(1, h)) for h in (1, 2, 3)]
    first = blocks[0].signed.header
    assert not first.last_block_id.hash and first.height == 1
    for parent, child in pairwise(blocks):
        header = child.signed.header
        assert header.last_block_id == parent.signed.commit.block_id
        assert header.last_commit_hash != b""
        assert header.validators_hash == cometbft.validator_set_hash(child.validators.validators)
    for height in (1, 2, 3):
        signed = chain.block(Height(1, height)).signed
        native = _native(chain, Height(1, height)).signed
        assert signed.commit.block_hash == cometbft.header_hash(native.header)
        assert native.commit.block_id.hash == signed.commit.block_hash


@pytest.mark.parametrize("consensus", ["tm-ed25519", "tm-secp256k1"])
def test_commit_signatures_verify_and_offline_validators_are_absent(consensus: str) -> None:
    chain = tendermint_chain(consensus=consensus)
    chain.set_online("dave", False)
    (block,) = advance(chain, 1)
    native = _native(chain, block.height)
    commit = native.signed.commit
    scheme = SCHEMES[consensus.removeprefix("tm-")]
    dave = chain.roster.key("dave", scheme.name).public_key
    for index, (validator, sig) in enumerate(
        zip(native.validators.validators, commit.signatures, strict=True)
    ):
        kind, key = cometbft.key_bytes(validator.pub_key)
        assert kind == scheme.name
        if key == dave:
            assert sig.block_id_flag == validator_pb2.BLOCK_ID_FLAG_ABSENT
            continue
        sign_bytes = cometbft.commit_vote_sign_bytes(chain.chain_id, commit, index)
        if kind == "ed25519":
            nacl.signing.VerifyKey(key).verify(sign_bytes, sig.signature)
        else:
            assert scheme.verify(key, sign_bytes, sig.signature)
    # The neutral block lists the same signatures, in its own set order.
    assert sum(s is not None for s in block.signed.commit.signatures) == 3


def test_packet_commitments_are_proven_as_ibc_go_verifies_them() -> None:
    chain = tendermint_chain()
    advance(chain, 1)
    path = list(commit_packet(chain, PACKET))
    (block,) = advance(chain, 1)
    proof = commitment_pb2.MerkleProof.FromString(chain.prove(tuple(path), block.height))
    root = block.header.app_hash
    specs = multistore.SDK_SPECS
    multistore.verify_chained_membership(specs, root, proof, path, PACKET.commitment())
    absent = [b"ibc", path[1] + b"0"]
    missing = commitment_pb2.MerkleProof.FromString(chain.prove(tuple(absent), block.height))
    multistore.verify_chained_non_membership(specs, root, missing, absent)
    with pytest.raises(multistore.CommitmentError):
        multistore.verify_chained_membership(specs, root, proof, path, b"another value")


def test_a_client_is_created_with_07_tendermint_states_in_anys() -> None:
    chain = tendermint_chain()
    (block,) = advance(chain, 1)
    params = ClientParams(14 * DAY, 10 * SECOND, DEFAULT_TRUST_LEVEL)
    client_data, consensus_data = chain.client_states(block.height, params)
    client = tendermint_pb2.ClientState.FromString(
        _unpack(client_data, "/ibc.lightclients.tendermint.v1.ClientState")
    )
    consensus = tendermint_pb2.ConsensusState.FromString(
        _unpack(consensus_data, "/ibc.lightclients.tendermint.v1.ConsensusState")
    )
    assert client.chain_id == chain.chain_id
    assert (client.latest_height.revision_number, client.latest_height.revision_height) == (1, 1)
    assert client.trusting_period.seconds == 14 * 86_400
    assert client.unbonding_period.seconds == 21 * 86_400
    assert list(client.proof_specs) == list(multistore.SDK_SPECS)
    assert consensus.root.hash == block.header.app_hash
    assert consensus.next_validators_hash == block.header.next_validators_hash
    view = chain.wire.read_client_state(client_data)
    assert view.trust_level == DEFAULT_TRUST_LEVEL and view.max_clock_drift_ns == 10 * SECOND
    assert chain.wire.consensus_timestamp(consensus_data) == block.header.time_ns
    with pytest.raises(ValueError, match="below 21 days"):
        chain.client_states(block.height, ClientParams(21 * DAY, SECOND, DEFAULT_TRUST_LEVEL))


def test_a_header_message_round_trips_to_the_block_it_carries() -> None:
    chain = tendermint_chain()
    advance(chain, 4)
    message = chain.header_message(Height(1, 4), Height(1, 2))
    encoded = chain.wire.header_message(message)
    header = tendermint_pb2.Header.FromString(
        _unpack(encoded, "/ibc.lightclients.tendermint.v1.Header")
    )
    assert header.trusted_height.revision_height == 2
    assert header.signed_header == _native(chain, Height(1, 4)).signed
    trusted = chain.wire.validators_hash(chain.trusted_validators(Height(1, 2)))
    assert cometbft.validator_set_hash(header.trusted_validators.validators) == trusted
    read = chain.wire.accepted_header(encoded)
    assert read is not None
    assert read.signed.commit.block_hash == message.signed.commit.block_hash
    assert read.signed.header.ibc_height == Height(1, 4)
    assert read.trusted_height == Height(1, 2)
    assert chain.wire.accepted_header(b"not an any") is None


def test_an_equivocation_conflicts_and_becomes_misbehaviour_header_1_above() -> None:
    chain = tendermint_chain()
    advance(chain, 4)
    coalition = Coalition.of(["alice", "bob", "carol"])
    forged = coalition.equivocation(chain, Height(1, 3))
    honest = chain.block(Height(1, 3)).signed
    assert forged.commit.block_hash != honest.commit.block_hash
    forged_native = forged.native
    assert isinstance(forged_native, NativeBlock)
    assert (
        forged_native.signed.header.last_block_id
        == _native(chain, Height(1, 2)).signed.commit.block_id
    )
    higher = chain.header_message(Height(1, 4), Height(1, 3))
    lower = chain.header_message(Height(1, 3), Height(1, 2))
    evidence = tendermint_pb2.Misbehaviour.FromString(
        _unpack(
            chain.wire.misbehaviour(lower, higher), "/ibc.lightclients.tendermint.v1.Misbehaviour"
        )
    )
    assert evidence.header_1.signed_header.header.height == 4
    assert evidence.header_2.signed_header.header.height == 3


def test_the_trust_tally_counts_the_trusted_validators_that_signed() -> None:
    chain = tendermint_chain()
    advance(chain, 1)
    chain.schedule_validator_change(RosterChange(Height(1, 3), "eve", 1000))
    advance(chain, 2)
    for name in ("alice", "bob", "carol", "dave"):
        chain.set_online(name, False)  # eve alone holds more than 2/3 from height 3 on
    advance(chain, 1)
    assert chain.wire.trusted_enough(
        chain.header_message(Height(1, 3), Height(1, 1)), DEFAULT_TRUST_LEVEL
    )
    assert not chain.wire.trusted_enough(
        chain.header_message(Height(1, 4), Height(1, 1)), DEFAULT_TRUST_LEVEL
    )


def test_a_planned_upgrade_publishes_anys_proven_at_the_upgrade_keys() -> None:
    chain = tendermint_chain()
    advance(chain, 2)
    chain.schedule_upgrade(UpgradePlan("v2", height=5))
    advance(chain, 3)
    last = Height(1, 5)
    root = chain.block(last).header.app_hash
    client_path, consensus_path = upgrade_paths(DEFAULT_UPGRADE_PATH, 5)
    for path in (client_path, consensus_path):
        value = chain.value(tuple(path), last)
        assert value is not None
        proof = commitment_pb2.MerkleProof.FromString(chain.prove(tuple(path), last))
        multistore.verify_chained_membership(multistore.SDK_SPECS, root, proof, path, value)
    upgraded_data = chain.value(tuple(client_path), last)
    assert upgraded_data is not None
    upgraded = tendermint_pb2.ClientState.FromString(
        _unpack(upgraded_data, "/ibc.lightclients.tendermint.v1.ClientState")
    )
    assert upgraded.chain_id == "counterparty-2"
    assert (upgraded.latest_height.revision_number, upgraded.latest_height.revision_height) == (
        2,
        1,
    )
    assert not upgraded.trusting_period.seconds and not upgraded.trust_level.denominator
    chain.restart_after_upgrade()
    advance(chain, 2)
    assert chain.trusted_validators(Height(2, 1)) == chain.validator_set(Height(2, 2))


def test_old_heights_are_pruned_past_the_retention_period() -> None:
    chain = tendermint_chain(state_retention_ns=60 * SECOND)
    path = commit_packet(chain, PACKET)
    advance(chain, 20)  # 6 s blocks: 120 s
    with pytest.raises(KeyError, match="pruned"):
        chain.prove(path, Height(1, 1))
    assert chain.value(path, Height(1, 20)) == PACKET.commitment()
    chain.prove(path, Height(1, 20))


def test_a_consensus_switch_re_keys_validators_to_secp256k1() -> None:
    chain = tendermint_chain()
    advance(chain, 1)
    chain.schedule_consensus_switch(Height(1, 3), TM_SECP256K1.name)
    advance(chain, 3)
    before = _native(chain, Height(1, 2))
    after = _native(chain, Height(1, 3))
    assert cometbft.key_bytes(before.validators.validators[0].pub_key)[0] == "ed25519"
    assert cometbft.key_bytes(after.validators.validators[0].pub_key)[0] == "secp256k1"
    assert before.signed.header.next_validators_hash == after.signed.header.validators_hash
