"""The generated protobuf classes against bytes published outside this project.

Known answers, taken as facts (CometBFT's header-hash and vote sign-bytes vectors are checked
against ``relayer_sim.formats.cometbft`` in ``test_cometbft.py``):
- cosmos/ics23 ``testdata/iavl/exist_left.json`` and ``testdata/tendermint/nonexist_middle.json``:
  ``CommitmentProof`` bytes, with the key, value and root they prove;
- our own 08-wasm wrappers (``relayer_sim/lightclient/wasm_wrappers.py``), built independently from
  a hand-written descriptor and matched against the Zig contracts: same values, same bytes.
"""

from __future__ import annotations

import hashlib

import pytest
from google.protobuf import any_pb2, duration_pb2, timestamp_pb2
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from relayer_sim.formats.proto import regenerate
from relayer_sim.formats.proto.cosmos.ics23.v1 import proofs_pb2
from relayer_sim.formats.proto.ibc.core.client.v1 import client_pb2
from relayer_sim.formats.proto.ibc.core.commitment.v1 import commitment_pb2
from relayer_sim.formats.proto.ibc.core.commitment.v2 import commitment_pb2 as commitment_v2_pb2
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.formats.proto.ibc.lightclients.wasm.v1 import wasm_pb2
from relayer_sim.formats.proto.tendermint.crypto import keys_pb2
from relayer_sim.formats.proto.tendermint.types import canonical_pb2, types_pb2, validator_pb2
from relayer_sim.formats.proto.tendermint.version import types_pb2 as version_pb2
from relayer_sim.formats.varint import uvarint
from relayer_sim.lightclient import wasm_wrappers
from relayer_sim.lightclient.headers import Height


def test_the_schemas_match_their_generated_modules() -> None:
    assert regenerate.drift() == []


def test_type_urls_and_files_are_upstreams() -> None:
    """Any type URLs and descriptor file names are the upstream ones, not our module paths."""
    assert f"/{wasm_pb2.ClientState.DESCRIPTOR.full_name}" == wasm_wrappers.CLIENT_STATE_TYPE_URL
    assert (
        f"/{wasm_pb2.ConsensusState.DESCRIPTOR.full_name}" == wasm_wrappers.CONSENSUS_STATE_TYPE_URL
    )
    assert (
        tendermint_pb2.ClientState.DESCRIPTOR.full_name
        == "ibc.lightclients.tendermint.v1.ClientState"
    )
    assert types_pb2.DESCRIPTOR.name == "tendermint/types/types.proto"
    assert proofs_pb2.DESCRIPTOR.package == "cosmos.ics23.v1"
    assert tendermint_pb2.Header.__module__ == tendermint_pb2.__name__


# --- CometBFT: canonical vote layout ------------------------------------------------------------

# CometBFT's published header-hash and vote sign-bytes vectors are checked against
# relayer_sim.formats.cometbft in tests/formats/test_cometbft.py.

HEIGHT_ONE = bytes([0x11, 0x01, 0, 0, 0, 0, 0, 0, 0])  # field 2, sfixed64
PRECOMMIT = types_pb2.SIGNED_MSG_TYPE_PRECOMMIT


def test_canonical_vote_for_a_block_places_the_block_id_as_field_4() -> None:
    block_id = canonical_pb2.CanonicalBlockID(
        hash=b"\x01" * 32,
        part_set_header=canonical_pb2.CanonicalPartSetHeader(total=1, hash=b"\x02" * 32),
    )
    vote = canonical_pb2.CanonicalVote(type=PRECOMMIT, height=1, round=0, block_id=block_id)
    body = vote.SerializeToString(deterministic=True)
    psh = bytes([0x08, 0x01, 0x12, 0x20]) + b"\x02" * 32
    expected_block_id = bytes([0x0A, 0x20]) + b"\x01" * 32 + bytes([0x12, len(psh)]) + psh
    assert body == bytes([0x08, 0x02]) + HEIGHT_ONE + bytes([0x22, len(expected_block_id)]) + (
        expected_block_id
    )


# --- ICS-23: published proofs ------------------------------------------------------------------

