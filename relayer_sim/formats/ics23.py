"""ICS-23 proof verification, byte-exact with cosmos/ics23's Go implementation (v0.11 line).

The reference the 07-tendermint contract is tested against. Facts from cosmos/ics23 ``go/``:
``proof.go`` (the specs, ``ExistenceProof.Verify``/``calculate``/``CheckAgainstSpec``,
``NonExistenceProof.Verify``, ``IsLeftMost``, ``IsRightMost``, ``IsLeftNeighbor`` and their
padding helpers, ``SpecEquals``), ``ops.go`` (``LeafOp.Apply``, ``InnerOp.Apply``, the ops'
``CheckAgainstSpec``, ``validateIavlOps``, ``doHash``, ``doLengthOp``), ``ics23.go``
(``VerifyMembership``, ``VerifyNonMembership``, picking the entry for a key out of a batch) and
``compress.go`` (``Decompress``).

Behaviour of the v0.11 line that differs from v0.10: a spec's ``max_depth`` of 0 means 128; the
length ops ``FIXED32_BIG``, ``FIXED64_BIG`` and ``FIXED64_LITTLE`` and the hash ops BLAKE2b-512 (7)
and BLAKE2s-256 (8) are supported (our schema predates the two hash ops; their numbers are still
read as open enum values). KECCAK, BLAKE3 and ``VAR_RLP`` are unsupported there as here.

Where Go returns ``false`` or an error, this module raises :class:`ProofError`; where Go panics on
a decodable proof (an empty path in ``IsLeftNeighbor``, an inner op whose padding fits no branch
at the split, a compressed path index out of range, a child order without the branch looked up),
it raises :class:`ProofError` too, which is how a chain sees it: the transaction fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from relayer_sim.formats.proto.cosmos.ics23.v1 import proofs_pb2
from relayer_sim.formats.varint import uvarint

__all__ = [
    "IAVL_SPEC",
    "SMT_SPEC",
    "TENDERMINT_SPEC",
    "ProofError",
    "UnsupportedOpError",
    "apply_inner",
    "apply_leaf",
    "calculate_existence_root",
    "check_against_spec",
    "decompress",
    "is_left_most",
    "is_left_neighbor",
    "is_right_most",
    "verify_existence",
    "verify_membership",
    "verify_non_existence",
    "verify_non_membership",
]

ExistenceProof = proofs_pb2.ExistenceProof
NonExistenceProof = proofs_pb2.NonExistenceProof
CommitmentProof = proofs_pb2.CommitmentProof
InnerOp = proofs_pb2.InnerOp
LeafOp = proofs_pb2.LeafOp
ProofSpec = proofs_pb2.ProofSpec
InnerSpec = proofs_pb2.InnerSpec


class ProofError(ValueError):
    """A proof does not verify, or cannot be evaluated; the message says why."""


class UnsupportedOpError(ProofError):
    """A hash or length op this module cannot evaluate: unsupported by cosmos/ics23's Go code too,
    or (RIPEMD160, SHA512_256) missing from this Python's hashlib, where Go would evaluate it."""


# --- the specs ---------------------------------------------------------------------------------

#: The leaf both SDK stores commit to: 0x00, the key as is and sha256(value), each behind its
#: varint length, hashed with sha256.
_SDK_LEAF = LeafOp(
    prefix=b"\x00",
    prehash_key=proofs_pb2.NO_HASH,
    hash=proofs_pb2.SHA256,
    prehash_value=proofs_pb2.SHA256,
    length=proofs_pb2.VAR_PROTO,
)

# iavl merkle proofs: leaf = 0x00-led prefix (height 0, size 1, version varints), key as is and
# sha256(value), both varint-length-prefixed; inner children are 32-byte hashes behind a length
# byte (33 bytes), inner prefixes 4 to 12 bytes (three varints and the length byte).
IAVL_SPEC = ProofSpec(
    leaf_spec=_SDK_LEAF,
    inner_spec=InnerSpec(
        child_order=[0, 1],
        min_prefix_length=4,
        max_prefix_length=12,
        child_size=33,
        empty_child=b"",
        hash=proofs_pb2.SHA256,
    ),
)

