"""ICS-23 verification against cosmos/ics23's published test vectors.

Known answers, taken as facts: cosmos/ics23 ``testdata/iavl/`` and ``testdata/tendermint/``
(``exist_*`` and ``nonexist_*``, checked in under ``data/ics23/``), which upstream's Go
``vectors_test.go`` verifies with ``VerifyMembership``/``VerifyNonMembership`` under ``IavlSpec``
and ``TendermintSpec``; and ``testdata/TestCheckAgainstSpecData.json`` (v0.11 line), the table
upstream's ``TestCheckAgainstSpec`` runs. The other negative cases and the spec checks mirror
cosmos/ics23 ``go/`` ``proof.go`` and ``ops.go`` (v0.11 line).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import cast

import pytest
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relayer_sim.formats import ics23
from relayer_sim.formats.ics23 import IAVL_SPEC, SMT_SPEC, TENDERMINT_SPEC, ProofError
from relayer_sim.formats.proto.cosmos.ics23.v1 import proofs_pb2

DATA = Path(__file__).parent / "data" / "ics23"
SPECS = {"iavl": IAVL_SPEC, "tendermint": TENDERMINT_SPEC}
OTHER = {"iavl": "tendermint", "tendermint": "iavl"}
NAMES = ["left", "middle", "right"]


def load(spec: str, name: str) -> tuple[bytes, proofs_pb2.CommitmentProof, bytes, bytes]:
    raw = json.loads((DATA / spec / f"{name}.json").read_text())
    proof = proofs_pb2.CommitmentProof.FromString(bytes.fromhex(raw["proof"]))
    return bytes.fromhex(raw["root"]), proof, bytes.fromhex(raw["key"]), bytes.fromhex(raw["value"])


EXIST = [(spec, f"exist_{n}") for spec in SPECS for n in NAMES]
NONEXIST = [(spec, f"nonexist_{n}") for spec in SPECS for n in NAMES]


def test_every_published_vector_is_checked_in() -> None:
    files = sorted(p.relative_to(DATA).as_posix() for p in DATA.glob("*/*.json"))  # subfolders
    assert files == sorted(f"{spec}/{name}.json" for spec, name in EXIST + NONEXIST)


# --- the vectors verify ----------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "name"), EXIST)
def test_published_existence_vector_verifies(spec: str, name: str) -> None:
    root, proof, key, value = load(spec, name)
    assert proof.WhichOneof("proof") == "exist"
    ics23.verify_membership(SPECS[spec], root, proof, key, value)
    assert ics23.calculate_existence_root(proof.exist) == root


@pytest.mark.parametrize(("spec", "name"), NONEXIST)
def test_published_non_existence_vector_verifies(spec: str, name: str) -> None:
    root, proof, key, value = load(spec, name)
    assert proof.WhichOneof("proof") == "nonexist" and value == b""
    ics23.verify_non_membership(SPECS[spec], root, proof, key)
    present = [p for p in (proof.nonexist.left, proof.nonexist.right) if p.ByteSize()]
    assert present and all(ics23.calculate_existence_root(p) == root for p in present)


def test_non_existence_vectors_cover_both_edges_and_the_middle() -> None:
    for spec in SPECS:
        sides = {}
        for n in NAMES:
            non = load(spec, f"nonexist_{n}")[1].nonexist
            sides[n] = (non.HasField("left"), non.HasField("right"))
        assert sides == {"left": (False, True), "middle": (True, True), "right": (True, False)}


# --- negative checks on the vectors ----------------------------------------------------------


@pytest.mark.parametrize(("spec", "name"), EXIST)
def test_existence_vector_refuses_wrong_value_key_root_and_spec(spec: str, name: str) -> None:
    root, proof, key, value = load(spec, name)
    s = SPECS[spec]
    with pytest.raises(ProofError, match="value"):
        ics23.verify_membership(s, root, proof, key, value + b"x")
    with pytest.raises(ProofError, match="no existence proof"):
        ics23.verify_membership(s, root, proof, key + b"x", value)
    with pytest.raises(ProofError, match="root"):
        ics23.verify_membership(s, bytes(32), proof, key, value)
    with pytest.raises(ProofError):
        ics23.verify_membership(SPECS[OTHER[spec]], root, proof, key, value)
    with pytest.raises(ProofError, match="no non-existence proof"):
        ics23.verify_non_membership(s, root, proof, key)


@pytest.mark.parametrize(("spec", "name"), NONEXIST)
def test_non_existence_vector_refuses_wrong_key_root_and_spec(spec: str, name: str) -> None:
    root, proof, key, _ = load(spec, name)
    s = SPECS[spec]
    non = proof.nonexist
    with pytest.raises(ProofError, match="root"):
        ics23.verify_non_membership(s, bytes(32), proof, key)
    with pytest.raises(ProofError):
        ics23.verify_non_membership(SPECS[OTHER[spec]], root, proof, key)
    with pytest.raises(ProofError, match="no existence proof"):
        ics23.verify_membership(s, root, proof, key, b"v")
    for neighbour in (non.left, non.right):
        if neighbour.ByteSize():  # the neighbour's own key is present, not absent
            with pytest.raises(ProofError):
                ics23.verify_non_membership(s, root, proof, neighbour.key)
            ics23.verify_membership(
                s, root, proofs_pb2.CommitmentProof(exist=neighbour), neighbour.key, neighbour.value
            )


def test_key_outside_the_neighbours_is_refused() -> None:
    root, proof, _, _ = load("iavl", "nonexist_middle")
    non = proof.nonexist
    # bracketing fails at the lookup, and so does the check when forced past it
    with pytest.raises(ProofError, match="no non-existence proof"):
        ics23.verify_non_membership(IAVL_SPEC, root, proof, non.right.key + b"\x00")
    with pytest.raises(ProofError, match="not left of right"):
        ics23.verify_non_existence(non, IAVL_SPEC, root, non.right.key + b"\x00")


def test_neighbours_must_be_adjacent_or_at_the_edge() -> None:
    for spec in SPECS:
        inner = SPECS[spec].inner_spec
        non = load(spec, "nonexist_middle")[1].nonexist
        assert ics23.is_left_neighbor(inner, non.left.path, non.right.path)
        assert not ics23.is_left_neighbor(inner, non.right.path, non.left.path)
        assert ics23.is_left_most(inner, load(spec, "nonexist_left")[1].nonexist.right.path)
        assert ics23.is_right_most(inner, load(spec, "nonexist_right")[1].nonexist.left.path)
        assert not ics23.is_left_most(inner, non.right.path)
        assert not ics23.is_right_most(inner, non.left.path)
        with pytest.raises(ProofError, match="run out"):
            ics23.is_left_neighbor(inner, non.left.path, non.left.path)
    root, proof, key, _ = load("iavl", "nonexist_middle")
    non = proofs_pb2.NonExistenceProof()
    non.CopyFrom(proof.nonexist)
    non.ClearField("right")  # the left neighbour alone is not the right-most leaf
    with pytest.raises(ProofError, match="right-most"):
        ics23.verify_non_existence(non, IAVL_SPEC, root, key)
    non.CopyFrom(proof.nonexist)
    non.ClearField("left")
    with pytest.raises(ProofError, match="left-most"):
        ics23.verify_non_existence(non, IAVL_SPEC, root, key)


def test_leaf_op_other_than_the_specs_is_refused() -> None:
    root, proof, key, value = load("tendermint", "exist_middle")
    for field, bad in [
        ("hash", proofs_pb2.SHA512),
        ("prehash_key", proofs_pb2.SHA256),
        ("prehash_value", proofs_pb2.NO_HASH),
        ("length", proofs_pb2.FIXED32_LITTLE),
        ("prefix", b"\x01"),
    ]:
        changed = proofs_pb2.CommitmentProof()
        changed.CopyFrom(proof)
        setattr(changed.exist.leaf, field, bad)
        with pytest.raises(ProofError, match="leaf"):
            ics23.verify_membership(TENDERMINT_SPEC, root, changed, key, value)
        with pytest.raises(ProofError, match="leaf"):
            ics23.check_against_spec(changed.exist, TENDERMINT_SPEC)


def test_missing_leaf_and_empty_value_are_refused() -> None:
    proof = load("iavl", "exist_left")[1]
    bare = proofs_pb2.ExistenceProof()
    bare.CopyFrom(proof.exist)
    bare.ClearField("leaf")
    with pytest.raises(ProofError, match="leaf op"):
        ics23.calculate_existence_root(bare)
    empty = proofs_pb2.ExistenceProof()
    empty.CopyFrom(proof.exist)
    empty.value = b""
    with pytest.raises(ProofError, match="needs value"):
        ics23.calculate_existence_root(empty)


# --- the spec checks (ops.go, proof.go) ------------------------------------------------------

# Go's error text in TestCheckAgainstSpecData.json -> the words of ours
GO_ERRORS = {
    "existence Proof needs defined LeafOp": "needs a leaf op",
    "innerOps depth too short: 1": "depth too short: 1",
    "innerOps depth too long: 5": "depth too long: 5",
    "innerOps depth too long: 129": "depth too long: 129",
    "inner, unexpected HashOp: 2": "inner: unexpected hash op 2",
    "inner, unexpected HashOp: 0": "inner: unexpected hash op 0",
    "leaf, unexpected PrehashValue: 0": "leaf: unexpected prehash value op 0",
    "inner, unexpected EOF": "truncated varint",
}
CHECK_TABLE = json.loads((DATA / "TestCheckAgainstSpecData.json").read_text())


@pytest.mark.parametrize("case", sorted(CHECK_TABLE))
def test_check_against_spec_table(case: str) -> None:
    row = CHECK_TABLE[case]
    proof = json_format.ParseDict(row["Proof"], proofs_pb2.ExistenceProof())
    spec = json_format.ParseDict(row["Spec"], proofs_pb2.ProofSpec())
    if row["Err"] == "":
        ics23.check_against_spec(proof, spec)
    else:
        with pytest.raises(ProofError, match=GO_ERRORS[row["Err"]]):
            ics23.check_against_spec(proof, spec)


def test_check_against_spec_table_is_upstreams() -> None:
    assert len(CHECK_TABLE) == 11
    assert sum(row["Err"] == "" for row in CHECK_TABLE.values()) == 3
    # the table's spec is IavlSpec, so the IAVL prefix rules apply to it
    spec = json_format.ParseDict(
        CHECK_TABLE["accepts one proper leaf"]["Spec"], proofs_pb2.ProofSpec()
    )
    assert ics23._is_iavl(spec)


def test_specs_are_upstreams() -> None:
    for spec in (IAVL_SPEC, TENDERMINT_SPEC):
        leaf = spec.leaf_spec
        assert (leaf.prefix, leaf.prehash_key, leaf.prehash_value, leaf.hash, leaf.length) == (
            b"\x00",
            proofs_pb2.NO_HASH,
            proofs_pb2.SHA256,
            proofs_pb2.SHA256,
            proofs_pb2.VAR_PROTO,
        )
        assert list(spec.inner_spec.child_order) == [0, 1]
        assert (spec.max_depth, spec.min_depth) == (0, 0)
    inner = IAVL_SPEC.inner_spec
    assert (inner.min_prefix_length, inner.max_prefix_length, inner.child_size) == (4, 12, 33)
    inner = TENDERMINT_SPEC.inner_spec
    assert (inner.min_prefix_length, inner.max_prefix_length, inner.child_size) == (1, 1, 32)
    assert SMT_SPEC.max_depth == 256 and SMT_SPEC.prehash_key_before_comparison
    # the IAVL rules apply by SpecEquals, which ignores prefixes and the empty child
    assert ics23._is_iavl(IAVL_SPEC) and not ics23._is_iavl(TENDERMINT_SPEC)


def iavl_exist() -> tuple[bytes, proofs_pb2.ExistenceProof, bytes, bytes]:
    root, proof, key, value = load("iavl", "exist_middle")
    return root, proof.exist, key, value


def test_iavl_leaf_prefix_must_be_exactly_three_varints() -> None:
    _, exist, _, _ = iavl_exist()
    assert exist.leaf.prefix == bytes.fromhex("000202")  # height 0, size 1, version 1 (zigzag)
    for prefix, reason in [
        (b"\x00\x02", "EOF"),
        (b"\x00\x02\x02\x00", "after the three varints"),
        (b"\x00\x01\x02", "negative"),
        (b"\x00\x02\x82", "truncated"),
        (b"\x00\x02" + b"\xff" * 10, "overflow"),
    ]:
        bad = proofs_pb2.ExistenceProof()
        bad.CopyFrom(exist)
        bad.leaf.prefix = prefix
        with pytest.raises(ProofError, match=reason):
            ics23.check_against_spec(bad, IAVL_SPEC)


def test_iavl_inner_prefix_rules() -> None:
    _, exist, _, _ = iavl_exist()
    ics23.check_against_spec(exist, IAVL_SPEC)
    step = exist.path[0]
    assert len(step.prefix) - 3 in (1, 34)  # three one-byte varints, then 1 or 34 bytes

    def with_step(**fields: object) -> proofs_pb2.ExistenceProof:
        bad = proofs_pb2.ExistenceProof()
        bad.CopyFrom(exist)
        for name, value in fields.items():
            setattr(bad.path[0], name, value)
        return bad

    cases: list[tuple[dict[str, object], str]] = [
        ({"prefix": b"\x00" + step.prefix[1:]}, "below layer 1"),  # height 0 at layer 1
        ({"prefix": step.prefix + b"\x20"}, "bytes after the three varints"),
        ({"prefix": step.prefix[:3]}, "bytes after the three varints"),
        ({"hash": proofs_pb2.SHA512}, "unexpected hash op"),
        ({"suffix": step.suffix + b"\x00"}, "suffix"),
    ]
    for fields, reason in cases:
        with pytest.raises(ProofError, match=reason):
            ics23.check_against_spec(with_step(**fields), IAVL_SPEC)


def test_tendermint_inner_prefix_rules() -> None:
    _, proof, _, _ = load("tendermint", "exist_middle")
    exist = proof.exist
    ics23.check_against_spec(exist, TENDERMINT_SPEC)
    for prefix, reason in [
        (b"\x00", "leaf prefix"),
        (b"", "too short"),
        (b"\x01" + bytes(33), "too long"),  # at most 1 + one 32-byte left child
    ]:
        bad = proofs_pb2.ExistenceProof()
        bad.CopyFrom(exist)
        bad.path[0].prefix = prefix
        with pytest.raises(ProofError, match=reason):
            ics23.check_against_spec(bad, TENDERMINT_SPEC)


def test_depth_limits() -> None:
    root, proof, key, value = load("tendermint", "exist_left")
    depth = len(proof.exist.path)
    spec = proofs_pb2.ProofSpec()
    spec.CopyFrom(TENDERMINT_SPEC)
    spec.max_depth = depth - 1
    with pytest.raises(ProofError, match="too long"):
        ics23.verify_membership(spec, root, proof, key, value)
    spec.max_depth, spec.min_depth = depth, depth + 1
    with pytest.raises(ProofError, match="too short"):
        ics23.verify_membership(spec, root, proof, key, value)
    spec.min_depth = depth
    ics23.verify_membership(spec, root, proof, key, value)
    # v0.11: max_depth 0 means 128
    deep = proofs_pb2.ExistenceProof()
    deep.CopyFrom(proof.exist)
    deep.path.extend([deep.path[-1]] * (129 - depth))
    with pytest.raises(ProofError, match="too long: 129"):
        ics23.check_against_spec(deep, TENDERMINT_SPEC)


def test_length_and_hash_ops() -> None:
    data = b"abc"
    leaf = proofs_pb2.LeafOp(hash=proofs_pb2.SHA256, prefix=b"\x00")
    for length, encoded in [
        (proofs_pb2.NO_PREFIX, data),
        (proofs_pb2.VAR_PROTO, b"\x03" + data),
        (proofs_pb2.FIXED32_BIG, b"\x00\x00\x00\x03" + data),
        (proofs_pb2.FIXED32_LITTLE, b"\x03\x00\x00\x00" + data),
        (proofs_pb2.FIXED64_BIG, bytes(7) + b"\x03" + data),
        (proofs_pb2.FIXED64_LITTLE, b"\x03" + bytes(7) + data),
    ]:
        leaf.length = length
        assert ics23.apply_leaf(leaf, data, data) == ics23._do_hash(
            proofs_pb2.SHA256, b"\x00" + encoded + encoded
        )
    leaf.length = proofs_pb2.REQUIRE_32_BYTES
    with pytest.raises(ProofError, match="not 32"):
        ics23.apply_leaf(leaf, data, data)
    leaf.prehash_key = leaf.prehash_value = proofs_pb2.SHA256
    ics23.apply_leaf(leaf, data, data)
    leaf.length = proofs_pb2.VAR_RLP
    with pytest.raises(ics23.UnsupportedOpError):
        ics23.apply_leaf(leaf, data, data)
    # sha256("abc") and sha512("abc"), FIPS 180-2 examples
    assert ics23._do_hash(proofs_pb2.SHA256, data).hex().startswith("ba7816bf")
    assert ics23._do_hash(proofs_pb2.SHA512, data).hex().startswith("ddaf35a1")
    assert len(ics23._do_hash(proofs_pb2.SHA512_256, data)) == 32
    for unsupported in (proofs_pb2.NO_HASH, proofs_pb2.KECCAK, 9):
        with pytest.raises(ics23.UnsupportedOpError):
            ics23._do_hash(unsupported, data)


def test_compressed_batch_verifies_like_its_entries() -> None:
    entries: list[proofs_pb2.CompressedBatchEntry] = []
    lookup: list[proofs_pb2.InnerOp] = []
    index: dict[bytes, int] = {}

    def compress(exist: proofs_pb2.ExistenceProof) -> proofs_pb2.CompressedExistenceProof:
        out = proofs_pb2.CompressedExistenceProof(key=exist.key, value=exist.value, leaf=exist.leaf)
        for step in exist.path:
            wire = step.SerializeToString(deterministic=True)
            if wire not in index:
                index[wire] = len(lookup)
                lookup.append(step)
            out.path.append(index[wire])
        return out

    vectors = [load("iavl", n) for n in ("exist_left", "nonexist_middle")]
    # the two vectors have different roots; batch each with itself to keep one root per batch
    for root, proof, key, value in vectors:
        kind = proof.WhichOneof("proof")
        entries.clear()
        lookup.clear()
        index.clear()
        if kind == "exist":
            entries.append(proofs_pb2.CompressedBatchEntry(exist=compress(proof.exist)))
        else:
            non = proof.nonexist
            entries.append(
                proofs_pb2.CompressedBatchEntry(
                    nonexist=proofs_pb2.CompressedNonExistenceProof(
                        key=non.key, left=compress(non.left), right=compress(non.right)
                    )
                )
            )
        compressed = proofs_pb2.CommitmentProof(
            compressed=proofs_pb2.CompressedBatchProof(entries=entries, lookup_inners=lookup)
        )
        batch = ics23.decompress(compressed)
        assert batch.WhichOneof("proof") == "batch"
        if kind == "exist":
            assert batch.batch.entries[0].exist == proof.exist
            ics23.verify_membership(IAVL_SPEC, root, compressed, key, value)
        else:
            assert batch.batch.entries[0].nonexist == proof.nonexist
            ics23.verify_non_membership(IAVL_SPEC, root, compressed, key)
        compressed.compressed.entries[0].ClearField("proof")
        with pytest.raises(ProofError, match="neither"):
            ics23.decompress(compressed)


def test_compressed_index_out_of_range_is_refused() -> None:
    root, proof, key, value = load("tendermint", "exist_right")
    exist = proof.exist
    compressed = proofs_pb2.CommitmentProof(
        compressed=proofs_pb2.CompressedBatchProof(
            entries=[
                proofs_pb2.CompressedBatchEntry(
                    exist=proofs_pb2.CompressedExistenceProof(
                        key=exist.key, value=exist.value, leaf=exist.leaf, path=[0, 1]
                    )
                )
            ],
            lookup_inners=[exist.path[0]],
        )
    )
    with pytest.raises(ProofError, match="out of range"):
        ics23.verify_membership(TENDERMINT_SPEC, root, compressed, key, value)


# --- nothing but ProofError escapes ----------------------------------------------------------

ALL = [(spec, name) for spec, name in EXIST + NONEXIST]


def verify_any(
    spec: proofs_pb2.ProofSpec,
    root: bytes,
    proof: proofs_pb2.CommitmentProof,
    key: bytes,
    value: bytes,
) -> None:
    with contextlib.suppress(ProofError):
        ics23.verify_membership(spec, root, proof, key, value)
    with contextlib.suppress(ProofError):
        ics23.verify_non_membership(spec, root, proof, key)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(ALL),
    st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), min_size=1, max_size=4),
    st.booleans(),
)
def test_byte_mutations_raise_proof_error_or_verify(
    vector: tuple[str, str], flips: list[tuple[int, int]], other_spec: bool
) -> None:
    spec, name = vector
    raw = json.loads((DATA / spec / f"{name}.json").read_text())
    data = bytearray(bytes.fromhex(raw["proof"]))
    for pos, byte in flips:
        data[pos % len(data)] = byte
    try:
        proof = proofs_pb2.CommitmentProof.FromString(bytes(data))
    except DecodeError:
        return
    s = SPECS[OTHER[spec] if other_spec else spec]
    root, key, value = (bytes.fromhex(raw[k]) for k in ("root", "key", "value"))
    verify_any(s, root, proof, key, value or b"v")


OPS = st.integers(0, 12)  # every HashOp/LengthOp number upstream, and some beyond
BLOBS = st.binary(max_size=70)


@st.composite
def mutated(
    draw: st.DrawFn,
) -> tuple[proofs_pb2.ProofSpec, bytes, proofs_pb2.CommitmentProof, bytes, bytes]:
    spec_name, name = draw(st.sampled_from(ALL))
    root, proof, key, value = load(spec_name, name)
    spec = proofs_pb2.ProofSpec()
    spec.CopyFrom(draw(st.sampled_from([IAVL_SPEC, TENDERMINT_SPEC, SMT_SPEC])))
    exists = [p for p in (proof.exist, proof.nonexist.left, proof.nonexist.right) if p.ByteSize()]
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(exists))
        what = draw(st.sampled_from(["leaf", "step", "drop", "spec", "key", "order"]))
        if what == "leaf":
            field = draw(st.sampled_from(["hash", "prehash_key", "prehash_value", "length"]))
            setattr(target.leaf, field, draw(OPS))
            target.leaf.prefix = draw(st.one_of(st.just(target.leaf.prefix), BLOBS))
        elif what == "step" and target.path:
            step = target.path[draw(st.integers(0, len(target.path) - 1))]
            step.hash = cast("proofs_pb2.HashOp", draw(OPS))
            step.prefix = draw(st.one_of(st.just(step.prefix), BLOBS))
            step.suffix = draw(st.one_of(st.just(step.suffix), BLOBS))
        elif what == "drop" and target.path:
            del target.path[draw(st.integers(0, len(target.path) - 1))]
        elif what == "spec":
            inner = spec.inner_spec
            inner.child_size = draw(st.integers(-2, 70))
            inner.min_prefix_length = draw(st.integers(-2, 40))
            inner.max_prefix_length = draw(st.integers(-2, 40))
            inner.empty_child = draw(BLOBS)
            spec.max_depth = draw(st.integers(-1, 20))
            spec.min_depth = draw(st.integers(-1, 20))
            spec.prehash_key_before_comparison = draw(st.booleans())
        elif what == "order":
            spec.inner_spec.child_order[:] = draw(st.lists(st.integers(-2, 4), max_size=4))
        else:
            target.key = draw(BLOBS)
    return spec, root, proof, key, value or b"v"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_field_mutations_raise_proof_error_or_verify(
    case: tuple[proofs_pb2.ProofSpec, bytes, proofs_pb2.CommitmentProof, bytes, bytes],
) -> None:
    verify_any(*case)
