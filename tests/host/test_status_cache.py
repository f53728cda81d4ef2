"""The status cache with the real VM and real contracts: a cached answer is the answer, and the
gas, of a fresh call, and no write, rollback, migration, checksum removal, recovery, binary
upgrade or passing of time lets a stale answer through.

Every look is made on two hosts given the same messages, one with the cache and one without
(``Twins``); the two must agree on the status, the SDK gas charged and the contract gas booked,
or on the error. The cache's counters show which looks it answered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from relayer_sim.contracts import load_contract
from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.host.app import HostApp, HostConfig, TxResult
from relayer_sim.host.clients import Status
from relayer_sim.host.errors import HostError
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.limits import QUERY_GAS_LIMIT
from relayer_sim.host.messages import (
    Msg,
    MsgCreateClient,
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRemoveChecksum,
    MsgStoreCode,
    MsgUpdateClient,
)
from relayer_sim.host.native import NATIVE_CHECKSUM
from relayer_sim.host.status_cache import StatusCache
from relayer_sim.host.store import CacheStore, GasKV, GasMeter
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.lightclient.wasm_wrappers import WasmClientState, WasmConsensusState
from relayer_sim.vm import QueryAnswer, WasmVM
from tests.host.scripted import SCRIPTED_CODE, place_client, query_answer
from tests.host.test_app import Host
from tests.host.test_recovery_and_upgrade import frozen
from tests.lightclient.chains import TRUSTING_PERIOD, advance, genesis, make_chain, soon_after

RELAYER = "cosmos1relayer"
GAS = 50_000_000

#: What one look gave: the status (or the error's type), SDK gas charged, contract gas booked.
Look = tuple[object, int, int]


@dataclass
class Twins:
    """Two hosts, with and without the status cache, given the same messages."""

    cached: HostApp
    plain: HostApp

    @property
    def cache(self) -> StatusCache:
        assert self.cached.status_cache is not None
        return self.cached.status_cache

    def both(self, act: Callable[[HostApp], object]) -> object:
        """Do ``act`` on both hosts; they must agree; the answer."""
        mine, theirs = act(self.cached), act(self.plain)
        assert mine == theirs
        return mine

    def deliver(self, msg: Msg, env: HostEnv, gas: int | None = GAS) -> TxResult:
        result = self.both(lambda app: _comparable(app.deliver(msg, env, gas)))
        assert isinstance(result, TxResult)
        return result

    def ok(self, msg: Msg, env: HostEnv) -> object:
        result = self.deliver(msg, env)
        assert result.ok, result.error
        return result.result

    def commit(self) -> None:
        self.both(lambda app: app.commit())

    def query(self, client_id: str, env: HostEnv, limit: int | None = QUERY_GAS_LIMIT) -> Look:
        """A look through the block's state (a node's query, on an unmetered store)."""
        return self.both(lambda app: _look(app, client_id, env, limit, in_tx=False))  # type: ignore[return-value]

    def in_tx(self, client_id: str, env: HostEnv, limit: int | None = GAS) -> Look:
        """A look inside a transaction (a metered store, the transaction's meter)."""
        return self.both(lambda app: _look(app, client_id, env, limit, in_tx=True))  # type: ignore[return-value]

    def counts(self) -> tuple[int, int]:
        return self.cache.hits, self.cache.misses


def _comparable(result: TxResult) -> TxResult:
    """Errors compare by type and text (two error objects are never equal)."""
    if result.error is None:
        return result
    error = result.error
    return TxResult(result.ok, result.gas_used, result.contract_gas, result.result, _Error(error))  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Error:
    kind: str
    text: str

    def __init__(self, error: HostError) -> None:
        object.__setattr__(self, "kind", type(error).__name__)
        object.__setattr__(self, "text", str(error))


def _look(app: HostApp, client_id: str, env: HostEnv, limit: int | None, *, in_tx: bool) -> Look:
    gas = GasMeter(limit)
    app.proxy.take_contract_gas()
    if in_tx:  # as ``HostApp.deliver`` builds a transaction's keepers
        cache = CacheStore(app.state)
        clients = app.keepers(GasKV(cache, gas), cache).clients
    else:
        clients = app.query().clients
    try:
        answer: object = clients.status(client_id, env, gas)
    except HostError as error:
        answer = type(error).__name__
    return answer, gas.consumed, app.proxy.take_contract_gas()


def twins(vm: WasmVM, **config: object) -> Twins:
    return Twins(
        HostApp(vm, HostConfig(**config)),  # type: ignore[arg-type]
        HostApp(vm, HostConfig(status_cache=False, **config)),  # type: ignore[arg-type]
    )


def store(hosts: Twins, name: str, env: HostEnv) -> bytes:
    checksum = hosts.ok(MsgStoreCode(GOV_AUTHORITY, load_contract(name)), env)
    assert isinstance(checksum, bytes)
    return checksum


def create(
    hosts: Twins, chain: CounterpartyChain, checksum: bytes, env: HostEnv, format: int = 1
) -> str:
    client, consensus = genesis(chain, Height(1, 1), format=format)
    msg = MsgCreateClient(
        RELAYER,
        WasmClientState(client, checksum, Height(1, 1)).encode(),
        WasmConsensusState(consensus).encode(),
    )
    client_id = hosts.ok(msg, env)
    assert isinstance(client_id, str)
    return client_id


@pytest.fixture
def chain() -> CounterpartyChain:
    chain = make_chain()
    advance(chain, 4)
    return chain


@pytest.fixture
def hosts(vm: WasmVM) -> Twins:
    return twins(vm)


@pytest.fixture
def env(chain: CounterpartyChain) -> HostEnv:
    return soon_after(chain)


def active_client(hosts: Twins, chain: CounterpartyChain, env: HostEnv) -> str:
    client_id = create(hosts, chain, store(hosts, "sim-tendermint-v1", env), env)
    hosts.commit()
    return client_id


# -- answers and gas --------------------------------------------------------------------------


def test_a_repeated_query_is_answered_with_the_gas_of_a_fresh_call(
    hosts: Twins, chain: CounterpartyChain, env: HostEnv
) -> None:
    client_id = active_client(hosts, chain, env)
    first = hosts.query(client_id, env)
    assert first[0] == Status.ACTIVE and first[1] > 0 and first[2] > 0
    assert hosts.counts() == (0, 1)
    assert hosts.query(client_id, env) == first
    assert hosts.query(client_id, env, None) == first
    assert hosts.counts() == (2, 1)


def test_a_look_inside_a_transaction_pays_for_its_reads_too(
    hosts: Twins, chain: CounterpartyChain, env: HostEnv
) -> None:
    client_id = active_client(hosts, chain, env)
    queried = hosts.query(client_id, env)
    first = hosts.in_tx(client_id, env)
    assert first[0] == Status.ACTIVE and first[1] > queried[1] and first[2] == queried[2]
    assert hosts.counts() == (0, 2)  # a metered look is not an unmetered one
    assert hosts.in_tx(client_id, env) == first
    assert hosts.in_tx(client_id, env, None) == first
    assert hosts.counts() == (2, 2)


@pytest.mark.parametrize("in_tx", [False, True], ids=["query", "in a transaction"])
def test_a_meter_too_small_for_the_fresh_call_gets_the_fresh_calls_failure(
    hosts: Twins, chain: CounterpartyChain, env: HostEnv, in_tx: bool
) -> None:
    """Around every limit where the fresh call starts to fail (the SDK gas of the whole call,
    the VM limit it would get), the cached host does what the uncached one does."""
    client_id = active_client(hosts, chain, env)

    def look(limit: int | None) -> Look:
        return (hosts.in_tx if in_tx else hosts.query)(client_id, env, limit)

    answer, gas, contract_gas = look(None)
    assert answer == Status.ACTIVE
    # the VM needs (limit - gas charged before it) * 140 000 >= its gas: the boundary below
    vm_boundary = gas - contract_gas // 140_000 + -(-contract_gas // 140_000)
    limits = {gas - 1, gas, gas + 1, vm_boundary - 1, vm_boundary, vm_boundary + 1, 2_000, 1}
    for limit in sorted(limits):
        look(limit)
        look(limit)  # a second time, after whatever the first left in the cache
    assert look(vm_boundary + 1)[0] == Status.ACTIVE
    assert look(gas - 1)[0] == "OutOfGas"
    hits, _ = hosts.counts()
    assert hits > 0


def test_a_transaction_pays_the_same_whether_its_status_is_cached(
    hosts: Twins, chain: CounterpartyChain, env: HostEnv
) -> None:
    """Whole transactions, each asking the status of an untouched client (an update whose
    header fails verification writes nothing): the same gas and contract gas in every one."""
    client_id = active_client(hosts, chain, env)
    bad = MsgUpdateClient(RELAYER, client_id, b"not a header")
    results = [hosts.deliver(bad, env) for _ in range(3)]
    assert not results[0].ok and results[0].contract_gas > 0
    assert results[0] == results[1] == results[2]
    assert hosts.cache.hits >= 2


# -- invalidation -----------------------------------------------------------------------------


def scripted(hosts: Twins, env: HostEnv, status: str, client_id: str = "08-wasm-0") -> None:
    """A client whose contract answers ``status`` as its store says (``answer/query``)."""
    checksum = hashlib.sha256(SCRIPTED_CODE).digest()
    hosts.ok(MsgStoreCode(GOV_AUTHORITY, SCRIPTED_CODE), env)
    state = WasmClientState(b"scripted", checksum, Height(1, 1)).encode()
    answer = query_answer(f'{{"status":"{status}"}}'.encode())
    hosts.both(
        lambda app: place_client(
            app, client_id, [(b"clientState", state), (b"answer/query", answer)]
        )
    )
    hosts.commit()


def set_answer(app: HostApp, store: CacheStore, status: str, client_id: str = "08-wasm-0") -> None:
    """Write the client's answer through a transaction's keepers over ``store``."""
    gas = GasMeter(None)
    clients = app.keepers(GasKV(store, gas), store).clients
    answer = query_answer(f'{{"status":"{status}"}}'.encode())
    clients.client_store(client_id).set(b"answer/query", answer)


def test_a_write_to_the_client_store_is_seen_at_once(hosts: Twins, env: HostEnv) -> None:
    scripted(hosts, env, "Active")
    assert hosts.query("08-wasm-0", env)[0] == Status.ACTIVE
    assert hosts.query("08-wasm-0", env)[0] == Status.ACTIVE
    assert hosts.counts() == (1, 1)
    caches = {id(app): CacheStore(app.state) for app in (hosts.cached, hosts.plain)}
    hosts.both(lambda app: set_answer(app, caches[id(app)], "Frozen"))

    def in_that_tx(app: HostApp) -> object:
        gas = GasMeter(None)
        cache = caches[id(app)]
        return app.keepers(GasKV(cache, gas), cache).clients.status("08-wasm-0", env, gas)

    assert hosts.both(in_that_tx) == Status.FROZEN  # the transaction sees its own write
    assert hosts.query("08-wasm-0", env)[0] == Status.ACTIVE  # the block does not, yet
    hosts.both(lambda app: caches[id(app)].write())
    assert hosts.query("08-wasm-0", env)[0] == Status.FROZEN
    assert hosts.in_tx("08-wasm-0", env)[0] == Status.FROZEN
    hosts.commit()
    assert len(hosts.cache) == 0
    assert hosts.query("08-wasm-0", env)[0] == Status.FROZEN
    assert hosts.query("08-wasm-0", env)[0] == Status.FROZEN
    assert hosts.counts() == (3, 2)  # after the write, fresh until the commit


def test_a_chain_query_inside_a_transaction_sees_its_writes(hosts: Twins, env: HostEnv) -> None:
    scripted(hosts, env, "Active")
    assert hosts.in_tx("08-wasm-0", env)[0] == Status.ACTIVE  # cached for metered looks
    caches = {id(app): CacheStore(app.state) for app in (hosts.cached, hosts.plain)}
    hosts.both(lambda app: set_answer(app, caches[id(app)], "Frozen"))

    def in_a_query_of_that_tx(app: HostApp) -> object:
        gas = GasMeter(None)
        scratch = CacheStore(caches[id(app)])  # as a chain query's cached store over it
        return app.keepers(GasKV(scratch, gas), scratch).clients.status("08-wasm-0", env, gas)

    assert hosts.both(in_a_query_of_that_tx) == Status.FROZEN


def test_a_rolled_back_write_leaves_the_committed_answer(hosts: Twins, env: HostEnv) -> None:
    scripted(hosts, env, "Active")
    caches = {id(app): CacheStore(app.state) for app in (hosts.cached, hosts.plain)}

    def in_that_tx(app: HostApp) -> object:
        gas = GasMeter(None)
        cache = caches[id(app)]
        return app.keepers(GasKV(cache, gas), cache).clients.status("08-wasm-0", env, gas)

    assert hosts.both(in_that_tx) == Status.ACTIVE  # cached: nothing written yet
    hosts.both(lambda app: set_answer(app, caches[id(app)], "Expired"))
    assert hosts.both(in_that_tx) == Status.EXPIRED  # fresh, and not cached
    assert hosts.both(in_that_tx) == Status.EXPIRED
    hosts.both(lambda app: caches[id(app)].discard())
    assert hosts.both(in_that_tx) == Status.ACTIVE
    assert hosts.counts() == (1, 1)
    # the same through the host: a failing transaction that wrote to the client's store
    hosts.commit()
    assert hosts.query("08-wasm-0", env)[0] == Status.ACTIVE
    result = hosts.deliver(
        MsgMigrateContract(GOV_AUTHORITY, "08-wasm-0", bytes(32), b"{}"), env
    )  # unknown code: refused before any write
    assert not result.ok
    assert hosts.query("08-wasm-0", env)[0] == Status.ACTIVE


def test_a_failed_transaction_that_wrote_the_client_store_leaves_no_stale_answer(
    hosts: Twins, chain: CounterpartyChain, env: HostEnv
) -> None:
    """An update whose contract call writes the client's store and then runs out of gas: the
    status it asked is the committed one again, and an answer about its writes never stays."""
    client_id = active_client(hosts, chain, env)
    advance(chain, 2)
    later = soon_after(chain)
    header = chain.header_message(Height(1, 5), Height(1, 1)).to_bytes()
    update = MsgUpdateClient(RELAYER, client_id, header)
    full = hosts.deliver(update, later)  # in another block, to measure it
    assert full.ok
    hosts.both(lambda app: app.state.discard())
    for limit in range(full.gas_used - 40, full.gas_used):
        assert not hosts.deliver(update, later, limit).ok
        assert hosts.query(client_id, later)[0] == Status.ACTIVE
    assert hosts.deliver(update, later).ok


def test_time_passing_into_expiry_is_seen(
    hosts: Twins, chain: CounterpartyChain, env: HostEnv
) -> None:
    client_id = active_client(hosts, chain, env)
    expired = HostEnv(env.height, chain.latest_time_ns + TRUSTING_PERIOD, env.chain_id)
    for _ in range(2):
        assert hosts.query(client_id, env)[0] == Status.ACTIVE
        assert hosts.query(client_id, expired)[0] == Status.EXPIRED
        assert hosts.in_tx(client_id, expired)[0] == Status.EXPIRED
    assert hosts.counts() == (3, 3)
    other_chain = HostEnv(env.height, env.time_ns, "host-2")
    hosts.query(client_id, other_chain)
    other_height = HostEnv(env.height + 1, env.time_ns, env.chain_id)
    hosts.query(client_id, other_height)
    assert hosts.counts() == (3, 5)


def test_a_migration_is_seen(hosts: Twins, chain: CounterpartyChain, env: HostEnv) -> None:
    client_id = active_client(hosts, chain, env)
    scripted_checksum = hashlib.sha256(SCRIPTED_CODE).digest()
    hosts.ok(MsgStoreCode(GOV_AUTHORITY, SCRIPTED_CODE), env)
    hosts.commit()
    assert hosts.query(client_id, env)[0] == Status.ACTIVE
    assert hosts.query(client_id, env)[0] == Status.ACTIVE
    # the scripted contract's migrate answers from its store: make it keep the state, and
    # answer "Frozen" to every query from then on
    hosts.both(lambda app: set_answer(app, app.state, "Frozen", client_id))
    hosts.both(
        lambda app: app.state.set(
            b"ibc/clients/" + client_id.encode() + b"/answer/migrate",
            b'{"ok":{"messages":[],"attributes":[],"events":[],"data":null}}',
        )
    )
    hosts.commit()
    assert hosts.query(client_id, env)[0] == Status.ACTIVE  # the v1 code ignores the answers
    hosts.ok(MsgMigrateContract(GOV_AUTHORITY, client_id, scripted_checksum, b"{}"), env)
    assert hosts.query(client_id, env)[0] == Status.FROZEN  # before the commit
    hosts.commit()
    assert hosts.query(client_id, env)[0] == Status.FROZEN
    assert hosts.query(client_id, env)[0] == Status.FROZEN
    assert hosts.counts() == (2, 3)  # while the migration is pending, every look is fresh


def test_a_removed_checksum_is_seen(hosts: Twins, chain: CounterpartyChain, env: HostEnv) -> None:
    client_id = active_client(hosts, chain, env)
    checksum = hosts.cached.query().clients.client_state(client_id).checksum
    assert hosts.query(client_id, env)[0] == Status.ACTIVE
    assert hosts.query(client_id, env)[0] == Status.ACTIVE
    hosts.ok(MsgRemoveChecksum(GOV_AUTHORITY, checksum), env)
    assert hosts.query(client_id, env)[0] == Status.UNAUTHORIZED
    assert hosts.in_tx(client_id, env)[0] == Status.UNAUTHORIZED
    hosts.commit()
    assert hosts.query(client_id, env)[0] == Status.UNAUTHORIZED
    assert hosts.counts() == (1, 1)


def test_a_recovery_is_seen(hosts: Twins, chain: CounterpartyChain, env: HostEnv) -> None:
    v1 = store(hosts, "sim-tendermint-v1", env)
    subject = create(hosts, chain, v1, env)
    substitute = create(hosts, chain, v1, env)
    header = chain.header_message(Height(1, 4), Height(1, 1)).to_bytes()
    hosts.ok(MsgUpdateClient(RELAYER, substitute, header), env)
    hosts.commit()
    for app in (hosts.cached, hosts.plain):  # the same evidence on both
        frozen(Host(app), chain, subject)
    hosts.commit()
    assert hosts.query(subject, env)[0] == Status.FROZEN
    assert hosts.query(subject, env)[0] == Status.FROZEN
    assert hosts.in_tx(substitute, env)[0] == Status.ACTIVE
    hosts.ok(MsgRecoverClient(GOV_AUTHORITY, subject, substitute), env)
    assert hosts.query(subject, env)[0] == Status.ACTIVE
    hosts.commit()
    assert hosts.query(subject, env)[0] == Status.ACTIVE
    assert hosts.query(subject, env)[0] == Status.ACTIVE
    assert hosts.cache.hits >= 3


def test_a_host_binary_upgrade_is_seen_by_native_clients(
    hosts: Twins, chain: CounterpartyChain, env: HostEnv
) -> None:
    client_id = create(hosts, chain, NATIVE_CHECKSUM, env)
    hosts.commit()
    first = hosts.in_tx(client_id, env)
    assert first[0] == Status.ACTIVE and first[2] == 0  # no contract gas for the binary
    assert hosts.in_tx(client_id, env) == first
    assert hosts.query(client_id, env)[0] == Status.ACTIVE
    assert hosts.counts() == (1, 2)
    hosts.both(lambda app: app.install("v2"))
    assert hosts.in_tx(client_id, env) == first  # the same rules here, but another binary
    assert hosts.counts() == (1, 3)


# -- what is not cached -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "seen", "counts"),
    [
        (query_answer(b'{"status":"Sleepy"}'), Status.UNKNOWN, (4, 2)),
        (b'{"error":"no status today"}', Status.UNKNOWN, (0, 0)),
        (None, "OutOfGas", (0, 0)),
    ],
    ids=["not a status", "contract error", "spins out of gas"],
)
def test_failures_are_asked_again_and_odd_answers_kept(
    hosts: Twins, env: HostEnv, answer: bytes | None, seen: object, counts: tuple[int, int]
) -> None:
    """An answer the contract gave (even one that is no status) is cached; a failure never."""
    checksum = hashlib.sha256(SCRIPTED_CODE).digest()
    hosts.ok(MsgStoreCode(GOV_AUTHORITY, SCRIPTED_CODE), env)
    state = WasmClientState(b"scripted", checksum, Height(1, 1)).encode()
    entries = [(b"clientState", state)]
    if answer is not None:
        entries.append((b"answer/query", answer))
    hosts.both(lambda app: place_client(app, "08-wasm-0", entries))
    hosts.commit()
    looks = [hosts.query("08-wasm-0", env, limit) for limit in (QUERY_GAS_LIMIT, 100_000) * 2]
    assert {look[0] for look in looks} == {seen}
    for _ in range(2):
        hosts.in_tx("08-wasm-0", env, 100_000)
    assert hosts.counts() == counts


def test_off_means_every_look_is_a_call(vm: WasmVM, env: HostEnv) -> None:
    app = HostApp(vm, HostConfig(status_cache=False))
    assert app.status_cache is None
    assert app.query().clients.status_cache is None


def test_a_vm_that_answers_chain_queries_is_not_cached(env: HostEnv) -> None:
    vm = WasmVM(
        query_handler=lambda request, gas_limit: QueryAnswer(b'{"ok":{"ok":""}}'),
        disk_cache=False,
    )
    hosts = twins(vm)
    scripted(hosts, env, "Active")
    for _ in range(3):
        assert hosts.query("08-wasm-0", env)[0] == Status.ACTIVE
    assert hosts.counts() == (0, 0)
