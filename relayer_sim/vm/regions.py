"""Regions: how the host and a contract pass byte strings through linear memory.

A region is 12 little-endian bytes ``{offset u32, capacity u32, length u32}`` in contract memory
describing a buffer. Every pointer the contract hands the host is checked here before it is
trusted: a contract must never make the host read or write outside its own memory.

A ``ContractMemory`` copies with ``ctypes`` directly from the memory's base address, which it
reads once: the engine never moves a linear memory (``module_cache.shared_engine``). The size
changes only while wasm runs (``memory.grow``), so the owner calls ``refresh`` whenever the host
regains control from wasm: on entering an import and after calling ``allocate``.
"""

from __future__ import annotations

import ctypes
import struct

from relayer_sim.vm import capi
from relayer_sim.vm.errors import RegionError, VMError

REGION_SIZE = 12
_REGION = struct.Struct("<III")
_LENGTH = struct.Struct("<I")
_LENGTH_FIELD = 8


class ContractMemory:
    """Checked access to one instance's linear memory through regions, as of the last
    ``refresh``."""

    def __init__(self, memory: capi.Memory, context: capi.Context) -> None:
        self._memory = memory
        self._base = memory.base(context)
        self._size = memory.size(context)

    def refresh(self, context: capi.Context) -> None:
        """Look up how large the memory is now (after wasm ran, it may have grown)."""
        self._size = self._memory.size(context)

    @property
    def size(self) -> int:
        """The memory's size in bytes as of the last ``refresh``."""
        return self._size

    def _region(self, pointer: int) -> tuple[int, int, int]:
        """The ``(offset, capacity, length)`` of the region at ``pointer``, checked to be
        self-consistent and to lie inside the memory."""
        if pointer == 0:
            raise RegionError("region pointer is null")
        if pointer < 0 or pointer + REGION_SIZE > self._size:
            raise RegionError(
                f"access to bytes {pointer}..{pointer + REGION_SIZE} is beyond memory of "
                f"{self._size} bytes"
            )
        offset, capacity, length = _REGION.unpack(
            ctypes.string_at(self._base + pointer, REGION_SIZE)
        )
        if offset == 0:
            raise RegionError(f"region at {pointer} has a null offset")
        if length > capacity:
            raise RegionError(f"region at {pointer} has length {length} above capacity {capacity}")
        if offset + capacity > 0xFFFF_FFFF:
            raise RegionError(f"region at {pointer} overflows the 32-bit address space")
        return offset, capacity, length

    def _check_in_memory(self, pointer: int, offset: int, capacity: int) -> None:
        end = offset + capacity
        if end > self._size:
            raise RegionError(
                f"region at {pointer} spans {offset}..{end}, beyond memory of {self._size} bytes"
            )

    def read(
        self,
        pointer: int,
        max_length: int,
        what: str,
        too_long: type[VMError] = RegionError,
    ) -> bytes:
        """The bytes a region holds; ``what`` names them in the ``too_long`` error."""
        offset, capacity, length = self._region(pointer)
        if length > max_length:
            raise too_long(f"{what} is {length} bytes; the limit is {max_length}")
        self._check_in_memory(pointer, offset, capacity)
        return ctypes.string_at(self._base + offset, length)

    def write(self, pointer: int, data: bytes) -> None:
        """Fill the region at ``pointer`` with ``data`` and set its length."""
        offset, capacity, _length = self._region(pointer)
        self._check_in_memory(pointer, offset, capacity)
        if len(data) > capacity:
            raise RegionError(
                f"region at {pointer} has capacity {capacity}, too small for {len(data)} bytes"
            )
        ctypes.memmove(self._base + offset, data, len(data))
        ctypes.memmove(self._base + pointer + _LENGTH_FIELD, _LENGTH.pack(len(data)), 4)