IAVL_EXIST_LEFT = {
    "key": "3033763434454574647248423556417579715966",
    "value": "76616c75655f666f725f3033763434454574647248423556417579715966",
    "root": "77e43ef93047a91fe457f5498bd7afc60b9dddd661d8f1225e5f40a91bda4623",
    "proof": (
        "0a89040a143033763434454574647248423556417579715966121e76616c75655f666f725f30337634344545"
        "746472484235564175797159661a0b0801180120012a03000202222b08011204040602201a2120afca3de8c7"
        "aefe1041f185a34e977a976b37d6ce4cce80e5e4545b93413eca02222b08011204060c02201a21205e171293"
        "8d9dcef396a76bbd7ea844bcc7e72a64d416485ba14e8c679402dfc3222b08011204081802201a2120c6a643"
        "0436f6e95ab0c90d7c3d32c7e62884a1e28e22da87f9e8c863782b7195222b080112040a2c02201a21201204"
        "acd0c729844aa19ffa80cfdfcb931f1ea54167babe1872a2fdcdf520962a222b080112040c4402201a2120c2"
        "1911260b253d74c89d95ec7534b7499b98a8b7523857f7f31e6af723245b89222b080112040e6e02201a2120"
        "45a06e0b8f7391f60a5f716eeef9eb01d8c588bbdbfb4e6a67718e92ab3ed12d222c0801120512960202201a"
        "21209b77ab64f5b7c290b608533b70612d18a0d55ede4ccb2f9418b56aa17069e966222c0801120514e60302"
        "201a2120246dce928b807f040230219a808c049d7a172108db6b1c83c445c66373ea4cd9222c080112051680"
        "0802201a2120ec794fb7e49d3d3554680ad0df7d1cc3797201fe33fc8288581f7ad32bb995c0222c08011205"
        "18b60f02201a21203b05428644520c7bae4be197ecb6de54a03a18a1ebd34836eea31fe593a6b6e0"
    ),
}

TENDERMINT_NONEXIST_MIDDLE = {
    "key": "544f31483668784a4b667136547a56767649ffff",
    "root": "4bf28d948566078c5ebfa86db7471c1541eab834f539037075b9f9e3b1c72cfc",
    "proof": (
        "12c0070a14544f31483668784a4b667136547a56767649ffff12cf030a14544f31483668784a4b6671365"
        "47a567676497747121e76616c75655f666f725f544f31483668784a4b667136547a5676764977471a0908"
        "01180120012a01002225080112210143e19cb5e5dab017734caa78a2e2bccbb4797b7dc5a91abeab630c6"
        "6fa6b162522250801122101b575404a1bb42b0fef8ae7f217af88aec769f7d66b5bc4b2913e74d6513654"
        "73222508011221017c22dc50e866f9a1dce517ea01621161cecd70f4bdcd024b5a392746a1c8dc2622250"
        "801122101578105344f2c98c323ba0b8ca31e75aaa2b865cc389681e300b14d1c20713796222708011201"
        "011a20895c070c14546ecef7f5cb3a4bda1fd436a0ff99190f90bd037cbeaf52b2ffc1222708011201011"
        "a20f7571fca06ac4387c3eae5469c152427b797abb55fa98727eacbd5c1c91b5fb4222508011221015056"
        "e6472f8e5c5c9b8881c5f0e49601e9eca31f3e1766aa69c2dc9c6d9112be222708011201011a206c74439"
        "556c5edb5aa693af410d3718dbb613d37799f2f4e8ff304a8bfe3351b22250801122101253014334c7b8c"
        "d78436979554f7890f3dc1c971925ea31b48fc729cd179c701222708011201011a20b81c19ad4b5d8d15f"
        "716b91519bf7ad3d6e2289f9061fd2592a8431ea97806fe1ad5030a14544f433344683150664f76657538"
        "585166635778121e76616c75655f666f725f544f433344683150664f766575385851666357781a0908011"
        "80120012a0100222708011201011a20415d4cfaed0bfc98ac32acc219a8517bfa1983a15cc742e8b2f860"
        "167484bd46222708011201011a2098d853d9cc0ee1d2162527f660f2b90ab55b13e5534f1b7753ec481d7"
        "901d3ec222708011201011a20b5113e6000c5411b7cfa6fd09b6752a43de0fcd3951ed3b154d162deb532"
        "24a2222708011201011a208ce18cd72cc83511cb8ff706433f2fa4208c85b9f4c8d0ed71a614f24b89ae6"
        "c22250801122101c611244fe6b5fda4257615902eb24c14efcd9708c7c875d1ac5e867767aa1eab222708"
        "011201011a20f7571fca06ac4387c3eae5469c152427b797abb55fa98727eacbd5c1c91b5fb4222508011"
        "221015056e6472f8e5c5c9b8881c5f0e49601e9eca31f3e1766aa69c2dc9c6d9112be222708011201011a"
        "206c74439556c5edb5aa693af410d3718dbb613d37799f2f4e8ff304a8bfe3351b2225080112210125301"
        "4334c7b8cd78436979554f7890f3dc1c971925ea31b48fc729cd179c701222708011201011a20b81c19ad"
        "4b5d8d15f716b91519bf7ad3d6e2289f9061fd2592a8431ea97806fe"
    ),
}


