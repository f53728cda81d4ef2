"""A short chain of a real host with a block log, and the byte-level tools to damage the log."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from relayer_sim.host.app import APP_HASH_KEY, HostApp
from relayer_sim.host.durability import BlockLog, Committed
from relayer_sim.host.store import Change
from relayer_sim.vm import WasmVM

SECTOR = 512
#: Three blocks, each in key order; the last one's record spans several 512-byte sectors.
BLOCKS: list[list[Change]] = [
    [(b"clients/0", b"client zero"), (b"params", b"genesis")],
    [(b"clients/0", None), (b"clients/1", b"client one"), (b"receipts/7", b"\x01")],
    [(b"clients/1", b"client one, updated"), (b"code/1", bytes(1500)), (b"params", b"v2")],
]


def commit(host: HostApp, changes: list[Change]) -> bytes:
    """Commit one block that makes ``changes`` (in key order) through the host's state."""
    for key, value in changes:
        if value is None:
            host.state.delete(key)
        else:
            host.state.set(key, value)
    return host.commit()


def run_chain(vm: WasmVM, directory: Path, blocks: list[list[Change]] = BLOCKS) -> HostApp:
    """A new host with its log in ``directory`` that committed ``blocks``."""
    host = HostApp(vm, log=BlockLog(directory))
    for changes in blocks:
        commit(host, changes)
    return host


def state(host: HostApp) -> Committed:
    """What a host has committed, as its log restores it."""
    entries = dict(host.committed.scan(None, None, True))
    entries.pop(APP_HASH_KEY, None)  # the log keeps the app hash in its records
    return Committed(host.height, host.app_hash, entries)


def record_spans(log: Path) -> list[tuple[int, int]]:
    """Where each record of ``log`` starts and ends (header: format, length, digest, check)."""
    data, spans, offset = log.read_bytes(), [], 0
    while offset < len(data):
        end = offset + 41 + int.from_bytes(data[offset + 1 : offset + 5], "big") + 1
        spans.append((offset, end))
        offset = end
    return spans


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def sectors(start: int, end: int) -> list[tuple[int, int]]:
    """The parts of [start, end) in each 512-byte sector of the file."""
    bounds = [start, *range((start // SECTOR + 1) * SECTOR, end, SECTOR), end]
    return list(itertools.pairwise(bounds))


def zeroed(data: bytes, spans: list[tuple[int, int]]) -> bytes:
    damaged = bytearray(data)
    for start, end in spans:
        damaged[start:end] = bytes(end - start)
    return bytes(damaged)


def lose_power(data: bytes, synced: int, rng: random.Random) -> bytes:
    """What a power cut may leave of a file whose first ``synced`` bytes were fsync'd: the rest
    cut short, zero from some point on, or with some of its sectors never written."""
    cut = rng.randint(synced, len(data))
    match rng.choice(["cut", "zero", "sectors"]):
        case "cut":
            return data[:cut]
        case "zero":
            return data[:cut] + bytes(len(data) - cut)
        case _:
            parts = sectors(synced, len(data))
            return zeroed(data, rng.sample(parts, rng.randint(0, len(parts))))