# CometBFT's simple Merkle tree (crypto/merkle): the same leaf, inner prefix the one byte 0x01,
# children 32-byte hashes.
TENDERMINT_SPEC = ProofSpec(
    leaf_spec=_SDK_LEAF,
    inner_spec=InnerSpec(
        child_order=[0, 1],
        min_prefix_length=1,
        max_prefix_length=1,
        child_size=32,
        hash=proofs_pb2.SHA256,
    ),
)

# celestiaorg/smt: keys and values sha256-prehashed without length prefix, empty children are 32
# zero bytes, depth up to 256, and non-existence compares the hashed keys.
SMT_SPEC = ProofSpec(
    leaf_spec=LeafOp(
        hash=proofs_pb2.SHA256,
        prehash_key=proofs_pb2.SHA256,
        prehash_value=proofs_pb2.SHA256,
        length=proofs_pb2.NO_PREFIX,
        prefix=b"\x00",
    ),
    inner_spec=InnerSpec(
        child_order=[0, 1],
        child_size=32,
        min_prefix_length=1,
        max_prefix_length=1,
        empty_child=bytes(32),
        hash=proofs_pb2.SHA256,
    ),
    max_depth=256,
    prehash_key_before_comparison=True,
)

_DEFAULT_MAX_DEPTH = 128  # v0.11: a spec's max_depth of 0 means this
_HASH_BLAKE2B_512 = 7  # HashOp values of v0.11 beyond our schema's enum
_HASH_BLAKE2S_256 = 8


# --- hashing and the ops -----------------------------------------------------------------------


def _ripemd160(data: bytes) -> bytes:
    try:
        return hashlib.new("ripemd160", data).digest()
    except ValueError as exc:  # OpenSSL builds without the legacy provider
        raise UnsupportedOpError("RIPEMD160 is not available in this Python's hashlib") from exc


def _do_hash(op: int, data: bytes) -> bytes:
    if op == proofs_pb2.SHA256:
        return hashlib.sha256(data).digest()
    if op == proofs_pb2.SHA512:
        return hashlib.sha512(data).digest()
    if op == proofs_pb2.RIPEMD160:
        return _ripemd160(data)
    if op == proofs_pb2.BITCOIN:
        return _ripemd160(hashlib.sha256(data).digest())
    if op == proofs_pb2.SHA512_256:
        try:
            return hashlib.new("sha512_256", data).digest()
        except ValueError as exc:
            raise UnsupportedOpError(
                "SHA512_256 is not available in this Python's hashlib"
            ) from exc
    if op == _HASH_BLAKE2B_512:
        return hashlib.blake2b(data, digest_size=64).digest()
    if op == _HASH_BLAKE2S_256:
        return hashlib.blake2s(data, digest_size=32).digest()
    raise UnsupportedOpError(f"unsupported hash op {op}")


def _hash_or_noop(op: int, data: bytes) -> bytes:
    return data if op == proofs_pb2.NO_HASH else _do_hash(op, data)


def _length_prefixed(op: int, data: bytes) -> bytes:
    n = len(data)
    if op == proofs_pb2.NO_PREFIX:
        return data
    if op == proofs_pb2.VAR_PROTO:
        return uvarint(n) + data
    if op == proofs_pb2.REQUIRE_32_BYTES:
        if n != 32:
            raise ProofError(f"data was {n} bytes, not 32")
        return data
    if op == proofs_pb2.REQUIRE_64_BYTES:
        if n != 64:
            raise ProofError(f"data was {n} bytes, not 64")
        return data
    if op == proofs_pb2.FIXED32_BIG:
        return (n & 0xFFFFFFFF).to_bytes(4, "big") + data
    if op == proofs_pb2.FIXED32_LITTLE:
        return (n & 0xFFFFFFFF).to_bytes(4, "little") + data
    if op == proofs_pb2.FIXED64_BIG:
        return n.to_bytes(8, "big") + data
    if op == proofs_pb2.FIXED64_LITTLE:
        return n.to_bytes(8, "little") + data
    raise UnsupportedOpError(f"unsupported length op {op}")


def apply_leaf(op: LeafOp, key: bytes, value: bytes) -> bytes:
    """The leaf hash: hash(prefix ‖ length(prehash(key)) ‖ length(prehash(value)))."""
    if not key:
        raise ProofError("leaf op needs key")
    if not value:
        raise ProofError("leaf op needs value")
    pkey = _length_prefixed(op.length, _hash_or_noop(op.prehash_key, key))
    pvalue = _length_prefixed(op.length, _hash_or_noop(op.prehash_value, value))
    return _do_hash(op.hash, op.prefix + pkey + pvalue)


