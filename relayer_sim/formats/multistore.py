"""The Cosmos SDK multistore commitment and ibc-go's chained proof verification, byte-exact.

A Cosmos SDK chain's app hash is not an IAVL root: each module's store is its own IAVL tree, and
the app hash is the simple Merkle map over store name -> store root. A light client therefore
proves a key with two ICS-23 proofs, the key in its store, then the store root in the app hash.
Facts, from upstream:

- cosmos-sdk ``store/types/commit_info.go`` (``CommitInfo.Hash``): the root of the map of store
  name -> the store's commit hash (the raw root, not re-hashed there), computed with
  ``ProofsFromMap``; no stores at all hash to sha256("") (v0.50 line; older lines gave nil).
- cosmos-sdk ``store/rootmulti/store.go`` (``commitStores``): every mounted store except transient
  and memory stores is listed, an empty IAVL store included; names sort bytewise.
- cosmos-sdk ``store/internal/maps/maps.go`` (``simpleMap.Set``, ``KVPair.Bytes``,
  ``ProofsFromMap``): each leaf is uvarint(len(name)) || name || uvarint(32) || sha256(root);
  the value is hashed once on insertion, which ``merkle.hash_from_map`` already does; an empty
  name is refused.
- cosmos-sdk ``store/rootmulti/proof.go`` (``ProofOpFromMap``) and ``store/internal/proofs/
  convert.go`` (``ConvertExistenceProof``, ``convertLeafOp``, ``convertInnerOps``,
  ``buildPath``): the store's CometBFT simple proof becomes an ICS-23 existence proof with key =
  the store name, value = the store root, leaf op SHA256 / NO_HASH key / SHA256 value /
  VAR_PROTO / prefix 0x00, and one inner op per aunt, leaf upward: prefix 0x01 and the aunt as
  suffix when the node is a left child, prefix 0x01 || aunt when it is a right child.
- ibc-go v10 ``modules/core/23-commitment/types/merkle.go`` (``GetSDKSpecs``, ``ApplyPrefix``,
  ``MerkleProof.VerifyMembership``/``VerifyNonMembership``, ``verifyChainedMembershipProof``,
  ``validateVerificationArgs``) and ``types/v2/merkle.go`` (the byte-keyed ``MerklePath``):
  specs ``[IavlSpec, TendermintSpec]``; proofs innermost first while the key path is root first
  (``["ibc", key]``); as many proofs as specs as path elements; a non-empty value; each step
  calculates its subroot, must be an existence proof (``ExistenceProof.Verify``, not the batch
  aware ``VerifyMembership``) and its subroot is the next step's value; non-membership starts
  with a non-existence proof (``NonExistenceProof.Verify`` under the root it calculates) and
  chains that root from index 1. ``errors.go`` gives the two error kinds, "invalid proof" and
  "invalid merkle proof".
- cosmos/ics23 go ``proof.go`` (``CommitmentProof.Calculate``, ``NonExistenceProof.Calculate``):
  a subroot is the existence proof's root, a non-existence proof's left neighbour's root (else
  the right's), a batch's first entry's; anything else is "unrecognized proof type".
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from relayer_sim.formats import merkle
from relayer_sim.formats.ics23 import (
    IAVL_SPEC,
    TENDERMINT_SPEC,
    ProofError,
    calculate_existence_root,
    verify_existence,
    verify_non_existence,
)
from relayer_sim.formats.proto.cosmos.ics23.v1 import proofs_pb2
from relayer_sim.formats.proto.ibc.core.commitment.v1 import commitment_pb2
from relayer_sim.formats.proto.ibc.core.commitment.v2 import commitment_pb2 as commitment_v2_pb2

__all__ = [
    "IBC_STORE",
    "SDK_SPECS",
    "CommitmentError",
    "app_hash",
    "build_path",
    "chain_proof",
    "merkle_path",
    "store_proof",
    "verify_chained_membership",
    "verify_chained_non_membership",
]

CommitmentProof = proofs_pb2.CommitmentProof
ProofSpec = proofs_pb2.ProofSpec
MerkleProof = commitment_pb2.MerkleProof
MerklePath = commitment_v2_pb2.MerklePath

# ibc-go GetSDKSpecs: the store's IAVL proof first, then the multistore's simple-tree proof.
SDK_SPECS: tuple[ProofSpec, ...] = (IAVL_SPEC, TENDERMINT_SPEC)
# ibc-go's commitment prefix on an SDK chain is the IBC module's store name.
IBC_STORE = "ibc"

_INVALID_PROOF = "invalid proof"  # 23-commitment errors.go, code 2
_INVALID_MERKLE_PROOF = "invalid merkle proof"  # code 4


class CommitmentError(ProofError):
    """A chained proof that does not verify, or a multistore that cannot be committed to; the
    message reads as ibc-go's wrapped error does ("what went wrong: invalid proof")."""


