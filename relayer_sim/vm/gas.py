"""One call's gas account: wasm execution (wasmtime fuel) plus host work, under one limit.

The store holds fuel for the wasm side. Whenever the host charges gas it first books the fuel
burned so far, then re-grants the fuel that the remaining gas buys, so ``used`` is exact and the
contract can never run on gas the host already spent.

wasmtime checks fuel only on entering a function and at loop headers, so straight-line code can
run past the grant before a check, and ``get_fuel`` then reads 0. We therefore grant one unit more
than the gas buys: burning that extra unit, or more, is detected at the next booking (every host
charge and the end of the call) and ends the call with ``OutOfGas``.
"""

from __future__ import annotations

import wasmtime

from relayer_sim.vm.errors import OutOfGas
from relayer_sim.vm.gas_costs import GAS_PER_OPERATION

#: Fuel granted beyond what the gas buys, so that an overrun leaves a trace (see above).
_OVERRUN_MARGIN = 1


class GasMeter:
    """Meters one call against ``limit`` CosmWasm gas."""

    def __init__(self, store: wasmtime.Store, limit: int) -> None:
        if limit < 0:
            raise ValueError(f"gas limit must be non-negative, got {limit}")
        self._store = store
        self.limit = limit
        self._booked = 0
        self._granted_fuel = 0
        self._grant()

    def _grant(self) -> None:
        self._granted_fuel = (self.limit - self._booked) // GAS_PER_OPERATION + _OVERRUN_MARGIN
        self._store.set_fuel(self._granted_fuel)

    def _book_fuel(self) -> None:
        """Book the fuel burned since the last grant; ``OutOfGas`` if it broke the limit."""
        burned = self._granted_fuel - self._store.get_fuel()
        self._booked += burned * GAS_PER_OPERATION
        self._granted_fuel -= burned
        if self._booked > self.limit:
            self.exhaust()
            raise OutOfGas(f"out of gas: the call used its whole limit of {self.limit}")

    def settle(self) -> int:
        """Book the fuel of a finished call and return the gas used (``OutOfGas`` on overrun)."""
        self._book_fuel()
        return self._booked

    def charge(self, gas: int, what: str) -> None:
        """Charge host work; raises ``OutOfGas`` (and spends the rest) if it does not fit."""
        self._book_fuel()
        left = self.limit - self._booked
        if gas > left:
            self.exhaust()
            raise OutOfGas(f"out of gas: {what} costs {gas}, {left} left of the limit {self.limit}")
        self._booked += gas
        self._grant()

    def exhaust(self) -> None:
        """Record that the call ran out of fuel: it used its whole limit."""
        self._booked = self.limit
        self._granted_fuel = 0
        self._store.set_fuel(0)

    @property
    def used(self) -> int:
        """Gas booked so far, wasm and host together (call ``settle`` first for the total)."""
        return self._booked
