"""The host's state machine: transactions, blocks, governance, durable commits and genesis.

A transaction runs one message on a cache over the block's working state, through a
gas-metered view with the SDK's storage costs and a meter holding the transaction's limit. When
the message succeeds its cache is written into the block; when anything fails (a rule, the
contract, the VM, the gas) the cache is dropped, so nothing of it remains. At the end of a block
governance tallies the proposals whose voting ended and runs the passed ones as the authority,
each all-or-nothing; ``commit`` then makes the block's writes permanent, appends them to the
block log when the host has one, and returns the new app hash. IBC core's messages go through
ibc-go's message servers (``relayer_sim.host.msg_server``); a successful transaction carries its
SDK events (``relayer_sim.host.events``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Final

from relayer_sim.formats.ics24 import DEFAULT_COMMITMENT_PREFIX
from relayer_sim.host import client_queries, genesis, msg_server, wasm_queries
from relayer_sim.host.app_hash import Block, next_app_hash
from relayer_sim.host.channels import ChannelKeeper
from relayer_sim.host.clients import CLIENT_TYPE, ClientKeeper, UpdateOutcome
from relayer_sim.host.codec import decode_message, encode_message
from relayer_sim.host.connections import ConnectionKeeper
from relayer_sim.host.contract_api import Dialect
from relayer_sim.host.durability import BlockLog
from relayer_sim.host.errors import (
    HostError,
    InvalidMessage,
    Unauthorized,
    require_authority,
)
from relayer_sim.host.events import SdkEvent, message_events
from relayer_sim.host.governance import (
    GOV_AUTHORITY,
    Governance,
    GovParams,
    MessageGas,
    ProposalOutcome,
    ProposalStatus,
)
from relayer_sim.host.limits import PROPOSAL_MESSAGE_GAS
from relayer_sim.host.messages import (
    Msg,
    MsgAcknowledgement,
    MsgChannelCloseConfirm,
    MsgChannelCloseInit,
    MsgChannelOpenAck,
    MsgChannelOpenConfirm,
    MsgChannelOpenInit,
    MsgChannelOpenTry,
    MsgConnectionOpenAck,
    MsgConnectionOpenConfirm,
    MsgConnectionOpenInit,
    MsgConnectionOpenTry,
    MsgCreateClient,
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRecvPacket,
    MsgRemoveChecksum,
    MsgSendPacket,
    MsgSoftwareUpgrade,
    MsgStoreCode,
    MsgSubmitProposal,
    MsgTimeout,
    MsgTimeoutOnClose,
    MsgUpdateClient,
    MsgUpdateClientParams,
    MsgUpdateConnectionParams,
    MsgUpgradeClient,
    MsgVote,
)
from relayer_sim.host.native import NATIVE_CLIENT_TYPE, NativeModule
from relayer_sim.host.packed_store import PackedStorage
from relayer_sim.host.packets import PacketKeeper
from relayer_sim.host.params import ConnectionParams, Params
from relayer_sim.host.querier import DEFAULT_ACCEPT_LIST, VERIFY_MEMBERSHIP_PATH, ChainQuerier
from relayer_sim.host.status_cache import StatusCache
from relayer_sim.host.store import CacheStore, GasKV, GasMeter
from relayer_sim.host.upgrade import UpgradeKeeper, UpgradePlan
from relayer_sim.host.validation import validate_basic
from relayer_sim.host.wasm_codes import WasmCodes
from relayer_sim.host.wasm_proxy import WasmProxy
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import Storage, VMError, WasmVM
from relayer_sim.vm.storage import PrefixStore

IBC_PREFIX: Final = b"ibc/"
WASM_PREFIX: Final = b"08-wasm/"
CODE_PREFIX: Final = b"wasm-code/"
GOV_PREFIX: Final = b"gov/"
UPGRADE_PREFIX: Final = b"upgrade/"
APP_HASH_KEY: Final = b"appHash"


@dataclass(frozen=True)
class HostConfig:
    """What a host is: its API dialect, who governs it and who votes."""

    dialect: Dialect = Dialect.V10
    authority: str = GOV_AUTHORITY
    #: 02-client's ``allowed_clients`` param at genesis (``MsgUpdateClientParams`` changes it).
    allowed_clients: tuple[str, ...] = (CLIENT_TYPE, NATIVE_CLIENT_TYPE)
    #: The host binary at genesis, which fixes its native light client (``BINARIES``).
    binary: str = "v1"
    #: The wire format of the counterparty its native light client reads (``BINARIES``).
    counterparty_format: str = "sim-tendermint"
    gov: GovParams = field(default_factory=GovParams)
    #: Validator address → voting power (governance votes).
    validators: Mapping[str, int] = field(default_factory=dict)
    #: Answer a client's repeated ``status`` over the same committed state from a cache
    #: (``relayer_sim.host.status_cache``); off, every status is a fresh call. Traces are the
    #: same either way.
    status_cache: bool = True
    #: Stargate query paths contracts may ask besides 08-wasm's default accept list (ibc-go's
    #: ``AcceptListStargateQuerier`` option, set when the app is wired: not a governed param).
    stargate_accept_list: tuple[str, ...] = ()
    #: Where the host's IBC store is proven: what counterparties name in their connection
    #: ends (ibc-go's ``GetCommitmentPrefix``, the IBC store key).
    commitment_prefix: bytes = DEFAULT_COMMITMENT_PREFIX
    #: 03-connection's params at genesis (``MsgUpdateConnectionParams`` changes them).
    connection_params: ConnectionParams = field(default_factory=ConnectionParams)


@dataclass(frozen=True)
class TxResult:
    """What one transaction did: its message's result, or the error that undid it."""

    ok: bool
    #: SDK gas, everything included.
    gas_used: int
    #: CosmWasm gas of the contract calls (already part of ``gas_used``, at 140 000 per SDK gas).
    contract_gas: int = 0
    result: object = None
    error: HostError | None = None
    #: The SDK events it emitted (``relayer_sim.host.events``): none when it failed.
    events: tuple[SdkEvent, ...] = ()


