"""The IAVL tree: root hashes and ICS-23 proofs as cosmos/iavl (v1) makes them.

Facts checked: the empty tree's hash (cosmos/iavl ``tree_test.go``, ``TestVersionedTreeHash`` and
``TestVersionedEmptyTree``: sha256 of nothing); the node hash layout (``node.go``
``writeHashBytes``), recomputed here independently of the module's cache; the proof layout of
cosmos/ics23's ``testdata/iavl`` vectors, which came from real IAVL trees (leaf prefix height 0,
size 1, version; inner prefixes of 4 bytes with a 33-byte suffix, or 37 bytes without one); and,
when Go's ``math/rand`` table is supplied, cosmos/iavl's ``TestTreeHash`` root hashes for four
versions of 4096 random sets, updates and removals.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relayer_sim.formats import ics23
from relayer_sim.formats.iavl import EMPTY_ROOT, IavlError, IavlTree
from relayer_sim.formats.ics23 import IAVL_SPEC, TENDERMINT_SPEC, ProofError
from relayer_sim.formats.proto.cosmos.ics23.v1 import proofs_pb2

DATA = Path(__file__).parent / "data"


# --- helpers ---------------------------------------------------------------------------------


def _zigzag(n: int) -> bytes:
    u = n << 1 if n >= 0 else ((-n) << 1) - 1
    out = bytearray()
    while u >= 0x80:
        out.append((u & 0x7F) | 0x80)
        u >>= 7
    out.append(u)
    return bytes(out)


def _lp(data: bytes) -> bytes:
    assert len(data) < 0x80
    return bytes([len(data)]) + data


def _reference_hash(node: Any) -> bytes:
    """The node hash written out from ``writeHashBytes`` without the module's cached hashes."""
    head = _zigzag(node.height) + _zigzag(node.size) + _zigzag(node.version)
    if node.height == 0:
        body = _lp(node.key) + _lp(hashlib.sha256(node.value).digest())
    else:
        body = _lp(_reference_hash(node.left)) + _lp(_reference_hash(node.right))
    return hashlib.sha256(head + body).digest()


def _check_structure(node: Any) -> tuple[bytes, bytes]:
    """AVL and IAVL invariants under ``node``; returns its (smallest, largest) key."""
    if node.height == 0:
        assert node.size == 1 and node.left is None and node.right is None
        return node.key, node.key
    lo_l, hi_l = _check_structure(node.left)
    lo_r, hi_r = _check_structure(node.right)
    assert hi_l < lo_r, "keys out of order"
    assert node.key == lo_r, "an inner node holds the smallest key of its right subtree"
    assert node.height == max(node.left.height, node.right.height) + 1
    assert node.size == node.left.size + node.right.size
    assert abs(node.left.height - node.right.height) <= 1, "AVL balance factor above 1"
    assert node.version >= max(node.left.version, node.right.version)
    return lo_l, hi_r


def _exist(proof: proofs_pb2.CommitmentProof) -> proofs_pb2.ExistenceProof:
    assert proof.WhichOneof("proof") == "exist"
    return proof.exist


# --- facts -----------------------------------------------------------------------------------


def test_empty_tree_hash_is_sha256_of_nothing() -> None:
    tree = IavlTree()
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for expected_version in (1, 2):
        assert tree.save_version() == (expected_version, EMPTY_ROOT)
    with pytest.raises(IavlError, match="empty"):
        tree.non_existence_proof(b"k", 2)


def test_single_leaf_root_is_the_leaf_hash() -> None:
    tree = IavlTree()
    tree.set(b"I", b"D")
    version, root = tree.save_version()
    expected = hashlib.sha256(
        _zigzag(0) + _zigzag(1) + _zigzag(1) + _lp(b"I") + _lp(hashlib.sha256(b"D").digest())
    ).digest()
    assert (version, root) == (1, expected)
    proof = _exist(tree.existence_proof(b"I", 1))
    assert proof.leaf.prefix == b"\x00\x02\x02" and not proof.path
    ics23.verify_membership(IAVL_SPEC, root, tree.existence_proof(b"I", 1), b"I", b"D")


def test_an_update_changes_the_root_only_through_the_new_version() -> None:
    """Same content at two versions, two roots: the version is hashed (``writeHashBytes``)."""
    tree = IavlTree()
    tree.set(b"I", b"D")
    _, root1 = tree.save_version()
    tree.set(b"I", b"D")
    _, root2 = tree.save_version()
    assert root1 != root2
    _, root3 = tree.save_version()  # nothing written: the same nodes, the same root
    assert root3 == root2


def test_untouched_subtrees_keep_their_version() -> None:
    """Copy-on-write: a key written at version 1 and never again proves with version 1."""
    tree = IavlTree()
    for i in range(32):
        tree.set(b"k%02d" % i, b"v1")
    tree.save_version()
    tree.set(b"k31", b"v2")
    _, root = tree.save_version()
    old_leaf = _exist(tree.existence_proof(b"k00", 2))
    new_leaf = _exist(tree.existence_proof(b"k31", 2))
    assert old_leaf.leaf.prefix == _zigzag(0) + _zigzag(1) + _zigzag(1)
    assert new_leaf.leaf.prefix == _zigzag(0) + _zigzag(1) + _zigzag(2)
    assert new_leaf.path[-1].prefix.startswith(_zigzag(5) + _zigzag(32) + _zigzag(2))
    ics23.verify_membership(IAVL_SPEC, root, tree.existence_proof(b"k00", 2), b"k00", b"v1")


