"""A hypothesis state machine over host transactions: the failure contract and durability of
``HostApp`` under random sequences of valid and invalid transactions.

Each example starts a host from a genesis block (the sim-tendermint, rogue, probe and scripted
contracts stored; sim-tendermint, rogue, native and scripted clients, the scripted one answering
what the example drew) with a block log in a fresh directory, then runs random rules: client
updates and misbehaviour from a real counterparty, packets with real proofs, code storage,
governance proposals and votes, migrations, rogue instructions, garbage messages (wrong types,
lone surrogates, 2^64 and larger integers, huge values), blocks, and restarts from the log.

Invariants, checked at every step:
- ``deliver`` never raises: it returns a ``TxResult`` whose record (``TxRecord.event``) a trace
  can write (0 escapes), and a block never raises either;
- a failed transaction leaves every entry of ``app.state`` and the app hash as they were
  (0 partial writes);
- after every block, ``HostApp.restore`` from the log gives the same entries, height and app
  hash (0 divergences).

The pytest test (``test_host_state_machine.py``) runs a few examples and fails at the first
broken invariant; ``benchmarks/fuzz_host.py`` runs many and counts (``Counts``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import msgpack
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from relayer_sim.contracts import load_contract
from relayer_sim.counterparty import Coalition, CounterpartyChain
from relayer_sim.counterparty.chain import SECOND
from relayer_sim.formats.ics03 import DEFAULT_VERSION, ConnectionCounterparty
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import channel_key, connection_key
from relayer_sim.host.app import HostApp, HostConfig, TxResult
from relayer_sim.host.chain import HostChain, Tx, TxRecord
from relayer_sim.host.contract_api import Dialect
from relayer_sim.host.durability import BlockLog
from relayer_sim.host.errors import HostError
from relayer_sim.host.governance import GOV_AUTHORITY, GovParams
from relayer_sim.host.messages import (
    MESSAGE_TYPES,
    Msg,
    MsgChannelOpenAck,
    MsgChannelOpenInit,
    MsgConnectionOpenAck,
    MsgConnectionOpenInit,
    MsgCreateClient,
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRecvPacket,
    MsgRemoveChecksum,
    MsgSoftwareUpgrade,
    MsgStoreCode,
    MsgSubmitProposal,
    MsgUpdateClient,
    MsgUpgradeClient,
    MsgVote,
)
from relayer_sim.host.native import NATIVE_CHECKSUM
from relayer_sim.lightclient.headers import HeaderMessage, Height, Misbehaviour
from relayer_sim.lightclient.packets import Packet
from relayer_sim.lightclient.wasm_wrappers import WasmClientState, WasmConsensusState
from relayer_sim.vm import WasmVM
from tests.host.scripted import SCRIPTED_CODE, place_client, query_answer, sudo_answer
from tests.lightclient.chains import advance, commit_packet, genesis, make_chain

RELAYER = "cosmos1relayer"
VALIDATORS = {"val-a": 3, "val-b": 1}
CONFIG = HostConfig(validators=VALIDATORS, gov=GovParams(voting_period_ns=10 * SECOND))
HOST_CHAIN_ID = "host-1"
BLOCK_TIME = 5 * SECOND
#: A block is made when this many transactions wait, if no rule made one before.
TXS_PER_BLOCK = 8
#: The counterparty's heights (revision 1) a client can be updated to.
TOP = 12
CONTRACTS = ("sim-tendermint-v1", "sim-tendermint-v2", "rogue", "probe")
#: Genesis clients: sim-tendermint v1 (twice: a subject and a substitute), rogue, native,
#: and the scripted client put in place per example.
V1_CLIENT, SUBSTITUTE, ROGUE_CLIENT, NATIVE_CLIENT = (
    "08-wasm-0",
    "08-wasm-1",
    "08-wasm-2",
    "07-tendermint-3",
)
SCRIPTED_CLIENT = "08-wasm-4"
CLIENT_IDS = (V1_CLIENT, SUBSTITUTE, ROGUE_CLIENT, NATIVE_CLIENT, SCRIPTED_CLIENT, "08-wasm-99")
PACKETS = tuple(
    Packet(
        sequence,
        "transfer",
        "channel-0",
        "transfer",
        "channel-0",
        b"payload %d" % sequence,
        timeout_timestamp_ns=2**63,
    )
    for sequence in (1, 2, 3)
)


#: Stored contracts' checksums (and one never stored), as proposals name them.
CHECKSUMS = {
    **{name: hashlib.sha256(load_contract(name)).digest() for name in CONTRACTS},
    "scripted": hashlib.sha256(SCRIPTED_CODE).digest(),
    "none": bytes(32),
}
#: What a new or migrated client may run: the scripted code answers only where its answers are
#: stored, and would spin to the gas limit anywhere else.
RUNNABLE = [checksum for name, checksum in CHECKSUMS.items() if name != "scripted"]


@dataclass
class Counts:
    """What a fuzzing run did, and every broken invariant (a few samples kept)."""

    transactions: int = 0
    failed_transactions: int = 0
    blocks: int = 0
    #: Concluded proposals by status (Passed and Failed ran their messages).
    proposals: Counter[str] = field(default_factory=Counter)
    #: Transactions by message type and outcome (``ok`` or the error's kind).
    outcomes: Counter[str] = field(default_factory=Counter)
    restores: int = 0
    escapes: int = 0
    partial_writes: int = 0
    divergences: int = 0
    samples: list[str] = field(default_factory=list)

    def broken(self, kind: str, detail: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.samples) < 20:
            self.samples.append(f"{kind}: {detail}")


@dataclass(frozen=True)
class World:
    """What every example shares: the VM, the counterparty and the genesis state."""

    vm: WasmVM
    chain: CounterpartyChain
    genesis_entries: dict[bytes, bytes]
    misbehaviour: bytes
    genesis_time_ns: int

    def header(self, target: int, trusted: int) -> bytes:
        return _header(self.chain, target, trusted)

    def proof(self, packet: Packet, height: int) -> bytes:
        return _proof(self.chain, packet, height)


@cache
def _header(chain: CounterpartyChain, target: int, trusted: int) -> bytes:
    return chain.header_message(Height(1, target), Height(1, trusted)).to_bytes()


@cache
def _proof(chain: CounterpartyChain, packet: Packet, height: int) -> bytes:
    return chain.prove((b"ibc", packet.commitment_key()), Height(1, height))


def client_creation(chain: CounterpartyChain, checksum: bytes) -> MsgCreateClient:
    client, consensus = genesis(chain, Height(1, 1))
    return MsgCreateClient(
        RELAYER,
        WasmClientState(client, checksum, Height(1, 1)).encode(),
        WasmConsensusState(consensus).encode(),
    )


def build_world(vm: WasmVM) -> World:
    """The counterparty (packets committed at height 3) and the genesis every example starts
    from, made once with real transactions: clients, and a channel over ``V1_CLIENT`` the host
    opened (the counterparty's steps taken as given there)."""
    chain = make_chain()
    advance(chain, 1)
    ibc = chain.ibc
    counterparty = ConnectionCounterparty(V1_CLIENT, "connection-0", b"ibc")
    theirs = ibc.conn_open_try(counterparty, DEFAULT_VERSION, 0)
    advance(chain, 1)  # 1-2: their connection end in TRYOPEN
    ibc.conn_open_confirm(theirs)
    channel = ChannelCounterparty("transfer", "channel-0")
    their_channel = ibc.chan_open_try("transfer", Order.UNORDERED, theirs, channel, "ics20-1")
    for packet in PACKETS:
        commit_packet(chain, packet)
    advance(chain, TOP - 2)  # 1-3: their channel end in TRYOPEN, the packets
    app = HostApp(vm, CONFIG)
    genesis_time = chain.latest_time_ns + SECOND
    env = HostChain(app, HOST_CHAIN_ID).env(1, genesis_time)
    for name, code in ((name, load_contract(name)) for name in CONTRACTS):
        assert app.deliver(MsgStoreCode(GOV_AUTHORITY, code), env, None).result == CHECKSUMS[name]
    assert app.deliver(MsgStoreCode(GOV_AUTHORITY, SCRIPTED_CODE), env, None).ok
    creations = [
        client_creation(chain, CHECKSUMS["sim-tendermint-v1"]),
        client_creation(chain, CHECKSUMS["sim-tendermint-v1"]),
        MsgCreateClient(
            RELAYER,
            WasmClientState(b"rogue", CHECKSUMS["rogue"], Height(0, 1)).encode(),
            WasmConsensusState(b"consensus").encode(),
        ),
        client_creation(chain, NATIVE_CHECKSUM),
    ]
    for expected, msg in zip(
        (V1_CLIENT, SUBSTITUTE, ROGUE_CLIENT, NATIVE_CLIENT), creations, strict=True
    ):
        assert app.deliver(msg, env, None).result == expected
    prefix = chain.config.commitment_prefix
    init = ChannelEnd(
        ChannelState.INIT,
        Order.UNORDERED,
        ChannelCounterparty("transfer", ""),
        ("connection-0",),
        "ics20-1",
    )
    handshake = [
        MsgConnectionOpenInit(
            RELAYER, V1_CLIENT, ConnectionCounterparty("07-tendermint-0", "", prefix), None, 0
        ),
        MsgUpdateClient(RELAYER, V1_CLIENT, _header(chain, 2, 1)),
        MsgConnectionOpenAck(
            RELAYER,
            "connection-0",
            theirs,
            DEFAULT_VERSION,
            chain.prove((prefix, connection_key(theirs)), Height(1, 2)),
            Height(1, 2),
        ),
        MsgUpdateClient(RELAYER, V1_CLIENT, _header(chain, 3, 2)),
        MsgChannelOpenInit(RELAYER, "transfer", init),
        MsgChannelOpenAck(
            RELAYER,
            "transfer",
            "channel-0",
            their_channel,
            "ics20-1",
            chain.prove((prefix, channel_key("transfer", their_channel)), Height(1, 3)),
            Height(1, 3),
        ),
    ]
    for msg in handshake:
        result = app.deliver(msg, env, None)
        assert result.ok, result.error
    forged = Coalition.of(["alice", "bob", "carol"]).equivocation(chain, Height(1, 3))
    misbehaviour = Misbehaviour(
        HeaderMessage(forged, Height(1, 1), chain.trusted_validators(Height(1, 1))),
        chain.header_message(Height(1, 3), Height(1, 1)),
    ).to_bytes()
    entries = dict(app.state.scan(None, None, True))
    return World(vm, chain, entries, misbehaviour, genesis_time)


# -- strategies -----------------------------------------------------------------------------------

HUGE_INTEGERS = st.sampled_from([2**64, 2**64 - 1, 2**63, -1, -(2**63) - 1, 10**30, 10**5000])
SURROGATES = st.sampled_from(["\ud800", "08-wasm-\udc00", "tr\udfffnsfer", "\udbff" * 9])
HUGE = st.sampled_from([10**5, 10**6]).map(lambda size: b"\x00" * size)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE_INTEGERS,
    st.floats(),
    st.text(max_size=12),
    SURROGATES,
    st.binary(max_size=48),
    st.sampled_from([GOV_AUTHORITY, RELAYER, "val-a", *CLIENT_IDS, "Yes", "v2", bytes(32)]),
)
ANY_HEIGHT = st.builds(Height, st.one_of(st.integers(0, 2), HUGE_INTEGERS, SCALARS), SCALARS)
ANY_PACKET = st.builds(
    Packet,
    st.one_of(st.integers(0, 4), SCALARS),
    st.one_of(st.just("transfer"), SCALARS),
    st.one_of(st.just("channel-0"), SCALARS),
    st.one_of(st.just("transfer"), SCALARS),
    st.one_of(st.just("channel-0"), SCALARS),
    st.one_of(st.binary(max_size=8), SCALARS),
    ANY_HEIGHT,
    st.one_of(st.integers(0, 2**64), SCALARS),
)


