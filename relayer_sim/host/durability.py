"""A host's committed state survives a stop: a snapshot plus a log of the blocks after it.

Two files live in the log's directory:

- ``snapshot.msgpack`` = sha256(body) ‖ body, body = msgpack ``[height, [[key, value], …]]``
  (keys sorted). It is replaced atomically (temporary file, fsync, ``os.replace``), so it is
  always a whole snapshot, old or new.
- ``blocks.log``: one record per committed block, appended and fsync'd before the block counts
  as committed. Record = u32be(len(body)) ‖ sha256(u32be(len(body)))[:4] ‖ sha256(body) ‖
  body, body = msgpack ``[height, [[key, value | nil], …]]`` (nil: the key was deleted).
  The length has its own check so that a damaged length is reported, not mistaken for a torn
  tail.

A crash can tear only the record being appended: a tail shorter than its header or its declared
length, or a tail of zero bytes (a file system may zero-fill a file extended by a write that
never finished), is that torn record. ``load`` cuts it off and carries on; any other damage
raises ``CorruptLog``, because silently dropping a committed block would fork the host from
its own past.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import msgpack

from relayer_sim.host.errors import HostError
from relayer_sim.host.store import Change

SNAPSHOT_NAME: Final = "snapshot.msgpack"
LOG_NAME: Final = "blocks.log"
_DIGEST_SIZE: Final = 32
#: body length, the length's check, the body's sha256.
_RECORD_HEADER: Final = struct.Struct(">I4s32s")


class CorruptLog(HostError):
    """A snapshot or block log is damaged in a way a crash cannot explain."""

    def __init__(self, path: Path, offset: int, reason: str) -> None:
        self.path, self.offset, self.reason = path, offset, reason
        super().__init__(f"{path}: corrupt at byte {offset}: {reason}")


class BlockLog:
    """The durable state of one host: ``load`` it on start, ``append_block`` at every commit.

    ``load`` is also the recovery after a crash: it cuts a torn record off the log, so that the
    next block is appended after the last whole one.
    """

    def __init__(self, directory: Path | str) -> None:
        self._directory = Path(directory)
        self._directory.mkdir(parents=True, exist_ok=True)
        self._height: int | None = None

    @property
    def snapshot_path(self) -> Path:
        return self._directory / SNAPSHOT_NAME

    @property
    def log_path(self) -> Path:
        return self._directory / LOG_NAME

    def load(self) -> tuple[int, dict[bytes, bytes]]:
        """The last committed height and the entries committed up to it (0 and nothing when
        the directory is new)."""
        height, entries = self._read_snapshot()
        for block_height, changes in self._read_log():
            if block_height <= height:
                continue  # already in the snapshot (a compaction stopped before truncating)
            for key, value in changes:
                if value is None:
                    entries.pop(key, None)
                else:
                    entries[key] = value
            height = block_height
        self._height = height
        return height, dict(sorted(entries.items()))

    def save_snapshot(self, height: int, entries: Mapping[bytes, bytes]) -> None:
        """Replace the snapshot with ``entries`` as committed at ``height``, atomically."""
        _check_height(height)
        body = msgpack.packb([height, sorted(entries.items())], use_bin_type=True)
        temporary = self._directory / (SNAPSHOT_NAME + ".tmp")
        with temporary.open("wb") as file:
            file.write(hashlib.sha256(body).digest() + body)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.snapshot_path)
        _fsync_directory(self._directory)
        if self._height is not None:
            self._height = max(self._height, height)

    def append_block(self, height: int, changes: Sequence[Change]) -> None:
        """Durably record the block committed at ``height``: its sets and deletes (``None``).

        Heights must increase. Before the first append, the log is loaded (and so repaired).
        """
        _check_height(height)
        last = self._height if self._height is not None else self.load()[0]
        if height <= last:
            raise ValueError(f"block {height} is not above the last committed block {last}")
        body = msgpack.packb([height, [list(change) for change in changes]], use_bin_type=True)
        created = not self.log_path.exists()
        with self.log_path.open("ab") as file:
            file.write(_record(body))
            file.flush()
            os.fsync(file.fileno())
        if created:
            _fsync_directory(self._directory)
        self._height = height

    def compact(self) -> None:
        """Fold the log into a snapshot at the current height, then empty the log.

        A crash between the two steps is harmless: ``load`` skips log records the snapshot
        already holds.
        """
        height, entries = self.load()
        self.save_snapshot(height, entries)
        if self.log_path.exists():
            _truncate(self.log_path, 0)

    # -- reading ----------------------------------------------------------------------------------

    def _read_snapshot(self) -> tuple[int, dict[bytes, bytes]]:
        path = self.snapshot_path
        if not path.exists():
            return 0, {}
        data = path.read_bytes()
        digest, body = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
        if len(digest) < _DIGEST_SIZE or hashlib.sha256(body).digest() != digest:
            raise CorruptLog(path, 0, "the snapshot's checksum does not match its contents")
        try:
            return _decode_snapshot(body)
        except ValueError as error:
            raise CorruptLog(path, _DIGEST_SIZE, str(error)) from None

    def _read_log(self) -> list[tuple[int, list[Change]]]:
        """Every whole record in the log, in order; a torn tail is cut off the file."""
        path = self.log_path
        if not path.exists():
            return []
        data = path.read_bytes()
        blocks: list[tuple[int, list[Change]]] = []
        offset = 0
        while offset < len(data):
            record_end = _whole_record_end(data, offset, path)
            if record_end is None:
                _truncate(path, offset)
                break
            body = data[offset + _RECORD_HEADER.size : record_end]
            try:
                height, changes = _decode_block(body)
            except ValueError as error:
                raise CorruptLog(path, offset, str(error)) from None
            if blocks and height <= blocks[-1][0]:
                raise CorruptLog(path, offset, f"block {height} follows block {blocks[-1][0]}")
            blocks.append((height, changes))
            offset = record_end
        return blocks


def _record(body: bytes) -> bytes:
    length = len(body).to_bytes(4, "big")
    header = _RECORD_HEADER.pack(len(body), _length_check(length), hashlib.sha256(body).digest())
    return header + body


def _length_check(length: bytes) -> bytes:
    return hashlib.sha256(length).digest()[:4]


def _whole_record_end(data: bytes, offset: int, path: Path) -> int | None:
    """Where the record at ``offset`` ends, ``None`` if it is a torn tail; raise if damaged."""
    tail = data[offset:]
    if len(tail) < _RECORD_HEADER.size or not any(tail):
        return None
    length, check, digest = _RECORD_HEADER.unpack_from(data, offset)
    if check != _length_check(data[offset : offset + 4]):
        raise CorruptLog(path, offset, "the record's length does not match its check")
    end: int = offset + _RECORD_HEADER.size + length
    if end > len(data):
        return None
    if hashlib.sha256(data[offset + _RECORD_HEADER.size : end]).digest() != digest:
        raise CorruptLog(path, offset, "the record's checksum does not match its contents")
    return end


# -- decoding -------------------------------------------------------------------------------------


def _decode_snapshot(body: bytes) -> tuple[int, dict[bytes, bytes]]:
    document = msgpack.unpackb(body, raw=False)
    if not (isinstance(document, list) and len(document) == 2):
        raise ValueError("a snapshot must be [height, entries]")
    height, pairs = document
    if not _is_height(height):
        raise ValueError(f"the snapshot's height is not a non-negative integer: {height!r}")
    if not isinstance(pairs, list):
        raise ValueError("the snapshot's entries must be a list of [key, value]")
    entries: dict[bytes, bytes] = {}
    for pair in pairs:
        key, value = _decode_pair(pair)
        if value is None:
            raise ValueError(f"the snapshot holds no value for key {key.hex()}")
        entries[key] = value
    return height, entries


def _decode_block(body: bytes) -> tuple[int, list[Change]]:
    document = msgpack.unpackb(body, raw=False)
    if not (isinstance(document, list) and len(document) == 2):
        raise ValueError("a block record must be [height, changes]")
    height, changes = document
    if not _is_height(height):
        raise ValueError(f"the block's height is not a non-negative integer: {height!r}")
    if not isinstance(changes, list):
        raise ValueError("the block's changes must be a list of [key, value | nil]")
    return height, [_decode_pair(change) for change in changes]


def _decode_pair(pair: object) -> Change:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise ValueError("an entry must be [key, value]")
    key, value = pair
    if not (isinstance(key, bytes) and (value is None or isinstance(value, bytes))):
        raise ValueError("an entry's key and value must be bytes")
    return key, value


def _is_height(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_height(height: int) -> None:
    if not _is_height(height):
        raise ValueError(f"a block height is a non-negative integer, not {height!r}")


# -- files ----------------------------------------------------------------------------------------


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