def apply_inner(op: InnerOp, child: bytes) -> bytes:
    """One step towards the root: hash(prefix ‖ child ‖ suffix)."""
    if not child:
        raise ProofError("inner op needs child value")
    return _do_hash(op.hash, op.prefix + child + op.suffix)


def calculate_existence_root(proof: ExistenceProof, spec: ProofSpec | None = None) -> bytes:
    """The root an existence proof commits to. With a spec, a step whose hash is longer than the
    spec's child size (when that is at least 32) is refused, as Go's ``calculate`` does."""
    if not proof.HasField("leaf"):
        raise ProofError("existence proof needs a leaf op")
    node = apply_leaf(proof.leaf, proof.key, proof.value)
    for step in proof.path:
        node = apply_inner(step, node)
        if spec is not None:
            child_size = spec.inner_spec.child_size
            if len(node) > child_size and child_size >= 32:
                raise ProofError(f"inner step hash of {len(node)} bytes exceeds child size")
    return node


# --- checking a proof against a spec -----------------------------------------------------------


def _read_signed_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Go's ``binary.ReadVarint``: a zigzag varint of at most 10 bytes, as an int64."""
    value = 0
    shift = 0
    for i in range(10):
        if pos >= len(data):
            raise ProofError("IAVL prefix: truncated varint" if i else "IAVL prefix: EOF")
        byte = data[pos]
        pos += 1
        if byte < 0x80:
            if i == 9 and byte > 1:
                raise ProofError("IAVL prefix: varint overflows a 64-bit integer")
            value |= byte << shift
            signed = value >> 1
            if value & 1:
                signed = ~signed
            return signed, pos
        value |= (byte & 0x7F) << shift
        shift += 7
    raise ProofError("IAVL prefix: varint overflows a 64-bit integer")


def _validate_iavl_op(prefix: bytes, hash_op: int, layer: int) -> None:
    """``validateIavlOps``: three non-negative varints (height, size, version), the height at least
    the layer; a leaf prefix ends there, an inner prefix has 1 or 34 bytes left (the length byte
    before the child, or a 33-byte left sibling and that byte) and hashes with SHA256."""
    pos = 0
    values = []
    for _ in range(3):
        value, pos = _read_signed_varint(prefix, pos)
        if value < 0:
            raise ProofError("wrong value in IAVL op: negative varint")
        values.append(value)
    if values[0] < layer:
        raise ProofError(f"wrong value in IAVL op: height {values[0]} below layer {layer}")
    rest = len(prefix) - pos
    if layer == 0:
        if rest != 0:
            raise ProofError("invalid IAVL leaf op: bytes after the three varints")
    else:
        if rest not in (1, 34):
            raise ProofError(f"invalid IAVL inner op: {rest} bytes after the three varints")
        if hash_op != proofs_pb2.SHA256:
            raise ProofError("invalid IAVL inner op: hash is not SHA256")


def _spec_equals(a: ProofSpec, b: ProofSpec) -> bool:
    """``SpecEquals``: over-declares equality (prefixes and the empty child are not compared)."""
    if a.HasField("leaf_spec") != b.HasField("leaf_spec"):
        return False
    if a.HasField("leaf_spec"):
        la, lb = a.leaf_spec, b.leaf_spec
        if (la.hash, la.prehash_key, la.prehash_value, la.length) != (
            lb.hash,
            lb.prehash_key,
            lb.prehash_value,
            lb.length,
        ):
            return False
    if a.HasField("inner_spec") != b.HasField("inner_spec"):
        return False
    if a.HasField("inner_spec"):
        ia, ib = a.inner_spec, b.inner_spec
        if (ia.hash, ia.min_prefix_length, ia.max_prefix_length, ia.child_size) != (
            ib.hash,
            ib.min_prefix_length,
            ib.max_prefix_length,
            ib.child_size,
        ) or len(ia.child_order) != len(ib.child_order):
            return False
    return True


def _is_iavl(spec: ProofSpec) -> bool:
    return _spec_equals(spec, IAVL_SPEC)


