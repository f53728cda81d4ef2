"""An IAVL-shaped, versioned key/value tree: root hashes and ICS-23 proofs as cosmos/iavl makes.

The Cosmos SDK (v0.50, cosmos/iavl v1) commits each module store as an IAVL+ tree; a counterparty
that speaks the ``tendermint`` format needs the same roots and proofs. Facts from cosmos/iavl:

- ``node.go`` (``writeHashBytes``, ``_hash``): a node hashes as sha256 over the signed (zigzag)
  varints of height, size and version, then for a leaf the length-prefixed key and the
  length-prefixed sha256 of the value, for an inner node the length-prefixed left and right
  hashes. Leaves hold the keys; an inner node holds the smallest key of its right subtree.
- ``mutable_tree.go`` (``recursiveSet``, ``recursiveRemove``, ``balance``, ``rotateLeft``,
  ``rotateRight``): AVL balancing by height; every node a write touches is a new node carrying
  the version being built (copy-on-write), so saved versions stay readable; a removal lets the
  sibling of the removed leaf take its parent's place unchanged and hands the new smallest key up
  to the ancestor that routed right.
- ``immutable_tree.go`` (``Hash``): the empty tree's hash is sha256 of nothing; ``tree_test.go``
  (``TestVersionedTreeHash``) pins it as ``e3b0c442…``.
- ``proof_ics23.go`` (``GetMembershipProof``, ``GetNonMembershipProof``, ``createExistenceProof``,
  ``convertLeafOp``, ``convertInnerOps``): the leaf op's prefix is varint(0) ‖ varint(1) ‖
  varint(version); each inner op's prefix is varint(height) ‖ varint(size) ‖ varint(version),
  followed by 0x20 ‖ left sibling ‖ 0x20 when the sibling is on the left, or by 0x20 with the
  suffix 0x20 ‖ right sibling when it is on the right. A non-existence proof carries the
  existence proofs of the left and right neighbours, either absent at an edge.

Nodes are immutable: a node's hash is computed once (at :meth:`IavlTree.save_version`) and kept.
Sets, removals and proofs cost O(log n). Checked against cosmos/iavl's ``TestTreeHash`` roots
(four versions of random sets, updates and removals) in ``tests/formats/test_iavl.py``.
"""

from __future__ import annotations

import hashlib

from relayer_sim.formats.proto.cosmos.ics23.v1 import proofs_pb2
from relayer_sim.formats.varint import length_prefixed, varint

__all__ = ["EMPTY_ROOT", "IavlError", "IavlTree"]

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The hash of a tree without keys (cosmos/iavl ``ImmutableTree.Hash``)."""


class IavlError(ValueError):
    """A version that is not saved (or was pruned), a key that cannot be stored or proven."""


class _Node:
    """One tree node; never changed once its hash is computed (writes make new nodes)."""

    __slots__ = ("_hash", "height", "key", "left", "right", "size", "value", "version")

    def __init__(
        self,
        key: bytes,
        version: int,
        *,
        value: bytes = b"",
        left: _Node | None = None,
        right: _Node | None = None,
    ) -> None:
        self.key = key
        self.value = value
        self.version = version
        self.left = left
        self.right = right
        self._hash: bytes | None = None
        if left is None or right is None:
            self.height = 0
            self.size = 1
        else:
            self.height = max(left.height, right.height) + 1
            self.size = left.size + right.size

    @property
    def is_leaf(self) -> bool:
        return self.height == 0

    def prefix(self) -> bytes:
        return varint(self.height) + varint(self.size) + varint(self.version)

    def hash(self) -> bytes:
        """The node hash (``writeHashBytes``), computed once; recursion depth is the height."""
        h = self._hash
        if h is None:
            if self.left is None or self.right is None:
                body = length_prefixed(self.key) + length_prefixed(
                    hashlib.sha256(self.value).digest()
                )
            else:
                body = length_prefixed(self.left.hash()) + length_prefixed(self.right.hash())
            h = hashlib.sha256(self.prefix() + body).digest()
            self._hash = h
        return h


def _inner(key: bytes, version: int, left: _Node, right: _Node) -> _Node:
    return _Node(key, version, left=left, right=right)


def _children(node: _Node) -> tuple[_Node, _Node]:
    left, right = node.left, node.right
    assert left is not None and right is not None
    return left, right


def _balance_factor(node: _Node) -> int:
    left, right = _children(node)
    return left.height - right.height


def _rotate_right(node: _Node, version: int) -> _Node:
    """``rotateRight``: the left child becomes the parent; both become new nodes."""
    left, right = _children(node)
    left_left, left_right = _children(left)
    lowered = _inner(node.key, version, left_right, right)
    return _inner(left.key, version, left_left, lowered)


def _rotate_left(node: _Node, version: int) -> _Node:
    """``rotateLeft``: the right child becomes the parent; both become new nodes."""
    left, right = _children(node)
    right_left, right_right = _children(right)
    lowered = _inner(node.key, version, left, right_left)
    return _inner(right.key, version, lowered, right_right)


def _balance(key: bytes, version: int, left: _Node, right: _Node) -> _Node:
    """A new inner node over ``left`` and ``right``, rebalanced as iavl's ``balance`` does."""
    node = _inner(key, version, left, right)
    factor = left.height - right.height
    if factor > 1:
        if _balance_factor(left) >= 0:
            return _rotate_right(node, version)
        node = _inner(key, version, _rotate_left(left, version), right)
        return _rotate_right(node, version)
    if factor < -1:
        if _balance_factor(right) <= 0:
            return _rotate_left(node, version)
        node = _inner(key, version, left, _rotate_right(right, version))
        return _rotate_left(node, version)
    return node