def _message_of(kind: type[Msg], values: st.SearchStrategy[Any]) -> st.SearchStrategy[Msg]:
    return st.tuples(*(values for _ in fields(kind))).map(lambda args: kind(*args))


FIELD_VALUES: st.SearchStrategy[Any] = st.deferred(
    lambda: st.one_of(
        SCALARS,
        ANY_HEIGHT,
        ANY_PACKET,
        HUGE,
        st.lists(SCALARS, max_size=3),
        st.lists(GARBAGE_MESSAGES, max_size=2).map(tuple),
    )
)
#: Any message type, each field anything at all.
GARBAGE_MESSAGES: st.SearchStrategy[Msg] = st.deferred(
    lambda: st.sampled_from(MESSAGE_TYPES).flatmap(lambda kind: _message_of(kind, FIELD_VALUES))
)
GAS = st.one_of(
    st.just(5_000_000), st.just(50_000_000), st.integers(1, 200_000), st.sampled_from([0, -1])
)
VOTE_OPTIONS = st.sampled_from(["Yes", "Yes", "Yes", "No", "NoWithVeto", "Abstain", "Maybe"])
SIGNERS = st.sampled_from([GOV_AUTHORITY, GOV_AUTHORITY, GOV_AUTHORITY, RELAYER])
ROGUE_INSTRUCTIONS = st.one_of(
    st.sampled_from(
        [
            {"nothing": {}},
            {"delete_client_state": {}},
            {"corrupt_client_state": {}},
            {"emit_event": {}},
            {"change_checksum": {"checksum": base64.b64encode(bytes(32)).decode()}},
            {"unknown": {}},
            {},
            [],
        ]
    ).map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=32),
)
PROBE_COMMANDS = st.sampled_from(
    [
        {"fail": {"message": "no"}},
        {"abort": {"message": "stop"}},
        {"divide_by_zero": {}},
        {"invalid_json_result": {}},
        {"raw_result": {"json": '{"ok":{"messages":[1]}}'}},
        {"db_remove": {"key": base64.b64encode(b"clientState").decode()}},
        {"db_write": {"key": base64.b64encode(b"clientState").decode(), "value": "AA=="}},
        {"db_write": {"key": "eA==", "value": "eQ=="}},
        {"echo": {"data": "AA=="}},
    ]
).map(lambda value: json.dumps(value).encode())
#: msgpack documents in the shapes of client messages: arrays of numbers, bytes and strings.
MSGPACK_DOCUMENTS = st.recursive(
    st.one_of(
        st.integers(-(2**63), 2**64 - 1),
        st.binary(max_size=40),
        st.text(max_size=8),
        st.none(),
        st.booleans(),
    ),
    lambda inner: st.lists(inner, max_size=9),
    max_leaves=30,
).map(msgpack.packb)
DEEP_JSON = b"[" * 5000 + b"]" * 5000
#: Data a contract answers with: good, zero, wrong types, not JSON, too deep.
ANSWER_DATA = st.one_of(
    st.sampled_from(
        [
            b'{"status":"Active"}',
            b'{"status":"Active","found_misbehaviour":true}',
            b'{"status":"Frozen"}',
            b'{"status":"\\ud800"}',
            b"{}",
            b"[]",
            b"null",
            b'{"status":5,"found_misbehaviour":"yes"}',
            b'{"heights":[{"revision_number":1,"revision_height":20}]}',
            b'{"heights":[{"revision_height":-1}]}',
            b'{"heights":{"a":1}}',
            b"not json",
            DEEP_JSON,
        ]
    ),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=6,
    ).map(lambda value: json.dumps(value).encode()),
)
ENVELOPES = st.sampled_from(
    [b"not json", b"{}", b'{"ok":5}', b'{"error":"no"}', b'{"error":"\\udc00"}', b'{"ok":"!"}']
)
QUERY_ANSWERS = st.one_of(ANSWER_DATA.map(query_answer), ENVELOPES)
SUDO_ANSWERS = st.one_of(ANSWER_DATA.map(sudo_answer), st.just(sudo_answer(None)), ENVELOPES)