def _check_leaf(op: LeafOp, spec: ProofSpec) -> None:
    if not spec.HasField("leaf_spec"):
        raise ProofError("spec has no leaf spec")
    lspec = spec.leaf_spec
    if _is_iavl(spec):
        _validate_iavl_op(op.prefix, op.hash, 0)
    if op.hash != lspec.hash:
        raise ProofError(f"leaf: unexpected hash op {op.hash}")
    if op.prehash_key != lspec.prehash_key:
        raise ProofError(f"leaf: unexpected prehash key op {op.prehash_key}")
    if op.prehash_value != lspec.prehash_value:
        raise ProofError(f"leaf: unexpected prehash value op {op.prehash_value}")
    if op.length != lspec.length:
        raise ProofError(f"leaf: unexpected length op {op.length}")
    if not op.prefix.startswith(lspec.prefix):
        raise ProofError(f"leaf: prefix doesn't start with {lspec.prefix.hex()}")


def _check_inner(op: InnerOp, spec: ProofSpec, layer: int) -> None:
    if not spec.HasField("inner_spec") or not spec.HasField("leaf_spec"):
        raise ProofError("spec needs both a leaf spec and an inner spec")
    ispec = spec.inner_spec
    if op.hash != ispec.hash:
        raise ProofError(f"inner: unexpected hash op {op.hash}")
    if _is_iavl(spec):
        _validate_iavl_op(op.prefix, op.hash, layer)
    if op.prefix.startswith(spec.leaf_spec.prefix):
        raise ProofError(f"inner: prefix starts with the leaf prefix {spec.leaf_spec.prefix.hex()}")
    if len(op.prefix) < ispec.min_prefix_length:
        raise ProofError(f"inner: prefix too short ({len(op.prefix)})")
    max_left_child_bytes = (len(ispec.child_order) - 1) * ispec.child_size
    if len(op.prefix) > ispec.max_prefix_length + max_left_child_bytes:
        raise ProofError(f"inner: prefix too long ({len(op.prefix)})")
    if ispec.child_size <= 0:
        raise ProofError("spec's child size must be at least 1")
    if len(op.suffix) % ispec.child_size != 0:
        raise ProofError("inner: suffix length is not a multiple of the child size")


def check_against_spec(proof: ExistenceProof, spec: ProofSpec) -> None:
    """``ExistenceProof.CheckAgainstSpec``: the leaf op as the spec's, the depth within bounds,
    every inner op in the spec's format (layer numbers from 1 at the leaf's parent)."""
    if not proof.HasField("leaf"):
        raise ProofError("existence proof needs a leaf op")
    _check_leaf(proof.leaf, spec)
    depth = len(proof.path)
    if spec.min_depth > 0 and depth < spec.min_depth:
        raise ProofError(f"inner ops depth too short: {depth}")
    max_depth = spec.max_depth or _DEFAULT_MAX_DEPTH
    if depth > max_depth:
        raise ProofError(f"inner ops depth too long: {depth}")
    for layer, step in enumerate(proof.path, start=1):
        _check_inner(step, spec, layer)


def verify_existence(
    proof: ExistenceProof, spec: ProofSpec, root: bytes, key: bytes, value: bytes
) -> None:
    """``ExistenceProof.Verify``: spec check, key and value match, the computed root matches."""
    check_against_spec(proof, spec)
    if key != proof.key:
        raise ProofError("provided key doesn't match proof")
    if value != proof.value:
        raise ProofError("provided value doesn't match proof")
    if calculate_existence_root(proof, spec) != root:
        raise ProofError("calculated root doesn't match provided root")


# --- neighbours --------------------------------------------------------------------------------


def _position(order: Sequence[int], branch: int) -> int:
    if branch < 0 or branch >= len(order):
        raise ProofError(f"invalid branch {branch} for child order {list(order)}")
    for i, item in enumerate(order):
        if item == branch:
            return i
    raise ProofError(f"branch {branch} not found in child order {list(order)}")


def _padding(spec: InnerSpec, branch: int) -> tuple[int, int, int]:
    """(min prefix, max prefix, suffix) lengths of an inner op whose child sits at ``branch``."""
    idx = _position(spec.child_order, branch)
    prefix = idx * spec.child_size
    suffix = (len(spec.child_order) - 1 - idx) * spec.child_size
    return prefix + spec.min_prefix_length, prefix + spec.max_prefix_length, suffix


def _has_padding(op: InnerOp, min_prefix: int, max_prefix: int, suffix: int) -> bool:
    return min_prefix <= len(op.prefix) <= max_prefix and len(op.suffix) == suffix