def _set(node: _Node, key: bytes, value: bytes, version: int) -> tuple[_Node, bool]:
    """``recursiveSet``: (new subtree, whether an existing key was updated)."""
    if node.is_leaf:
        if key < node.key:
            return _inner(node.key, version, _Node(key, version, value=value), node), False
        if key > node.key:
            return _inner(key, version, node, _Node(key, version, value=value)), False
        return _Node(key, version, value=value), True
    left, right = _children(node)
    if key < node.key:
        left, updated = _set(left, key, value, version)
    else:
        right, updated = _set(right, key, value, version)
    if updated:  # same shape: a copy of this node with the new child, no rebalancing
        return _inner(node.key, version, left, right), True
    return _balance(node.key, version, left, right), False


def _remove(
    node: _Node, key: bytes, version: int
) -> tuple[_Node | None, bytes | None, bytes] | None:
    """``recursiveRemove``: None if the key is absent, else (new subtree or None when the subtree
    was the removed leaf, the new smallest key for an ancestor to take or None, removed value)."""
    if node.is_leaf:
        if node.key == key:
            return None, None, node.value
        return None
    left, right = _children(node)
    if key < node.key:
        result = _remove(left, key, version)
        if result is None:
            return None
        new_left, new_key, value = result
        if new_left is None:  # the left child was the leaf: the right child takes our place
            return right, node.key, value
        return _balance(node.key, version, new_left, right), new_key, value
    result = _remove(right, key, version)
    if result is None:
        return None
    new_right, new_key, value = result
    if new_right is None:  # the right child was the leaf: the left child takes our place
        return left, None, value
    own_key = new_key if new_key is not None else node.key
    return _balance(own_key, version, left, new_right), None, value