def _invalid(message: str, kind: str = _INVALID_PROOF) -> CommitmentError:
    return CommitmentError(f"{message}: {kind}")


# --- the multistore commitment -----------------------------------------------------------------


def _leaves(store_roots: Mapping[str, bytes]) -> list[tuple[bytes, bytes]]:
    """(name, root) by name as bytes, refusing an empty name as ``maps.go`` does (it panics)."""
    entries = sorted((name.encode(), bytes(root)) for name, root in store_roots.items())
    if entries and entries[0][0] == b"":
        raise CommitmentError("a store has an empty name")
    return entries


def _leaf_bytes(name: bytes, root: bytes) -> bytes:
    return merkle.kv_pair_bytes(name, hashlib.sha256(root).digest())


def app_hash(store_roots: Mapping[str, bytes]) -> bytes:
    """``CommitInfo.Hash``: the simple Merkle map root over store name -> store root.

    Pass every committed (non-transient, non-memory) store, empty ones included with their empty
    tree's root; no stores give sha256("").
    """
    entries = _leaves(store_roots)
    return merkle.hash_from_byte_slices([_leaf_bytes(name, root) for name, root in entries])


def build_path(index: int, total: int) -> list[bool]:
    """``buildPath`` of ``convert.go``: leaf upward, True where the node is a left child."""
    if total < 1 or not 0 <= index < total:
        raise CommitmentError(f"index {index} is out of range for {total} items")
    downward = []
    while total > 1:
        k = merkle.split_point(total)
        go_left = index < k
        downward.append(go_left)
        if go_left:
            total = k
        else:
            index, total = index - k, total - k
    return downward[::-1]


def _leaf_op() -> proofs_pb2.LeafOp:
    return proofs_pb2.LeafOp(
        hash=proofs_pb2.SHA256,
        prehash_key=proofs_pb2.NO_HASH,
        prehash_value=proofs_pb2.SHA256,
        length=proofs_pb2.VAR_PROTO,
        prefix=merkle.LEAF_PREFIX,
    )


def store_proof(store_roots: Mapping[str, bytes], store_name: str) -> CommitmentProof:
    """The existence proof of ``store_name``'s root in the app hash, as ``ProofOpFromMap`` makes
    it; it verifies under ``TENDERMINT_SPEC`` with key ``store_name.encode()`` and value the
    store's root (an empty root makes a proof that ICS-23 refuses, as it refuses the SDK's)."""
    entries = _leaves(store_roots)
    name = store_name.encode()
    names = [n for n, _ in entries]
    if name not in names:
        raise CommitmentError(f"ProofOp for {store_name} but not registered store name")
    index = names.index(name)
    _, proofs = merkle.proofs_from_byte_slices([_leaf_bytes(n, r) for n, r in entries])
    simple = proofs[index]
    path = build_path(simple.index, simple.total)
    if len(path) != len(simple.aunts):
        raise CommitmentError(
            f"calculated a path different length ({len(path)}) than provided by SimpleProof "
            f"({len(simple.aunts)})"
        )
    exist = proofs_pb2.ExistenceProof(key=name, value=entries[index][1], leaf=_leaf_op())
    for aunt, is_left in zip(simple.aunts, path, strict=True):
        if is_left:  # the aunt is the right sibling
            exist.path.add(hash=proofs_pb2.SHA256, prefix=merkle.INNER_PREFIX, suffix=aunt)
        else:
            exist.path.add(hash=proofs_pb2.SHA256, prefix=merkle.INNER_PREFIX + aunt)
    return CommitmentProof(exist=exist)


def chain_proof(
    inner: CommitmentProof, store_roots: Mapping[str, bytes], store_name: str = IBC_STORE
) -> MerkleProof:
    """The ``MerkleProof`` a relayer submits: the key's proof in its store, then the store's."""
    return MerkleProof(proofs=[inner, store_proof(store_roots, store_name)])


def merkle_path(key: bytes, prefix: bytes = IBC_STORE.encode()) -> MerklePath:
    """ibc-go ``ApplyPrefix``: the v2 (byte-keyed) path ``[prefix, key]``, root first."""
    if not prefix:
        raise CommitmentError("prefix can't be empty: invalid prefix")
    return MerklePath(key_path=[prefix, key])


# --- ibc-go's chained verification -------------------------------------------------------------


def _calculate(proof: CommitmentProof) -> bytes:
    """cosmos/ics23 ``CommitmentProof.Calculate`` (no spec: Go passes none)."""
    kind = proof.WhichOneof("proof")
    if kind == "exist":
        return calculate_existence_root(proof.exist)
    if kind == "nonexist":
        return _calculate_non_existence(proof.nonexist)
    if kind == "batch":
        entries = proof.batch.entries
        if not entries or entries[0].WhichOneof("proof") is None:
            raise ProofError("batch proof has empty entry")
        first = entries[0]
        if first.WhichOneof("proof") == "exist":
            return calculate_existence_root(first.exist)
        return _calculate_non_existence(first.nonexist)
    raise ProofError("unrecognized proof type")


