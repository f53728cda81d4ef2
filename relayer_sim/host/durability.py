"""A host's committed state survives a stop: a snapshot plus a log of the blocks after it.

**The guarantee.** A block is *acknowledged* when ``append_block`` (``HostApp.commit``) returns:
its record and every record before it are then fsync'd, and ``load`` restores them, whatever
crash follows (process kill, power loss). A crash can lose only the block whose append had not
returned, and only by cutting it off whole: the host restarts from the last whole block.

Two files live in the log's directory, both in format 2:

- ``snapshot.msgpack`` = sha256(body) ‖ body, body = msgpack ``[2, height, app hash,
  [[key, value], …]]`` (keys sorted). It is replaced atomically (temporary file, fsync,
  ``os.replace``), so it is always a whole snapshot, old or new.
- ``blocks.log``: one record per block. Record = header ‖ whitened body ‖ ``0x0a``, header =
  u8 format (2) ‖ u32be len(body) ‖ sha256(body) ‖ sha256(those 37 bytes)[:4], body = msgpack
  ``[height, previous app hash, app hash, [[key, value | nil], …]]`` (nil: a deletion).
  Whitening XORs the body with shake_256(sha256(body)), so a record never holds a 512-byte
  sector of zeros: it starts with the format byte, ends with ``0x0a``, and its body looks random.

**Loading** checks the chain, never trusting it: the first record continues the snapshot
(height + 1, the snapshot's app hash), every record the one before it, and each app hash is
recomputed from the previous one and the changes (``app_hash.chain_error``). A missing,
repeated, reordered or foreign record is ``CorruptLog``. Records at or below the snapshot's
height are what a compaction that stopped before truncating leaves: they must still chain, the
one at the snapshot's height must end at the snapshot's app hash, and they are not replayed.

**A torn tail, not corruption.** An append writes only past the end of the acknowledged records,
so a crash damages at most the last record, in the shapes sectors take when a write stops
half-way: the file ends inside the record, or some 512-byte sectors of it were never written
(zero: holes, unwritten extents). The first record that is not whole is that torn append, and
is cut off, when all of these hold (otherwise it is ``CorruptLog`` with path, offset, reason):

- no whole record starts after it (a later append would mean it had been acknowledged);
- nothing but zeros lies past its declared end (an append writes only its own record);
- it shows a write that stopped: the file ends before its declared end (or before the smallest
  record, when its header is unreadable), or its last byte is zero (a record ends with
  ``0x0a``), or one of its 512-byte file sectors is all zero (a record never holds one).

Damage within written sectors, with nothing unwritten (a flipped bit, stale bytes), is what bad
storage does, not a torn append, and cutting it could drop an acknowledged block: it is refused,
as etcd's WAL refuses a checksum failure without a zeroed sector. So is a record a whole record
follows, whatever its shape. The one loss no log can see is of its whole last record (the file
ends where the record before it ends): that is what a crash before the append leaves too.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final, NamedTuple

import msgpack

from relayer_sim.host.app_hash import Block, chain_error
from relayer_sim.host.errors import HostError
from relayer_sim.host.store import Change

SNAPSHOT_NAME: Final = "snapshot.msgpack"
LOG_NAME: Final = "blocks.log"
FORMAT: Final = 2
_DIGEST_SIZE: Final = 32
#: format, body length, sha256(body), the check of those three.
_HEADER: Final = struct.Struct(">BI32s4s")
_CHECKED: Final = _HEADER.size - 4
_END: Final = b"\x0a"
_MIN_RECORD: Final = _HEADER.size + len(msgpack.packb([0, b"", b"", []])) + len(_END)
#: The smallest unit a disk writes whole; 4096-byte sectors are eight of them.
_SECTOR: Final = 512


class CorruptLog(HostError):
    """A snapshot or block log is damaged in a way a crash cannot explain."""

    def __init__(self, path: Path, offset: int, reason: str) -> None:
        self.path, self.offset, self.reason = path, offset, reason
        super().__init__(f"{path}: corrupt at byte {offset}: {reason}")


class Committed(NamedTuple):
    """What a log restores: the last committed block's height and app hash, and the entries."""

    height: int
    app_hash: bytes
    entries: dict[bytes, bytes]