def _order_from_padding(spec: InnerSpec, op: InnerOp) -> int | None:
    for branch in range(len(spec.child_order)):
        if _has_padding(op, *_padding(spec, branch)):
            return branch
    return None


def _empty_child_at(data: bytes, start: int, spec: InnerSpec) -> bool:
    end = start + spec.child_size
    if start < 0 or end > len(data):
        raise ProofError("placeholder check reads past the op's padding")
    return data[start:end] == spec.empty_child


def _left_branches_are_empty(spec: InnerSpec, op: InnerOp) -> bool:
    branch = _order_from_padding(spec, op)
    if not branch:  # no fitting branch, or already the left-most one
        return False
    actual_prefix = len(op.prefix) - branch * spec.child_size
    if actual_prefix < 0:
        return False
    for i in range(branch):
        start = actual_prefix + _position(spec.child_order, i) * spec.child_size
        if not _empty_child_at(op.prefix, start, spec):
            return False
    return True


def _right_branches_are_empty(spec: InnerSpec, op: InnerOp) -> bool:
    branch = _order_from_padding(spec, op)
    if branch is None:
        return False
    right_branches = len(spec.child_order) - 1 - branch
    if right_branches == 0:
        return False
    if len(op.suffix) != right_branches * spec.child_size:
        return False
    for i in range(right_branches):  # upstream indexes these from branch 0, as mirrored here
        start = _position(spec.child_order, i) * spec.child_size
        if not _empty_child_at(op.suffix, start, spec):
            return False
    return True


def is_left_most(spec: InnerSpec, path: Sequence[InnerOp]) -> bool:
    """Every step has the left-most padding, or is a placeholder with empty left siblings."""
    padding = _padding(spec, 0)
    return all(
        _has_padding(step, *padding) or _left_branches_are_empty(spec, step) for step in path
    )


def is_right_most(spec: InnerSpec, path: Sequence[InnerOp]) -> bool:
    """Every step has the right-most padding, or is a placeholder with empty right siblings."""
    padding = _padding(spec, len(spec.child_order) - 1)
    return all(
        _has_padding(step, *padding) or _right_branches_are_empty(spec, step) for step in path
    )


def is_left_neighbor(spec: InnerSpec, left: Sequence[InnerOp], right: Sequence[InnerOp]) -> bool:
    """``right`` is the next path after ``left``: drop the common steps near the root, the first
    differing steps are adjacent branches, below them left is right-most and right left-most."""
    li, ri = len(left), len(right)
    while True:
        if li == 0 or ri == 0:
            raise ProofError("neighbour paths run out before they diverge")
        li -= 1
        ri -= 1
        top_left, top_right = left[li], right[ri]
        if top_left.prefix != top_right.prefix or top_left.suffix != top_right.suffix:
            break
    left_branch = _order_from_padding(spec, top_left)
    right_branch = _order_from_padding(spec, top_right)
    if left_branch is None or right_branch is None:
        raise ProofError("cannot find any valid spacing for a node where the paths split")
    if right_branch != left_branch + 1:
        return False
    return is_right_most(spec, left[:li]) and is_left_most(spec, right[:ri])


def _key_for_comparison(spec: ProofSpec, key: bytes) -> bytes:
    if not spec.prehash_key_before_comparison:
        return key
    try:
        return _hash_or_noop(spec.leaf_spec.prehash_key, key)
    except ProofError:
        return b""  # Go ignores the error and compares the nil result


def verify_non_existence(
    proof: NonExistenceProof, spec: ProofSpec, root: bytes, key: bytes
) -> None:
    """``NonExistenceProof.Verify``: each neighbour present verifies under the root, at least one
    is present, the key lies strictly between them, and they are adjacent (or the one present is
    the left-most or right-most leaf)."""
    has_left, has_right = proof.HasField("left"), proof.HasField("right")
    if has_left:
        try:
            verify_existence(proof.left, spec, root, proof.left.key, proof.left.value)
        except ProofError as exc:
            raise ProofError(f"left proof: {exc}") from exc
    if has_right:
        try:
            verify_existence(proof.right, spec, root, proof.right.key, proof.right.value)
        except ProofError as exc:
            raise ProofError(f"right proof: {exc}") from exc
    if not has_left and not has_right:
        raise ProofError("both left and right proofs missing")
    compared = _key_for_comparison(spec, key)
    if has_right and compared >= _key_for_comparison(spec, proof.right.key):
        raise ProofError("key is not left of right proof")
    if has_left and compared <= _key_for_comparison(spec, proof.left.key):
        raise ProofError("key is not right of left proof")
    if not has_left:
        if not is_left_most(spec.inner_spec, proof.right.path):
            raise ProofError("left proof missing, right proof must be left-most")
    elif not has_right:
        if not is_right_most(spec.inner_spec, proof.left.path):
            raise ProofError("right proof missing, left proof must be right-most")
    elif not is_left_neighbor(spec.inner_spec, proof.left.path, proof.right.path):
        raise ProofError("left and right proofs are not neighbours")


