"""The host's state machine: one message in, one all-or-nothing transaction out.

Each transaction runs on a cache over the committed store, through a gas-metered view with the
SDK's storage costs and a gas meter with the transaction's limit. When the message succeeds the
cache is written through; when anything fails (a rule, the contract, the VM, the gas) the cache
is dropped, so the committed store is exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from relayer_sim.host.clients import ClientKeeper, UpdateOutcome
from relayer_sim.host.contract_api import Dialect
from relayer_sim.host.errors import HostError
from relayer_sim.host.messages import (
    Msg,
    MsgCreateClient,
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRemoveChecksum,
    MsgStoreCode,
    MsgUpdateClient,
    MsgUpgradeClient,
)
from relayer_sim.host.store import CacheStore, GasKV, GasMeter, PrefixStore
from relayer_sim.host.wasm_codes import WasmCodes
from relayer_sim.host.wasm_proxy import WasmProxy
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import Storage, WasmVM

IBC_PREFIX: Final = b"ibc/"
WASM_PREFIX: Final = b"08-wasm/"


@dataclass(frozen=True)
class TxResult:
    """What one transaction did: its message's result, or the error that undid it."""

    ok: bool
    gas_used: int
    result: object = None
    error: HostError | None = None


@dataclass(frozen=True)
class Keepers:
    """The modules of one transaction, all over the same (cached, metered) store."""

    codes: WasmCodes
    clients: ClientKeeper


class HostApp:
    """Applies messages to a host's committed store."""

    def __init__(
        self,
        vm: WasmVM,
        store: Storage,
        authority: str,
        dialect: Dialect = Dialect.V10,
        allowed_clients: tuple[str, ...] = ("08-wasm",),
    ) -> None:
        self.vm, self.store, self.authority = vm, store, authority
        self.proxy = WasmProxy(vm, dialect)
        self.allowed_clients = allowed_clients

    def keepers(self, store: Storage) -> Keepers:
        codes = WasmCodes(PrefixStore(store, WASM_PREFIX), self.vm, self.authority)
        clients = ClientKeeper(
            PrefixStore(store, IBC_PREFIX), codes, self.proxy, self.authority, self.allowed_clients
        )
        return Keepers(codes, clients)

    def deliver(self, msg: Msg, env: HostEnv, gas_limit: int | None) -> TxResult:
        """Run ``msg`` as one transaction with ``gas_limit`` SDK gas (None: unlimited)."""
        cache = CacheStore(self.store)
        gas = GasMeter(gas_limit)
        keepers = self.keepers(GasKV(cache, gas))
        try:
            result = self._execute(keepers, msg, env, gas)
        except HostError as error:
            cache.discard()
            return TxResult(False, gas.consumed, error=error)
        cache.write()
        return TxResult(True, gas.consumed, result)

    def query(self) -> Keepers:
        """Read-only access to the committed state (writes through it are not allowed)."""
        return self.keepers(self.store)

    def _execute(self, keepers: Keepers, msg: Msg, env: HostEnv, gas: GasMeter) -> object:
        clients = keepers.clients
        match msg:
            case MsgStoreCode(signer, code):
                return keepers.codes.store_code(signer, code, gas)
            case MsgRemoveChecksum(signer, checksum):
                keepers.codes.remove(signer, checksum)
                return None
            case MsgMigrateContract(signer, client_id, checksum, migrate_msg):
                clients.migrate_contract(signer, client_id, checksum, migrate_msg, env, gas)
                return None
            case MsgCreateClient(_, client_state, consensus_state):
                return clients.create_client(client_state, consensus_state, env, gas)
            case MsgUpdateClient(_, client_id, client_message):
                outcome: UpdateOutcome = clients.update_client(client_id, client_message, env, gas)
                return outcome
            case MsgUpgradeClient(_, client_id, client_state, consensus_state, proof_c, proof_s):
                clients.upgrade_client(
                    client_id, client_state, consensus_state, proof_c, proof_s, env, gas
                )
                return None
            case MsgRecoverClient(signer, subject, substitute):
                clients.recover_client(signer, subject, substitute, env, gas)
                return None
