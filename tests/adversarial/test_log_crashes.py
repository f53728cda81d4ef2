"""Crash points of the block log: every shape a crash leaves to the record being appended is cut
off and the host goes on from the last whole block; every record lost, repeated, reordered or
brought in from elsewhere, and damage no crash makes, is ``CorruptLog``; and writers killed with
SIGKILL at random moments lose no acknowledged block (100 kills: ``make crash``)."""

from __future__ import annotations

import itertools
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.host.app import HostApp
from relayer_sim.host.durability import BlockLog, CorruptLog
from relayer_sim.vm import WasmVM
from tests.adversarial.log_files import (
    BLOCKS,
    SECTOR,
    commit,
    lose_power,
    record_spans,
    run_chain,
    sectors,
    state,
    zeroed,
)
from tests.adversarial.log_writer import kill_and_restore


@pytest.fixture(scope="module")
def chains(vm: WasmVM, tmp_path_factory: pytest.TempPathFactory) -> dict[int, HostApp]:
    """Hosts that committed the first 2 and all 3 blocks (their logs stay untouched)."""
    return {n: run_chain(vm, tmp_path_factory.mktemp(f"blocks{n}"), BLOCKS[:n]) for n in (2, 3)}


def log_of(host: HostApp) -> bytes:
    assert host.log is not None
    return host.log.log_path.read_bytes()


def torn_shapes(data: bytes, start: int) -> dict[str, bytes]:
    """Every shape a crash can leave to the last record, which spans [start, len(data))."""
    end, shapes = len(data), {}
    for cut in range(start, end):
        shapes[f"cut at {cut}"] = data[:cut]
        shapes[f"zero from {cut}"] = data[:cut] + bytes(end - cut)
        if cut % 16 == 0:
            shapes[f"zero from {cut}, file longer"] = data[:cut] + bytes(end - cut + SECTOR)
    parts = sectors(start, end)
    for count in range(1, len(parts) + 1):
        for unwritten in itertools.combinations(parts, count):
            shapes[f"sectors {unwritten} unwritten"] = zeroed(data, list(unwritten))
    for first, last in parts[1:]:  # the header's sector cannot go while those after it stay
        shapes[f"sector {first} missing"] = data[:first] + data[last:]
    shapes["header, no body"] = data[: start + 41]
    shapes["garbage length, no body"] = data[:start] + random.Random(1).randbytes(48)
    shapes["zeros after the whole log"] = data + bytes(3 * SECTOR)
    return shapes


def test_every_torn_tail_is_cut_and_the_host_goes_on(
    vm: WasmVM, chains: dict[int, HostApp], tmp_path: Path
) -> None:
    data = log_of(chains[3])
    start = len(log_of(chains[2]))
    shapes = torn_shapes(data, start)
    log = BlockLog(tmp_path).log_path
    for name, damaged in shapes.items():
        log.write_bytes(damaged)
        restored = BlockLog(tmp_path).load()
        if damaged.startswith(data):  # a whole last record, zeros after it
            assert restored == state(chains[3]), name
            continue
        assert restored == state(chains[2]), name
        assert log.stat().st_size == start, name  # cut: the next block follows block 2
    assert len(shapes) > 2 * (len(data) - start)
    host = HostApp.restore(vm, tmp_path)  # the last shape's cut log goes on
    commit(host, [])
    assert host.height == 4 and state(HostApp.restore(vm, tmp_path)) == state(host)


@pytest.mark.parametrize("shape", ["cut", "zero", "sector", "header"])
def test_after_a_cut_the_next_block_follows_the_last_whole_one(
    vm: WasmVM, chains: dict[int, HostApp], tmp_path: Path, shape: str
) -> None:
    data, start = log_of(chains[3]), len(log_of(chains[2]))
    damaged = {
        "cut": data[: start + 700],
        "zero": data[: start + 700] + bytes(len(data) - start - 700),
        "sector": zeroed(data, sectors(start, len(data))[1:2]),
        "header": data[: start + 41],
    }[shape]
    BlockLog(tmp_path).log_path.write_bytes(damaged)
    host = HostApp.restore(vm, tmp_path)
    assert state(host) == state(chains[2])
    assert commit(host, BLOCKS[2]) == chains[3].app_hash
    assert state(HostApp.restore(vm, tmp_path)) == state(chains[3])


def test_a_torn_first_record_after_a_compaction_leaves_the_snapshot(
    vm: WasmVM, tmp_path: Path
) -> None:
    host = run_chain(vm, tmp_path)
    host.compact()
    commit(host, [(b"after", bytes(900))])
    log = BlockLog(tmp_path).log_path
    log.write_bytes(log.read_bytes()[:600])
    assert BlockLog(tmp_path).load().height == 3 and log.stat().st_size == 0


