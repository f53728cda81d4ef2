"""The host chain's key/value stores, layered as the Cosmos SDK layers them.

Every store here is a ``relayer_sim.vm.storage.Storage``, so a contract runs directly on any
stack of them. A transaction's view of a client's store is built like the SDK builds it::

    PrefixStore(GasKV(CacheStore(block_cache), meter), client_prefix)

- ``CacheStore`` makes a block, and a transaction inside it, all-or-nothing: ``write()`` keeps
  the changes, ``discard()`` drops them;
- ``GasKV`` charges SDK gas for every access (below the prefix, so full keys are charged);
- ``PrefixStore`` gives each module or client its own key space.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from relayer_sim.host.errors import InvalidMessage, OutOfGas
from relayer_sim.vm.storage import Pair, Storage, WriteBuffer

#: A change as a block records it: a new value, or ``None`` for a deletion.
Change = tuple[bytes, bytes | None]


# -- caches ---------------------------------------------------------------------------------------


class CacheStore(WriteBuffer):
    """A write overlay over a parent store: reads see the overlay first, ``write()`` applies it.

    Caches nest as the SDK's CacheMultiStore does: a transaction's cache over the block's cache
    over the committed store. A failed transaction discards its cache and the block never sees
    its writes. (The VM's own all-or-nothing buffer is the same overlay.)
    """

    def write(self) -> None:
        """Apply the overlay to the parent (in key order, as the SDK does) and clear it."""
        self.apply()


# -- gas ------------------------------------------------------------------------------------------


class GasMeter:
    """Counts a transaction's SDK gas against its limit (``None``: an infinite meter).

    Like the SDK's basic meter, running out raises at the charge that crosses the limit. The
    SDK then leaves ``consumed`` past the limit; here it stops at the limit (so ``remaining`` is
    never negative) and the ``OutOfGas`` error carries what the charge wanted.
    """

    def __init__(self, limit: int | None) -> None:
        if limit is not None and (type(limit) is not int or limit < 0):
            kind = "a negative number" if type(limit) is int else type(limit).__name__
            raise InvalidMessage(f"a gas limit must be a non-negative integer, got {kind}")
        self._limit = limit
        self._consumed = 0

    @property
    def limit(self) -> int | None:
        return self._limit

    @property
    def consumed(self) -> int:
        return self._consumed

    @property
    def remaining(self) -> int | None:
        """Gas left before the limit, ``None`` on an infinite meter."""
        return None if self._limit is None else self._limit - self._consumed

    def consume(self, amount: int, descriptor: str) -> None:
        """Charge ``amount``; raise ``OutOfGas`` if that would pass the limit."""
        if amount < 0:
            raise ValueError(f"cannot consume a negative amount of gas: {amount} ({descriptor})")
        wanted = self._consumed + amount
        if self._limit is not None and wanted > self._limit:
            self._consumed = self._limit
            raise OutOfGas(self._limit, wanted, descriptor)
        self._consumed = wanted


@dataclass(frozen=True)
class KVGasConfig:
    """What each store access costs, in SDK gas: ``storetypes.KVGasConfig()``'s defaults."""

    has_cost: int = 1000
    delete_cost: int = 1000
    read_cost_flat: int = 1000
    read_cost_per_byte: int = 3
    write_cost_flat: int = 2000
    write_cost_per_byte: int = 30
    iter_next_cost_flat: int = 30


# The SDK's gas descriptors (``storetypes.Gas*Desc``): they name the charge that ran out.
HAS: Final = "Has"
DELETE: Final = "Delete"
READ_FLAT: Final = "ReadFlat"
READ_PER_BYTE: Final = "ReadPerByte"
WRITE_FLAT: Final = "WriteFlat"
WRITE_PER_BYTE: Final = "WritePerByte"
ITER_NEXT_FLAT: Final = "IterNextFlat"
VALUE_PER_BYTE: Final = "ValuePerByte"


class GasKV:
    """Charges ``meter`` for every access to ``parent``, exactly as the SDK's ``gaskv`` store
    (``cosmossdk.io/store`` v1, under ibc-go v10) with the same order of charges.

    Writes and deletes are paid before they reach ``parent``, so running out of gas leaves
    ``parent`` untouched by that access; a read pays its flat cost first, its bytes once read.
    Iteration follows ``gaskv``'s iterator: opening a scan charges a
    seek (the first pair's bytes, if any, plus the flat step cost), and every pair taken charges
    its bytes plus the flat step cost again. Scanning n pairs thus costs n + 1 steps, and the
    first pair's bytes twice.
    """

    def __init__(
        self, parent: Storage, meter: GasMeter, config: KVGasConfig = KVGasConfig()
    ) -> None:
        self._parent = parent
        self._meter = meter
        self._config = config

    @property
    def meter(self) -> GasMeter:
        return self._meter

    def get(self, key: bytes) -> bytes | None:
        config = self._config
        self._meter.consume(config.read_cost_flat, READ_FLAT)
        value = self._parent.get(key)
        self._meter.consume(config.read_cost_per_byte * len(key), READ_PER_BYTE)
        if value is not None:
            self._meter.consume(config.read_cost_per_byte * len(value), READ_PER_BYTE)
        return value

    def has(self, key: bytes) -> bool:
        """Whether ``key`` is set, for a flat cost: the SDK's ``Has`` reads no bytes."""
        self._meter.consume(self._config.has_cost, HAS)
        return self._parent.get(key) is not None

    def set(self, key: bytes, value: bytes) -> None:
        config = self._config
        self._meter.consume(config.write_cost_flat, WRITE_FLAT)
        self._meter.consume(config.write_cost_per_byte * len(key), WRITE_PER_BYTE)
        self._meter.consume(config.write_cost_per_byte * len(value), WRITE_PER_BYTE)
        self._parent.set(key, value)

    def delete(self, key: bytes) -> None:
        # The SDK charges deletes although they free space, so that they are no free DoS.
        self._meter.consume(self._config.delete_cost, DELETE)
        self._parent.delete(key)

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        pairs = self._parent.scan(start, end, ascending)
        first = next(pairs, None)
        self._charge_step(first)
        return self._metered(first, pairs)

    def _metered(self, current: Pair | None, rest: Iterator[Pair]) -> Iterator[Pair]:
        while current is not None:
            # The SDK charges a step when the iterator leaves a pair; a contract takes a pair
            # and moves on in one ``db_next``, so the pair it gets is the pair that is paid.
            self._charge_step(current)
            yield current
            current = next(rest, None)

    def _charge_step(self, pair: Pair | None) -> None:
        if pair is not None:
            key, value = pair
            self._meter.consume(self._config.read_cost_per_byte * len(key), VALUE_PER_BYTE)
            self._meter.consume(self._config.read_cost_per_byte * len(value), VALUE_PER_BYTE)
        self._meter.consume(self._config.iter_next_cost_flat, ITER_NEXT_FLAT)