@dataclass(frozen=True)
class Keepers:
    """The modules of one transaction, all over the same (cached, metered) store."""

    codes: WasmCodes
    params: Params
    clients: ClientKeeper
    connections: ConnectionKeeper
    channels: ChannelKeeper
    packets: PacketKeeper
    gov: Governance[Msg]
    upgrade: UpgradeKeeper


class UpgradeNeeded(Exception):
    """The chain cannot make this block: a planned upgrade needs another binary."""

    def __init__(self, plan: UpgradePlan) -> None:
        super().__init__(
            f"upgrade {plan.name!r} needs binary {plan.binary} at height {plan.height}"
        )
        self.plan = plan


class HostApp:
    """Applies messages to a host's state, block by block."""

    def __init__(
        self,
        vm: WasmVM,
        config: HostConfig | None = None,
        committed: Storage | None = None,
        log: BlockLog | None = None,
        height: int = 0,
    ) -> None:
        self.vm = vm
        self.config = config or HostConfig()
        self.committed = committed if committed is not None else PackedStorage()
        self.log, self.height = log, height
        self.proxy = WasmProxy(vm, self.config.dialect)
        #: The running binary's light client; a software upgrade installs another.
        self.native = NativeModule(self.config.binary, self.config.counterparty_format)
        #: The block being built: transactions write here until ``commit``.
        self.state = CacheStore(self.committed)
        self.status_cache = StatusCache() if self.config.status_cache else None
        #: The stargate queries contracts may make: 08-wasm's default and the host's own.
        self.accepted_queries = frozenset(
            (*DEFAULT_ACCEPT_LIST[self.config.dialect], *self.config.stargate_accept_list)
        )

    @classmethod
    def restore(cls, vm: WasmVM, directory: Path, config: HostConfig | None = None) -> HostApp:
        """A host restarted from its block log: every committed block, its contracts, and the
        binary its last software upgrade installed."""
        log = BlockLog(directory)
        height, app_hash, entries = log.load()  # the app hash recomputed along the chain
        if app_hash:
            entries[APP_HASH_KEY] = app_hash
        app = cls(vm, config, PackedStorage(entries), log, height)
        app.keepers(app.committed).codes.load_into_vm()
        app._resume_binary()
        return app

    def _resume_binary(self) -> None:
        """Run the binary the last software upgrade installed (a restart, a genesis)."""
        upgraded = self._upgrades(self.committed).last_done()
        if upgraded is not None:
            self.install(upgraded.binary)

    # -- genesis ----------------------------------------------------------------------------

    def export_genesis(self, env: HostEnv) -> dict[str, Any]:
        """The committed state as a genesis file's document (``relayer_sim.host.genesis``);
        ``env``: the host as its last block saw itself (the contracts' metadata export)."""
        keepers = self.keepers(self.committed)
        clients = keepers.clients
        metadata = {
            client_id: clients.export_metadata(client_id, env) for client_id in clients.client_ids()
        }
        return {
            "initial_height": str(self.height + 1),
            "app_hash": self.app_hash.hex(),
            "app_state": {
                "ibc": genesis.export_ibc(self._params(self.committed), metadata),
                "08-wasm": {
                    "contracts": [
                        {"code_bytes": base64.b64encode(code).decode()}
                        for code in keepers.codes.codes()
                    ]
                },
                "gov": {"entries": genesis.raw_entries(PrefixStore(self.committed, GOV_PREFIX))},
                "upgrade": {
                    "entries": genesis.raw_entries(PrefixStore(self.committed, UPGRADE_PREFIX))
                },
            },
        }

    @classmethod
    def from_genesis(cls, vm: WasmVM, data: bytes, config: HostConfig | None = None) -> HostApp:
        """A host started from a genesis file's bytes: it makes block ``initial_height`` next,
        on the exported app hash. Raises ``GenesisError`` naming what the file gets wrong."""
        document = genesis.from_json(data)
        height = document["initial_height"].number()
        if height == 0:
            raise genesis.GenesisError("genesis.initial_height: expected at least 1")
        try:
            app_hash = bytes.fromhex(document["app_hash"].text())
        except ValueError:
            raise genesis.GenesisError("genesis.app_hash: expected hex") from None
        app = cls(vm, config, height=height - 1)
        state, sections = app.state, document["app_state"]
        codes = app.keepers(state).codes
        for entry in sections["08-wasm"]["contracts"].items():
            try:
                codes.import_code(entry["code_bytes"].bytes())
            except VMError as error:
                raise genesis.GenesisError(f"{entry.path}.code_bytes: {error}") from None
        genesis.import_ibc(app._params(state), sections["ibc"])
        genesis.import_raw(PrefixStore(state, GOV_PREFIX), sections["gov"]["entries"])
        genesis.import_raw(PrefixStore(state, UPGRADE_PREFIX), sections["upgrade"]["entries"])
        if app_hash:
            state.set(APP_HASH_KEY, app_hash)
        state.write()
        app._resume_binary()
        return app

    @property
    def authority(self) -> str:
        return self.config.authority

    def keepers(self, store: Storage, unmetered: Storage | None = None) -> Keepers:
        """The modules over ``store``; contract code goes to ``unmetered`` (the same store
        without the gas meter) so that its bytes are not charged as state writes."""
        codes = WasmCodes(
            PrefixStore(store, WASM_PREFIX),
            PrefixStore(unmetered if unmetered is not None else store, CODE_PREFIX),
            self.vm,
            self.authority,
        )
        cache = self.status_cache
        status_cache = (
            None
            if cache is None
            else cache.view(store, unmetered, self.state, self.committed, IBC_PREFIX)
        )
        params = self._params(store)
        clients = ClientKeeper(
            PrefixStore(store, IBC_PREFIX),
            codes,
            self.proxy,
            self.native,
            self.authority,
            params.allowed_clients,
            status_cache=status_cache,
            querier_for=partial(self._querier, unmetered if unmetered is not None else store),
        )
        gov: Governance[Msg] = Governance(
            PrefixStore(store, GOV_PREFIX),
            self.config.gov,
            lambda: self.config.validators,
            encode=encode_message,
            decode=decode_message,
        )
        connections = ConnectionKeeper(
            params.store, clients, self.config.commitment_prefix, params.connection
        )
        channels = ChannelKeeper(params.store, connections)
        packets = PacketKeeper(params.store, connections, channels)
        return Keepers(
            codes, params, clients, connections, channels, packets, gov, self._upgrades(store)
        )

    def _params(self, store: Storage) -> Params:
        config = self.config
        return Params(
            PrefixStore(store, IBC_PREFIX), config.allowed_clients, config.connection_params
        )

    def _upgrades(self, store: Storage) -> UpgradeKeeper:
        """The upgrade module alone: what every block and every relayer's look asks first."""
        return UpgradeKeeper(PrefixStore(store, UPGRADE_PREFIX), self.authority)

    def _querier(self, base: Storage, env: HostEnv, gas: GasMeter) -> ChainQuerier:
        """The querier of a contract call made at ``env`` over ``base`` (unmetered), paid by
        ``gas``: its queries read a throwaway cache of ``base`` on their own meters."""

        def keepers_on(meter: GasMeter) -> Keepers:
            scratch = CacheStore(base)
            return self.keepers(GasKV(scratch, meter), scratch)

        def verify(data: bytes, meter: GasMeter) -> bytes:
            def clients() -> ClientKeeper:
                return keepers_on(meter).clients

            return client_queries.verify_membership(clients, env, data, meter)

        routes: dict[str, Callable[[bytes, GasMeter], bytes]] = {
            VERIFY_MEMBERSHIP_PATH: verify,
            wasm_queries.CHECKSUMS_PATH: lambda data, meter: wasm_queries.checksums(
                keepers_on(meter).codes, data
            ),
            wasm_queries.CODE_PATH: lambda data, meter: wasm_queries.code(
                keepers_on(meter).codes, data
            ),
        }
        return ChainQuerier(routes, self.accepted_queries, gas)

    def querier(self, env: HostEnv, gas: GasMeter) -> ChainQuerier:
        """What a contract's chain queries reach over the block's working state, paid by
        ``gas``: for a contract called outside a transaction (inside one, 02-client passes each
        call its own)."""
        return self._querier(self.state, env, gas)

    def query(self) -> Keepers:
        """The modules over the block's working state (for reads)."""
        return self.keepers(self.state)

    # -- transactions -----------------------------------------------------------------------

    def deliver(self, msg: Msg, env: HostEnv, gas_limit: int | None) -> TxResult:
        """Run ``msg`` as one transaction with ``gas_limit`` SDK gas (None: unlimited)."""
        cache = CacheStore(self.state)
        self.proxy.take_contract_gas()
        try:
            gas = GasMeter(gas_limit)
        except InvalidMessage as error:  # the sender's limit is no amount of gas
            return TxResult(False, 0, error=error)
        try:
            keepers = self.keepers(GasKV(cache, gas), cache)
            result = self._execute(keepers, msg, env, gas)
        except HostError as error:
            cache.discard()
            return TxResult(False, gas.consumed, self.proxy.take_contract_gas(), error=error)
        events = message_events(msg, result, partial(self.keepers, cache))  # read unmetered
        cache.write()
        return TxResult(True, gas.consumed, self.proxy.take_contract_gas(), result, None, events)

    def _execute(self, keepers: Keepers, msg: Msg, env: HostEnv, gas: GasMeter) -> object:
        """Run one message, from a transaction or a passed proposal: checked field by field
        first (``validate_basic``), so that nothing it carries fails later but as a
        ``HostError``."""
        clients = keepers.clients
        match validate_basic(msg):
            case MsgStoreCode(signer, code):
                return keepers.codes.store_code(signer, code, gas)
            case MsgRemoveChecksum(signer, checksum):
                keepers.codes.remove(signer, checksum)
                return None
            case MsgMigrateContract(signer, client_id, checksum, migrate_msg):
                return clients.migrate_contract(signer, client_id, checksum, migrate_msg, env, gas)
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
            case (
                MsgConnectionOpenInit()
                | MsgConnectionOpenTry()
                | MsgConnectionOpenAck()
                | MsgConnectionOpenConfirm()
                | MsgChannelOpenInit()
                | MsgChannelOpenTry()
                | MsgChannelOpenAck()
                | MsgChannelOpenConfirm()
                | MsgChannelCloseInit()
                | MsgChannelCloseConfirm()
            ) as step:
                return msg_server.handshake(keepers, step, env, gas)
            case (
                MsgSendPacket()
                | MsgRecvPacket()
                | MsgAcknowledgement()
                | MsgTimeout()
                | MsgTimeoutOnClose()
            ) as packet_step:
                return msg_server.packet_step(keepers, packet_step, env, gas)
            case MsgSubmitProposal(proposer, title, messages):
                for inner in messages:
                    self._require_authority_signer(inner)
                return keepers.gov.submit(proposer, title, messages, env.time_ns)
            case MsgVote(voter, proposal_id, option):
                keepers.gov.vote(proposal_id, voter, option, env.time_ns)
                return None
            case MsgUpdateClientParams(signer, allowed):
                require_authority(signer, self.authority)
                keepers.params.set_allowed_clients(allowed)
                return None
            case MsgUpdateConnectionParams(signer, per_block):
                require_authority(signer, self.authority)
                keepers.params.set_connection(ConnectionParams(per_block))
                return None
            case MsgSoftwareUpgrade(signer, name, height, binary):
                keepers.upgrade.schedule(signer, UpgradePlan(name, height, binary), env.height)
                return None

    def _require_authority_signer(self, msg: Msg) -> None:
        """As in the SDK, every message of a proposal must be signed by the authority."""
        signer = getattr(msg, "signer", None)
        if signer != self.authority:
            raise Unauthorized(
                f"expected {self.authority} as the signer of proposal message "
                f"{type(msg).__name__}, got {signer}"
            )

    # -- blocks -----------------------------------------------------------------------------

    def upgrade_needed(self, height: int) -> UpgradePlan | None:
        """The plan that stops block ``height`` from being made with the running binary."""
        plan = self._upgrades(self.state).plan()
        if plan is None or plan.height != height or plan.binary == self.native.binary:
            return None
        return plan

    def install(self, binary: str) -> None:
        """The validators run ``binary`` from now on (a restart after an upgrade halt)."""
        self.native.install(binary)

    def begin_block(self, env: HostEnv) -> None:
        """At a planned upgrade's height, under its binary: the upgrade handler brings the
        native clients' state to the binary's format, and the plan is done."""
        upgrades = self._upgrades(self.state)
        plan = upgrades.plan()
        if plan is None or plan.height != env.height:
            return
        if plan.binary != self.native.binary:
            raise UpgradeNeeded(plan)
        self.keepers(self.state).clients.migrate_native_clients(env)
        upgrades.done(plan)

    def end_block(self, env: HostEnv) -> list[ProposalOutcome]:
        """Conclude the proposals whose voting ended; run the passed ones as the authority,
        each proposal on its own cache, kept only if every message succeeds, and each message
        with ``PROPOSAL_MESSAGE_GAS`` (``relayer_sim.host.limits``). A proposal that ran
        carries its messages' SDK events, none if one of them failed."""
        scopes: list[CacheStore] = []
        #: The events of each proposal run, in the order they ran; of the one running, last.
        ran: list[list[SdkEvent]] = []
        #: What each message of each proposal run cost, likewise.
        spent: list[list[MessageGas]] = []

        def atomically(run: Callable[[], None]) -> None:
            scopes.append(CacheStore(self.state))
            ran.append([])
            spent.append([])
            try:
                run()
            except HostError:
                ran[-1].clear()
                raise
            finally:
                scope = scopes.pop()
            scope.write()

        def execute(msg: Msg) -> object:
            gas = GasMeter(PROPOSAL_MESSAGE_GAS)
            self.proxy.take_contract_gas()
            try:
                keepers = self.keepers(GasKV(scopes[-1], gas), scopes[-1])
                result = self._execute(keepers, msg, env, gas)
            finally:
                cost = MessageGas(type(msg).__name__, gas.consumed, self.proxy.take_contract_gas())
                spent[-1].append(cost)
            ran[-1].extend(message_events(msg, result, partial(self.keepers, scopes[-1])))
            return result

        outcomes = self.keepers(self.state).gov.end_block(env.time_ns, execute, atomically)
        events, costs = iter(ran), iter(spent)
        return [
            replace(outcome, events=tuple(next(events)), gas=tuple(next(costs)))
            if outcome.status in (ProposalStatus.PASSED, ProposalStatus.FAILED)
            else outcome
            for outcome in outcomes
        ]

    def compact(self) -> None:
        """Snapshot the committed state and truncate the block log (a faster restart)."""
        if self.log is not None:
            self.log.compact()

    def commit(self) -> bytes:
        """Make the block's writes permanent (and durable, with a log); the new app hash.

        The app hash chains the block's changes onto the previous one (``next_app_hash``). The
        block reaches the log before the state moves on, so when this returns the block is
        acknowledged: a restart restores it. The hash is kept in the state (``APP_HASH_KEY``);
        the log keeps it in each record instead, and ``restore`` puts it back.
        """
        previous, changes = self.app_hash, self.state.changes()
        block = Block(self.height + 1, previous, next_app_hash(previous, changes), changes)
        if self.log is not None:
            self.log.append_block(block)
        if changes:
            self.state.set(APP_HASH_KEY, block.app_hash)
        self.state.write()
        if self.status_cache is not None:
            self.status_cache.clear()
        self.height = block.height
        return block.app_hash

    @property
    def app_hash(self) -> bytes:
        """The last committed block's app hash (empty before the first change)."""
        return self.committed.get(APP_HASH_KEY) or b""
