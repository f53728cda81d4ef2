"""A CosmWasm-compatible Wasm VM on wasmtime. It knows nothing about IBC.

``WasmVM`` stores code (static checks, gzip, compile cache) and runs the four entry points
08-wasm uses, metered in CosmWasm gas and bounded by ``CallLimits``, against any ``Storage``.
"""

from relayer_sim.vm.errors import (
    CallDepthExceeded,
    CodeRejected,
    ContractAborted,
    ContractTrap,
    DeadlineExceeded,
    ImportOutsideCall,
    InstantiationFailed,
    InvalidExport,
    InvalidResult,
    IteratorError,
    IteratorLimitExceeded,
    MemoryLimitExceeded,
    MissingExport,
    OutOfGas,
    RegionError,
    ResultTooLarge,
    StackOverflow,
    StorageLimitExceeded,
    UnknownChecksum,
    VMError,
    WriteInReadOnlyCall,
    WriteLimitExceeded,
)
from relayer_sim.vm.imports import QueryAnswer, QueryHandler, unsupported_query
from relayer_sim.vm.limits import CallLimits
from relayer_sim.vm.machine import CallResult, WasmVM
from relayer_sim.vm.static_checks import StaticLimits, StaticReport, analyze
from relayer_sim.vm.storage import MemoryStorage, Storage

__all__ = [
    "CallDepthExceeded",
    "CallLimits",
    "CallResult",
    "CodeRejected",
    "ContractAborted",
    "ContractTrap",
    "DeadlineExceeded",
    "ImportOutsideCall",
    "InstantiationFailed",
    "InvalidExport",
    "InvalidResult",
    "IteratorError",
    "IteratorLimitExceeded",
    "MemoryLimitExceeded",
    "MemoryStorage",
    "MissingExport",
    "OutOfGas",
    "QueryAnswer",
    "QueryHandler",
    "RegionError",
    "ResultTooLarge",
    "StackOverflow",
    "StaticLimits",
    "StaticReport",
    "Storage",
    "StorageLimitExceeded",
    "UnknownChecksum",
    "VMError",
    "WasmVM",
    "WriteInReadOnlyCall",
    "WriteLimitExceeded",
    "analyze",
    "unsupported_query",
]
