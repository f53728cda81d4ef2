"""What one contract call may use besides gas, and why each bound is where it is.

Gas bounds work, but not everything a call can take: a table grows 2^31 elements for one
operation, storage writes and iterators are held in host memory until the call ends, ``debug``
output costs the host disk, and a few imports buy far more wall time per gas than Wasm does. wasmvm
bounds these outside gas (memory and table caps, a fixed instance layout); these limits do the same
here, each far above what an honest contract needs, so they decide only pathological calls. Every
limit over which a call ends raises its own ``VMError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

KIB: Final = 1024
MIB: Final = 1024 * KIB

#: cosmwasm-vm's default memory limit per instance (wasmvm's ``memoryLimit`` of 32 MiB).
MEMORY_BYTES: Final = 32 * MIB
#: The static checks allow a table of at most 2,500 elements (cosmwasm-vm 2.1); growing past it
#: at run time must fail too, or ``table.grow`` buys gigabytes for one operation.
TABLE_ELEMENTS: Final = 2_500
#: At 2,000 SDK gas per write and 30 per byte (the SDK's KV gas), a transaction of 10^8 SDK gas
#: pays for at most 50,000 writes and 3.3 MB: the call-level caps sit at and above those figures.
MAX_WRITES: Final = 50_000
MAX_WRITE_BYTES: Final = 8 * MIB
#: Open iterators live until the call ends; contracts open one per range they walk.
MAX_ITERATORS: Final = 4_096
#: ``debug`` is a developer aid: past these, messages are counted and dropped, not written.
MAX_DEBUG_MESSAGES: Final = 1_000
MAX_DEBUG_BYTES: Final = 1 * MIB
#: Wall time after which a call fails however much gas it has left: a last resort behind gas,
#: which already bounds time within a small factor (benchmarks/containment.py).
DEADLINE_SECONDS: Final = 8.0
#: Contract calls running at once, nested through chain queries (a contract's ``query_chain``
#: that the host answers by calling another contract). Each nesting holds its own wasm stack on
#: the native one (up to ``module_cache.MAX_WASM_STACK``): 8 stay far inside a thread's 8 MiB.
MAX_CALL_DEPTH: Final = 8


@dataclass(frozen=True)
class CallLimits:
    """The per-call limits of a ``WasmVM``; the defaults are the constants above."""

    memory_bytes: int = MEMORY_BYTES
    table_elements: int = TABLE_ELEMENTS
    max_writes: int = MAX_WRITES
    max_write_bytes: int = MAX_WRITE_BYTES
    max_iterators: int = MAX_ITERATORS
    max_debug_messages: int = MAX_DEBUG_MESSAGES
    max_debug_bytes: int = MAX_DEBUG_BYTES
    deadline_seconds: float = DEADLINE_SECONDS
    max_call_depth: int = MAX_CALL_DEPTH
