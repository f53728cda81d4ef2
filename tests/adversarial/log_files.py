"""A short chain of a real host with a block log, and the byte-level tools to damage the log."""

from __future__ import annotations

from pathlib import Path

from relayer_sim.host.app import APP_HASH_KEY, HostApp
from relayer_sim.host.durability import BlockLog, Committed
from relayer_sim.host.store import Change
from relayer_sim.vm import WasmVM
from tests.adversarial.log_writer import commit

#: Three blocks, each in key order; the last one's record spans several 512-byte sectors.
BLOCKS: list[list[Change]] = [
    [(b"clients/0", b"client zero"), (b"params", b"genesis")],
    [(b"clients/0", None), (b"clients/1", b"client one"), (b"receipts/7", b"\x01")],
    [(b"clients/1", b"client one, updated"), (b"code/1", bytes(1500)), (b"params", b"v2")],
]


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