class BlockLog:
    """The durable state of one host: ``load`` it on start, ``append_block`` at every commit.

    ``load`` is also the recovery after a crash: it cuts a torn record off the log, so that the
    next block is appended after the last whole one.
    """

    def __init__(self, directory: Path | str) -> None:
        self._directory = Path(directory)
        self._directory.mkdir(parents=True, exist_ok=True)
        #: Height and app hash of the last block, once loaded.
        self._head: tuple[int, bytes] | None = None

    @property
    def snapshot_path(self) -> Path:
        return self._directory / SNAPSHOT_NAME

    @property
    def log_path(self) -> Path:
        return self._directory / LOG_NAME

    def load(self) -> Committed:
        """Every committed block (nothing at height 0 when the directory is new)."""
        snapshot = self._read_snapshot()
        entries, start = snapshot.entries, (snapshot.height, snapshot.app_hash)
        head: tuple[int, bytes] | None = None
        offset = 0
        for offset, block in self._read_log():
            if head is None:  # records the snapshot holds start their own chain
                stale = block.height <= snapshot.height
                head = (block.height - 1, block.previous) if stale else start
            reason = chain_error(block, *head)
            if block.height == snapshot.height and block.app_hash != snapshot.app_hash:
                reason = reason or f"block {block.height} does not end at the snapshot's app hash"
            if reason is not None:
                raise CorruptLog(self.log_path, offset, reason)
            head = (block.height, block.app_hash)
            if block.height > snapshot.height:
                _apply(entries, block.changes)
        if head is not None and head[0] < snapshot.height:
            raise CorruptLog(
                self.log_path, offset, f"the log ends at block {head[0]}, below the snapshot's"
            )
        self._head = start if head is None else head
        return Committed(*self._head, dict(sorted(entries.items())))

    def append_block(self, block: Block) -> None:
        """Durably record ``block``, which must continue the last one (the log is loaded, and so
        repaired, before the first append). When this returns the block is acknowledged."""
        head = self._head if self._head is not None else self.load()[:2]
        reason = chain_error(block, *head)
        if reason is not None:
            raise ValueError(f"cannot append to {self.log_path}: {reason}")
        body = [block.height, block.previous, block.app_hash, list(block.changes)]
        created = not self.log_path.exists()
        with self.log_path.open("ab") as file:
            file.write(_record(msgpack.packb(body, use_bin_type=True)))
            file.flush()
            os.fsync(file.fileno())
        if created:
            _fsync_directory(self._directory)
        self._head = (block.height, block.app_hash)

    def compact(self) -> None:
        """Fold the log into a snapshot at the current height, then empty the log.

        A crash between the two steps is harmless: ``load`` skips log records the snapshot
        already holds.
        """
        committed = self.load()
        body = [FORMAT, committed.height, committed.app_hash, sorted(committed.entries.items())]
        _replace(self.snapshot_path, _checksummed(msgpack.packb(body, use_bin_type=True)))
        if self.log_path.exists():
            _truncate(self.log_path, 0)

    # -- reading ----------------------------------------------------------------------------------

    def _read_snapshot(self) -> Committed:
        path = self.snapshot_path
        if not path.exists():
            return Committed(0, b"", {})
        data = path.read_bytes()
        digest, body = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
        if len(digest) < _DIGEST_SIZE or hashlib.sha256(body).digest() != digest:
            raise CorruptLog(path, 0, "the snapshot's checksum does not match its contents")
        try:
            return _decode_snapshot(body)
        except ValueError as error:
            raise CorruptLog(path, _DIGEST_SIZE, str(error)) from None

    def _read_log(self) -> Iterator[tuple[int, Block]]:
        """Every whole record with its offset, in order; a torn tail is cut off the file. What
        is read is made durable (a record whose append was killed before its fsync is kept, and
        the host builds on it)."""
        path = self.log_path
        data = path.read_bytes() if path.exists() else b""
        offset = 0
        while offset < len(data):
            whole = _whole_record(data, offset)
            if whole is None:
                reason = _why_not_torn(data, offset)
                if reason is not None:
                    raise CorruptLog(path, offset, reason)
                break
            end, body = whole
            try:
                block = _decode_block(body)
            except ValueError as error:
                raise CorruptLog(path, offset, str(error)) from None
            yield offset, block
            offset = end
        if path.exists():
            _truncate(path, offset)


# -- records --------------------------------------------------------------------------------------


def _record(body: bytes) -> bytes:
    digest = hashlib.sha256(body).digest()
    checked = _HEADER.pack(FORMAT, len(body), digest, b"")[:_CHECKED]
    return checked + _check(checked) + _whiten(body, digest) + _END


def _check(checked: bytes) -> bytes:
    return hashlib.sha256(checked).digest()[:4]


def _whiten(body: bytes, digest: bytes) -> bytes:
    """XOR with a stream drawn from the body's digest (its own inverse): a whitened body looks
    random, so a whole sector of zeros in it (odds 2^-4096) can only be one a crash never wrote."""
    stream = hashlib.shake_256(digest).digest(len(body))
    return (int.from_bytes(body) ^ int.from_bytes(stream)).to_bytes(len(body))


def _header(data: bytes, offset: int) -> tuple[int, bytes] | None:
    """The body length and digest of an intact header at ``offset``, else None."""
    if len(data) - offset < _HEADER.size:
        return None
    format_, length, digest, check = _HEADER.unpack_from(data, offset)
    if format_ != FORMAT or check != _check(data[offset : offset + _CHECKED]):
        return None
    return length, digest