def existence_root(proof: proofs_pb2.ExistenceProof) -> bytes:
    """The root an existence proof computes: just enough ICS-23 to read the fields' meaning
    (sha256 hashing, varint lengths), so that a misnumbered field shows as a wrong root."""
    leaf = proof.leaf
    assert (leaf.hash, leaf.length) == (proofs_pb2.SHA256, proofs_pb2.VAR_PROTO)

    def prehash(op: int, data: bytes) -> bytes:
        assert op in (proofs_pb2.NO_HASH, proofs_pb2.SHA256)
        return hashlib.sha256(data).digest() if op == proofs_pb2.SHA256 else data

    key = prehash(leaf.prehash_key, proof.key)
    value = prehash(leaf.prehash_value, proof.value)
    node = hashlib.sha256(leaf.prefix + uvarint(len(key)) + key + uvarint(len(value)) + value)
    for step in proof.path:
        assert step.hash == proofs_pb2.SHA256
        node = hashlib.sha256(step.prefix + node.digest() + step.suffix)
    return node.digest()


def test_ics23_iavl_existence_proof_decodes_to_its_published_root() -> None:
    data = bytes.fromhex(IAVL_EXIST_LEFT["proof"])
    proof = proofs_pb2.CommitmentProof.FromString(data)
    assert proof.WhichOneof("proof") == "exist"
    assert proof.exist.key == bytes.fromhex(IAVL_EXIST_LEFT["key"])
    assert proof.exist.value == bytes.fromhex(IAVL_EXIST_LEFT["value"])
    assert existence_root(proof.exist) == bytes.fromhex(IAVL_EXIST_LEFT["root"])
    assert proof.SerializeToString(deterministic=True) == data


def test_ics23_tendermint_non_existence_proof_decodes_to_its_published_root() -> None:
    data = bytes.fromhex(TENDERMINT_NONEXIST_MIDDLE["proof"])
    proof = proofs_pb2.CommitmentProof.FromString(data)
    assert proof.WhichOneof("proof") == "nonexist"
    absent = proof.nonexist
    assert absent.key == bytes.fromhex(TENDERMINT_NONEXIST_MIDDLE["key"])
    assert absent.left.key < absent.key < absent.right.key
    root = bytes.fromhex(TENDERMINT_NONEXIST_MIDDLE["root"])
    assert existence_root(absent.left) == root
    assert existence_root(absent.right) == root
    assert proof.SerializeToString(deterministic=True) == data


def test_merkle_proof_wraps_commitment_proofs_as_repeated_field_1() -> None:
    inner = bytes.fromhex(IAVL_EXIST_LEFT["proof"])
    merkle = commitment_pb2.MerkleProof(proofs=[proofs_pb2.CommitmentProof.FromString(inner)] * 2)
    field = bytes([0x0A]) + uvarint(len(inner)) + inner
    assert merkle.SerializeToString(deterministic=True) == field + field


