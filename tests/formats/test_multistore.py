"""The SDK multistore commitment and ibc-go's chained verification, against upstream facts.

Known answers, taken as facts:
- cosmos-sdk ``store/internal/maps/maps_test.go`` ``TestSimpleMap``: roots of the simple map
  that ``ProofsFromMap`` (hence ``CommitInfo.Hash``) builds. The SDK publishes no
  ``CommitInfo.Hash`` vector of its own (``store/types`` has no such test upstream; its store
  tests compare hashes with each other), so these are the closest published answers: the same
  leaves, the same tree, the same root.
- cosmos-sdk ``store/rootmulti/store_test.go`` ``TestHashStableWithEmptyCommit``: a multistore
  with nothing committed hashes to sha256("").
- cosmos-sdk ``store/internal/proofs/convert_test.go`` ``TestBuildPath``: the left/right table.
- cosmos/ics23 ``testdata/iavl/`` vectors (``data/ics23/``): real IAVL proofs whose roots become
  the ``ibc`` store root, chained to an app hash as ibc-go's ``merkle_test.go`` does with a live
  chain.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from google.protobuf.message import DecodeError
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from relayer_sim.formats import ics23, merkle
from relayer_sim.formats.ics23 import IAVL_SPEC, TENDERMINT_SPEC, ProofError
from relayer_sim.formats.multistore import (
    IBC_STORE,
    SDK_SPECS,
    CommitmentError,
    app_hash,
    build_path,
    chain_proof,
    merkle_path,
    store_proof,
    verify_chained_membership,
    verify_chained_non_membership,
)
from relayer_sim.formats.proto.cosmos.ics23.v1 import proofs_pb2
from relayer_sim.formats.proto.ibc.core.commitment.v1 import commitment_pb2
from relayer_sim.formats.proto.ibc.core.commitment.v2 import commitment_pb2 as commitment_v2_pb2

DATA = Path(__file__).parent / "data" / "ics23" / "iavl"


def load(name: str) -> tuple[bytes, proofs_pb2.CommitmentProof, bytes, bytes]:
    raw = json.loads((DATA / f"{name}.json").read_text())
    proof = proofs_pb2.CommitmentProof.FromString(bytes.fromhex(raw["proof"]))
    return bytes.fromhex(raw["root"]), proof, bytes.fromhex(raw["key"]), bytes.fromhex(raw["value"])


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


OTHER_STORES = {
    "acc": sha(b"acc"),
    "bank": sha(b"bank"),
    "staking": sha(b"staking"),
    "upgrade": sha(b"upgrade"),
    "wasm": sha(b"wasm"),
}


# --- app hash: known answers -------------------------------------------------------------------

SIMPLE_MAP = [  # maps_test.go TestSimpleMap: (keys, values, root)
    ([], [], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (["key1"], ["value1"], "a44d3cc7daba1a4600b00a2434b30f8b970652169810d6dfa9fb1793a2189324"),
    (["key1"], ["value2"], "0638e99b3445caec9d95c05e1a3fc1487b4ddec6a952ff337080360b0dcc078c"),
    (
        ["key1", "key2"],
        ["value1", "value2"],
        "8fd19b19e7bb3f2b3ee0574027d8a5a4cec370464ea2db2fbfa5c7d35bb0cff3",
    ),
    (
        ["key2", "key1"],
        ["value2", "value1"],
        "8fd19b19e7bb3f2b3ee0574027d8a5a4cec370464ea2db2fbfa5c7d35bb0cff3",
    ),
    (
        ["key1", "key2", "key3"],
        ["value1", "value2", "value3"],
        "1dd674ec6782a0d586a903c9c63326a41cbe56b3bba33ed6ff5b527af6efb3dc",
    ),
    (
        ["key1", "key3", "key2"],
        ["value1", "value3", "value2"],
        "1dd674ec6782a0d586a903c9c63326a41cbe56b3bba33ed6ff5b527af6efb3dc",
    ),
]


@pytest.mark.parametrize(("keys", "values", "root"), SIMPLE_MAP)
def test_app_hash_reproduces_the_sdk_simple_map_roots(
    keys: list[str], values: list[str], root: str
) -> None:
    stores = {k: v.encode() for k, v in zip(keys, values, strict=True)}
    assert app_hash(stores).hex() == root
    assert app_hash(stores) == merkle.hash_from_map({k.encode(): v for k, v in stores.items()})


def test_no_stores_hash_to_sha256_of_nothing() -> None:
    assert app_hash({}) == sha(b"")  # TestHashStableWithEmptyCommit, CommitInfo.Hash (v0.50)


def test_value_is_hashed_once_and_names_sort_as_bytes() -> None:
    stores = {"ibc": sha(b"x"), "acc": sha(b"y"), "Zed": sha(b"z")}
    leaves = [
        merkle.kv_pair_bytes(name.encode(), sha(stores[name])) for name in ("Zed", "acc", "ibc")
    ]
    assert app_hash(stores) == merkle.hash_from_byte_slices(leaves)


def test_an_empty_store_name_is_refused() -> None:
    with pytest.raises(CommitmentError, match="empty name"):
        app_hash({"": b"root", "ibc": b"x"})
    with pytest.raises(CommitmentError, match="empty name"):
        store_proof({"": b"root", "ibc": b"x"}, "ibc")


# --- store proofs ------------------------------------------------------------------------------

BUILD_PATH = [  # convert_test.go TestBuildPath: (index, total, leaf-upward is-left flags)
    (0, 2, [True]),
    (1, 2, [False]),
    (3, 8, [False, False, True]),
    (6, 7, [False, False]),
    (4, 6, [True, False]),
    (2, 7, [True, False, True]),
]


@pytest.mark.parametrize(("index", "total", "expected"), BUILD_PATH)
def test_build_path_matches_the_sdk_table(index: int, total: int, expected: list[bool]) -> None:
    assert build_path(index, total) == expected


@pytest.mark.parametrize(("index", "total"), [(0, 0), (-1, 3), (3, 3)])
def test_build_path_refuses_out_of_range(index: int, total: int) -> None:
    with pytest.raises(CommitmentError):
        build_path(index, total)


def test_store_proof_has_the_sdk_shape() -> None:
    stores = {"acc": sha(b"a"), "bank": sha(b"b"), "ibc": sha(b"c")}  # 3 leaves: ibc is index 2
    proof = store_proof(stores, "ibc")
    exist = proof.exist
    assert (exist.key, exist.value) == (b"ibc", stores["ibc"])
    leaf = exist.leaf
    assert (leaf.hash, leaf.prehash_key, leaf.prehash_value, leaf.length, leaf.prefix) == (
        proofs_pb2.SHA256,
        proofs_pb2.NO_HASH,
        proofs_pb2.SHA256,
        proofs_pb2.VAR_PROTO,
        b"\x00",
    )
    # index 2 of 3: the tree is ((acc, bank), ibc); ibc is a right child with the left pair's
    # hash as its only aunt
    left_pair = merkle.inner_hash(
        merkle.leaf_hash(merkle.kv_pair_bytes(b"acc", sha(stores["acc"]))),
        merkle.leaf_hash(merkle.kv_pair_bytes(b"bank", sha(stores["bank"]))),
    )
    assert [(op.hash, op.prefix, op.suffix) for op in exist.path] == [
        (proofs_pb2.SHA256, b"\x01" + left_pair, b"")
    ]
    first = store_proof(stores, "acc").exist
    assert [op.prefix for op in first.path] == [b"\x01", b"\x01"]
    assert all(len(op.suffix) == 32 for op in first.path)
    assert ics23.calculate_existence_root(exist) == app_hash(stores)


def test_store_proof_of_an_unknown_store_is_refused() -> None:
    with pytest.raises(CommitmentError, match="not registered store name"):
        store_proof({"ibc": b"x"}, "bank")


def test_a_single_store_proof_is_the_leaf_alone() -> None:
    proof = store_proof({"ibc": sha(b"r")}, "ibc")
    assert list(proof.exist.path) == []
    ics23.verify_membership(TENDERMINT_SPEC, app_hash({"ibc": sha(b"r")}), proof, b"ibc", sha(b"r"))


def test_an_empty_store_root_is_committed_but_cannot_be_proven() -> None:
    stores = {"ibc": sha(b"r"), "empty": b""}
    assert app_hash(stores) == merkle.hash_from_byte_slices(
        [merkle.kv_pair_bytes(b"empty", sha(b"")), merkle.kv_pair_bytes(b"ibc", sha(sha(b"r")))]
    )
    proof = store_proof(stores, "empty")
    with pytest.raises(ProofError, match="leaf op needs value"):
        ics23.verify_membership(TENDERMINT_SPEC, app_hash(stores), proof, b"empty", b"")


store_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12
)
store_maps = st.dictionaries(
    store_names, st.binary(min_size=1, max_size=40), min_size=1, max_size=24
)


@settings(max_examples=150, deadline=None)
@given(stores=store_maps, other=st.binary(min_size=32, max_size=32))
def test_every_store_proof_verifies_and_only_for_its_root(
    stores: dict[str, bytes], other: bytes
) -> None:
    root = app_hash(stores)
    assume(other != root)
    names = sorted(stores)
    for name in names:
        proof = store_proof(stores, name)
        ics23.verify_membership(TENDERMINT_SPEC, root, proof, name.encode(), stores[name])
        assert ics23.calculate_existence_root(proof.exist) == root
        for other_name in names:
            if stores[other_name] != stores[name]:
                with pytest.raises(ProofError):
                    ics23.verify_membership(
                        TENDERMINT_SPEC, root, proof, name.encode(), stores[other_name]
                    )
        with pytest.raises(ProofError):
            ics23.verify_membership(TENDERMINT_SPEC, other, proof, name.encode(), stores[name])


@settings(max_examples=50, deadline=None)
@given(stores=store_maps, new_root=st.binary(min_size=32, max_size=32))
def test_changing_one_store_changes_the_app_hash(stores: dict[str, bytes], new_root: bytes) -> None:
    name = sorted(stores)[0]
    assume(stores[name] != new_root)
    assert app_hash({**stores, name: new_root}) != app_hash(stores)


# --- chained membership with a real IAVL proof -------------------------------------------------


def exist_chain(name: str = "exist_left") -> tuple[bytes, commitment_pb2.MerkleProof, bytes, bytes]:
    store_root, inner, key, value = load(name)
    stores = {**OTHER_STORES, IBC_STORE: store_root}
    return app_hash(stores), chain_proof(inner, stores), key, value


@pytest.mark.parametrize("name", ["exist_left", "exist_middle", "exist_right"])
def test_chained_membership_of_a_published_iavl_proof(name: str) -> None:
    root, proof, key, value = exist_chain(name)
    verify_chained_membership(SDK_SPECS, root, proof, [b"ibc", key], value)
    verify_chained_membership(SDK_SPECS, root, proof, merkle_path(key), value)
    wire = commitment_pb2.MerkleProof.FromString(proof.SerializeToString())
    verify_chained_membership(SDK_SPECS, root, wire, [b"ibc", key], value)


def test_sdk_specs_are_iavl_then_tendermint() -> None:
    assert list(SDK_SPECS) == [IAVL_SPEC, TENDERMINT_SPEC]


def test_merkle_path_is_the_v2_byte_path_with_the_prefix_first() -> None:
    path = merkle_path(b"clients/07-tendermint-0/clientState")
    assert isinstance(path, commitment_v2_pb2.MerklePath)
    assert list(path.key_path) == [b"ibc", b"clients/07-tendermint-0/clientState"]
    assert list(merkle_path(b"k", b"store").key_path) == [b"store", b"k"]
    with pytest.raises(CommitmentError, match="invalid prefix"):
        merkle_path(b"k", b"")


def test_chained_membership_rejects_a_wrong_value() -> None:
    root, proof, key, value = exist_chain()
    with pytest.raises(CommitmentError, match="failed to verify membership proof at index 0"):
        verify_chained_membership(SDK_SPECS, root, proof, [b"ibc", key], value + b"x")


def test_chained_membership_rejects_a_wrong_key() -> None:
    root, proof, key, value = exist_chain()
    with pytest.raises(CommitmentError, match="at index 0: provided key"):
        verify_chained_membership(SDK_SPECS, root, proof, [b"ibc", key + b"x"], value)


def test_chained_membership_rejects_a_wrong_store_name() -> None:
    root, proof, key, value = exist_chain()
    with pytest.raises(CommitmentError, match="at index 1: provided key"):
        verify_chained_membership(SDK_SPECS, root, proof, [b"bank", key], value)


def test_chained_membership_rejects_another_app_hash() -> None:
    _, proof, key, value = exist_chain()
    with pytest.raises(CommitmentError, match="proof did not commit to expected root"):
        verify_chained_membership(SDK_SPECS, sha(b"other"), proof, [b"ibc", key], value)


def test_chained_membership_rejects_a_store_proof_of_another_store() -> None:
    store_root, inner, key, value = load("exist_left")
    stores = {**OTHER_STORES, IBC_STORE: store_root}
    proof = commitment_pb2.MerkleProof(proofs=[inner, store_proof(stores, "bank")])
    with pytest.raises(CommitmentError, match="at index 1"):
        verify_chained_membership(SDK_SPECS, app_hash(stores), proof, [b"ibc", key], value)


def test_chained_membership_rejects_swapped_proofs_and_swapped_specs() -> None:
    root, proof, key, value = exist_chain()
    swapped = commitment_pb2.MerkleProof(proofs=[proof.proofs[1], proof.proofs[0]])
    with pytest.raises(CommitmentError, match="at index 0"):
        verify_chained_membership(SDK_SPECS, root, swapped, [b"ibc", key], value)
    with pytest.raises(CommitmentError, match="at index 0"):
        verify_chained_membership(SDK_SPECS[::-1], root, proof, [b"ibc", key], value)
    with pytest.raises(CommitmentError):
        verify_chained_membership(SDK_SPECS, root, proof, [key, b"ibc"], value)


def test_chained_membership_rejects_a_missing_proof() -> None:
    root, proof, key, value = exist_chain()
    only_inner = commitment_pb2.MerkleProof(proofs=[proof.proofs[0]])
    with pytest.raises(CommitmentError, match="length of specs: 2 not equal to length of proof: 1"):
        verify_chained_membership(SDK_SPECS, root, only_inner, [b"ibc", key], value)
    with pytest.raises(CommitmentError, match="invalid merkle proof"):
        verify_chained_membership(
            SDK_SPECS, root, commitment_pb2.MerkleProof(), [b"ibc", key], value
        )


def test_chained_membership_argument_checks() -> None:
    root, proof, key, value = exist_chain()
    with pytest.raises(CommitmentError, match="root cannot be empty: invalid merkle proof"):
        verify_chained_membership(SDK_SPECS, b"", proof, [b"ibc", key], value)
    with pytest.raises(CommitmentError, match="path length 1 not same as proof 2: invalid proof"):
        verify_chained_membership(SDK_SPECS, root, proof, [key], value)
    with pytest.raises(CommitmentError, match="empty value in membership proof"):
        verify_chained_membership(SDK_SPECS, root, proof, [b"ibc", key], b"")
    with pytest.raises(CommitmentError, match="length of specs: 1"):
        verify_chained_membership(SDK_SPECS[:1], root, proof, [b"ibc", key], value)


def test_chained_membership_rejects_a_non_existence_proof_in_the_chain() -> None:
    store_root, inner, key, _ = load("nonexist_middle")
    stores = {**OTHER_STORES, IBC_STORE: store_root}
    proof = chain_proof(inner, stores)
    with pytest.raises(
        CommitmentError, match=r"must be existence proof\. got: nonexist at index 0"
    ):
        verify_chained_membership(SDK_SPECS, app_hash(stores), proof, [b"ibc", key], b"v")


def test_chained_membership_failures_are_proof_errors() -> None:
    assert issubclass(CommitmentError, ProofError)


# --- chained non-membership ----------------------------------------------------------------------


def non_exist_chain(name: str) -> tuple[bytes, commitment_pb2.MerkleProof, bytes]:
    store_root, inner, key, _ = load(name)
    stores = {**OTHER_STORES, IBC_STORE: store_root}
    return app_hash(stores), chain_proof(inner, stores), key


@pytest.mark.parametrize("name", ["nonexist_left", "nonexist_middle", "nonexist_right"])
def test_chained_non_membership_of_a_published_iavl_proof(name: str) -> None:
    root, proof, key = non_exist_chain(name)
    verify_chained_non_membership(SDK_SPECS, root, proof, [b"ibc", key])
    verify_chained_non_membership(SDK_SPECS, root, proof, merkle_path(key))


def test_chained_non_membership_rejects_a_neighbour_key() -> None:
    root, proof, _ = non_exist_chain("nonexist_middle")
    left_key = proof.proofs[0].nonexist.left.key
    with pytest.raises(CommitmentError, match="failed to verify non-membership proof"):
        verify_chained_non_membership(SDK_SPECS, root, proof, [b"ibc", left_key])


def test_chained_non_membership_rejects_another_app_hash_or_store() -> None:
    _, proof, key = non_exist_chain("nonexist_left")
    with pytest.raises(CommitmentError, match="proof did not commit to expected root"):
        verify_chained_non_membership(SDK_SPECS, sha(b"other"), proof, [b"ibc", key])
    root, proof, key = non_exist_chain("nonexist_left")
    with pytest.raises(CommitmentError, match="at index 1"):
        verify_chained_non_membership(SDK_SPECS, root, proof, [b"bank", key])


def test_chained_non_membership_rejects_an_existence_proof_first() -> None:
    root, proof, key, _ = exist_chain()
    with pytest.raises(
        CommitmentError, match=r"for verifying non-membership\. got: exist: invalid proof"
    ):
        verify_chained_non_membership(SDK_SPECS, root, proof, [b"ibc", key])


def test_chained_non_membership_rejects_swapped_and_missing_proofs() -> None:
    root, proof, key = non_exist_chain("nonexist_right")
    swapped = commitment_pb2.MerkleProof(proofs=[proof.proofs[1], proof.proofs[0]])
    with pytest.raises(CommitmentError):
        verify_chained_non_membership(SDK_SPECS, root, swapped, [b"ibc", key])
    only_inner = commitment_pb2.MerkleProof(proofs=[proof.proofs[0]])
    with pytest.raises(CommitmentError, match="invalid merkle proof"):
        verify_chained_non_membership(SDK_SPECS, root, only_inner, [b"ibc", key])


def test_chained_non_membership_rejects_an_empty_non_existence_proof() -> None:
    root, proof, key = non_exist_chain("nonexist_left")
    empty = proofs_pb2.CommitmentProof(nonexist=proofs_pb2.NonExistenceProof(key=key))
    broken = commitment_pb2.MerkleProof(proofs=[empty, proof.proofs[1]])
    with pytest.raises(CommitmentError, match="could not calculate root for proof index 0"):
        verify_chained_non_membership(SDK_SPECS, root, broken, [b"ibc", key])


# --- robustness --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_mutated_chained_proofs_fail_only_with_proof_errors(data: st.DataObject) -> None:
    root, proof, key, value = exist_chain("exist_middle")
    wire = bytearray(proof.SerializeToString())
    position = data.draw(st.integers(0, len(wire) - 1))
    wire[position] ^= data.draw(st.integers(1, 255))
    try:
        mutated = commitment_pb2.MerkleProof.FromString(bytes(wire))
    except DecodeError:  # a byte string that no longer decodes is the decoder's business
        return
    try:
        verify_chained_membership(SDK_SPECS, root, mutated, [b"ibc", key], value)
    except CommitmentError:
        return
    # a flip that survives lands in bytes that do not take part in the hashing (unknown fields)
    assert mutated.proofs[0].exist.value == value
