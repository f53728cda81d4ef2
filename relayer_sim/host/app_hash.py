"""The app-hash chain: each block's app hash commits to the hash before it and the block's changes.

``HostApp.commit`` makes the hash with ``next_app_hash`` and the block log checks every record it
reads against the same function, so a restored host recomputes its app hash from its own history
instead of trusting one written down: a missing, repeated or foreign block breaks the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import NamedTuple

import msgpack

from relayer_sim.host.store import Change


class Block(NamedTuple):
    """One committed block as the log keeps it: where it sits in the chain and what it changed."""

    height: int
    #: The app hash of the block before (empty before the first change).
    previous: bytes
    app_hash: bytes
    #: Sets and deletes (``None``), in key order.
    changes: Sequence[Change]


def next_app_hash(previous: bytes, changes: Sequence[Change]) -> bytes:
    """sha256(previous ‖ msgpack(changes)): committing costs what the block changed, not the size
    of the state. A block without changes keeps the hash."""
    if not changes:
        return previous
    return hashlib.sha256(previous + msgpack.packb(changes, use_bin_type=True)).digest()


def chain_error(block: Block, height: int, app_hash: bytes) -> str | None:
    """Why ``block`` cannot follow the block committed at ``height`` with ``app_hash`` (None when
    it can): its height must be the next one, and its app hash the one its changes make."""
    if block.height != height + 1:
        return f"block {block.height} follows block {height}"
    if block.previous != app_hash:
        return (
            f"block {block.height} continues app hash {block.previous.hex() or 'empty'}, "
            f"not block {height}'s {app_hash.hex() or 'empty'}"
        )
    if next_app_hash(block.previous, block.changes) != block.app_hash:
        return f"block {block.height}'s app hash is not the one its changes make"
    return None