# --- the shape of real IAVL proofs (cosmos/ics23 testdata/iavl) ------------------------------


def _vector_proofs() -> list[proofs_pb2.ExistenceProof]:
    out = []
    for path in sorted((DATA / "ics23" / "iavl").glob("*.json")):
        raw = json.loads(path.read_text())
        proof = proofs_pb2.CommitmentProof.FromString(bytes.fromhex(raw["proof"]))
        if proof.WhichOneof("proof") == "exist":
            out.append(proof.exist)
        else:
            out.extend(p for p in (proof.nonexist.left, proof.nonexist.right) if p.ByteSize())
    return out


def _layout(proof: proofs_pb2.ExistenceProof) -> tuple[Any, ...]:
    leaf = proof.leaf
    steps = set()
    for step in proof.path:
        assert step.hash == proofs_pb2.SHA256
        if step.suffix:
            steps.add(("right sibling", len(step.prefix), len(step.suffix), step.prefix[-1:]))
            assert step.suffix[:1] == b"\x20"
        else:
            steps.add(("left sibling", len(step.prefix), 0, step.prefix[-1:]))
    return (leaf.hash, leaf.prehash_key, leaf.prehash_value, leaf.length), frozenset(steps)


def test_proofs_have_the_layout_of_the_published_iavl_vectors() -> None:
    vectors = _vector_proofs()
    assert len(vectors) >= 6
    tree = IavlTree()
    for i in range(1000):  # version 1, ~1000 keys, 20-byte keys: as the vectors were made
        key = hashlib.sha256(b"%d" % i).hexdigest()[:20].encode()
        tree.set(key, b"value_for_" + key)
    _, root = tree.save_version()
    ours = [_exist(tree.existence_proof(k, 1)) for k, _ in tree.items(1)[::97]]
    vector_leaves = {(v.leaf.prefix, _layout(v)[0]) for v in vectors}
    our_leaves = {(p.leaf.prefix, _layout(p)[0]) for p in ours}
    assert our_leaves == vector_leaves  # b"\x00\x02\x02": height 0, size 1, version 1
    vector_steps = set().union(*(_layout(v)[1] for v in vectors))
    our_steps = set().union(*(_layout(p)[1] for p in ours))
    # inner prefixes: 3 varints + 0x20 (4 bytes here) with a 33-byte suffix, or 3 varints +
    # 0x20 + left hash + 0x20 (37 bytes) without; 5 and 38 bytes once the size needs 2 bytes
    assert {s for s in vector_steps if s[1] in (4, 37)} == {s for s in our_steps if s[1] in (4, 37)}
    assert our_steps <= vector_steps | {
        ("right sibling", 5, 33, b"\x20"),
        ("left sibling", 38, 0, b"\x20"),
    }
    avl_depth_bound = 1.4405 * math.log2(1000 + 2)  # AVL height bound for about 1000 leaves
    assert max(len(p.path) for p in ours) <= avl_depth_bound
    assert max(len(v.path) for v in vectors) <= avl_depth_bound
    for proof in ours:
        ics23.verify_membership(
            IAVL_SPEC, root, proofs_pb2.CommitmentProof(exist=proof), proof.key, proof.value
        )


# --- random histories ------------------------------------------------------------------------

# few distinct keys, so that updates and removals hit; b"\x00" and b"\xf0" always stay absent
KEYS = st.builds(bytes, st.lists(st.integers(0x30, 0x37), min_size=1, max_size=2))
PROBES = st.binary(min_size=1, max_size=3)
VALUES = st.binary(min_size=1, max_size=6)
OPS = st.lists(
    st.one_of(st.tuples(st.just("set"), KEYS, VALUES), st.tuples(st.just("remove"), KEYS)),
    max_size=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPS, min_size=1, max_size=5), PROBES)
