"""CometBFT's simple Merkle tree against answers published outside this project.

Known answers, taken as facts:
- CometBFT v0.38 ``crypto/merkle/rfc6962_test.go`` (RFC 6962 hasher vectors, from Trillian) and
  ``crypto/merkle/tree_test.go`` (``HashFromByteSlices`` roots, the ``getSplitPoint`` table);
- transparency-dev/merkle (Trillian's RFC 6962 vectors): ``testonly/constants.go`` (the
  8-leaf reference tree's roots at every size) and ``proof/verify_test.go`` (inclusion paths,
  which are CometBFT's aunts in the same leaf-upward order; their leaf numbers are 1-based);
- cosmos-sdk ``store/internal/maps/maps_test.go`` (``HashFromMap`` roots).
"""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relayer_sim.formats.merkle import (
    EMPTY_HASH,
    MAX_AUNTS,
    MerkleError,
    Proof,
    hash_from_byte_slices,
    hash_from_map,
    inner_hash,
    kv_pair_bytes,
    leaf_hash,
    proofs_from_byte_slices,
    split_point,
)

H = bytes.fromhex

RFC6962_LEAVES = [
    H(""),
    H("00"),
    H("10"),
    H("2021"),
    H("3031"),
    H("40414243"),
    H("5051525354555657"),
    H("606162636465666768696a6b6c6d6e6f"),
]
RFC6962_ROOTS = [  # by tree size 0..8
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
RFC6962_INCLUSION = [  # (0-based index, tree size, path from the leaf's sibling upwards)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


# --- known answers ---------------------------------------------------------------------------


def test_rfc6962_hasher_vectors() -> None:
    assert EMPTY_HASH.hex() == RFC6962_ROOTS[0]
    assert hash_from_byte_slices([]).hex() == RFC6962_ROOTS[0]
    assert hash_from_byte_slices([b""]).hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert inner_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


@pytest.mark.parametrize("size", range(len(RFC6962_ROOTS)))
def test_rfc6962_reference_tree_roots(size: int) -> None:
    items = RFC6962_LEAVES[:size]
    assert hash_from_byte_slices(items).hex() == RFC6962_ROOTS[size]
    root, proofs = proofs_from_byte_slices(items)
    assert root.hex() == RFC6962_ROOTS[size]
    assert len(proofs) == size


@pytest.mark.parametrize(("index", "size", "path"), RFC6962_INCLUSION)
def test_rfc6962_inclusion_paths_are_the_aunts(index: int, size: int, path: list[str]) -> None:
    root, proofs = proofs_from_byte_slices(RFC6962_LEAVES[:size])
    proof = proofs[index]
    assert [aunt.hex() for aunt in proof.aunts] == path
    assert (proof.total, proof.index) == (size, index)
    assert proof.leaf_hash == leaf_hash(RFC6962_LEAVES[index])
    proof.verify(root, RFC6962_LEAVES[index])


@pytest.mark.parametrize(
    ("items", "root"),
    [
        ([], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ([b"\x01\x02\x03"], "054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8"),
        ([b""], "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        (
            [b"\x01\x02\x03", b"\x04\x05\x06"],
            "82e6cfce00453804379b53962939eaa7906b39904be0813fcadd31b100773c4b",
        ),
        (
            [b"\x01\x02", b"\x03\x04", b"\x05\x06", b"\x07\x08", b"\x09\x0a"],
            "f326493eceab4f2d9ffbc78c59432a0a005d6ea98392045c74df5d14a113be18",
        ),
    ],
)
def test_cometbft_tree_test_roots(items: list[bytes], root: str) -> None:
    assert hash_from_byte_slices(items).hex() == root


SPLIT_POINTS = [(1, 0), (2, 1), (3, 2), (4, 2), (5, 4), (10, 8), (20, 16), (100, 64)]
SPLIT_POINTS += [(255, 128), (256, 128), (257, 256)]


@pytest.mark.parametrize(("n", "k"), SPLIT_POINTS)
def test_split_point_table(n: int, k: int) -> None:
    assert split_point(n) == k


@pytest.mark.parametrize("n", [0, -1])
def test_split_point_refuses_empty(n: int) -> None:
    with pytest.raises(MerkleError, match="cannot split"):
        split_point(n)


@pytest.mark.parametrize(
    ("entries", "root"),
    [
        ({}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (
            {b"key1": b"value1"},
            "a44d3cc7daba1a4600b00a2434b30f8b970652169810d6dfa9fb1793a2189324",
        ),
        (
            {b"key1": b"value2"},
            "0638e99b3445caec9d95c05e1a3fc1487b4ddec6a952ff337080360b0dcc078c",
        ),
        (
            {b"key2": b"value2", b"key1": b"value1"},
            "8fd19b19e7bb3f2b3ee0574027d8a5a4cec370464ea2db2fbfa5c7d35bb0cff3",
        ),
        (
            {b"key1": b"value1", b"key3": b"value3", b"key2": b"value2"},
            "1dd674ec6782a0d586a903c9c63326a41cbe56b3bba33ed6ff5b527af6efb3dc",
        ),
    ],
)
def test_sdk_hash_from_map(entries: dict[bytes, bytes], root: str) -> None:
    assert hash_from_map(entries).hex() == root


def test_hash_from_map_refuses_an_empty_key() -> None:
    with pytest.raises(MerkleError, match="empty key"):
        hash_from_map({b"": b"value"})


def test_kv_pair_bytes_prefixes_lengths_as_uvarints() -> None:
    assert kv_pair_bytes(b"k", b"vv") == b"\x01k\x02vv"
    assert kv_pair_bytes(b"", b"") == b"\x00\x00"
    assert kv_pair_bytes(b"a" * 300, b"") == b"\xac\x02" + b"a" * 300 + b"\x00"


# --- the definition, and checks of proofs --------------------------------------------------


def recursive_root(items: list[bytes]) -> bytes:
    """tree.go's definition, recursion and all, to check the level-by-level build against."""
    if not items:
        return hashlib.sha256(b"").digest()
    if len(items) == 1:
        return hashlib.sha256(b"\x00" + items[0]).digest()
    k = split_point(len(items))
    left, right = recursive_root(items[:k]), recursive_root(items[k:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def test_every_size_up_to_70_matches_the_recursive_definition() -> None:
    items = [bytes([i, i * 7 % 256]) for i in range(70)]
    for n in range(len(items) + 1):
        assert hash_from_byte_slices(items[:n]) == recursive_root(items[:n])


def test_a_large_tree_needs_no_recursion() -> None:
    items = [i.to_bytes(4, "big") for i in range(1 << 17 | 5)]
    root, proofs = proofs_from_byte_slices(items)
    assert root == hash_from_byte_slices(items)
    for i in (0, 1 << 16, len(items) - 1):
        proofs[i].verify(root, items[i])
        assert len(proofs[i].aunts) <= 18


def proof_for(total: int = 3, index: int = 0) -> tuple[bytes, Proof, list[bytes]]:
    items = [bytes([i]) for i in range(total)]
    root, proofs = proofs_from_byte_slices(items)
    return root, proofs[index], items


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"total": -1}, "total -1 is negative"),
        ({"index": -1}, "index -1 is negative"),
        ({"index": 3}, "index 3 is out of range for 3 items"),
        ({"total": 0, "aunts": ()}, "index 0 is out of range for 0 items"),
        ({"leaf_hash": bytes(32)}, "is not the leaf's"),
    ],
)
def test_verify_refuses_with_a_reason(change: dict[str, object], message: str) -> None:
    root, proof, items = proof_for()
    bad = dataclasses.replace(proof, **change)  # type: ignore[arg-type]
    with pytest.raises(MerkleError, match=message):
        bad.verify(root, items[0])


def test_too_few_and_too_many_aunts_are_refused() -> None:
    root, proof, items = proof_for(5, 2)
    with pytest.raises(MerkleError, match="too few"):
        dataclasses.replace(proof, aunts=proof.aunts[:-1]).verify(root, items[2])
    with pytest.raises(MerkleError, match="takes 3"):
        dataclasses.replace(proof, aunts=(*proof.aunts, bytes(32))).verify(root, items[2])
    one_root, one, one_items = proof_for(1, 0)
    with pytest.raises(MerkleError, match="takes 0"):
        dataclasses.replace(one, aunts=(bytes(32),)).verify(one_root, one_items[0])


def test_validate_basic_bounds_the_wire_shape() -> None:
    _, proof, _ = proof_for()
    proof.validate_basic()
    cases = [
        ({"total": -1}, "total -1 is negative"),
        ({"index": -2}, "index -2 is negative"),
        ({"leaf_hash": b"x"}, "leaf hash has 1 bytes"),
        ({"aunts": (bytes(32),) * (MAX_AUNTS + 1)}, "101 aunts, at most 100"),
        ({"aunts": (bytes(32), b"short")}, "aunt 1 has 5 bytes"),
    ]
    for change, message in cases:
        with pytest.raises(MerkleError, match=message):
            dataclasses.replace(proof, **change).validate_basic()  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------

# Distinct items: with two equal leaves a proof legitimately also proves the other position.
ITEMS = st.lists(st.binary(max_size=40), min_size=1, max_size=80, unique=True)


@given(ITEMS)
def test_every_proof_verifies_and_the_roots_agree(items: list[bytes]) -> None:
    root, proofs = proofs_from_byte_slices(items)
    assert root == hash_from_byte_slices(items) == recursive_root(items)
    for i, proof in enumerate(proofs):
        assert (proof.total, proof.index) == (len(items), i)
        proof.validate_basic()
        proof.verify(root, items[i])
        assert proof.compute_root_hash() == root


@given(ITEMS, st.data())
def test_a_proof_proves_nothing_else(items: list[bytes], data: st.DataObject) -> None:
    root, proofs = proofs_from_byte_slices(items)
    i = data.draw(st.integers(0, len(items) - 1))
    proof = proofs[i]

    other = data.draw(st.binary(max_size=40).filter(lambda b: b != items[i]))
    with pytest.raises(MerkleError):
        proof.verify(root, other)

    if len(items) > 1:
        j = data.draw(st.integers(0, len(items) - 1).filter(lambda j: j != i))
        with pytest.raises(MerkleError):
            dataclasses.replace(proof, index=j).verify(root, items[i])
        with pytest.raises(MerkleError):
            proofs[j].verify(root, items[i])

        a = data.draw(st.integers(0, len(proof.aunts) - 1))
        bit = data.draw(st.integers(0, 8 * len(proof.aunts[a]) - 1))
        flipped = bytearray(proof.aunts[a])
        flipped[bit // 8] ^= 1 << (bit % 8)
        aunts = (*proof.aunts[:a], bytes(flipped), *proof.aunts[a + 1 :])
        with pytest.raises(MerkleError):
            dataclasses.replace(proof, aunts=aunts).verify(root, items[i])

        cut = data.draw(st.integers(0, len(proof.aunts) - 1))
        with pytest.raises(MerkleError):
            dataclasses.replace(proof, aunts=proof.aunts[:cut]).verify(root, items[i])
