"""08-wasm's code registry: which light-client contracts the host may run.

Governance alone adds code (``MsgStoreCode``) and removes it (``MsgRemoveChecksum``); a client
runs on a checksum only while it is in the allowed set. The raw code is kept in a store of its
own beside the state (ibc-go leaves it in wasmvm's directory): it is saved with the host, so a
restarted host loads every contract again, but its bytes are not charged as store writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Final

from relayer_sim.host.errors import AlreadyExists, InvalidMessage, NotFound, require_authority
from relayer_sim.host.store import GasMeter
from relayer_sim.vm import CodeRejected, Storage, VMError, WasmVM
from relayer_sim.vm.machine import decompress_code
from relayer_sim.vm.static_checks import MAX_CODE_SIZE
from relayer_sim.vm.storage import prefix_end

GZIP_MAGIC: Final = b"\x1f\x8b\x08"
#: SDK gas per byte of gzip input to inflate it (wasmd's 15/100) and per byte of raw code to
#: compile it.
UNCOMPRESS_GAS_PER_BYTE: Final = (15, 100)
COMPILE_GAS_PER_BYTE: Final = 3
_CHECKSUMS: Final = b"checksums/"


class WasmCodes:
    """The allowed checksums and their code, in the 08-wasm module's store."""

    def __init__(self, store: Storage, code_store: Storage, vm: WasmVM, authority: str) -> None:
        self.store, self.code_store, self.vm, self.authority = store, code_store, vm, authority

    def store_code(self, signer: str, code: bytes, gas: GasMeter) -> bytes:
        """``MsgStoreCode``: check, compile and allow ``code`` (raw or gzip); its checksum."""
        require_authority(signer, self.authority)
        if code.startswith(GZIP_MAGIC):
            numerator, denominator = UNCOMPRESS_GAS_PER_BYTE
            gas.consume(len(code) * numerator // denominator, "uncompress gzip bytecode")
            try:
                code = decompress_code(code, MAX_CODE_SIZE)
            except CodeRejected as error:
                raise InvalidMessage(f"failed to store contract: {error}") from None
        if not code:
            raise InvalidMessage("wasm code cannot be empty")
        if len(code) > MAX_CODE_SIZE:
            raise InvalidMessage(f"wasm code too large: {len(code)} > {MAX_CODE_SIZE} bytes")
        checksum = hashlib.sha256(code).digest()
        if self.has(checksum):
            raise AlreadyExists(f"wasm code already exists: {checksum.hex()}")
        gas.consume(len(code) * COMPILE_GAS_PER_BYTE, "compile wasm code")
        try:
            self.vm.store_code(code)
        except VMError as error:  # refused, or the VM could not compile it within its bounds
            raise InvalidMessage(f"failed to store contract: {error}") from None
        self.store.set(_CHECKSUMS + checksum, b"")
        self.code_store.set(checksum, code)
        return checksum

    def remove(self, signer: str, checksum: bytes) -> None:
        """``MsgRemoveChecksum``: clients on it become ``Unauthorized``."""
        require_authority(signer, self.authority)
        if not self.has(checksum):
            raise NotFound(f"checksum not found: {checksum.hex()}")
        self.store.delete(_CHECKSUMS + checksum)
        self.code_store.delete(checksum)

    def has(self, checksum: bytes) -> bool:
        return self.store.get(_CHECKSUMS + checksum) is not None

    def require(self, checksum: bytes) -> None:
        """Refuse a checksum outside the allowed set."""
        if not self.has(checksum):
            raise NotFound(f"checksum not found: {checksum.hex()}")

    def checksums(self) -> Iterator[bytes]:
        for key, _ in self.store.scan(_CHECKSUMS, prefix_end(_CHECKSUMS), True):
            yield key[len(_CHECKSUMS) :]

    def codes(self) -> Iterator[bytes]:
        """The code of every allowed checksum (08-wasm's genesis contracts)."""
        for checksum in self.checksums():
            code = self.code_store.get(checksum)
            if code is not None:
                yield code

    def import_code(self, code: bytes) -> None:
        """08-wasm's ``InitGenesis``: allow ``code``, compiled without the store-time checks
        (wasmvm's ``StoreCodeUnchecked``): the exporting chain checked it."""
        checksum = self.vm.store_code(code, checked=False)
        self.store.set(_CHECKSUMS + checksum, b"")
        self.code_store.set(checksum, self.vm.code(checksum))

    def load_into_vm(self) -> None:
        """After a restart: give the VM every allowed code again."""
        for checksum in self.checksums():
            if not self.vm.has_code(checksum):
                code = self.code_store.get(checksum)
                if code is not None:
                    self.vm.store_code(code)
