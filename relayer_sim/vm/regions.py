"""Regions: how the host and a contract pass byte strings through linear memory.

A region is 12 little-endian bytes ``{offset u32, capacity u32, length u32}`` in contract memory
describing a buffer. Every pointer the contract hands the host is checked here before it is
trusted: a contract must never make the host read or write outside its own memory.

A ``ContractMemory`` looks up the memory's base address and size once (``refresh``) and then
copies with ``ctypes`` directly. The memory moves only when wasm runs (it may grow), so the owner
refreshes the view whenever the host regains control from wasm: on entering an import and after
calling ``allocate``.
"""

from __future__ import annotations

import ctypes
import struct
from dataclasses import dataclass

from relayer_sim.vm import capi
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
    """Checked access to one instance's linear memory through regions, as of the last
    ``refresh``."""

    def __init__(self, memory: capi.Memory) -> None:
        self._memory = memory
        self._base = 0
        self._size = 0

    def refresh(self, context: capi.Context) -> None:
        """Look up where the memory is now and how large (after wasm ran, it may have grown)."""
        self._size = self._memory.size(context)
        self._base = self._memory.base(context)

    @property
    def size(self) -> int:
        """The memory's size in bytes as of the last ``refresh``."""
        return self._size

    def _read_raw(self, start: int, length: int) -> bytes:
        if start < 0 or length < 0 or start + length > self._size:
            raise RegionError(
                f"access to bytes {start}..{start + length} is beyond memory of {self._size} bytes"
            )
        return ctypes.string_at(self._base + start, length)

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
        if end > self._size:
            raise RegionError(
                f"region at {pointer} spans {region.offset}..{end}, "
                f"beyond memory of {self._size} bytes"
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
        ctypes.memmove(self._base + region.offset, data, len(data))
        ctypes.memmove(self._base + pointer + 8, struct.pack("<I", len(data)), 4)
