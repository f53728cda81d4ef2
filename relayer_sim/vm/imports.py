"""The ``env`` imports a contract calls, with CosmWasm's exact return conventions.

Each import charges its gas first, reads its arguments through checked regions, and answers as
cosmwasm-vm does: missing values are null pointers, contract-visible failures are error regions
or codes, and broken ABI promises raise a ``VMError`` that ends the call. The imports act on the
innermost ``CallContext`` the VM pushed, so one linker serves every call.

Each import is an unchecked callback (``capi.define_import``): it gets the calling store's
context and plain integers, books the fuel burned so far once on entry, charges its host work in
Python, and grants the fuel left just before wasm runs again.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import wasmtime

from relayer_sim.vm import capi, crypto, gas_costs
from relayer_sim.vm.abi import (
    CRYPTO_ERR_GENERIC,
    IMPORT_MODULE,
    ORDER_ASCENDING,
    ORDER_DESCENDING,
    SUPPORTED_IMPORTS,
    UNIMPLEMENTED_CRYPTO_IMPORTS,
)
from relayer_sim.vm.addresses import AddressError, Bech32Addresses
from relayer_sim.vm.bounded_json import JSONLimitError, loads_bounded
from relayer_sim.vm.debug_log import DebugBudget
from relayer_sim.vm.errors import (
    ContractAborted,
    ImportOutsideCall,
    IteratorError,
    IteratorLimitExceeded,
    RegionError,
    StorageLimitExceeded,
    WriteInReadOnlyCall,
    WriteLimitExceeded,
)
from relayer_sim.vm.gas import GasMeter
from relayer_sim.vm.gas_costs import ImportCosts
from relayer_sim.vm.limits import CallLimits
from relayer_sim.vm.regions import ContractMemory
from relayer_sim.vm.storage import Pair, Storage

KIB = 1024
MIB = 1024 * KIB
MAX_KEY_LENGTH = 64 * KIB
MAX_VALUE_LENGTH = 128 * KIB
MAX_HUMAN_ADDRESS_LENGTH = 256
MAX_CANONICAL_ADDRESS_LENGTH = 64
MAX_HASH_LENGTH = 32
MAX_ECDSA_SIGNATURE_LENGTH = 64
MAX_ECDSA_PUBKEY_LENGTH = 65
MAX_ED25519_MESSAGE_LENGTH = 128 * KIB
MAX_ED25519_SIGNATURE_LENGTH = 64
MAX_ED25519_PUBKEY_LENGTH = 32
MAX_ED25519_BATCH_COUNT = 256
MAX_DEBUG_LENGTH = 2 * MIB
MAX_QUERY_REQUEST_LENGTH = 64 * KIB

#: The null region pointer: "no value" for db_read and db_next_*, "no error" for addresses.
NULL = 0


@dataclass(frozen=True)
class QueryAnswer:
    """A querier's answer to ``query_chain``: the serialised ``SystemResult``, and the CosmWasm
    gas the query used outside the VM (charged to the call, as wasmvm charges a querier's)."""

    result: bytes
    gas_used: int = 0


#: Answers a ``query_chain`` request (raw JSON), given the CosmWasm gas the call has left.
QueryHandler = Callable[[bytes, int], QueryAnswer]


def unsupported_query(request: bytes, gas_limit: int) -> QueryAnswer:
    """The default querier: every request is an ``unsupported_request`` system error."""
    try:
        parsed = loads_bounded(request, "query_chain request", max_size=MAX_QUERY_REQUEST_LENGTH)
        kind = next(iter(parsed)) if isinstance(parsed, dict) and parsed else "unknown"
    except JSONLimitError:
        kind = "unknown"
    return QueryAnswer(json.dumps({"error": {"unsupported_request": {"kind": kind}}}).encode())


@dataclass
class CallContext:
    """Everything the imports need for one call; the VM fills in the instance parts."""

    storage: Storage
    read_only: bool
    meter: GasMeter
    query_handler: QueryHandler
    debug: DebugBudget
    addresses: Bech32Addresses
    memory: ContractMemory | None = None
    allocate: capi.Function | None = None
    iterators: list[Iterator[Pair]] = field(default_factory=list)
    writes: int = 0
    written_bytes: int = 0


def encode_sections(*sections: bytes) -> bytes:
    """CosmWasm's section encoding: each item followed by its big-endian u32 length."""
    return b"".join(section + struct.pack(">I", len(section)) for section in sections)


def decode_sections(data: bytes, what: str) -> list[bytes]:
    """Inverse of ``encode_sections``, reading from the end as cosmwasm does."""
    sections: list[bytes] = []
    end = len(data)
    while end > 0:
        if end < 4:
            raise RegionError(f"{what}: truncated section length")
        (length,) = struct.unpack(">I", data[end - 4 : end])
        start = end - 4 - length
        if start < 0:
            raise RegionError(f"{what}: section length {length} exceeds the data")
        sections.append(data[start : end - 4])
        end = start
    sections.reverse()
    return sections


class Imports:
    """The import functions, bound to the VM's stack of call contexts, costs and limits."""

    def __init__(self, contexts: list[CallContext], costs: ImportCosts, limits: CallLimits) -> None:
        self._contexts = contexts
        self._costs = costs
        self._limits = limits

    def define(self, linker: wasmtime.Linker, pending: capi.PendingFailure) -> list[object]:
        """Register every supported import on ``linker``; returns the C callbacks, which must
        live as long as the linker."""
        callbacks: list[object] = []
        for name, signature in SUPPORTED_IMPORTS.items():
            if name in UNIMPLEMENTED_CRYPTO_IMPORTS:
                handler: capi.ImportBody = self._unimplemented(name, signature[1][0] == "i64")
            else:
                handler = getattr(self, name)
            body = self._granting(handler)
            callbacks.append(
                capi.define_import(linker, IMPORT_MODULE, name, signature, body, pending)
            )
        return callbacks

    # -- plumbing -------------------------------------------------------------------------------

    def _granting(self, handler: capi.ImportBody) -> capi.ImportBody:
        """``handler``, then the fuel left granted back to wasm (only when it returns)."""
        contexts = self._contexts

        def body(store: capi.Context, *arguments: int) -> int | None:
            answer = handler(store, *arguments)
            contexts[-1].meter.grant()
            return answer

        return body

    def _enter(self, store: capi.Context, name: str) -> tuple[CallContext, ContractMemory]:
        """The innermost call's context, its fuel booked, the call cost charged and its memory
        view refreshed."""
        context = self._contexts[-1]
        memory = context.memory
        if memory is None:
            raise ImportOutsideCall(
                f"the contract called {name} while it was being instantiated (a start function)"
            )
        context.meter.book()
        context.meter.charge(self._costs.call, name)
        memory.refresh(store)
        return context, memory

    def _read(
        self,
        context: CallContext,
        memory: ContractMemory,
        pointer: int,
        max_length: int,
        what: str,
        too_long: type[RegionError] | type[StorageLimitExceeded] = RegionError,
    ) -> bytes:
        data = memory.read(pointer, max_length, what, too_long)
        context.meter.charge(gas_costs.region_read_cost(len(data)) + self._costs.region_read, what)
        return data

    def _write_new(
        self, context: CallContext, memory: ContractMemory, store: capi.Context, data: bytes
    ) -> int:
        """Ask the contract to allocate a region, fill it, and return its pointer."""
        assert context.allocate is not None  # set together with memory, which _enter checked
        if self._costs.allocation:
            context.meter.charge(self._costs.allocation, "handing back a region")
        context.meter.grant()
        pointer = context.allocate(store, len(data))
        context.meter.book()
        memory.refresh(store)
        memory.write(pointer, data)
        return pointer

    def _count_write(self, context: CallContext, size: int, what: str) -> None:
        """Book one write of ``size`` bytes against the call's write limits."""
        context.writes += 1
        context.written_bytes += size
        if context.writes > self._limits.max_writes:
            raise WriteLimitExceeded(
                f"{what}: more than {self._limits.max_writes} writes in one call"
            )
        if context.written_bytes > self._limits.max_write_bytes:
            raise WriteLimitExceeded(
                f"{what}: more than {self._limits.max_write_bytes} bytes written in one call"
            )

    def _text(
        self, context: CallContext, memory: ContractMemory, pointer: int, limit: int, what: str
    ) -> str | None:
        """UTF-8 text from a region, or None when it is not valid UTF-8."""
        try:
            return self._read(context, memory, pointer, limit, what).decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _iterator(self, context: CallContext, iterator_id: int) -> Iterator[Pair]:
        if not 1 <= iterator_id <= len(context.iterators):
            raise IteratorError(f"iterator {iterator_id} does not exist")
        return context.iterators[iterator_id - 1]

    # -- storage --------------------------------------------------------------------------------

    def db_read(self, store: capi.Context, key_pointer: int) -> int:
        context, memory = self._enter(store, "db_read")
        key = self._read(
            context, memory, key_pointer, MAX_KEY_LENGTH, "db_read key", StorageLimitExceeded
        )
        value = context.storage.get(key)
        return NULL if value is None else self._write_new(context, memory, store, value)

    def db_write(self, store: capi.Context, key_pointer: int, value_pointer: int) -> None:
        context, memory = self._enter(store, "db_write")
        if context.read_only:
            raise WriteInReadOnlyCall("db_write is not allowed in a read-only call (query)")
        key = self._read(
            context, memory, key_pointer, MAX_KEY_LENGTH, "db_write key", StorageLimitExceeded
        )
        value = self._read(
            context, memory, value_pointer, MAX_VALUE_LENGTH, "db_write value", StorageLimitExceeded
        )
        self._count_write(context, len(key) + len(value), "db_write")
        context.storage.set(key, value)

    def db_remove(self, store: capi.Context, key_pointer: int) -> None:
        context, memory = self._enter(store, "db_remove")
        if context.read_only:
            raise WriteInReadOnlyCall("db_remove is not allowed in a read-only call (query)")
        key = self._read(
            context, memory, key_pointer, MAX_KEY_LENGTH, "db_remove key", StorageLimitExceeded
        )
        self._count_write(context, len(key), "db_remove")
        context.storage.delete(key)

    def db_scan(self, store: capi.Context, start_pointer: int, end_pointer: int, order: int) -> int:
        context, memory = self._enter(store, "db_scan")
        if order not in (ORDER_ASCENDING, ORDER_DESCENDING):
            raise IteratorError(
                f"db_scan order must be 1 (ascending) or 2 (descending), not {order}"
            )
        if len(context.iterators) >= self._limits.max_iterators:
            raise IteratorLimitExceeded(
                f"db_scan: more than {self._limits.max_iterators} iterators in one call"
            )
        start = end = None
        if start_pointer:
            start = self._read(context, memory, start_pointer, MAX_KEY_LENGTH, "db_scan start")
        if end_pointer:
            end = self._read(context, memory, end_pointer, MAX_KEY_LENGTH, "db_scan end")
        context.iterators.append(context.storage.scan(start, end, order == ORDER_ASCENDING))
        return len(context.iterators)

    def db_next(self, store: capi.Context, iterator_id: int) -> int:
        context, memory = self._enter(store, "db_next")
        pair = next(self._iterator(context, iterator_id), None)
        key, value = pair if pair is not None else (b"", b"")
        return self._write_new(context, memory, store, encode_sections(key, value))

    def db_next_key(self, store: capi.Context, iterator_id: int) -> int:
        context, memory = self._enter(store, "db_next_key")
        pair = next(self._iterator(context, iterator_id), None)
        return NULL if pair is None else self._write_new(context, memory, store, pair[0])

    def db_next_value(self, store: capi.Context, iterator_id: int) -> int:
        context, memory = self._enter(store, "db_next_value")
        pair = next(self._iterator(context, iterator_id), None)
        return NULL if pair is None else self._write_new(context, memory, store, pair[1])

    # -- addresses ------------------------------------------------------------------------------

    def _address_failure(
        self, context: CallContext, memory: ContractMemory, store: capi.Context, message: str
    ) -> int:
        return self._write_new(context, memory, store, message.encode())

    def addr_validate(self, store: capi.Context, source_pointer: int) -> int:
        context, memory = self._enter(store, "addr_validate")
        human = self._text(
            context, memory, source_pointer, MAX_HUMAN_ADDRESS_LENGTH, "addr_validate input"
        )
        if human is None:
            return self._address_failure(context, memory, store, "Input is not valid UTF-8")
        try:
            context.addresses.validate(human)
        except AddressError as error:
            return self._address_failure(context, memory, store, str(error))
        return NULL

    def addr_canonicalize(
        self, store: capi.Context, source_pointer: int, destination_pointer: int
    ) -> int:
        context, memory = self._enter(store, "addr_canonicalize")
        human = self._text(
            context, memory, source_pointer, MAX_HUMAN_ADDRESS_LENGTH, "addr_canonicalize input"
        )
        if human is None:
            return self._address_failure(context, memory, store, "Input is not valid UTF-8")
        try:
            canonical = context.addresses.canonicalize(human)
        except AddressError as error:
            return self._address_failure(context, memory, store, str(error))
        memory.write(destination_pointer, canonical)
        return NULL

    def addr_humanize(
        self, store: capi.Context, source_pointer: int, destination_pointer: int
    ) -> int:
        context, memory = self._enter(store, "addr_humanize")
        canonical = self._read(
            context, memory, source_pointer, MAX_CANONICAL_ADDRESS_LENGTH, "addr_humanize input"
        )
        try:
            human = context.addresses.humanize(canonical)
        except AddressError as error:
            return self._address_failure(context, memory, store, str(error))
        memory.write(destination_pointer, human.encode())
        return NULL

    # -- crypto ---------------------------------------------------------------------------------

    def secp256k1_verify(
        self, store: capi.Context, hash_pointer: int, signature_pointer: int, key_pointer: int
    ) -> int:
        context, memory = self._enter(store, "secp256k1_verify")
        message_hash = self._read(context, memory, hash_pointer, MAX_HASH_LENGTH, "hash")
        signature = self._read(
            context, memory, signature_pointer, MAX_ECDSA_SIGNATURE_LENGTH, "signature"
        )
        pubkey = self._read(context, memory, key_pointer, MAX_ECDSA_PUBKEY_LENGTH, "public key")
        context.meter.charge(gas_costs.SECP256K1_VERIFY, "secp256k1_verify")
        return crypto.secp256k1_verify(message_hash, signature, pubkey)

    def secp256k1_recover_pubkey(
        self, store: capi.Context, hash_pointer: int, signature_pointer: int, param: int
    ) -> int:
        context, memory = self._enter(store, "secp256k1_recover_pubkey")
        message_hash = self._read(context, memory, hash_pointer, MAX_HASH_LENGTH, "hash")
        signature = self._read(
            context, memory, signature_pointer, MAX_ECDSA_SIGNATURE_LENGTH, "signature"
        )
        context.meter.charge(gas_costs.SECP256K1_RECOVER_PUBKEY, "secp256k1_recover_pubkey")
        try:
            pubkey = crypto.secp256k1_recover_pubkey(message_hash, signature, param)
        except crypto.CryptoFailure as failure:
            return failure.code << 32
        return self._write_new(context, memory, store, pubkey)

    def ed25519_verify(
        self,
        store: capi.Context,
        message_pointer: int,
        signature_pointer: int,
        key_pointer: int,
    ) -> int:
        context, memory = self._enter(store, "ed25519_verify")
        message = self._read(
            context, memory, message_pointer, MAX_ED25519_MESSAGE_LENGTH, "message"
        )
        signature = self._read(
            context, memory, signature_pointer, MAX_ED25519_SIGNATURE_LENGTH, "signature"
        )
        pubkey = self._read(context, memory, key_pointer, MAX_ED25519_PUBKEY_LENGTH, "public key")
        context.meter.charge(gas_costs.ED25519_VERIFY, "ed25519_verify")
        return crypto.ed25519_verify(message, signature, pubkey)

    def ed25519_batch_verify(
        self,
        store: capi.Context,
        messages_pointer: int,
        signatures_pointer: int,
        keys_pointer: int,
    ) -> int:
        context, memory = self._enter(store, "ed25519_batch_verify")
        lists = []
        for pointer, item_limit, what in (
            (messages_pointer, MAX_ED25519_MESSAGE_LENGTH, "batch messages"),
            (signatures_pointer, MAX_ED25519_SIGNATURE_LENGTH + 4, "batch signatures"),
            (keys_pointer, MAX_ED25519_PUBKEY_LENGTH + 4, "batch public keys"),
        ):
            data = self._read(context, memory, pointer, item_limit * MAX_ED25519_BATCH_COUNT, what)
            items = decode_sections(data, what)
            if len(items) > MAX_ED25519_BATCH_COUNT:
                raise RegionError(f"{what}: {len(items)} items; at most {MAX_ED25519_BATCH_COUNT}")
            lists.append(items)
        messages, signatures, pubkeys = lists
        context.meter.charge(
            gas_costs.ed25519_batch_verify_cost(len(signatures)), "ed25519_batch_verify"
        )
        return crypto.ed25519_batch_verify(messages, signatures, pubkeys)

    def _unimplemented(self, name: str, returns_i64: bool) -> capi.ImportBody:
        """bls12_381/secp256r1: linked so contracts load; every call pays cosmwasm-vm's base
        cost of the real function and answers the generic error."""
        cost = self._costs.unimplemented_crypto.get(name, 0)
        answer = CRYPTO_ERR_GENERIC << 32 if returns_i64 else CRYPTO_ERR_GENERIC

        def handler(store: capi.Context, *_args: int) -> int:
            context, _memory = self._enter(store, name)
            if cost:
                context.meter.charge(cost, name)
            return answer

        handler.__name__ = name
        return handler

    # -- environment ----------------------------------------------------------------------------

    def debug(self, store: capi.Context, message_pointer: int) -> None:
        context, memory = self._enter(store, "debug")
        message = self._read(context, memory, message_pointer, MAX_DEBUG_LENGTH, "debug message")
        context.debug.emit(message)

    def abort(self, store: capi.Context, message_pointer: int) -> None:
        context, memory = self._enter(store, "abort")
        message = self._read(context, memory, message_pointer, MAX_DEBUG_LENGTH, "abort message")
        raise ContractAborted(f"contract aborted: {message.decode('utf-8', errors='replace')}")

    def query_chain(self, store: capi.Context, request_pointer: int) -> int:
        context, memory = self._enter(store, "query_chain")
        request = self._read(
            context, memory, request_pointer, MAX_QUERY_REQUEST_LENGTH, "query_chain request"
        )
        answer = context.query_handler(request, context.meter.remaining)
        context.meter.charge_external(answer.gas_used, "query_chain")
        return self._write_new(context, memory, store, answer.result)
