"""The packed store answers every read and scan as a plain sorted map does, through flushes,
deletions and writes made while a scan is open."""

from __future__ import annotations

import random

import pytest

from relayer_sim.host import packed_store
from relayer_sim.host.packed_store import PackedStorage
from relayer_sim.vm import MemoryStorage


def _key(rng: random.Random) -> bytes:
    family = rng.choice((b"ibc/clients/08-wasm-0/consensusStates/1-", b"channels/receipts/", b"a"))
    return family + str(rng.randint(0, 400)).encode() + rng.choice((b"", b"/processedTime"))


def _bound(rng: random.Random) -> bytes | None:
    return None if rng.random() < 0.3 else _key(rng)[: rng.randint(0, 45)]


def test_reads_and_scans_match_a_sorted_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packed_store, "CHUNK", 4)
    monkeypatch.setattr(packed_store, "FLUSH_AT", 16)
    monkeypatch.setattr(packed_store, "DELETIONS_AT", 5)
    rng = random.Random(13)
    initial = {_key(rng): rng.randbytes(rng.randint(1, 9)) for _ in range(100)}
    packed, plain = PackedStorage(initial), MemoryStorage(initial)
    for step in range(4000):
        key = _key(rng)
        if rng.random() < 0.35:
            packed.delete(key)
            plain.delete(key)
        else:
            value = rng.randbytes(rng.randint(1, 9))
            packed.set(key, value)
            plain.set(key, value)
        probe = _key(rng)
        assert packed.get(probe) == plain.get(probe)
        if step % 10 == 0:
            start, end, ascending = _bound(rng), _bound(rng), rng.random() < 0.5
            assert list(packed.scan(start, end, ascending)) == list(
                plain.scan(start, end, ascending)
            )
    assert list(packed.scan(None, None, True)) == list(plain.scan(None, None, True))


def test_a_scan_open_across_writes_sees_what_a_sorted_map_shows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(packed_store, "CHUNK", 4)
    monkeypatch.setattr(packed_store, "FLUSH_AT", 8)
    rng = random.Random(3)
    initial = {f"k{n:03}".encode(): b"v" for n in range(0, 200, 2)}
    for ascending in (True, False):
        packed, plain = PackedStorage(initial), MemoryStorage(initial)
        scans = packed.scan(None, None, ascending), plain.scan(None, None, ascending)
        while True:
            pairs = next(scans[0], None), next(scans[1], None)
            assert pairs[0] == pairs[1]
            if pairs[0] is None:
                break
            for _ in range(3):
                key = f"k{rng.randint(0, 199):03}".encode()
                if rng.random() < 0.5:
                    packed.delete(key)
                    plain.delete(key)
                else:
                    packed.set(key, b"w")
                    plain.set(key, b"w")


def test_only_the_chunks_read_last_stay_decompressed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packed_store, "CHUNK", 4)
    monkeypatch.setattr(packed_store, "OPEN", 3)
    items = {f"k{n:03}".encode(): bytes([n]) * 20 for n in range(100)}
    store = PackedStorage(items)
    assert list(store.scan(None, None, True)) == sorted(items.items())
    assert sum(chunk.plain is not None for chunk in store._chunks) <= 3
    assert store.get(b"k007") == bytes([7]) * 20


def test_a_run_of_unpacked_deletions_is_stepped_over_without_searching_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(packed_store, "CHUNK", 4)
    items = {f"k{n:03}".encode(): b"v" for n in range(100)}
    store = PackedStorage(items)
    for n in range(60):  # a client pruning its oldest consensus states
        store.delete(f"k{n:03}".encode())
    searches = 0
    search = PackedStorage._packed_at_or_after

    def counted(self: PackedStorage, key: bytes, after: bool) -> tuple[int, int] | None:
        nonlocal searches
        searches += 1
        return search(self, key, after)

    monkeypatch.setattr(PackedStorage, "_packed_at_or_after", counted)
    first = next(store.scan(None, None, True))
    assert first == (b"k060", b"v") and searches == 1
    assert next(store.scan(None, b"k060", False), None) is None
