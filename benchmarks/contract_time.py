"""Where contract calls' time goes: the wasmtime lifecycle, the contract's own wasm, imports.

Every contract call runs in a fresh store and instance (as wasmvm gives it), so part of its cost
is wasmtime's and part the contract's wasm, whatever the host around it does: together they are
a floor under any host path, measured here by timing ``relayer_sim.vm.capi`` while it runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from relayer_sim.vm import WasmVM, capi


class ContractTime:
    """Seconds of the contract calls made within ``measuring``, by a VM made by ``vm``."""

    def __init__(self) -> None:
        self.calls = 0
        #: Store created, module instantiated, store deleted.
        self.lifecycle = 0.0
        #: In exported functions, imports included.
        self.exports = 0.0
        #: In imports (their crypto included).
        self.imports = 0.0
        self._depth = 0  # > 0 inside an export or import: nested time is counted outermost

    @property
    def wasm(self) -> float:
        """The contract's own wasm: time in its exports, less the imports they called."""
        return self.exports - self.imports

    def seconds(self) -> dict[str, float]:
        return {
            "lifecycle": round(self.lifecycle, 4),
            "wasm": round(self.wasm, 4),
            "imports": round(self.imports, 4),
        }

    def vm(self, **options: Any) -> WasmVM:
        """A ``WasmVM`` whose imports are timed (they are linked when it is created)."""
        original = capi.define_import

        def define_import(*args: Any) -> Any:
            *head, body, pending = args
            return original(*head, self._timed(body, "imports"), pending)

        with mock.patch.object(capi, "define_import", define_import):
            return WasmVM(**options)

    @contextmanager
    def measuring(self) -> Iterator[ContractTime]:
        """Within: the figures count from zero, and every call's lifecycle and exports are
        timed."""
        self.calls, self.lifecycle, self.exports, self.imports = 0, 0.0, 0.0, 0.0
        original_store = capi.CallStore.__init__

        def new_store(*args: Any, **kwargs: Any) -> None:
            self.calls += 1
            original_store(*args, **kwargs)

        with ExitStack() as stack:
            for owner, name, bucket, function in (
                (capi.CallStore, "__init__", "lifecycle", new_store),
                (capi.CallStore, "close", "lifecycle", vars(capi.CallStore)["close"]),
                (capi.Instance, "__init__", "lifecycle", vars(capi.Instance)["__init__"]),
                (capi.Function, "__call__", "exports", vars(capi.Function)["__call__"]),
            ):
                stack.enter_context(mock.patch.object(owner, name, self._timed(function, bucket)))
            yield self

    def _timed(self, function: Callable[..., Any], bucket: str) -> Callable[..., Any]:
        nests = bucket != "lifecycle"

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if bucket == "exports" and self._depth:
                return function(*args, **kwargs)  # allocate, called by an import
            self._depth += nests
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                setattr(self, bucket, getattr(self, bucket) + time.perf_counter() - start)
                self._depth -= nests

        return wrapper