AUTHORITY_MESSAGES: st.SearchStrategy[Msg] = st.one_of(
    st.builds(
        MsgMigrateContract,
        SIGNERS,
        st.sampled_from(CLIENT_IDS),
        st.sampled_from(RUNNABLE),
        st.one_of(st.just(b"{}"), st.just(b""), PROBE_COMMANDS),
    ),
    st.builds(MsgRemoveChecksum, SIGNERS, st.sampled_from(list(CHECKSUMS.values()))),
    st.builds(MsgRecoverClient, SIGNERS, st.sampled_from(CLIENT_IDS), st.sampled_from(CLIENT_IDS)),
    st.builds(MsgStoreCode, SIGNERS, st.binary(max_size=16)),
    st.builds(
        MsgSoftwareUpgrade,
        SIGNERS,
        st.sampled_from(["up", ""]),
        st.integers(-1, 30),
        st.sampled_from(["v1", "v2", "v9"]),
    ),
)


def briefly(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``strategy`` under a short name: hypothesis spells out the rules' strategies each time
    it skips a disabled rule, which costs more than the transaction when they are large."""

    @st.composite
    def drawn(draw: st.DrawFn) -> Any:
        return draw(strategy)

    return drawn()


# -- the machine ----------------------------------------------------------------------------------


def _entries(app: HostApp) -> dict[bytes, bytes]:
    """What transactions see: the committed blocks and the block being built."""
    return dict(app.state.scan(None, None, True))


def _committed(app: HostApp) -> tuple[int, bytes, dict[bytes, bytes]]:
    return app.height, app.app_hash, dict(app.committed.scan(None, None, True))


class HostMachine(RuleBasedStateMachine):
    """One host, its block log, and random transactions against it."""

    #: Fail at the first broken invariant (tests); else count it and go on (fuzzing).
    strict: ClassVar[bool] = True

    def __init__(self, world: World, counts: Counts) -> None:
        super().__init__()
        self.world, self.counts = world, counts
        self.directory = Path(tempfile.mkdtemp(prefix="host-fuzz-"))
        #: Made by the genesis rule, which every example runs first.
        self.config: HostConfig
        self.app: HostApp
        self.chain: HostChain
        #: Proposals submitted so far (their ids are 1 to this).
        self.proposals = 0
        #: Transactions in the block being built.
        self.pending = 0

    def teardown(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _broken(self, kind: str, detail: str) -> None:
        self.counts.broken(kind, detail)
        if self.strict:
            raise AssertionError(f"{kind}: {detail}")

    @initialize(
        dialect=st.sampled_from(Dialect),
        query=briefly(QUERY_ANSWERS),
        sudo=briefly(SUDO_ANSWERS),
        migrate=briefly(SUDO_ANSWERS),
    )
    def genesis(self, dialect: Dialect, query: bytes, sudo: bytes, migrate: bytes) -> None:
        """The genesis block: the shared state, and a scripted client answering as drawn,
        on a host of either 08-wasm dialect."""
        self.config = replace(CONFIG, dialect=dialect)
        self.app = HostApp(self.world.vm, self.config, log=BlockLog(self.directory))
        self.chain = HostChain(self.app, HOST_CHAIN_ID, BLOCK_TIME, self.world.genesis_time_ns)
        for key, value in self.world.genesis_entries.items():
            self.app.state.set(key, value)
        state = WasmClientState(b"scripted", CHECKSUMS["scripted"], Height(1, 1))
        answers = {b"answer/query": query, b"answer/sudo": sudo, b"answer/migrate": migrate}
        entries = [(b"clientState", state.encode()), *answers.items()]
        place_client(self.app, SCRIPTED_CLIENT, entries)
        self.block(1)

    # -- transactions ---------------------------------------------------------------------------

    def deliver(self, msg: Msg, gas: int) -> TxResult | None:
        """One transaction in the next block, with the invariants checked around it."""
        if self.pending == TXS_PER_BLOCK:
            self.block(BLOCK_TIME // SECOND)
        self.pending += 1
        before, app_hash = _entries(self.app), self.app.app_hash
        env = self.chain.env(self.chain.height + 1, self.chain.next_block_time())
        self.counts.transactions += 1
        try:
            result = self.app.deliver(msg, env, gas)
            msgpack.packb(TxRecord(Tx(msg, gas), result).event.attributes)  # as a trace writes it
        except Exception as error:  # the invariant under test: nothing escapes
            self._broken("escapes", f"{type(msg).__name__}: {type(error).__name__}: {error}")
            return None
        outcome = "ok" if result.ok else type(result.error).__name__
        self.counts.outcomes[f"{type(msg).__name__} {outcome}"] += 1
        if result.ok:
            return result
        self.counts.failed_transactions += 1
        if not isinstance(result.error, HostError):
            self._broken("escapes", f"{type(msg).__name__} failed with {result.error!r}")
        if _entries(self.app) != before or self.app.app_hash != app_hash:
            self._broken("partial_writes", f"{type(msg).__name__} failed with {result.error}")
        return result

    @rule(
        client=st.sampled_from(CLIENT_IDS),
        height=st.integers(1, TOP),
        trusted=st.integers(1, TOP),
        gas=GAS,
    )
    def update_client(self, client: str, height: int, trusted: int, gas: int) -> None:
        self.deliver(MsgUpdateClient(RELAYER, client, self.world.header(height, trusted)), gas)

    @rule(
        client=st.sampled_from(CLIENT_IDS),
        height=st.integers(2, TOP),
        position=st.integers(0, 10**6),
        byte=st.integers(0, 255),
        gas=GAS,
    )
    def update_with_a_flipped_byte(
        self, client: str, height: int, position: int, byte: int, gas: int
    ) -> None:
        """A real header with one byte changed: the decoders' and verifiers' edge cases."""
        header = bytearray(self.world.header(height, height - 1))
        header[position % len(header)] = byte
        self.deliver(MsgUpdateClient(RELAYER, client, bytes(header)), gas)

    @rule(client=st.sampled_from(CLIENT_IDS), message=briefly(MSGPACK_DOCUMENTS), gas=GAS)
    def update_with_msgpack(self, client: str, message: bytes, gas: int) -> None:
        """A client message of the right encoding and the wrong shape."""
        self.deliver(MsgUpdateClient(RELAYER, client, message), gas)

    @rule(client=st.sampled_from([V1_CLIENT, SUBSTITUTE, NATIVE_CLIENT]), gas=GAS)
    def submit_misbehaviour(self, client: str, gas: int) -> None:
        self.deliver(MsgUpdateClient(RELAYER, client, self.world.misbehaviour), gas)

    @rule(
        packet=st.sampled_from(PACKETS),
        height=st.integers(2, TOP),
        timeout=st.one_of(st.just(0), st.integers(1, 2**64 - 1)),
        gas=GAS,
    )
    def receive_packet(self, packet: Packet, height: int, timeout: int, gas: int) -> None:
        proof = self.world.proof(packet, height)
        sent = Packet(**{**packet.__dict__, "timeout_timestamp_ns": timeout})
        self.deliver(MsgRecvPacket(RELAYER, sent, proof, Height(1, height)), gas)

    @rule(
        checksum=st.sampled_from(["sim-tendermint-v1", "sim-tendermint-v2", "rogue", "probe"]),
        native=st.booleans(),
        gas=GAS,
    )
    def create_client(self, checksum: str, native: bool, gas: int) -> None:
        code = NATIVE_CHECKSUM if native else CHECKSUMS[checksum]
        self.deliver(client_creation(self.world.chain, code), gas)

    @rule(instruction=briefly(ROGUE_INSTRUCTIONS), gas=GAS)
    def instruct_rogue(self, instruction: bytes, gas: int) -> None:
        self.deliver(MsgUpdateClient(RELAYER, ROGUE_CLIENT, instruction), gas)

    @rule(
        signer=SIGNERS,
        code=briefly(
            st.one_of(
                st.binary(max_size=64),
                st.binary(max_size=64).map(lambda raw: b"\x1f\x8b\x08" + raw),
                st.just(SCRIPTED_CODE),
                st.just(b"\0asm\x01\0\0\0" + bytes(3 * 1024 * 1024)),
            )
        ),
        gas=GAS,
    )
    def store_code(self, signer: str, code: bytes, gas: int) -> None:
        self.deliver(MsgStoreCode(signer, code), gas)

    @rule(
        messages=briefly(st.lists(AUTHORITY_MESSAGES, min_size=1, max_size=2)),
        options=st.lists(VOTE_OPTIONS, min_size=len(VALIDATORS), max_size=len(VALIDATORS)),
    )
    def propose(self, messages: list[Msg], options: list[str]) -> None:
        """A proposal, and the validators' votes on it (mostly Yes, so that many pass)."""
        result = self.deliver(MsgSubmitProposal("val-a", "fuzzed", tuple(messages)), 50_000_000)
        if result is not None and result.ok:
            self.proposals += 1
            for voter, option in zip(VALIDATORS, options, strict=True):
                self.vote(0, voter, option)

    @rule(
        back=st.integers(0, 2), voter=st.sampled_from([*VALIDATORS, "nobody"]), option=VOTE_OPTIONS
    )
    def vote(self, back: int, voter: str, option: str) -> None:
        """A vote on one of the latest proposals (or on one that does not exist)."""
        self.deliver(MsgVote(voter, max(self.proposals - back, 0), option), 1_000_000)

    @rule(msg=briefly(AUTHORITY_MESSAGES), gas=GAS)
    def authority_message(self, msg: Msg, gas: int) -> None:
        """A governance-only message sent as a transaction (signed by the authority or not)."""
        self.deliver(msg, gas)

    @rule(msg=briefly(GARBAGE_MESSAGES), gas=GAS)
    def garbage(self, msg: Msg, gas: int) -> None:
        self.deliver(msg, gas)

    @rule(
        client=st.sampled_from(CLIENT_IDS),
        values=briefly(st.lists(st.one_of(st.binary(max_size=32), HUGE), min_size=4, max_size=4)),
        gas=GAS,
    )
    def upgrade_client(self, client: str, values: list[bytes], gas: int) -> None:
        self.deliver(MsgUpgradeClient(RELAYER, client, *values), gas)

    @rule(
        checksum=st.sampled_from([*RUNNABLE, NATIVE_CHECKSUM]),
        height=st.integers(0, 20),
        data=briefly(st.lists(MSGPACK_DOCUMENTS, min_size=2, max_size=2)),
        upgrade=st.sampled_from(CLIENT_IDS) | st.none(),
        gas=GAS,
    )
    def wrapped_documents(
        self, checksum: bytes, height: int, data: list[bytes], upgrade: str | None, gas: int
    ) -> None:
        """Well-wrapped 08-wasm states around contents of the wrong shape: a new client, or
        the states of an upgrade of ``upgrade``."""
        client = WasmClientState(data[0], checksum, Height(1, height)).encode()
        consensus = WasmConsensusState(data[1]).encode()
        if upgrade is None:
            self.deliver(MsgCreateClient(RELAYER, client, consensus), gas)
        else:
            self.deliver(MsgUpgradeClient(RELAYER, upgrade, client, consensus, b"", b""), gas)

    # -- blocks ---------------------------------------------------------------------------------

    @rule(seconds=st.integers(1, 30))
    def produce_block(self, seconds: int) -> None:
        self.block(seconds)

    def block(self, seconds: int) -> None:
        """The next block (after restarting under a planned upgrade's binary, as validators
        do), then the log must restore exactly what was committed."""
        plan = self.chain.upgrade_due()
        if plan is not None:
            self.chain.restart(plan.binary)
        time_ns = max(self.chain.time_ns + seconds * SECOND, self.chain.next_block_time())
        self.pending = 0
        self.counts.blocks += 1
        try:
            record = self.chain.produce_block(time_ns)
        except Exception as error:  # the invariant under test: nothing escapes a block
            self._broken("escapes", f"block {self.chain.height + 1}: {type(error).__name__}")
            return
        for outcome in record.proposals:
            self.counts.proposals[outcome.status.value] += 1
        self.counts.restores += 1
        try:
            restored = HostApp.restore(self.world.vm, self.directory, self.config)
        except HostError as error:
            self._broken("divergences", f"block {self.app.height} not restored: {error}")
            return
        if _committed(restored) != _committed(self.app):
            self._broken("divergences", f"block {self.app.height} restored differently")

    @rule()
    def restart(self) -> None:
        """Carry on from the log, as a restarted node does."""
        time_ns = self.chain.time_ns
        self.app = HostApp.restore(self.world.vm, self.directory, self.config)
        self.chain = HostChain(self.app, HOST_CHAIN_ID, BLOCK_TIME, time_ns)

    @invariant()
    def height_is_the_log_height(self) -> None:
        assert self.app.height == self.chain.height