def _whole_record(data: bytes, offset: int) -> tuple[int, bytes] | None:
    """Where the whole record at ``offset`` ends and its body, or None if it is not whole."""
    header = _header(data, offset)
    if header is None:
        return None
    length, digest = header
    start = offset + _HEADER.size
    end = start + length + len(_END)
    if end > len(data) or data[end - len(_END) : end] != _END:
        return None
    body = _whiten(data[start : end - len(_END)], digest)
    return (end, body) if hashlib.sha256(body).digest() == digest else None


def _why_not_torn(data: bytes, offset: int) -> str | None:
    """Why the first record at ``offset`` that is not whole cannot be a torn append (the module
    docstring gives the rule), or None if it can."""
    if _is_format_1(data, offset):
        return f"a record of format 1 (before the app-hash chain); this host reads format {FORMAT}"
    later = _next_whole_record(data, offset + 1)
    if later is not None:
        return f"a damaged record, followed by a whole record at byte {later}"
    header = _header(data, offset)
    if header is None:
        end, damage = len(data), "the record's header is damaged"
        cut_short = len(data) - offset < _MIN_RECORD
    else:
        end, damage = offset + _HEADER.size + header[0] + len(_END), "the record is damaged"
        cut_short = len(data) < end
        if not _is_zero(data[end:]):
            return "bytes past the end of a damaged record"
    written = min(end, len(data))
    if cut_short or data[written - 1] == 0 or _has_unwritten_sector(data, offset, written):
        return None
    return f"{damage}, and no sector of it is unwritten (zero): not a torn append"


def _is_format_1(data: bytes, offset: int) -> bool:
    """Whether a format-1 header (u32be length, sha256(length)[:4]) starts at ``offset``."""
    length = data[offset : offset + 4]
    return len(length) == 4 and data[offset + 4 : offset + 8] == hashlib.sha256(length).digest()[:4]


def _next_whole_record(data: bytes, start: int) -> int | None:
    at = data.find(FORMAT, start)
    while at != -1 and _whole_record(data, at) is None:
        at = data.find(FORMAT, at + 1)
    return None if at == -1 else at


def _has_unwritten_sector(data: bytes, start: int, end: int) -> bool:
    """Whether a 512-byte sector of the file, as far as it lies in [start, end), is all zero."""
    while start < end:
        sector_end = min(end, (start // _SECTOR + 1) * _SECTOR)
        if _is_zero(data[start:sector_end]):
            return True
        start = sector_end
    return False


def _is_zero(chunk: bytes) -> bool:
    return chunk.count(0) == len(chunk)


# -- decoding -------------------------------------------------------------------------------------


def _decode_snapshot(body: bytes) -> Committed:
    document = msgpack.unpackb(body, raw=False)
    if isinstance(document, list) and len(document) == 2:
        raise ValueError(f"a snapshot of format 1 (no app hash); this host reads format {FORMAT}")
    if not (isinstance(document, list) and len(document) == 4 and document[0] == FORMAT):
        raise ValueError(f"a snapshot must be [{FORMAT}, height, app hash, entries]")
    _, height, app_hash, pairs = document
    if not (_is_height(height) and isinstance(app_hash, bytes) and isinstance(pairs, list)):
        raise ValueError("a snapshot's height, app hash or entries have the wrong type")
    entries: dict[bytes, bytes] = {}
    for pair in pairs:
        key, value = _decode_pair(pair)
        if value is None:
            raise ValueError(f"the snapshot holds no value for key {key.hex()}")
        entries[key] = value
    return Committed(height, app_hash, entries)


def _decode_block(body: bytes) -> Block:
    document = msgpack.unpackb(body, raw=False)
    if not (isinstance(document, list) and len(document) == 4):
        raise ValueError("a block record must be [height, previous app hash, app hash, changes]")
    height, previous, app_hash, changes = document
    if not (_is_height(height) and isinstance(previous, bytes) and isinstance(app_hash, bytes)):
        raise ValueError("a block's height or app hashes have the wrong type")
    if not isinstance(changes, list):
        raise ValueError("the block's changes must be a list of [key, value | nil]")
    return Block(height, previous, app_hash, [_decode_pair(change) for change in changes])


def _decode_pair(pair: object) -> Change:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise ValueError("an entry must be [key, value]")
    key, value = pair
    if not (isinstance(key, bytes) and (value is None or isinstance(value, bytes))):
        raise ValueError("an entry's key and value must be bytes")
    return key, value


def _is_height(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _apply(entries: dict[bytes, bytes], changes: Sequence[Change]) -> None:
    for key, value in changes:
        if value is None:
            entries.pop(key, None)
        else:
            entries[key] = value


# -- files ----------------------------------------------------------------------------------------


def _checksummed(body: bytes) -> bytes:
    return hashlib.sha256(body).digest() + body


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a temporary file, fsync'd, renamed over it."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    _fsync_directory(path.parent)


def _truncate(path: Path, size: int) -> None:
    with path.open("r+b") as file:
        file.truncate(size)
        file.flush()
        os.fsync(file.fileno())


def _fsync_directory(directory: Path) -> None:
    """Make a created or replaced directory entry durable, not only the file's bytes."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