def _calculate_non_existence(proof: proofs_pb2.NonExistenceProof) -> bytes:
    if proof.HasField("left"):
        return calculate_existence_root(proof.left)
    if proof.HasField("right"):
        return calculate_existence_root(proof.right)
    raise ProofError("nonexistence proof has empty Left and Right proof")


def _key_path(key_path: Sequence[bytes] | MerklePath) -> list[bytes]:
    if isinstance(key_path, MerklePath):
        return list(key_path.key_path)
    return [bytes(k) for k in key_path]


def _validate_args(
    proof: MerkleProof, keys: list[bytes], specs: Sequence[ProofSpec | None], root: bytes
) -> None:
    """``validateVerificationArgs``."""
    if not proof.proofs:
        raise _invalid("proof must not be empty", _INVALID_MERKLE_PROOF)
    if not root:
        raise _invalid("root cannot be empty", _INVALID_MERKLE_PROOF)
    if len(specs) != len(proof.proofs):
        raise _invalid(
            f"length of specs: {len(specs)} not equal to length of proof: {len(proof.proofs)}",
            _INVALID_MERKLE_PROOF,
        )
    if len(keys) != len(specs):
        raise _invalid(f"path length {len(keys)} not same as proof {len(specs)}")
    for i, spec in enumerate(specs):
        if spec is None:
            raise _invalid(f"spec at position {i} is nil")


def _verify_chain(
    root: bytes,
    specs: Sequence[ProofSpec],
    proofs: Sequence[CommitmentProof],
    keys: list[bytes],
    value: bytes,
    start: int,
) -> None:
    """``verifyChainedMembershipProof``: from ``start`` up, each proof commits ``value`` under
    its key (taken from the path's end) and its subroot becomes the next value; the last subroot
    must be ``root``."""
    subroot = value
    for i in range(start, len(proofs)):
        try:
            subroot = _calculate(proofs[i])
        except ProofError as exc:
            raise _invalid(
                f"could not calculate proof root at index {i}, merkle tree may be empty. {exc}"
            ) from exc
        key = keys[len(keys) - 1 - i]
        if proofs[i].WhichOneof("proof") != "exist":
            raise _invalid(
                "commitment proof must be existence proof. "
                f"got: {proofs[i].WhichOneof('proof')} at index {i}"
            )
        try:
            verify_existence(proofs[i].exist, specs[i], subroot, key, value)
        except ProofError as exc:
            raise _invalid(f"failed to verify membership proof at index {i}: {exc}") from exc
        value = subroot
    if subroot != root:
        raise _invalid(
            f"proof did not commit to expected root: {root.hex().upper()}, got: "
            f"{subroot.hex().upper()}. Please ensure proof was submitted with correct "
            "proofHeight and to the correct chain."
        )


def verify_chained_membership(
    specs: Sequence[ProofSpec],
    root: bytes,
    proof: MerkleProof,
    key_path: Sequence[bytes] | MerklePath,
    value: bytes,
) -> None:
    """ibc-go ``MerkleProof.VerifyMembership``: ``value`` is at ``key_path`` (root first, e.g.
    ``[b"ibc", key]``) under ``root`` (the app hash); raises :class:`CommitmentError`."""
    keys = _key_path(key_path)
    _validate_args(proof, keys, specs, root)
    if not value:
        raise _invalid("empty value in membership proof")
    _verify_chain(root, specs, proof.proofs, keys, value, 0)


def verify_chained_non_membership(
    specs: Sequence[ProofSpec],
    root: bytes,
    proof: MerkleProof,
    key_path: Sequence[bytes] | MerklePath,
) -> None:
    """ibc-go ``MerkleProof.VerifyNonMembership``: the path's last key is absent from the
    innermost store, whose root chains up to ``root``; raises :class:`CommitmentError`."""
    keys = _key_path(key_path)
    _validate_args(proof, keys, specs, root)
    first = proof.proofs[0]
    try:
        subroot = _calculate(first)
    except ProofError as exc:
        raise _invalid(
            f"could not calculate root for proof index 0, merkle tree is likely empty. {exc}"
        ) from exc
    key = keys[-1]
    if first.WhichOneof("proof") != "nonexist":
        raise _invalid(
            "commitment proof must be non-existence proof for verifying non-membership. "
            f"got: {first.WhichOneof('proof')}"
        )
    try:
        verify_non_existence(first.nonexist, specs[0], subroot, key)
    except ProofError as exc:
        raise _invalid(
            f"failed to verify non-membership proof with key {key.decode(errors='replace')}: {exc}"
        ) from exc
    _verify_chain(root, specs, proof.proofs, keys, subroot, 1)
