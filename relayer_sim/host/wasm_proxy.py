"""The 08-wasm proxy: how the host calls a client's contract, as ibc-go's 08-wasm module does.

Every call pays a fixed setup cost, runs with a VM gas limit of what the transaction has left
(140 000 CosmWasm gas per SDK gas), pays for the CosmWasm gas it used, and maps the outcome to a
host error: the contract's own refusal (``ContractError``), a VM failure (``ContractFailure``),
or running out of the transaction's gas (``OutOfGas``). After a call that may write, the client
state must still be there, readable, and (except after ``migrate``) on the same checksum.

The proxy does not roll anything back: a transaction runs in a cache store that the host
discards when any of its messages fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from relayer_sim.host.contract_api import ContractClient, Dialect, UnexpectedResponse
from relayer_sim.host.errors import ContractError, ContractFailure, InvalidContractModification
from relayer_sim.host.store import GasMeter
from relayer_sim.lightclient.client import ClientError
from relayer_sim.lightclient.store import CLIENT_STATE_KEY
from relayer_sim.lightclient.wasm_wrappers import (
    WasmClientState,
    WrapperError,
    decode_client_state,
)
from relayer_sim.vm import OutOfGas as VMOutOfGas
from relayer_sim.vm import QueryHandler, Storage, VMError, WasmVM

#: CosmWasm gas per SDK gas (wasmd's default multiplier, used by 08-wasm).
GAS_MULTIPLIER: Final = 140_000
#: SDK gas charged before every contract call.
SETUP_GAS: Final = 2_000
#: The VM limit when the transaction's meter is unbounded (queries, genesis).
UNBOUNDED_VM_GAS: Final = 10**15

T = TypeVar("T")


class WasmProxy:
    """Calls into light-client contracts with 08-wasm's gas rules and post-call checks."""

    def __init__(self, vm: WasmVM, dialect: Dialect = Dialect.V10) -> None:
        self.vm, self.dialect = vm, dialect
        self._contract_gas = 0

    def take_contract_gas(self) -> int:
        """CosmWasm gas the contracts used since the last time it was taken (one
        transaction's, when the host takes it after each)."""
        used, self._contract_gas = self._contract_gas, 0
        return used

    def book_contract_gas(self, used: int) -> None:
        """Count ``used`` CosmWasm gas as the contracts' (a cached answer's, replayed)."""
        self._contract_gas += used

    def call(
        self,
        client_id: str,
        checksum: bytes,
        store: Storage,
        gas: GasMeter,
        action: Callable[[ContractClient], T],
        querier: QueryHandler | None = None,
    ) -> T:
        """Run ``action`` on the client's contract, charging its gas to ``gas``; ``querier``
        answers its chain queries."""
        gas.consume(SETUP_GAS, "wasm contract setup")
        remaining = gas.remaining
        limit = UNBOUNDED_VM_GAS if remaining is None else remaining * GAS_MULTIPLIER
        contract = ContractClient(
            self.vm,
            checksum,
            store,
            self.dialect,
            gas_limit=limit,
            address=client_id,
            querier=querier,
        )
        try:
            outcome = action(contract)
        except VMOutOfGas:
            self._contract_gas += limit
            if remaining is not None:
                gas.consume(remaining + 1, "wasm contract call")  # raises OutOfGas
            raise ContractFailure("the contract ran out of VM gas") from None
        except VMError as error:
            raise ContractFailure(f"{type(error).__name__}: {error}") from None
        except ClientError as error:
            self._charge(contract, gas)
            raise ContractError(str(error)) from None
        except UnexpectedResponse as error:
            self._charge(contract, gas)
            raise ContractFailure(str(error)) from None
        self._charge(contract, gas)
        return outcome

    def _charge(self, contract: ContractClient, gas: GasMeter) -> None:
        """Pay for the CosmWasm gas a finished call used, in SDK gas (rounded down)."""
        self._contract_gas += contract.last_gas
        gas.consume(contract.last_gas // GAS_MULTIPLIER, "wasm contract call")

    def call_and_check(
        self,
        client_id: str,
        checksum: bytes,
        store: Storage,
        gas: GasMeter,
        action: Callable[[ContractClient], T],
        *,
        expected_checksum: bytes | None,
        querier: QueryHandler | None = None,
    ) -> T:
        """A call that may write: afterwards the client state must be intact (and on
        ``expected_checksum`` unless that is None, as after ``migrate``)."""
        outcome = self.call(client_id, checksum, store, gas, action, querier)
        state = stored_client_state(store)
        if expected_checksum is not None and state.checksum != expected_checksum:
            raise InvalidContractModification(
                "the contract changed the client state's checksum "
                f"({expected_checksum.hex()} -> {state.checksum.hex()})"
            )
        return outcome


def stored_client_state(store: Storage) -> WasmClientState:
    """The client state 08-wasm reads from a client store, or ``InvalidContractModification``."""
    raw = store.get(CLIENT_STATE_KEY)
    if not raw:  # ibc-go treats an empty value as no value
        raise InvalidContractModification("the client state is missing")
    try:
        return decode_client_state(raw)
    except WrapperError as error:
        raise InvalidContractModification(f"the client state is unreadable: {error}") from None