@given(
    st.lists(st.sampled_from([1, 40, 500, 1300, 5000]), min_size=2, max_size=5),
    st.randoms(use_true_random=False),
)
@settings(max_examples=40, deadline=None)
def test_a_power_cut_anywhere_in_the_last_record_keeps_the_blocks_before_it(
    vm: WasmVM, sizes: list[int], rng: random.Random
) -> None:
    """Records of any size at any alignment: what a power cut leaves of the last one is cut off
    (or kept whole), never more."""
    blocks = [[(b"key/%d" % (n % 3), rng.randbytes(size))] for n, size in enumerate(sizes)]
    with tempfile.TemporaryDirectory() as directory:
        before = state(run_chain(vm, Path(directory) / "before", blocks[:-1]))
        after = state(run_chain(vm, Path(directory) / "after", blocks))
        log = BlockLog(Path(directory) / "after").log_path
        synced = record_spans(log)[-1][0]
        log.write_bytes(lose_power(log.read_bytes(), synced, rng))
        assert BlockLog(log.parent).load() in (before, after)


def test_stale_bytes_in_a_whole_length_record_are_refused(
    chains: dict[int, HostApp], tmp_path: Path
) -> None:
    """A sector holding old bytes instead of zeros looks like a flipped bit: refused, since
    cutting it could drop an acknowledged block (the offset and reason say where to look)."""
    data, start = log_of(chains[3]), len(log_of(chains[2]))
    first, last = sectors(start, len(data))[1]
    BlockLog(tmp_path).log_path.write_bytes(data[:first] + b"\x5a" * (last - first) + data[last:])
    with pytest.raises(CorruptLog, match="no sector of it is unwritten") as raised:
        BlockLog(tmp_path).load()
    assert raised.value.offset == start


# -- corruption -----------------------------------------------------------------------------------


def spans_of(data: bytes, tmp_path: Path) -> list[tuple[int, int]]:
    path = tmp_path / "spans.log"
    path.write_bytes(data)
    return record_spans(path)


def reorderings(data: bytes, spans: list[tuple[int, int]]) -> dict[str, bytes]:
    """Every other order of the records, every record missing but the last (a log that ends
    early is what a crash before the append leaves), every record repeated."""

    def join(order: tuple[int, ...]) -> bytes:
        return b"".join(data[slice(*spans[index])] for index in order)

    indices = tuple(range(len(spans)))
    shapes = {f"order {order}": join(order) for order in itertools.permutations(indices)}
    del shapes[f"order {indices}"]
    for index in indices[:-1]:
        shapes[f"record {index} missing"] = join(indices[:index] + indices[index + 1 :])
    for index in indices:
        shapes[f"record {index} twice"] = join(indices[: index + 1] + indices[index:])
    return shapes


def damaged_before_a_whole_record(data: bytes, spans: list[tuple[int, int]]) -> dict[str, bytes]:
    """Torn shapes in a record that a whole record follows: it had been acknowledged."""
    start, end = spans[1]
    return {
        "middle record cut short": data[: end - 10] + data[end:],
        "middle record zeroed": zeroed(data, [(start + 50, end)]),
        "middle record's header zeroed": zeroed(data, [(start, start + 41)]),
    }


def test_every_lost_repeated_or_reordered_record_is_corruption(
    chains: dict[int, HostApp], tmp_path: Path
) -> None:
    data = log_of(chains[3])
    spans = spans_of(data, tmp_path)
    shapes = reorderings(data, spans) | damaged_before_a_whole_record(data, spans)
    log = BlockLog(tmp_path).log_path
    for name, damaged in shapes.items():
        log.write_bytes(damaged)
        with pytest.raises(CorruptLog) as raised:
            BlockLog(tmp_path).load()
        assert raised.value.path == log and 0 <= raised.value.offset < len(damaged), name
        assert log.read_bytes() == damaged, name  # refused, not repaired
    assert len(shapes) == 5 + 2 + 3 + 3


def test_a_record_of_another_log_is_corruption_wherever_it_is(
    vm: WasmVM, chains: dict[int, HostApp], tmp_path: Path
) -> None:
    ours = log_of(chains[3])
    theirs_host = run_chain(vm, tmp_path / "theirs", [[(b"other", b"chain")], *BLOCKS[1:]])
    theirs = log_of(theirs_host)
    our_spans, their_spans = spans_of(ours, tmp_path), spans_of(theirs, tmp_path)
    log = BlockLog(tmp_path / "spliced").log_path
    for index, (start, end) in enumerate(our_spans):
        log.write_bytes(ours[:start] + theirs[slice(*their_spans[index])] + ours[end:])
        with pytest.raises(CorruptLog, match=r"continues app hash|changes make"):
            BlockLog(tmp_path / "spliced").load()


def test_garbage_past_a_torn_record_is_corruption(
    chains: dict[int, HostApp], tmp_path: Path
) -> None:
    data, start = log_of(chains[3]), len(log_of(chains[2]))
    torn = zeroed(data, sectors(start, len(data))[1:2])
    BlockLog(tmp_path).log_path.write_bytes(torn + b"\x01")
    with pytest.raises(CorruptLog, match="bytes past the end"):
        BlockLog(tmp_path).load()


# -- SIGKILL --------------------------------------------------------------------------------------


def test_writers_killed_at_random_moments_lose_no_acknowledged_block(
    vm: WasmVM, tmp_path: Path
) -> None:
    """10 kills here (each starts a Python process); ``make crash`` runs 100."""
    counts = kill_and_restore(vm, tmp_path, kills=10, seed=11)
    assert counts.kills == 10 and counts.acknowledged > 0
    assert counts.restored_heights == sorted(counts.restored_heights)