# --- commitment proofs -------------------------------------------------------------------------


def _decompress_exist(
    proof: proofs_pb2.CompressedExistenceProof, lookup: Sequence[InnerOp]
) -> ExistenceProof:
    out = ExistenceProof(key=proof.key, value=proof.value)
    if proof.HasField("leaf"):
        out.leaf.CopyFrom(proof.leaf)
    for index in proof.path:
        if not 0 <= index < len(lookup):
            raise ProofError(f"compressed path index {index} out of range")
        out.path.append(lookup[index])
    return out


def decompress(proof: CommitmentProof) -> CommitmentProof:
    """``Decompress``: a compressed batch becomes a batch (path indexes resolved against the lookup
    table); any other proof is returned as it is."""
    if proof.WhichOneof("proof") != "compressed":
        return proof
    comp = proof.compressed
    batch = proofs_pb2.BatchProof()
    for centry in comp.entries:
        kind = centry.WhichOneof("proof")
        entry = batch.entries.add()
        if kind == "exist":
            entry.exist.CopyFrom(_decompress_exist(centry.exist, comp.lookup_inners))
        elif kind == "nonexist":
            cnon = centry.nonexist
            non = entry.nonexist
            non.key = cnon.key
            if cnon.HasField("left"):
                non.left.CopyFrom(_decompress_exist(cnon.left, comp.lookup_inners))
            if cnon.HasField("right"):
                non.right.CopyFrom(_decompress_exist(cnon.right, comp.lookup_inners))
        else:
            raise ProofError("compressed batch entry is neither existence nor non-existence")
    return CommitmentProof(batch=batch)


def _exist_for_key(proof: CommitmentProof, key: bytes) -> ExistenceProof | None:
    kind = proof.WhichOneof("proof")
    if kind == "exist":
        return proof.exist if proof.exist.key == key else None
    if kind == "batch":
        for entry in proof.batch.entries:
            if entry.WhichOneof("proof") == "exist" and entry.exist.key == key:
                return entry.exist
    return None


def _brackets(proof: NonExistenceProof, key: bytes) -> bool:
    left_ok = not proof.HasField("left") or proof.left.key < key
    right_ok = not proof.HasField("right") or proof.right.key > key
    return left_ok and right_ok


def _non_exist_for_key(proof: CommitmentProof, key: bytes) -> NonExistenceProof | None:
    kind = proof.WhichOneof("proof")
    if kind == "nonexist":
        return proof.nonexist if _brackets(proof.nonexist, key) else None
    if kind == "batch":
        for entry in proof.batch.entries:
            if entry.WhichOneof("proof") == "nonexist" and _brackets(entry.nonexist, key):
                return entry.nonexist
    return None


def verify_membership(
    spec: ProofSpec, root: bytes, proof: CommitmentProof, key: bytes, value: bytes
) -> None:
    """``VerifyMembership``: the proof (or a batch entry) is an existence proof for ``key`` that
    verifies ``value`` under ``root`` and ``spec``; raises :class:`ProofError` otherwise."""
    exist = _exist_for_key(decompress(proof), key)
    if exist is None:
        raise ProofError("no existence proof for the key in the commitment proof")
    verify_existence(exist, spec, root, key, value)


def verify_non_membership(spec: ProofSpec, root: bytes, proof: CommitmentProof, key: bytes) -> None:
    """``VerifyNonMembership``: the proof (or a batch entry) is a non-existence proof whose
    neighbours bracket ``key`` and verify under ``root`` and ``spec``; raises
    :class:`ProofError` otherwise."""
    non = _non_exist_for_key(decompress(proof), key)
    if non is None:
        raise ProofError("no non-existence proof bracketing the key in the commitment proof")
    verify_non_existence(non, spec, root, key)
