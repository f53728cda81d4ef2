"""A host's committed state comes back after a stop, a torn last write or a compaction."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.host.durability import BlockLog, CorruptLog
from relayer_sim.host.store import CacheStore, Change, app_hash
from relayer_sim.vm import MemoryStorage

GENESIS = {b"params": b"genesis", b"clients/0": b"client zero"}
BLOCKS: list[list[Change]] = [
    [(b"clients/1", b"client one"), (b"params", b"v2")],
    [(b"clients/0", None), (b"receipts/7", b"\x01")],
    [(b"clients/1", b"client one, updated"), (b"clients/2", b"\x00" * 40)],
]


class Host:
    """A host's committed store with its durable log, committing blocks through a cache."""

    def __init__(self, directory: Path) -> None:
        self.log = BlockLog(directory)
        height, entries = self.log.load()
        self.height, self.store = height, MemoryStorage(entries)

    def commit(self, changes: list[Change]) -> None:
        block = CacheStore(self.store)
        for key, value in changes:
            if value is None:
                block.delete(key)
            else:
                block.set(key, value)
        self.height += 1
        self.log.append_block(self.height, block.changes())
        block.write()


def run_chain(directory: Path, blocks: list[list[Change]] = BLOCKS) -> Host:
    host = Host(directory)
    host.log.save_snapshot(0, GENESIS)
    host.store = MemoryStorage(GENESIS)
    for changes in blocks:
        host.commit(changes)
    return host


def record_starts(log: Path) -> list[int]:
    """Where each record of ``log`` begins (header: length, length check, sha256)."""
    data, starts, offset = log.read_bytes(), [], 0
    while offset < len(data):
        starts.append(offset)
        offset += 40 + int.from_bytes(data[offset : offset + 4], "big")
    return starts


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_new_directory_holds_nothing(tmp_path: Path) -> None:
    assert BlockLog(tmp_path / "new").load() == (0, {})


def test_restart_restores_the_entries_and_the_app_hash(tmp_path: Path) -> None:
    host = run_chain(tmp_path)
    restarted = Host(tmp_path)
    assert restarted.height == 3
    assert restarted.store.items() == host.store.items()
    assert app_hash(restarted.store) == app_hash(host.store)
    assert restarted.store.items()[b"clients/2"] == b"\x00" * 40
    assert b"clients/0" not in restarted.store.items()


def test_a_log_without_snapshot_replays_from_nothing(tmp_path: Path) -> None:
    host = Host(tmp_path)
    for changes in BLOCKS:
        host.commit(changes)
    assert BlockLog(tmp_path).load() == (3, host.store.items())


def test_a_restarted_host_goes_on_committing(tmp_path: Path) -> None:
    run_chain(tmp_path, BLOCKS[:2])
    restarted = Host(tmp_path)
    restarted.commit(BLOCKS[2])
    assert BlockLog(tmp_path).load() == (3, run_chain(tmp_path / "reference").store.items())


def test_heights_must_increase(tmp_path: Path) -> None:
    host = run_chain(tmp_path)
    with pytest.raises(ValueError, match="not above"):
        host.log.append_block(3, [(b"k", b"v")])
    with pytest.raises(ValueError, match="not above"):
        BlockLog(tmp_path).append_block(2, [(b"k", b"v")])  # a fresh log loads first