def test_random_histories_prove_every_key_at_every_version(
    history: list[list[tuple[Any, ...]]], probe: bytes
) -> None:
    tree = IavlTree()
    model: dict[bytes, bytes] = {}
    saved: list[tuple[int, bytes, dict[bytes, bytes]]] = []
    for ops in history:
        for op in ops:
            if op[0] == "set":
                assert tree.set(op[1], op[2]) == (op[1] in model)
                model[op[1]] = op[2]
            else:
                assert tree.remove(op[1]) == model.pop(op[1], None)
        version, root = tree.save_version()
        saved.append((version, root, dict(model)))
        node = tree._root(version)
        if node is None:
            assert not model and root == EMPTY_ROOT
        else:
            _check_structure(node)
            assert _reference_hash(node) == root
        assert tree.items(version) == sorted(model.items())
    # every saved version still proves its own state, after all later writes
    for version, root, state in saved:
        assert tree.root_hash(version) == root
        for key, value in state.items():
            proof = tree.existence_proof(key, version)
            ics23.verify_membership(IAVL_SPEC, root, proof, key, value)
            with pytest.raises(ProofError):
                ics23.verify_membership(IAVL_SPEC, root, proof, key, value + b"x")
            for _, other_root, _ in saved:
                if other_root != root:
                    with pytest.raises(ProofError):
                        ics23.verify_membership(IAVL_SPEC, other_root, proof, key, value)
        absent = {probe, b"\x00", b"\xf0", b"\xff\xff\xff\xff"} - state.keys()
        absent |= {k + b"\x00" for k in state} - state.keys()
        for key in absent:
            if not state:
                with pytest.raises(IavlError):
                    tree.non_existence_proof(key, version)
                continue
            proof = tree.non_existence_proof(key, version)
            ics23.verify_non_membership(IAVL_SPEC, root, proof, key)
            if len(state) > 1:  # a lone leaf has no inner op for the specs to differ on
                with pytest.raises(ProofError):
                    ics23.verify_non_membership(TENDERMINT_SPEC, root, proof, key)
            with pytest.raises(IavlError):
                tree.existence_proof(key, version)
        for key in state:
            with pytest.raises(IavlError, match="present"):
                tree.non_existence_proof(key, version)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=60))
def test_the_root_depends_on_history_not_on_the_object(pairs: list[tuple[bytes, bytes]]) -> None:
    """Two trees fed the same writes agree; hashes are computed once and never go stale."""
    a, b = IavlTree(), IavlTree()
    for key, value in pairs:
        a.set(key, value)
        a.save_version()
        b.set(key, value)
        b.save_version()
    assert a.root_hash() == b.root_hash()
    assert [a.root_hash(v) for v in a.versions()] == [b.root_hash(v) for v in b.versions()]


def test_many_removals_keep_the_tree_balanced_and_provable() -> None:
    tree = IavlTree()
    keys = [hashlib.sha256(b"%d" % i).digest()[:8] for i in range(3000)]
    for key in keys:
        tree.set(key, key[::-1])
    tree.save_version()
    for key in keys[::2]:
        assert tree.remove(key) == key[::-1]
    version, root = tree.save_version()
    node = tree._root(version)
    _check_structure(node)
    assert _reference_hash(node) == root and tree.size(version) == 1500
    for key in keys[:200]:
        if tree.get(key) is None:
            ics23.verify_non_membership(IAVL_SPEC, root, tree.non_existence_proof(key, 2), key)
            ics23.verify_membership(
                IAVL_SPEC, tree.root_hash(1), tree.existence_proof(key, 1), key, key[::-1]
            )
        else:
            ics23.verify_membership(IAVL_SPEC, root, tree.existence_proof(key, 2), key, key[::-1])


def test_prune_drops_old_versions_and_keeps_the_rest_provable() -> None:
    tree = IavlTree()
    roots = {}
    for v in range(1, 11):
        tree.set(b"key%d" % v, b"val%d" % v)
        tree.set(b"key1", b"v%d" % v)
        roots[v] = tree.save_version()[1]
    tree.prune(8)
    assert tree.versions() == [8, 9, 10]
    with pytest.raises(IavlError, match="pruned"):
        tree.root_hash(7)
    with pytest.raises(IavlError, match="pruned"):
        tree.existence_proof(b"key1", 3)
    for v in (8, 9, 10):
        assert tree.root_hash(v) == roots[v]
        proof = tree.existence_proof(b"key1", v)
        ics23.verify_membership(IAVL_SPEC, roots[v], proof, b"key1", b"v%d" % v)
    tree.prune(100)  # never the latest version
    assert tree.versions() == [10]


def test_refusals() -> None:
    tree = IavlTree()
    with pytest.raises(IavlError, match="key"):
        tree.set(b"", b"v")
    with pytest.raises(IavlError, match="value"):
        tree.set(b"k", b"")
    assert tree.remove(b"k") is None
    tree.set(b"k", b"v")
    assert tree.get(b"k") == b"v" and tree.get(b"j") is None
    with pytest.raises(IavlError, match="not saved"):
        tree.existence_proof(b"k", 1)
    tree.save_version()
    assert tree.remove(b"zz") is None and tree.size() == 1
    with pytest.raises(IavlError, match="absent"):
        tree.existence_proof(b"zz", 1)


def test_a_branch_is_a_what_if_that_leaves_the_tree_unchanged() -> None:
    tree = IavlTree()
    for index in range(20):
        tree.set(b"key%02d" % index, b"value")
    version, root = tree.save_version()
    branch = tree.branch(version)
    assert branch.root_hash(version) == root
    branch.set(b"forged", b"commitment")
    forged_version, forged_root = branch.save_version()
    assert forged_version == version + 1 and forged_root != root
    branch.existence_proof(b"forged", forged_version)
    assert tree.root_hash(version) == root and tree.get(b"forged", version) is None
    assert tree.versions() == [version]
