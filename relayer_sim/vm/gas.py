"""One call's gas account: wasm execution (wasmtime fuel) plus host work, under one limit.

The store holds fuel for the wasm side. When the contract calls an import, the host ``book``s the
fuel burned so far, ``charge``s its own work against what is left, and ``grant``s the fuel that
the remaining gas buys before wasm runs again (the import returns, or the host calls
``allocate``). No wasm runs between a booking and the next grant, so booking once per import is as
exact as booking at every charge, and ``used`` is exact: the contract can never run on gas the
host already spent.

wasmtime checks fuel only on entering a function and at loop headers, so straight-line code can
run past the grant before a check, and the fuel then reads 0. We therefore grant one unit more
than the gas buys: burning that extra unit, or more, is detected at the next booking (every
import and the end of the call) and ends the call with ``OutOfGas``.
"""

from __future__ import annotations

from relayer_sim.vm import capi
from relayer_sim.vm.errors import OutOfGas
from relayer_sim.vm.gas_costs import GAS_PER_OPERATION

#: Fuel granted beyond what the gas buys, so that an overrun leaves a trace (see above).
_OVERRUN_MARGIN = 1


class GasMeter:
    """Meters one call against ``limit`` CosmWasm gas; starts with the whole limit granted."""

    def __init__(self, context: capi.Context, limit: int) -> None:
        if limit < 0:
            raise ValueError(f"gas limit must be non-negative, got {limit}")
        self._context = context
        self.limit = limit
        self._booked = 0
        #: Of what is booked, the gas that host services outside the VM used (chain queries).
        self.external = 0
        self._granted_fuel = 0
        self.grant()

    def grant(self) -> None:
        """Give wasm the fuel that the gas left buys (call before wasm runs again)."""
        self._granted_fuel = (self.limit - self._booked) // GAS_PER_OPERATION + _OVERRUN_MARGIN
        capi.set_fuel(self._context, self._granted_fuel)

    def book(self) -> None:
        """Book the fuel burned since the last grant; ``OutOfGas`` if it broke the limit."""
        burned = self._granted_fuel - capi.get_fuel(self._context)
        self._booked += burned * GAS_PER_OPERATION
        self._granted_fuel -= burned
        if self._booked > self.limit:
            self.exhaust()
            raise OutOfGas(f"out of gas: the call used its whole limit of {self.limit}")

    def settle(self) -> int:
        """Book the fuel of a finished call and return the gas used (``OutOfGas`` on overrun)."""
        self.book()
        return self._booked

    def charge(self, gas: int, what: str) -> None:
        """Charge host work (after ``book``); ``OutOfGas`` (spending the rest) if it does not
        fit."""
        left = self.limit - self._booked
        if gas > left:
            self.exhaust()
            raise OutOfGas(f"out of gas: {what} costs {gas}, {left} left of the limit {self.limit}")
        self._booked += gas

    def charge_external(self, gas: int, what: str) -> None:
        """Charge gas a service outside the VM used (a chain query): it counts against the
        limit, and is reported apart (wasmvm's ``externally_used``), because the host already
        charged it to the transaction."""
        self.charge(gas, what)
        self.external += gas

    @property
    def remaining(self) -> int:
        """Gas left of the limit (after ``book``)."""
        return self.limit - self._booked

    def exhaust(self) -> None:
        """Record that the call ran out of fuel: it used its whole limit."""
        self._booked = self.limit
        self._granted_fuel = 0
        capi.set_fuel(self._context, 0)

    @property
    def used(self) -> int:
        """Gas booked so far, wasm and host together (call ``settle`` first for the total)."""
        return self._booked
