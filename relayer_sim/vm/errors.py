"""Typed errors of the VM.

wasmvm separates a *contract error* (the contract ran and answered ``{"error": ...}``; that is a
normal ``CallResult`` with ``ok=False``) from a *VM error* (the call itself failed: trap, abort,
out of gas, a broken ABI promise). Everything in this module is the second kind.
"""

from __future__ import annotations

from collections.abc import Sequence


class VMError(Exception):
    """A call could not complete; the contract produced no result.

    ``gas_used`` is set when the error ends a call: the gas is spent even though the call failed,
    and the host still charges it.
    """

    gas_used: int | None = None


class CodeRejected(VMError):
    """``store_code`` refused the code; ``reasons`` lists every check that failed."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons: tuple[str, ...] = tuple(reasons)
        super().__init__("code rejected: " + "; ".join(self.reasons))


class UnknownChecksum(VMError):
    """No code with this checksum was stored in this VM."""


class OutOfGas(VMError):
    """The call used more gas than its limit."""


class ContractTrap(VMError):
    """The contract trapped (``unreachable``, bad memory access, division by zero, ...)."""


class ContractAborted(VMError):
    """The contract called the ``abort`` import with a message."""


class StackOverflow(VMError):
    """The contract exhausted the wasm stack (runaway recursion)."""


class MemoryLimitExceeded(VMError):
    """The contract needed more linear memory than the VM's cap allows."""


class InstantiationFailed(VMError):
    """wasmtime could not instantiate the code for this call (a store limit, a bad segment)."""


class DeadlineExceeded(VMError):
    """The call ran longer in wall time than the VM's deadline (a last resort behind gas)."""


class RegionError(VMError):
    """A region pointer broke the ABI: null, out of bounds, length above capacity, too small."""


class ResultTooLarge(VMError):
    """The contract returned a result larger than the VM accepts."""


class InvalidResult(VMError):
    """The contract's result is not the JSON envelope its entry point must return."""


class StorageLimitExceeded(VMError):
    """A storage key or value is larger than the ABI allows."""


class WriteLimitExceeded(StorageLimitExceeded):
    """The call wrote more entries or more bytes than one call may (``CallLimits``)."""


class WriteInReadOnlyCall(VMError):
    """A ``query`` tried to write or remove a storage entry."""


class IteratorError(VMError):
    """``db_scan`` got a bad order, or ``db_next*`` an unknown iterator id."""


class IteratorLimitExceeded(IteratorError):
    """The call opened more iterators than one call may (``CallLimits``)."""


class MissingExport(VMError):
    """The contract does not export the entry point (or helper) being called."""


class InvalidExport(VMError):
    """An export the VM calls has the wrong signature (``allocate`` returning nothing, an entry
    point taking the wrong arguments, ...)."""


class ImportOutsideCall(VMError):
    """The contract called an import before the VM handed it control: from a start function,
    while instantiating, when no memory or allocator is known yet."""


class CallDepthExceeded(VMError):
    """A contract call started while ``CallLimits.max_call_depth`` calls were already running:
    a chain query (``query_chain``) that calls a contract nests a call in the one asking."""