def test_batch_and_compressed_proofs_round_trip() -> None:
    exist = proofs_pb2.CommitmentProof.FromString(bytes.fromhex(IAVL_EXIST_LEFT["proof"])).exist
    batch = proofs_pb2.CommitmentProof(
        batch=proofs_pb2.BatchProof(entries=[proofs_pb2.BatchEntry(exist=exist)])
    )
    compressed = proofs_pb2.CommitmentProof(
        compressed=proofs_pb2.CompressedBatchProof(
            entries=[
                proofs_pb2.CompressedBatchEntry(
                    nonexist=proofs_pb2.CompressedNonExistenceProof(
                        key=b"k",
                        left=proofs_pb2.CompressedExistenceProof(
                            key=exist.key, value=exist.value, leaf=exist.leaf, path=[1, 0]
                        ),
                    )
                )
            ],
            lookup_inners=list(exist.path[:2]),
        )
    )
    for proof in (batch, compressed):
        assert_round_trips(proof)


# --- ibc-go 08-wasm: the same bytes as our hand-built wrappers -----------------------------------

uint64s = st.integers(min_value=0, max_value=2**64 - 1)


@given(st.binary(max_size=64), st.binary(max_size=32), uint64s, uint64s)
def test_wasm_client_state_matches_our_wrapper(
    data: bytes, checksum: bytes, revision: int, height: int
) -> None:
    ours = wasm_wrappers.WasmClientState(data, checksum, Height(revision, height)).encode()
    state = wasm_pb2.ClientState(
        data=data,
        checksum=checksum,
        latest_height=client_pb2.Height(revision_number=revision, revision_height=height),
    )
    generated = pack(state)
    assert generated == ours
    assert wasm_wrappers.decode_client_state(generated).latest_height == Height(revision, height)


@given(st.binary(max_size=64))
def test_wasm_consensus_state_matches_our_wrapper(data: bytes) -> None:
    ours = wasm_wrappers.WasmConsensusState(data).encode()
    assert pack(wasm_pb2.ConsensusState(data=data)) == ours


def test_wasm_client_state_always_writes_the_latest_height() -> None:
    """Non-nullable upstream: Go writes an empty height as field 3 of length 0."""
    state = wasm_pb2.ClientState(latest_height=client_pb2.Height())
    assert state.SerializeToString(deterministic=True) == bytes([0x1A, 0x00])


def pack(message: Message) -> bytes:
    wrapped = any_pb2.Any(
        type_url=f"/{message.DESCRIPTOR.full_name}",
        value=message.SerializeToString(deterministic=True),
    )
    return wrapped.SerializeToString(deterministic=True)


# --- Round trips of every family ---------------------------------------------------------------


def assert_round_trips(message: Message) -> None:
    data = message.SerializeToString(deterministic=True)
    again = type(message).FromString(data)
    assert again == message
    assert again.SerializeToString(deterministic=True) == data


def validator(seed: int) -> validator_pb2.Validator:
    key = keys_pb2.PublicKey(ed25519=bytes([seed]) * 32)
    return validator_pb2.Validator(
        address=bytes([seed]) * 20, pub_key=key, voting_power=10 + seed, proposer_priority=-seed
    )


def validator_set() -> validator_pb2.ValidatorSet:
    members = [validator(seed) for seed in (1, 2, 3)]
    return validator_pb2.ValidatorSet(
        validators=members, proposer=members[0], total_voting_power=36
    )


def signed_header(height: int) -> types_pb2.SignedHeader:
    block_id = types_pb2.BlockID(
        hash=b"\xaa" * 32, part_set_header=types_pb2.PartSetHeader(total=1, hash=b"\xbb" * 32)
    )
    header = types_pb2.Header(
        version=version_pb2.Consensus(block=11, app=1),
        chain_id="counterparty-1",
        height=height,
        time=timestamp_pb2.Timestamp(seconds=1_700_000_000, nanos=5),
        last_block_id=block_id,
        last_commit_hash=b"\x01" * 32,
        data_hash=b"\x02" * 32,
        validators_hash=b"\x03" * 32,
        next_validators_hash=b"\x04" * 32,
        consensus_hash=b"\x05" * 32,
        app_hash=b"\x06" * 32,
        last_results_hash=b"\x07" * 32,
        evidence_hash=b"\x08" * 32,
        proposer_address=b"\x09" * 20,
    )
    signatures = [
        types_pb2.CommitSig(
            block_id_flag=validator_pb2.BLOCK_ID_FLAG_COMMIT,
            validator_address=bytes([seed]) * 20,
            timestamp=timestamp_pb2.Timestamp(seconds=1_700_000_001),
            signature=bytes([seed]) * 64,
        )
        for seed in (1, 2)
    ]
    signatures.append(types_pb2.CommitSig(block_id_flag=validator_pb2.BLOCK_ID_FLAG_ABSENT))
    commit = types_pb2.Commit(height=height, round=0, block_id=block_id, signatures=signatures)
    return types_pb2.SignedHeader(header=header, commit=commit)


