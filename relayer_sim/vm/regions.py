"""Regions: how the host and a contract pass byte strings through linear memory.

A region is 12 little-endian bytes ``{offset u32, capacity u32, length u32}`` in contract memory
describing a buffer. Every pointer the contract hands the host is checked here before it is
trusted: a contract must never make the host read or write outside its own memory.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import wasmtime

from relayer_sim.vm.errors import RegionError, VMError

REGION_SIZE = 12
_REGION = struct.Struct("<III")


@dataclass(frozen=True, slots=True)
class Region:
    """A decoded region header."""

    offset: int
    capacity: int
    length: int


class ContractMemory:
    """Checked access to one instance's linear memory through regions."""

    def __init__(self, memory: wasmtime.Memory, store: wasmtime.Store | wasmtime.Caller) -> None:
        self._memory = memory
        self._store = store

    def size(self) -> int:
        """Current size of linear memory in bytes."""
        return self._memory.data_len(self._store)

    def _read_raw(self, start: int, length: int) -> bytes:
        if start < 0 or length < 0 or start + length > self.size():
            raise RegionError(
                f"access to bytes {start}..{start + length} is beyond memory of {self.size()} bytes"
            )
        return bytes(self._memory.read(self._store, start, start + length))

    def region(self, pointer: int) -> Region:
        """Decode the region header at ``pointer`` and check it is self-consistent."""
        if pointer == 0:
            raise RegionError("region pointer is null")
        offset, capacity, length = _REGION.unpack(self._read_raw(pointer, REGION_SIZE))
        if offset == 0:
            raise RegionError(f"region at {pointer} has a null offset")
        if length > capacity:
            raise RegionError(f"region at {pointer} has length {length} above capacity {capacity}")
        if offset + capacity > 0xFFFF_FFFF:
            raise RegionError(f"region at {pointer} overflows the 32-bit address space")
        return Region(offset, capacity, length)

    def _check_in_memory(self, pointer: int, region: Region) -> None:
        end = region.offset + region.capacity
        if end > self.size():
            raise RegionError(
                f"region at {pointer} spans {region.offset}..{end}, "
                f"beyond memory of {self.size()} bytes"
            )

    def read(
        self,
        pointer: int,
        max_length: int,
        what: str,
        too_long: type[VMError] = RegionError,
    ) -> bytes:
        """The bytes a region holds; ``what`` names them in the ``too_long`` error."""
        region = self.region(pointer)
        if region.length > max_length:
            raise too_long(f"{what} is {region.length} bytes; the limit is {max_length}")
        self._check_in_memory(pointer, region)
        return self._read_raw(region.offset, region.length)

    def write(self, pointer: int, data: bytes) -> None:
        """Fill the region at ``pointer`` with ``data`` and set its length."""
        region = self.region(pointer)
        self._check_in_memory(pointer, region)
        if len(data) > region.capacity:
            raise RegionError(
                f"region at {pointer} has capacity {region.capacity}, "
                f"too small for {len(data)} bytes"
            )
        self._memory.write(self._store, data, region.offset)
        self._memory.write(self._store, struct.pack("<I", len(data)), pointer + 8)
