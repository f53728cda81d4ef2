"""02-client for 08-wasm clients: creating, updating, upgrading, recovering and migrating light
clients, and answering for their status, as ibc-go's client keeper and 08-wasm module do. The
hard-fork baseline's native clients (``relayer_sim.host.native``) live beside them under the
same rules; their code is the host binary's, so ``MsgMigrateContract`` does not apply to them.

Each client keeps its state in its own prefix of the IBC store (``clients/{client id}/``),
which is the storage its contract sees. Every rule is checked in ibc-go's order, with an error
of the kind ibc-go would return; a refused message raises before it has any effect that the
host would keep (the host discards a failed transaction's writes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol, TypeVar

from relayer_sim.host.contract_api import ContractClient
from relayer_sim.host.errors import (
    AlreadyExists,
    ClientStatusError,
    ContractError,
    ContractFailure,
    InvalidContractModification,
    InvalidHeight,
    InvalidMessage,
    InvalidRecoveryClient,
    NotFound,
    OutOfGas,
    require_authority,
)
from relayer_sim.host.limits import query_gas_meter
from relayer_sim.host.native import NATIVE_CHECKSUM, NATIVE_CLIENT_TYPE, NativeModule
from relayer_sim.host.params import is_allowed
from relayer_sim.host.querier import ChainQuerier, QuerierFactory
from relayer_sim.host.status_cache import CachedStatus, StatusCacheView
from relayer_sim.host.store import GasMeter
from relayer_sim.host.validation import client_identifier
from relayer_sim.host.wasm_codes import WasmCodes
from relayer_sim.host.wasm_proxy import WasmProxy, stored_client_state
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import CLIENT_STATE_KEY, HostEnv, consensus_key
from relayer_sim.lightclient.wasm_wrappers import (
    WasmClientState,
    WasmConsensusState,
    WrapperError,
    decode_client_state,
    decode_consensus_state,
)
from relayer_sim.vm import QueryHandler, Storage
from relayer_sim.vm.imports import unsupported_query
from relayer_sim.vm.storage import Pair, PrefixStore

CLIENT_TYPE: Final = "08-wasm"
_CLIENTS: Final = b"clients/"
NEXT_CLIENT_SEQUENCE_KEY: Final = b"nextClientSequence"
_SUBJECT: Final = b"subject/"
_SUBSTITUTE: Final = b"substitute/"

T = TypeVar("T")


class LightClientCalls(Protocol):
    """What 02-client asks of a light client, contract (``ContractClient``) or native
    (``LightClient`` or ``TendermintClient``, by the counterparty's format) alike."""

    def instantiate(
        self, client_state: bytes, consensus_state: bytes, checksum: bytes, env: HostEnv
    ) -> None: ...
    def status(self, env: HostEnv) -> str: ...
    def timestamp_at_height(self, height: Height, env: HostEnv) -> int: ...
    def verify_client_message(self, client_message: bytes, env: HostEnv) -> None: ...
    def check_for_misbehaviour(self, client_message: bytes, env: HostEnv) -> bool: ...
    def update_state(self, client_message: bytes, env: HostEnv) -> list[Height]: ...
    def update_state_on_misbehaviour(self, client_message: bytes, env: HostEnv) -> None: ...
    def verify_membership(
        self,
        height: Height,
        delay_time_ns: int,
        delay_blocks: int,
        proof: bytes,
        key_path: Sequence[bytes],
        value: bytes,
        env: HostEnv,
    ) -> None: ...
    def verify_non_membership(
        self,
        height: Height,
        delay_time_ns: int,
        delay_blocks: int,
        proof: bytes,
        key_path: Sequence[bytes],
        env: HostEnv,
    ) -> None: ...
    def verify_upgrade_and_update_state(
        self,
        upgrade_client_state: bytes,
        upgrade_consensus_state: bytes,
        proof_upgrade_client: bytes,
        proof_upgrade_consensus_state: bytes,
        env: HostEnv,
    ) -> None: ...
    def migrate_client_store(self, env: HostEnv) -> None: ...
    def migrate(self, env: HostEnv, msg: bytes = b"{}") -> None: ...
    def export_metadata(self, env: HostEnv) -> list[tuple[bytes, bytes]]: ...


Action = Callable[[LightClientCalls], T]


class Status(StrEnum):
    """A client's status, as 02-client reports it."""

    ACTIVE = "Active"
    FROZEN = "Frozen"
    EXPIRED = "Expired"
    UNKNOWN = "Unknown"
    UNAUTHORIZED = "Unauthorized"


@dataclass(frozen=True)
class UpdateOutcome:
    """What ``MsgUpdateClient`` did: new consensus heights, or a freeze on misbehaviour."""

    heights: tuple[Height, ...]
    misbehaviour: bool


@dataclass(frozen=True)
class Migration:
    """What ``MsgMigrateContract`` did: the client moved from one checksum to another."""

    old_checksum: bytes
    new_checksum: bytes


class ClientKeeper:
    """The light clients of one host: wasm clients, and the binary's native ones."""

    def __init__(
        self,
        store: Storage,
        codes: WasmCodes,
        proxy: WasmProxy,
        native: NativeModule,
        authority: str,
        allowed_clients: Callable[[], tuple[str, ...]],
        status_cache: StatusCacheView | None = None,
        querier_for: QuerierFactory | None = None,
    ) -> None:
        self.store, self.codes, self.proxy, self.native = store, codes, proxy, native
        self.authority = authority
        #: 02-client's ``allowed_clients`` param, read when asked (governance changes it).
        self.allowed_clients = allowed_clients
        #: Status answers of the committed state (``relayer_sim.host.status_cache``), if any.
        self.status_cache = status_cache
        #: The querier of a contract call made at ``env`` and paid by ``gas`` (None: the VM's).
        self.querier_for = querier_for

    # -- stores and state ---------------------------------------------------------------------

    def client_store(self, client_id: str) -> PrefixStore:
        """The client's own store; its id must be an ICS-24 client identifier (a query names
        it as freely as a message does)."""
        return PrefixStore(self.store, _client_prefix(client_id))

    def client_state(self, client_id: str) -> WasmClientState:
        store = self.client_store(client_id)
        if store.get(b"clientState") is None:
            raise NotFound(f"client not found: {client_id}")
        return stored_client_state(store)

    def consensus_state(self, client_id: str, height: Height) -> WasmConsensusState:
        self.client_state(client_id)
        raw = self.client_store(client_id).get(consensus_key(height))
        if raw is None:
            raise NotFound(f"consensus state not found: {client_id} at {height}")
        try:
            return decode_consensus_state(raw)
        except WrapperError as error:
            raise NotFound(
                f"consensus state unreadable: {client_id} at {height}: {error}"
            ) from None

    def latest_height(self, client_id: str) -> Height:
        return self.client_state(client_id).latest_height

    def _querier(self, env: HostEnv, gas: GasMeter) -> ChainQuerier | None:
        return None if self.querier_for is None else self.querier_for(env, gas)

    def _call(
        self,
        client_id: str,
        env: HostEnv,
        gas: GasMeter,
        action: Action[T],
        querier: QueryHandler | None = None,
    ) -> T:
        state = self.client_state(client_id)
        store = self.client_store(client_id)
        return self._run(client_id, state.checksum, store, env, gas, action, querier)

    def _run(
        self,
        client_id: str,
        checksum: bytes,
        store: Storage,
        env: HostEnv,
        gas: GasMeter,
        action: Action[T],
        querier: QueryHandler | None = None,
    ) -> T:
        """Call the client's code: the binary's for a native client, else its contract, whose
        chain queries ``querier`` answers (None: a fresh one for ``env`` and ``gas``)."""
        if checksum == NATIVE_CHECKSUM:
            return self.native.call(store, action)
        if querier is None:
            querier = self._querier(env, gas)
        return self.proxy.call(client_id, checksum, store, gas, action, querier)

    def _call_and_check(self, client_id: str, env: HostEnv, gas: GasMeter, action: Action[T]) -> T:
        checksum = self.client_state(client_id).checksum
        return self._run_and_check(
            client_id, checksum, self.client_store(client_id), env, gas, action, checksum
        )

    def _run_and_check(
        self,
        client_id: str,
        checksum: bytes,
        store: Storage,
        env: HostEnv,
        gas: GasMeter,
        action: Action[T],
        expected_checksum: bytes | None,
    ) -> T:
        """A call that may write; a contract's is checked afterwards (the binary's own code
        is trusted with its store)."""
        if checksum == NATIVE_CHECKSUM:
            return self.native.call(store, action)
        return self.proxy.call_and_check(
            client_id,
            checksum,
            store,
            gas,
            action,
            expected_checksum=expected_checksum,
            querier=self._querier(env, gas),
        )

    def status(self, client_id: str, env: HostEnv, gas: GasMeter) -> Status:
        """``Unauthorized`` without asking the contract when its code was removed (or the
        client type is not allowed); ``Unknown`` when the contract cannot answer."""
        state = self.client_state(client_id)
        if state.checksum == NATIVE_CHECKSUM:
            allowed = is_allowed(self.allowed_clients(), NATIVE_CLIENT_TYPE)
        else:
            allowed = is_allowed(self.allowed_clients(), CLIENT_TYPE)
            allowed = allowed and self.codes.has(state.checksum)
        if not allowed:
            return Status.UNAUTHORIZED
        try:
            answer = self._status_answer(client_id, state.checksum, env, gas)
        except (ContractError, ContractFailure):
            return Status.UNKNOWN
        try:
            return Status(answer)
        except ValueError:
            return Status.UNKNOWN

    def _status_answer(self, client_id: str, checksum: bytes, env: HostEnv, gas: GasMeter) -> str:
        """The client's answer to ``status``: from the status cache when it holds the answer a
        fresh call would give (charging ``gas`` what that call would), else from the client,
        recording a successful answer and what it charged."""
        cache = self.status_cache
        key = None
        wasm = checksum != NATIVE_CHECKSUM
        # A contract that may ask the chain (``query_chain``) could see more than its store.
        if cache is not None and self.proxy.vm.query_handler is unsupported_query:
            code = (
                (checksum, self.proxy.dialect) if wasm else (self.native.binary, self.native.format)
            )
            key = cache.key(client_id, _client_prefix(client_id), code, env, gas)
        if key is None:
            return self._call(client_id, env, gas, lambda client: client.status(env))
        assert cache is not None
        answer = cache.replay(key, gas, self.proxy)
        if answer is not None:
            return answer
        querier = self._querier(env, gas)
        before = gas.consumed
        started: list[int] = []

        def ask(client: LightClientCalls) -> str:
            started.append(gas.consumed - before)  # the VM limit is set: what was left here
            answer = client.status(env)
            started.append(client.last_gas if isinstance(client, ContractClient) else 0)
            return answer

        answer = self._call(client_id, env, gas, ask, querier)
        if querier is not None and querier.asked:
            return answer  # it asked the chain: it depends on more than the client's store
        gas_before_vm, contract_gas = started
        cache.record(
            key, CachedStatus(answer, gas.consumed - before, gas_before_vm, contract_gas, wasm)
        )
        return answer

    def status_of(self, client_id: str, env: HostEnv, gas: GasMeter) -> Status:
        """02-client's ``GetClientStatus``: ``status``, or ``Unknown`` for a client that does
        not exist (08-wasm's answer without a client state)."""
        try:
            return self.status(client_id, env, gas)
        except NotFound:
            return Status.UNKNOWN

    def query_status(self, client_id: str, env: HostEnv) -> Status:
        """The status a node answers to an off-chain query, under the smart-query gas cap
        (``relayer_sim.host.limits``). A contract that spends it all makes the node's query fail
        out of gas (08-wasm's gas register panics when the meter reaches its limit): the asker
        learns nothing, which is ``Unknown`` here."""
        try:
            return self.status(client_id, env, query_gas_meter())
        except OutOfGas:
            return Status.UNKNOWN

    def _require_active(self, client_id: str, env: HostEnv, gas: GasMeter, action: str) -> None:
        status = self.status(client_id, env, gas)
        if status != Status.ACTIVE:
            raise ClientStatusError(f"cannot {action} client ({client_id}) with status {status}")

    # -- MsgCreateClient ----------------------------------------------------------------------

    def create_client(
        self, client_state: bytes, consensus_state: bytes, env: HostEnv, gas: GasMeter
    ) -> str:
        """Instantiate a contract for a new client; its id, ``08-wasm-N`` (``07-tendermint-N``
        for the binary's native light client, named by ``NATIVE_CHECKSUM``)."""
        try:
            wrapped_client = decode_client_state(client_state)
            wrapped_consensus = decode_consensus_state(consensus_state)
        except WrapperError as error:
            raise InvalidMessage(f"invalid client or consensus state: {error}") from None
        checksum = wrapped_client.checksum
        client_type = NATIVE_CLIENT_TYPE if checksum == NATIVE_CHECKSUM else CLIENT_TYPE
        if not is_allowed(self.allowed_clients(), client_type):
            raise InvalidMessage(
                f"client state type {client_type} is not registered in the allowlist"
            )
        if client_type == CLIENT_TYPE:
            self.codes.require(checksum)
        client_id = self._next_client_id(client_type)
        self._run_and_check(
            client_id,
            checksum,
            self.client_store(client_id),
            env,
            gas,
            lambda client: client.instantiate(
                wrapped_client.data, wrapped_consensus.data, checksum, env
            ),
            checksum,
        )
        self._require_active(client_id, env, gas, "create")
        return client_id

    def _next_client_id(self, client_type: str) -> str:
        """One sequence for every client type, as in ibc-go."""
        raw = self.store.get(NEXT_CLIENT_SEQUENCE_KEY)
        sequence = int.from_bytes(raw, "big") if raw is not None else 0
        self.store.set(NEXT_CLIENT_SEQUENCE_KEY, (sequence + 1).to_bytes(8, "big"))
        return f"{client_type}-{sequence}"

    # -- MsgUpdateClient ----------------------------------------------------------------------

    def update_client(
        self, client_id: str, client_message: bytes, env: HostEnv, gas: GasMeter
    ) -> UpdateOutcome:
        """Verify, check for misbehaviour, then update the client or freeze it."""
        self._require_active(client_id, env, gas, "update")
        self._call(client_id, env, gas, lambda c: c.verify_client_message(client_message, env))
        try:
            found = self._call(
                client_id, env, gas, lambda c: c.check_for_misbehaviour(client_message, env)
            )
        except (ContractError, ContractFailure):
            found = False  # 08-wasm: any error of the query counts as no misbehaviour found
        if found:
            self._call_and_check(
                client_id, env, gas, lambda c: c.update_state_on_misbehaviour(client_message, env)
            )
            return UpdateOutcome((), misbehaviour=True)
        heights = self._call_and_check(
            client_id, env, gas, lambda c: c.update_state(client_message, env)
        )
        return UpdateOutcome(tuple(heights), misbehaviour=False)

    # -- MsgUpgradeClient ---------------------------------------------------------------------

    def upgrade_client(
        self,
        client_id: str,
        upgraded_client: bytes,
        upgraded_consensus: bytes,
        proof_client: bytes,
        proof_consensus: bytes,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        """Move a client to the counterparty's next revision, proven by its upgrade key."""
        current = self.client_state(client_id)
        self._require_active(client_id, env, gas, "upgrade")
        try:
            new_client = decode_client_state(upgraded_client)
            new_consensus = decode_consensus_state(upgraded_consensus)
        except WrapperError as error:
            raise InvalidMessage(f"invalid upgraded client or consensus state: {error}") from None
        if not new_client.latest_height > current.latest_height:
            raise InvalidMessage(
                f"upgraded client height {new_client.latest_height} must be greater than "
                f"current client height {current.latest_height}"
            )
        self._call_and_check(
            client_id,
            env,
            gas,
            lambda c: c.verify_upgrade_and_update_state(
                new_client.data, new_consensus.data, proof_client, proof_consensus, env
            ),
        )

    # -- MsgRecoverClient ---------------------------------------------------------------------

    def recover_client(
        self, signer: str, subject: str, substitute: str, env: HostEnv, gas: GasMeter
    ) -> None:
        """Governance moves a frozen or expired client onto a healthy substitute's state."""
        require_authority(signer, self.authority)
        if subject == substitute:
            raise InvalidMessage("subject and substitute client identifiers must not be equal")
        subject_state = self._existing(subject, "subject")
        if self.status(subject, env, gas) == Status.ACTIVE:
            raise InvalidRecoveryClient("cannot recover Active subject client")
        substitute_state = self._existing(substitute, "substitute")
        if subject_state.latest_height >= substitute_state.latest_height:
            raise InvalidMessage(
                "subject client state latest height is greater or equal to substitute client "
                f"state latest height ({subject_state.latest_height} >= "
                f"{substitute_state.latest_height})"
            )
        substitute_status = self.status(substitute, env, gas)
        if substitute_status != Status.ACTIVE:
            raise ClientStatusError(
                f"substitute client is not Active, status is {substitute_status}"
            )
        if subject_state.checksum != substitute_state.checksum:
            raise InvalidMessage(
                "expected checksums to be equal: expected "
                f"{subject_state.checksum.hex()}, got {substitute_state.checksum.hex()}"
            )
        recovery = RecoveryStore(self.client_store(subject), self.client_store(substitute))
        self._run(
            subject,
            subject_state.checksum,
            recovery,
            env,
            gas,
            lambda c: c.migrate_client_store(env),
        )
        after = stored_client_state(self.client_store(subject))
        if after.checksum != subject_state.checksum:
            raise InvalidContractModification(
                "the contract changed the subject's checksum during recovery"
            )

    def _existing(self, client_id: str, role: str) -> WasmClientState:
        try:
            return self.client_state(client_id)
        except NotFound:
            raise NotFound(f"{role} client state not found: {client_id}") from None

    # -- MsgMigrateContract (08-wasm) ---------------------------------------------------------

    def migrate_contract(
        self,
        signer: str,
        client_id: str,
        checksum: bytes,
        msg: bytes,
        env: HostEnv,
        gas: GasMeter,
    ) -> Migration:
        """Move a client to other stored code: ``migrate`` runs under the new code, then the
        client state records the new checksum. No host binary changes."""
        require_authority(signer, self.authority)
        if not msg:
            raise InvalidMessage("migrate message cannot be empty")
        current = self.client_state(client_id)
        if current.checksum == NATIVE_CHECKSUM:
            raise InvalidMessage(
                f"{client_id} is not a wasm client: its code changes only with the host binary"
            )
        self.codes.require(checksum)
        if current.checksum == checksum:
            raise AlreadyExists(f"new checksum ({checksum.hex()}) is the same as current checksum")
        store = self.client_store(client_id)
        self.proxy.call_and_check(
            client_id,
            checksum,
            store,
            gas,
            lambda c: c.migrate(env, msg),
            expected_checksum=None,
            querier=self._querier(env, gas),
        )
        migrated = stored_client_state(store)
        store.set(
            b"clientState",
            WasmClientState(migrated.data, checksum, migrated.latest_height).encode(),
        )
        return Migration(current.checksum, checksum)

    # -- a host binary upgrade ----------------------------------------------------------------

    def migrate_native_clients(self, env: HostEnv) -> None:
        """The upgrade handler's part: every native client's state migrated by the binary now
        running, as its store migration on a software upgrade (sim-tendermint rewrites a v1
        state in the v2 format; 07-tendermint states are the same for both, only checked)."""
        for client_id in self.client_ids():
            if self.client_state(client_id).checksum == NATIVE_CHECKSUM:
                store = self.client_store(client_id)
                self.native.call(store, lambda c: c.migrate(env))

    def client_ids(self) -> Iterator[str]:
        """Every client's id, in key order."""
        end = _CLIENTS[:-1] + bytes([_CLIENTS[-1] + 1])
        for key, _ in self.store.scan(_CLIENTS, end, True):
            client_id, _, rest = key[len(_CLIENTS) :].partition(b"/")
            if rest == CLIENT_STATE_KEY:
                yield client_id.decode()

    # -- proofs -------------------------------------------------------------------------------

    def verify_membership(
        self,
        client_id: str,
        height: Height,
        proof: bytes,
        key_path: Sequence[bytes],
        value: bytes | None,
        env: HostEnv,
        gas: GasMeter,
        delay_time_ns: int = 0,
        delay_blocks: int = 0,
    ) -> None:
        """A counterparty key (``value`` None: its absence) proven at ``height``."""
        latest = self.latest_height(client_id)
        if latest < height:
            raise InvalidHeight(
                f"client state height < proof height ({latest} < {height}), please ensure the "
                "client has been updated"
            )
        if value is None:
            self._call(
                client_id,
                env,
                gas,
                lambda c: c.verify_non_membership(
                    height, delay_time_ns, delay_blocks, proof, key_path, env
                ),
            )
        else:
            self._call(
                client_id,
                env,
                gas,
                lambda c: c.verify_membership(
                    height, delay_time_ns, delay_blocks, proof, key_path, value, env
                ),
            )

    def timestamp_at_height(
        self, client_id: str, height: Height, env: HostEnv, gas: GasMeter
    ) -> int:
        """The counterparty's time at ``height``, as the client's consensus state holds it
        (ibc-go's ``GetClientTimestampAtHeight``)."""
        return self._call(client_id, env, gas, lambda c: c.timestamp_at_height(height, env))

    # -- genesis ------------------------------------------------------------------------------

    def export_metadata(self, client_id: str, env: HostEnv) -> list[Pair]:
        """What the light client exports of its store besides its states (02-client's
        ``GetAllClientMetadata``): for 08-wasm, the contract's ``export_metadata``."""
        return self._call(client_id, env, GasMeter(None), lambda c: c.export_metadata(env))


def _client_prefix(client_id: str) -> bytes:
    """Where a client's store lies in the IBC store."""
    return _CLIENTS + client_identifier(client_id).encode() + b"/"


class RecoveryStore:
    """The store ``migrate_client_store`` sees: ``subject/…`` reaches the subject's store,
    ``substitute/…`` reads the substitute's; anything else reads as empty and ignores writes,
    as ibc-go's ``migrateClientWrappedStore``."""

    def __init__(self, subject: Storage, substitute: Storage) -> None:
        self._subject, self._substitute = subject, substitute

    def _route(self, key: bytes) -> tuple[Storage | None, bytes, bool]:
        if key.startswith(_SUBJECT):
            return self._subject, key[len(_SUBJECT) :], True
        if key.startswith(_SUBSTITUTE):
            return self._substitute, key[len(_SUBSTITUTE) :], False
        return None, key, False

    def get(self, key: bytes) -> bytes | None:
        store, inner, _ = self._route(key)
        return None if store is None else store.get(inner)

    def set(self, key: bytes, value: bytes) -> None:
        store, inner, writable = self._route(key)
        if store is not None and writable:
            store.set(inner, value)

    def delete(self, key: bytes) -> None:
        store, inner, writable = self._route(key)
        if store is not None and writable:
            store.delete(inner)

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        for prefix, store in ((_SUBJECT, self._subject), (_SUBSTITUTE, self._substitute)):
            if start is not None and start.startswith(prefix):
                inner_end = (
                    end[len(prefix) :] if end is not None and end.startswith(prefix) else None
                )
                for key, value in store.scan(start[len(prefix) :], inner_end, ascending):
                    yield prefix + key, value
                return
