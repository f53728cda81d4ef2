"""A host's committed state comes back after a stop or a compaction, with its app hash recomputed
along the chain: a log that lost, repeated or gained a record, or that is damaged where no crash
could have damaged it, is ``CorruptLog``. (Crash shapes swept: tests/adversarial.)"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.host.app import HostApp
from relayer_sim.host.app_hash import Block, next_app_hash
from relayer_sim.host.durability import FORMAT, BlockLog, Committed, CorruptLog, _record
from relayer_sim.host.store import Change
from relayer_sim.vm import WasmVM
from tests.adversarial.log_files import BLOCKS, commit, flip_byte, record_spans, run_chain, state

# -- a restart ------------------------------------------------------------------------------------


def test_a_new_directory_holds_nothing(tmp_path: Path) -> None:
    assert BlockLog(tmp_path / "new").load() == Committed(0, b"", {})


def test_a_restart_restores_the_entries_and_the_app_hash(vm: WasmVM, tmp_path: Path) -> None:
    host = run_chain(vm, tmp_path)
    restored = HostApp.restore(vm, tmp_path)
    assert state(restored) == state(host) == BlockLog(tmp_path).load()
    chain = b""
    for changes in BLOCKS:
        chain = next_app_hash(chain, changes)
    assert restored.app_hash == chain and restored.height == 3


def test_a_restored_host_goes_on_committing_the_same_chain(vm: WasmVM, tmp_path: Path) -> None:
    run_chain(vm, tmp_path, BLOCKS[:2])
    restored = HostApp.restore(vm, tmp_path)
    assert commit(restored, BLOCKS[2]) == run_chain(vm, tmp_path / "reference").app_hash
    assert commit(restored, []) == restored.app_hash  # an empty block keeps the hash
    assert state(HostApp.restore(vm, tmp_path)) == state(restored)


def test_a_block_that_is_not_the_next_one_is_refused(tmp_path: Path) -> None:
    log = BlockLog(tmp_path)
    first = Block(1, b"", next_app_hash(b"", [(b"k", b"v")]), [(b"k", b"v")])
    log.append_block(first)
    for block, reason in [
        (first, "block 1 follows block 1"),
        (first._replace(height=3), "block 3 follows block 1"),
        (Block(2, b"", first.app_hash, []), "continues app hash empty"),
        (Block(2, first.app_hash, b"\x01" * 32, []), "not the one its changes make"),
    ]:
        with pytest.raises(ValueError, match=reason):
            BlockLog(tmp_path).append_block(block)  # a fresh log loads first
    assert BlockLog(tmp_path).load().height == 1


def test_the_same_history_gives_the_same_bytes(vm: WasmVM, tmp_path: Path) -> None:
    for name in ("one", "two"):
        run_chain(vm, tmp_path / name).compact()
        commit(HostApp.restore(vm, tmp_path / name), [(b"after", b"compaction")])
    for name in ("snapshot.msgpack", "blocks.log"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


# -- the chain ------------------------------------------------------------------------------------


def corrupt_at(directory: Path, match: str) -> CorruptLog:
    with pytest.raises(CorruptLog, match=match) as raised:
        BlockLog(directory).load()
    assert str(raised.value.path) in str(raised.value)
    return raised.value


def rewrite(log: Path, order: Sequence[int], extra: bytes = b"") -> None:
    """Keep the records of ``log`` in ``order`` (indices, repeats allowed), then ``extra``."""
    data, spans = log.read_bytes(), record_spans(log)
    log.write_bytes(b"".join(data[slice(*spans[index])] for index in order) + extra)


@pytest.mark.parametrize(
    ("order", "match", "at"),
    [
        ([0, 2], "block 3 follows block 1", 1),
        ([1, 2], "block 2 follows block 0", 0),
        ([0, 1, 1, 2], "block 2 follows block 2", 2),
        ([0, 1, 2, 2], "block 3 follows block 3", 3),
        ([0, 2, 1], "block 3 follows block 1", 1),
        ([1, 0, 2], "block 2 follows block 0", 0),
    ],
    ids=["missing-middle", "missing-first", "duplicate", "duplicate-last", "swap", "swap-first"],
)
def test_a_missing_repeated_or_reordered_record_is_corruption(
    vm: WasmVM, tmp_path: Path, order: list[int], match: str, at: int
) -> None:
    run_chain(vm, tmp_path)
    log = BlockLog(tmp_path).log_path
    rewrite(log, order)
    assert corrupt_at(tmp_path, match).offset == sum(
        end - start for start, end in (record_spans(log)[i] for i in range(at))
    )
    with pytest.raises(CorruptLog):
        HostApp.restore(vm, tmp_path)


def test_a_record_from_another_log_is_corruption(vm: WasmVM, tmp_path: Path) -> None:
    run_chain(vm, tmp_path / "ours")
    other: list[list[Change]] = [BLOCKS[0], [(b"params", b"another chain")], BLOCKS[2]]
    run_chain(vm, tmp_path / "theirs", other)
    ours, theirs = (BlockLog(tmp_path / name).log_path for name in ("ours", "theirs"))
    spliced = BlockLog(tmp_path / "spliced").log_path
    for index in (1, 2):  # their block 2 (ours went on from ours) or 3 (the last record)
        data = bytearray(ours.read_bytes())
        start, end = record_spans(ours)[index]
        foreign_start, foreign_end = record_spans(theirs)[index]
        data[start:end] = theirs.read_bytes()[foreign_start:foreign_end]
        spliced.write_bytes(bytes(data))
        error = corrupt_at(tmp_path / "spliced", "block 3 continues app hash")
        assert error.offset == record_spans(spliced)[2][0]


def test_the_app_hash_is_recomputed_not_read(tmp_path: Path) -> None:
    """A record that states a wrong app hash, whole and checksummed, is refused."""
    changes: list[Change] = [(b"k", b"v")]
    body = msgpack.packb([1, b"", b"\x07" * 32, [list(c) for c in changes]], use_bin_type=True)
    BlockLog(tmp_path).log_path.write_bytes(_record(body))
    assert corrupt_at(tmp_path, "not the one its changes make").offset == 0


@pytest.mark.parametrize("record", [0, 1, 2])
@pytest.mark.parametrize("where", [0, 1, 4, 5, 36, 37, 40, 41, 60, -1])
def test_damage_that_no_crash_makes_is_corruption(
    vm: WasmVM, tmp_path: Path, record: int, where: int
) -> None:
    """A flipped bit in any record, the last one included: format, length, digest, check, body,
    end mark. No sector of it is zero, so it is not a torn append."""
    run_chain(vm, tmp_path)
    log = BlockLog(tmp_path).log_path
    start, end = record_spans(log)[record]
    flip_byte(log, start + where if where >= 0 else end + where)
    assert corrupt_at(tmp_path, "damaged").offset == start


def test_a_damaged_snapshot_is_corruption(vm: WasmVM, tmp_path: Path) -> None:
    run_chain(vm, tmp_path).compact()
    snapshot = BlockLog(tmp_path).snapshot_path
    flip_byte(snapshot, snapshot.stat().st_size // 2)
    assert corrupt_at(tmp_path, "snapshot's checksum").path == snapshot


# -- the format before the chain ------------------------------------------------------------------


def test_a_log_of_format_1_is_named_as_such(tmp_path: Path) -> None:
    body = msgpack.packb([1, [[b"k", b"v"]]], use_bin_type=True)
    length = len(body).to_bytes(4, "big")
    old = length + hashlib.sha256(length).digest()[:4] + hashlib.sha256(body).digest() + body
    BlockLog(tmp_path).log_path.write_bytes(old)
    error = corrupt_at(tmp_path, f"format 1 .*reads format {FORMAT}")
    assert error.offset == 0


def test_a_snapshot_of_format_1_is_named_as_such(tmp_path: Path) -> None:
    body = msgpack.packb([3, [[b"k", b"v"]]], use_bin_type=True)
    BlockLog(tmp_path).snapshot_path.write_bytes(hashlib.sha256(body).digest() + body)
    corrupt_at(tmp_path, f"snapshot of format 1 .*reads format {FORMAT}")


# -- compaction -----------------------------------------------------------------------------------


def test_compaction_keeps_the_state_and_the_app_hash(vm: WasmVM, tmp_path: Path) -> None:
    host = run_chain(vm, tmp_path)
    host.compact()
    assert BlockLog(tmp_path).log_path.stat().st_size == 0
    restored = HostApp.restore(vm, tmp_path)
    assert state(restored) == state(host)
    after = commit(restored, [(b"after", b"compaction")])
    assert after == next_app_hash(host.app_hash, [(b"after", b"compaction")])
    assert state(HostApp.restore(vm, tmp_path)) == state(restored)


def test_a_compaction_stopped_before_truncating_is_harmless(vm: WasmVM, tmp_path: Path) -> None:
    """The log still holds blocks 1 to 3 beside a snapshot at 3: they chain to the snapshot, are
    not replayed, and the next block follows them."""
    host = run_chain(vm, tmp_path)
    log = BlockLog(tmp_path).log_path
    records = log.read_bytes()
    host.compact()
    log.write_bytes(records)
    restored = HostApp.restore(vm, tmp_path)
    assert state(restored) == state(host)
    commit(restored, [(b"after", b"a stopped compaction")])
    assert state(HostApp.restore(vm, tmp_path)) == state(restored)


def test_log_records_that_do_not_reach_the_snapshot_are_corruption(
    vm: WasmVM, tmp_path: Path
) -> None:
    host = run_chain(vm, tmp_path, BLOCKS[:2])
    log = BlockLog(tmp_path).log_path
    records = log.read_bytes()
    commit(host, BLOCKS[2])
    host.compact()
    log.write_bytes(records)  # blocks 1 and 2 beside a snapshot at 3: block 3 is lost
    corrupt_at(tmp_path, "the log ends at block 2, below the snapshot's")


def test_a_stale_record_must_end_at_the_snapshots_app_hash(vm: WasmVM, tmp_path: Path) -> None:
    run_chain(vm, tmp_path).compact()
    run_chain(vm, tmp_path / "other", [BLOCKS[0], BLOCKS[1], [(b"params", b"other")]])
    BlockLog(tmp_path).log_path.write_bytes(BlockLog(tmp_path / "other").log_path.read_bytes())
    corrupt_at(tmp_path, "block 3 does not end at the snapshot's app hash")


blocks_strategy = st.lists(
    st.lists(
        st.tuples(st.binary(max_size=2), st.one_of(st.none(), st.binary(max_size=3))),
        max_size=6,
        unique_by=lambda change: change[0],
    ).map(sorted),
    min_size=1,
    max_size=8,
)


@given(blocks_strategy, st.data())
@settings(max_examples=30, deadline=None)
def test_any_history_comes_back_whole(
    vm: WasmVM, blocks: list[list[Change]], data: st.DataObject
) -> None:
    compact_after = data.draw(st.integers(0, len(blocks)))
    with tempfile.TemporaryDirectory() as directory:
        host = HostApp(vm, log=BlockLog(directory))
        for number, changes in enumerate(blocks, start=1):
            commit(host, changes)
            if number == compact_after:
                host.compact()
        assert state(HostApp.restore(vm, Path(directory))) == state(host)
