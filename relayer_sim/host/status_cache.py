"""A cache of light clients' ``status`` answers over one committed block state.

02-client asks a client's status all the time: every relayer's look, every metrics sample, the
live display, and again inside every update, upgrade, recovery and packet. Each is a contract
call on a fresh instance, against a store that has mostly not changed. This cache answers a
repeated question from the answer a fresh call gave, and only when a fresh call would certainly
give the same answer and charge the same gas:

- **Key.** The client id (the contract's address), the code that answers (the checksum, and for
  a native client the binary and wire format that run it; the API dialect), the whole env
  (height, time, chain id: status depends on time, a client expires) and whether the caller's
  store is gas-metered (a metered call also pays for its reads).
- **Store contents.** Every entry describes the client's store as the last committed block left
  it. An entry is made and used only by a keeper whose view of the client's store has no
  pending write in any cache layer above the committed state (the block's working state, and a
  transaction's or a proposal's cache over it): from the first write to the client's prefix
  on, a transaction, and after it the block, calls the contract again. A rolled-back write
  leaves the committed contents as they were, so the entries stay right; a kept one is pending
  in the block's state until ``commit``. ``commit`` drops every entry (``clear``): a new
  committed state, and a new height in every env after it. Migrate, recovery and checksum
  removal are writes to the client's store or are decided before the contract is asked (code
  removed: ``Unauthorized`` without a call), and a host binary upgrade changes the key.
- **Gas.** A fresh call records the SDK gas it charged to the caller's meter (the client-state
  read, the 08-wasm setup, the contract's storage reads when metered, the contract gas in SDK
  gas) and the CosmWasm gas the contract used; a hit charges the same SDK gas to the caller's
  meter and books the same contract gas with the proxy, so the transaction's ``gas_used`` and
  ``contract_gas`` are what they would have been. A hit is taken only when the fresh call would
  have fitted the meter: all its SDK gas within what is left, and its contract gas within the VM
  limit that call would have had (what is left after the gas charged before the VM starts, in
  CosmWasm gas). Otherwise the contract is called, and runs out of gas as it would have.
- **Failures are not cached.** A contract error, a VM failure or running out of gas is answered
  by a fresh call every time (these are rare, and a failure's cost depends on the limit).
- **Nor answers that asked the chain.** A status call that made a chain query (``query_chain``)
  read more than the client's store; its answer is never recorded. A call that made none, on
  the same store and env, makes none again, so a recorded answer stays what a fresh call gives.

Only ``status`` is cached: no other read-only query (``timestamp_at_height``,
``verify_client_message``, ``check_for_misbehaviour``) is asked twice of the same state by the
host. A hit skips the contract's ``debug`` messages, which go to the log, never to the trace.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Final

from relayer_sim.host.store import CacheStore, GasKV, GasMeter
from relayer_sim.host.wasm_proxy import GAS_MULTIPLIER, UNBOUNDED_VM_GAS, WasmProxy
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import Storage

#: Entries kept between two commits at most (a halted chain is still asked, at ever new times).
MAX_ENTRIES: Final = 4096

#: What an entry answers for: client id, code, env, and whether the store was metered.
StatusKey = tuple[str, Hashable, HostEnv, bool]


@dataclass(frozen=True)
class CachedStatus:
    """What a successful fresh ``status`` call answered and charged."""

    answer: str
    #: SDK gas the call charged to the caller's meter, in all.
    gas: int
    #: SDK gas it charged before the VM limit was set (the VM limit is what was left then).
    gas_before_vm: int
    #: CosmWasm gas the contract used (0 for a native client).
    contract_gas: int
    #: Whether a contract answered (the VM limit applies), or the host binary.
    wasm: bool

    def fits(self, meter: GasMeter) -> bool:
        """Whether a fresh call on ``meter`` would succeed, and so charge exactly this."""
        remaining = meter.remaining
        if not self.wasm:
            return remaining is None or self.gas <= remaining
        if remaining is None:
            return self.contract_gas <= UNBOUNDED_VM_GAS
        vm_limit = (remaining - self.gas_before_vm) * GAS_MULTIPLIER
        return self.gas <= remaining and self.contract_gas <= vm_limit


class StatusCache:
    """The host's cache of status answers, for the committed state (``clear`` at commit)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: dict[StatusKey, CachedStatus] = {}
        self._max_entries = max_entries
        #: Answers given from the cache, and fresh calls made through it (for benchmarks).
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """A block was committed: no entry describes the committed state any more."""
        self._entries.clear()

    def get(self, key: StatusKey) -> CachedStatus | None:
        return self._entries.get(key)

    def put(self, key: StatusKey, entry: CachedStatus) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = entry

    def view(
        self,
        store: Storage,
        unmetered: Storage | None,
        state: CacheStore,
        committed: Storage,
        prefix: bytes,
    ) -> StatusCacheView | None:
        """The cache for keepers built over ``store`` (``HostApp.keepers``), whose client stores
        live under ``prefix`` of it; ``None`` when the keepers' store is none the cache knows.

        ``store`` is the committed state, the block's working ``state``, or a gas-metered view
        (``GasKV``) of ``unmetered``: caches over ``state`` (a transaction's or a proposal's,
        and a chain query's over that).
        """
        base = store if unmetered is None else unmetered
        layers: list[CacheStore] = []
        layer = base
        while layer is not committed:
            if not isinstance(layer, CacheStore):
                return None
            layers.append(layer)
            if layer is state:
                break
            layer = layer.base
        if store is base:
            meter = None
        elif isinstance(store, GasKV):
            meter = store.meter
        else:
            return None
        return StatusCacheView(self, tuple(layers), meter, prefix)


class StatusCacheView:
    """The cache as one set of keepers sees it: which cache layers lie over the committed state
    in their store, and which meter (if any) that store charges for reads."""

    def __init__(
        self,
        cache: StatusCache,
        layers: tuple[CacheStore, ...],
        meter: GasMeter | None,
        prefix: bytes,
    ) -> None:
        self.cache, self._layers, self._meter, self._prefix = cache, layers, meter, prefix

    def key(
        self, client_id: str, client_prefix: bytes, code: Hashable, env: HostEnv, gas: GasMeter
    ) -> StatusKey | None:
        """The key of a status call on ``gas``, or ``None`` when the answer may not be cached:
        the client's store (``client_prefix`` of the keepers' store) has a pending write, or its
        reads are charged to another meter than the caller's."""
        if self._meter is not None and self._meter is not gas:
            return None
        full = self._prefix + client_prefix
        for layer in self._layers:
            if _pending_under(layer, full):
                return None
        return (client_id, code, env, self._meter is not None)

    def replay(self, key: StatusKey, gas: GasMeter, proxy: WasmProxy) -> str | None:
        """The cached answer, its gas charged as the fresh call would have; ``None`` when there
        is none or the fresh call would not have fitted ``gas``."""
        entry = self.cache.get(key)
        if entry is None or not entry.fits(gas):
            return None
        gas.consume(entry.gas, "wasm contract call (status, cached)")
        if entry.wasm:
            proxy.book_contract_gas(entry.contract_gas)
        self.cache.hits += 1
        return entry.answer

    def record(self, key: StatusKey, entry: CachedStatus) -> None:
        self.cache.misses += 1
        self.cache.put(key, entry)


def _pending_under(layer: CacheStore, prefix: bytes) -> bool:
    """Whether ``layer`` holds a write (or a deletion) of a key under ``prefix``."""
    changes = layer.changes()
    if not changes:
        return False
    index = bisect.bisect_left(changes, (prefix,))
    return index < len(changes) and changes[index][0].startswith(prefix)