def test_header_fields_carry_cometbfts_numbers() -> None:
    """The last field, proposer_address, is field 14 (tag 0x72); the version is field 1."""
    header = types_pb2.Header(version=version_pb2.Consensus(block=11), proposer_address=b"\x09")
    assert header.SerializeToString(deterministic=True) == bytes(
        [0x0A, 0x02, 0x08, 0x0B, 0x72, 0x01, 0x09]
    )
    assert [field.number for field in types_pb2.Header.DESCRIPTOR.fields] == list(range(1, 15))


def test_tendermint_client_state_keeps_the_deprecated_fields_at_10_and_11() -> None:
    state = tendermint_pb2.ClientState(
        upgrade_path=["upgrade"],
        allow_update_after_expiry=True,
        allow_update_after_misbehaviour=True,
    )
    assert state.SerializeToString(deterministic=True) == (
        bytes([0x4A, 0x07]) + b"upgrade" + bytes([0x50, 0x01, 0x58, 0x01])
    )


IAVL_SPEC = proofs_pb2.ProofSpec(
    leaf_spec=proofs_pb2.LeafOp(
        hash=proofs_pb2.SHA256,
        prehash_key=proofs_pb2.NO_HASH,
        prehash_value=proofs_pb2.SHA256,
        length=proofs_pb2.VAR_PROTO,
        prefix=b"\x00",
    ),
    inner_spec=proofs_pb2.InnerSpec(
        child_order=[0, 1],
        child_size=33,
        min_prefix_length=4,
        max_prefix_length=12,
        hash=proofs_pb2.SHA256,
    ),
)


@pytest.mark.parametrize(
    "message",
    [
        signed_header(7),
        validator_set(),
        validator_pb2.SimpleValidator(pub_key=keys_pb2.PublicKey(secp256k1=b"\x02" * 33)),
        types_pb2.LightBlock(signed_header=signed_header(8), validator_set=validator_set()),
        tendermint_pb2.ClientState(
            chain_id="counterparty-1",
            trust_level=tendermint_pb2.Fraction(numerator=1, denominator=3),
            trusting_period=duration_pb2.Duration(seconds=14 * 86400),
            unbonding_period=duration_pb2.Duration(seconds=21 * 86400),
            max_clock_drift=duration_pb2.Duration(seconds=10),
            frozen_height=client_pb2.Height(),
            latest_height=client_pb2.Height(revision_number=1, revision_height=7),
            proof_specs=[IAVL_SPEC],
            upgrade_path=["upgrade", "upgradedIBCState"],
        ),
        tendermint_pb2.ConsensusState(
            timestamp=timestamp_pb2.Timestamp(seconds=1_700_000_000),
            root=commitment_pb2.MerkleRoot(hash=b"\x06" * 32),
            next_validators_hash=b"\x04" * 32,
        ),
        tendermint_pb2.Misbehaviour(
            header_1=tendermint_pb2.Header(
                signed_header=signed_header(9),
                validator_set=validator_set(),
                trusted_height=client_pb2.Height(revision_number=1, revision_height=7),
                trusted_validators=validator_set(),
            ),
            header_2=tendermint_pb2.Header(signed_header=signed_header(9)),
        ),
        commitment_pb2.MerklePath(key_path=["ibc", "clients/07-tendermint-0/clientState"]),
        commitment_pb2.MerklePrefix(key_prefix=b"ibc"),
        commitment_v2_pb2.MerklePath(key_path=[b"ibc", b"\xff\x00"]),
        wasm_pb2.ClientMessage(data=b"header bytes"),
    ],
    ids=lambda message: message.DESCRIPTOR.full_name,
)
def test_messages_round_trip(message: Message) -> None:
    assert_round_trips(message)
