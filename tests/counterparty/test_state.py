"""The versioned counterparty state answers as a full snapshot per height would, and forgets."""

from __future__ import annotations

import random

import pytest

from relayer_sim.counterparty.state import AppState
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.merkle import MerkleTree, encode_proof
from relayer_sim.lightclient.paths import merkle_key


def _path(n: int) -> tuple[bytes, ...]:
    return (b"ibc", f"k/{n}".encode())


def test_every_retained_height_answers_as_its_snapshot() -> None:
    rng = random.Random(5)
    state = AppState()
    current: dict[bytes, bytes] = {}
    snapshots: dict[Height, dict[bytes, bytes]] = {}
    for height in range(1, 120):
        for _ in range(rng.choice((0, 0, 1, 3))):
            n = rng.randint(0, 30)
            if rng.random() < 0.3:
                state.delete(_path(n))
                current.pop(merkle_key(_path(n)), None)
            else:
                value = rng.randbytes(3)
                state.write(_path(n), value)
                current[merkle_key(_path(n))] = value
        at = Height(1, height)
        assert state.commit(at) == MerkleTree(current).root
        snapshots[at] = dict(current)
        if height % 7 == 0:
            below = Height(1, height - rng.randint(0, 20))
            state.prune(below)
            snapshots = {h: s for h, s in snapshots.items() if h >= below}
        for at, items in rng.sample(sorted(snapshots.items()), min(4, len(snapshots))):
            tree = MerkleTree(items)
            for n in (rng.randint(0, 31), rng.randint(0, 31)):
                key = merkle_key(_path(n))
                assert state.value(_path(n), at) == items.get(key)
                assert state.prove(_path(n), at) == encode_proof(tree.prove(key))


def test_prune_forgets_heights_and_history() -> None:
    state = AppState()
    for height in range(1, 50):
        state.write(_path(height % 5), height.to_bytes(2, "big"))
        if height % 10 == 0:
            state.delete(_path(0))
        state.commit(Height(1, height))
        state.prove(_path(1), Height(1, max(1, height - 3)))
    state.prune(Height(1, 45))
    with pytest.raises(KeyError):
        state.prove(_path(1), Height(1, 44))
    assert state.value(_path(4), Height(1, 45)) == (44).to_bytes(2, "big")
    assert state.value(_path(4), Height(1, 49)) == (49).to_bytes(2, "big")
    # Each key keeps at most the value the oldest retained height sees and the later ones.
    assert all(len(history) <= 2 for history in state._history.values())
    assert all(version >= 45 - 5 for version in state._old_trees)


def test_a_key_unchanged_since_the_oldest_height_keeps_no_history() -> None:
    state = AppState()
    state.write(_path(1), b"old")
    state.commit(Height(1, 1))
    for height in range(2, 6):
        state.write(_path(2), bytes([height]))
        state.commit(Height(1, height))
    state.prune(Height(1, 3))
    assert merkle_key(_path(1)) not in state._history
    state.write(_path(1), b"new")
    state.commit(Height(1, 6))
    assert state.value(_path(1), Height(1, 4)) == b"old"
    assert state.value(_path(1), Height(1, 6)) == b"new"
    items = {merkle_key(_path(1)): b"old", merkle_key(_path(2)): bytes([4])}
    assert state.prove(_path(1), Height(1, 4)) == encode_proof(
        MerkleTree(items).prove(merkle_key(_path(1)))
    )