class IavlTree:
    """A versioned IAVL tree kept in memory: a working tree, saved versions from 1 on.

    ``set`` and ``remove`` change the working tree; ``save_version`` freezes it as the next
    version and returns its root hash (cosmos/iavl ``MutableTree.SaveVersion``); proofs are read
    from saved versions only, as a chain proves against a committed app hash.
    """

    def __init__(self) -> None:
        self._working: _Node | None = None
        self._roots: dict[int, _Node | None] = {}
        self._version = 0  # the latest saved version

    # --- writes ---------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The latest saved version (0 before the first save)."""
        return self._version

    def set(self, key: bytes, value: bytes) -> bool:
        """Set ``key`` to ``value`` in the working tree; True if the key existed (an update).
        Empty keys and values are refused: ICS-23 leaf ops cannot prove them."""
        if not key:
            raise IavlError("an IAVL key must not be empty")
        if not value:
            raise IavlError("an IAVL value must not be empty (ICS-23 cannot prove it)")
        version = self._version + 1
        if self._working is None:
            self._working = _Node(bytes(key), version, value=bytes(value))
            return False
        self._working, updated = _set(self._working, bytes(key), bytes(value), version)
        return updated

    def remove(self, key: bytes) -> bytes | None:
        """Remove ``key`` from the working tree; the removed value, or None if it was absent."""
        if self._working is None:
            return None
        result = _remove(self._working, bytes(key), self._version + 1)
        if result is None:
            return None
        self._working, _, value = result
        return value

    def save_version(self) -> tuple[int, bytes]:
        """Freeze the working tree as the next version: (version, root hash)."""
        self._version += 1
        root = self._working
        self._roots[self._version] = root
        return self._version, root.hash() if root is not None else EMPTY_ROOT

    def prune(self, below_version: int) -> None:
        """Forget every saved version below ``below_version`` (never the latest one); their nodes
        that no kept version shares become garbage. Versions are saved in increasing order, so
        this looks only at the ones it drops."""
        while self._roots:
            oldest = next(iter(self._roots))
            if oldest >= below_version or oldest == self._version:
                break
            del self._roots[oldest]

    def branch(self, version: int) -> IavlTree:
        """A new tree whose working tree and only saved version are ``version`` of this one: a
        what-if that shares this tree's nodes and never changes them (nodes are immutable)."""
        branch = IavlTree()
        branch._working = self._root(version)
        branch._roots = {version: branch._working}
        branch._version = version
        return branch

    # --- reads ----------------------------------------------------------------------------

    def versions(self) -> list[int]:
        """The saved versions still available, ascending."""
        return sorted(self._roots)

    def _root(self, version: int | None) -> _Node | None:
        if version is None:
            return self._working
        try:
            return self._roots[version]
        except KeyError:
            raise IavlError(f"version {version} is not saved or was pruned") from None

    def root_hash(self, version: int | None = None) -> bytes:
        """The root hash of a saved version (the latest by default)."""
        root = self._root(self._version if version is None else version)
        return root.hash() if root is not None else EMPTY_ROOT

    def size(self, version: int | None = None) -> int:
        """Number of keys at a saved version, or in the working tree when ``version`` is None."""
        root = self._root(version)
        return 0 if root is None else root.size

    def get(self, key: bytes, version: int | None = None) -> bytes | None:
        """The value of ``key`` in the working tree, or at a saved ``version``."""
        node = self._root(version)
        if node is None:
            return None
        while not node.is_leaf:
            left, right = _children(node)
            node = left if key < node.key else right
        return node.value if node.key == key else None

    def items(self, version: int | None = None) -> list[tuple[bytes, bytes]]:
        """All (key, value) pairs in key order (O(n); for tests and dumps)."""
        out: list[tuple[bytes, bytes]] = []
        stack: list[_Node] = []
        node = self._root(version)
        while stack or node is not None:
            while node is not None:
                stack.append(node)
                node = node.left
            node = stack.pop()
            if node.is_leaf:
                out.append((node.key, node.value))
            node = node.right
        return out

    # --- proofs ---------------------------------------------------------------------------

    def _existence(self, root: _Node, key: bytes) -> proofs_pb2.ExistenceProof | None:
        """``createExistenceProof``: the path to the leaf of ``key``, bottom-up inner ops."""
        path: list[tuple[_Node, bool]] = []  # (inner node, went left)
        node = root
        while not node.is_leaf:
            left, right = _children(node)
            went_left = key < node.key
            path.append((node, went_left))
            node = left if went_left else right
        if node.key != key:
            return None
        proof = proofs_pb2.ExistenceProof(key=node.key, value=node.value)
        proof.leaf.hash = proofs_pb2.SHA256
        proof.leaf.prehash_key = proofs_pb2.NO_HASH
        proof.leaf.prehash_value = proofs_pb2.SHA256
        proof.leaf.length = proofs_pb2.VAR_PROTO
        proof.leaf.prefix = node.prefix()
        for inner, went_left in reversed(path):
            left, right = _children(inner)
            step = proof.path.add()
            step.hash = proofs_pb2.SHA256
            if went_left:
                step.prefix = inner.prefix() + b"\x20"
                step.suffix = length_prefixed(right.hash())
            else:
                step.prefix = inner.prefix() + length_prefixed(left.hash()) + b"\x20"
        return proof

    def existence_proof(self, key: bytes, version: int) -> proofs_pb2.CommitmentProof:
        """An ICS-23 existence proof of ``key`` at a saved version (``GetMembershipProof``)."""
        root = self._root(version)
        exist = None if root is None else self._existence(root, key)
        if exist is None:
            raise IavlError(f"key {key.hex()} is absent at version {version}")
        return proofs_pb2.CommitmentProof(exist=exist)

    def non_existence_proof(self, key: bytes, version: int) -> proofs_pb2.CommitmentProof:
        """An ICS-23 non-existence proof of ``key`` at a saved version
        (``GetNonMembershipProof``): the neighbours' existence proofs, either absent at an edge."""
        root = self._root(version)
        if root is None:
            raise IavlError(f"version {version} is empty: there is nothing to prove absence with")
        successor: bytes | None = None  # routing key where the descent last went left
        node = root
        while not node.is_leaf:
            left, right = _children(node)
            if key < node.key:
                successor = node.key  # the smallest key of the right subtree, above `key`
                node = left
            else:
                node = right
        if node.key == key:
            raise IavlError(f"key {key.hex()} is present at version {version}")
        left_key: bytes | None
        right_key: bytes | None
        if node.key < key:  # the leaf reached is the left neighbour
            left_key, right_key = node.key, successor
        else:  # the leaf reached is the right neighbour (the left-most leaf above `key`)
            left_key, right_key = _predecessor(root, node.key), node.key
        non = proofs_pb2.NonExistenceProof(key=key)
        if left_key is not None:
            left_proof = self._existence(root, left_key)
            assert left_proof is not None
            non.left.CopyFrom(left_proof)
        if right_key is not None:
            right_proof = self._existence(root, right_key)
            assert right_proof is not None
            non.right.CopyFrom(right_proof)
        return proofs_pb2.CommitmentProof(nonexist=non)


def _predecessor(root: _Node, key: bytes) -> bytes | None:
    """The largest key strictly below ``key`` (a key present in the tree), or None."""
    below: _Node | None = None  # the last left subtree passed by when going right
    node = root
    while not node.is_leaf:
        left, right = _children(node)
        if key < node.key:
            node = left
        else:
            below, node = left, right
    if node.key < key:
        return node.key
    return None if below is None else _max_key(below)


def _max_key(node: _Node) -> bytes:
    while not node.is_leaf:
        node = _children(node)[1]
    return node.key