def test_the_same_history_gives_the_same_bytes(tmp_path: Path) -> None:
    run_chain(tmp_path / "one")
    run_chain(tmp_path / "two")
    for name in ("snapshot.msgpack", "blocks.log"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


# -- crashes and damage ---------------------------------------------------------------------------


@pytest.mark.parametrize("kept", [1, 4, 39, 40, 41, -1])
def test_a_torn_last_record_is_cut_off(tmp_path: Path, kept: int) -> None:
    """A crash while appending block 3 leaves only its first ``kept`` bytes (-1: all but one)."""
    run_chain(tmp_path)
    log = BlockLog(tmp_path).log_path
    last = record_starts(log)[-1]
    size = log.stat().st_size
    cut = last + kept if kept >= 0 else size - 1
    with log.open("r+b") as file:
        file.truncate(cut)
    expected = run_chain(tmp_path / "two blocks", BLOCKS[:2]).store.items()

    assert BlockLog(tmp_path).load() == (2, expected)
    assert log.stat().st_size == last  # repaired: the next block follows block 2
    restarted = Host(tmp_path)
    restarted.commit(BLOCKS[2])
    assert BlockLog(tmp_path).load() == (3, run_chain(tmp_path / "reference").store.items())


def test_a_zero_filled_tail_is_a_torn_record(tmp_path: Path) -> None:
    host = run_chain(tmp_path)
    log = BlockLog(tmp_path).log_path
    with log.open("ab") as file:
        file.write(bytes(100))
    assert BlockLog(tmp_path).load() == (3, host.store.items())


@pytest.mark.parametrize(
    "where",
    [0, 3, 4, 7, 8, 39, 40, 50],  # length, length check, checksum, body
)
@pytest.mark.parametrize("record", [0, 1, 2])
def test_damage_to_a_record_raises_corrupt_log(tmp_path: Path, where: int, record: int) -> None:
    run_chain(tmp_path)
    log = BlockLog(tmp_path).log_path
    start = record_starts(log)[record]
    flip_byte(log, start + where)
    with pytest.raises(CorruptLog) as raised:
        BlockLog(tmp_path).load()
    assert (raised.value.path, raised.value.offset) == (log, start)
    assert str(log) in str(raised.value)


def test_a_damaged_snapshot_raises_corrupt_log(tmp_path: Path) -> None:
    run_chain(tmp_path)
    snapshot = BlockLog(tmp_path).snapshot_path
    flip_byte(snapshot, snapshot.stat().st_size // 2)
    with pytest.raises(CorruptLog) as raised:
        BlockLog(tmp_path).load()
    assert raised.value.path == snapshot


def test_out_of_order_blocks_are_corruption(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    BlockLog(one).append_block(5, [(b"k", b"v")])
    BlockLog(two).append_block(4, [(b"k", b"w")])
    log = BlockLog(one).log_path
    first_record_size = log.stat().st_size
    log.write_bytes(log.read_bytes() + BlockLog(two).log_path.read_bytes())
    with pytest.raises(CorruptLog, match="block 4 follows block 5") as raised:
        BlockLog(one).load()
    assert raised.value.offset == first_record_size


# -- compaction -----------------------------------------------------------------------------------


def test_compaction_keeps_the_state_and_empties_the_log(tmp_path: Path) -> None:
    host = run_chain(tmp_path)
    host.log.compact()
    assert host.log.log_path.stat().st_size == 0
    restarted = Host(tmp_path)
    assert (restarted.height, restarted.store.items()) == (3, host.store.items())
    assert app_hash(restarted.store) == app_hash(host.store)
    restarted.commit([(b"after", b"compaction")])
    assert BlockLog(tmp_path).load() == (4, host.store.items() | {b"after": b"compaction"})


def test_a_compaction_stopped_before_truncating_the_log_is_harmless(tmp_path: Path) -> None:
    host = run_chain(tmp_path)
    BlockLog(tmp_path).save_snapshot(3, host.store.items())  # the log still holds blocks 1 to 3
    assert BlockLog(tmp_path).load() == (3, host.store.items())


def test_log_records_the_snapshot_holds_are_not_replayed(tmp_path: Path) -> None:
    host = run_chain(tmp_path)
    later = {b"params": b"v5", b"clients/1": b"client one, at 5"}
    host.log.save_snapshot(5, later)
    assert BlockLog(tmp_path).load() == (5, later)
    with pytest.raises(ValueError, match="not above"):
        host.log.append_block(5, [])
    host.log.append_block(6, [(b"params", None)])
    assert BlockLog(tmp_path).load() == (6, {b"clients/1": b"client one, at 5"})


blocks_strategy = st.lists(
    st.lists(
        st.tuples(st.binary(max_size=2), st.one_of(st.none(), st.binary(max_size=3))),
        max_size=6,
    ),
    min_size=1,
    max_size=8,
)


@given(blocks_strategy, st.data())
@settings(max_examples=30, deadline=None)
def test_any_history_comes_back_whole(blocks: list[list[Change]], data: st.DataObject) -> None:
    compact_after = data.draw(st.integers(0, len(blocks)))
    with tempfile.TemporaryDirectory() as directory:
        host = Host(Path(directory))
        for number, changes in enumerate(blocks, start=1):
            host.commit(changes)
            if number == compact_after:
                host.log.compact()
        height, entries = BlockLog(directory).load()
        assert (height, entries) == (len(blocks), host.store.items())
        assert app_hash(MemoryStorage(entries)) == app_hash(host.store)
