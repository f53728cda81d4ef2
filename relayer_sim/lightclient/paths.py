"""Where things live in the counterparty's state tree, shared by the chain and the light client.

An IBC merkle path is a store name followed by a key in that store (``["ibc", "commitments/…"]``,
``["upgrade", "upgradedIBCState/…"]``), as in a Cosmos SDK multistore; our tree is flat and keys
it by the path's elements joined with ``/``.
"""

from __future__ import annotations

from collections.abc import Sequence

PATH_SEPARATOR = b"/"


def merkle_key(key_path: Sequence[bytes]) -> bytes:
    """The tree key an IBC merkle path names."""
    if not key_path:
        raise ValueError("a merkle path needs at least one element")
    return PATH_SEPARATOR.join(key_path)


def upgrade_paths(upgrade_path: Sequence[str], plan_height: int) -> tuple[list[bytes], list[bytes]]:
    """The merkle paths of the upgraded client state and consensus state for ``plan_height``:
    ``[store, "{key}/{height}/upgradedClient"]`` and ``[…, "…/upgradedConsState"]``."""
    if len(upgrade_path) != 2:
        raise ValueError("an upgrade path is a store name and a key prefix")
    store, prefix = upgrade_path[0].encode(), upgrade_path[1].encode()
    base = prefix + f"/{plan_height}/".encode()
    return [store, base + b"upgradedClient"], [store, base + b"upgradedConsState"]
