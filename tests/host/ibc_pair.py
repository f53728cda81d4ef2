"""A host and a counterparty chain joined by hand, for the tests of IBC core on the host: the
host's clock and height move only when a test says so, so that delay periods and timeouts can be
stepped across exactly."""

from __future__ import annotations

from dataclasses import dataclass, field

from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.formats.ics03 import DEFAULT_VERSION, ConnectionCounterparty, Version
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import (
    DEFAULT_COMMITMENT_PREFIX,
    channel_key,
    connection_key,
    next_sequence_recv_key,
)
from relayer_sim.host.app import TxResult
from relayer_sim.host.errors import HostError
from relayer_sim.host.messages import (
    Msg,
    MsgChannelOpenAck,
    MsgChannelOpenConfirm,
    MsgChannelOpenInit,
    MsgChannelOpenTry,
    MsgConnectionOpenAck,
    MsgConnectionOpenConfirm,
    MsgConnectionOpenInit,
    MsgConnectionOpenTry,
    MsgUpdateClient,
)
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import WasmVM
from tests.host.test_app import RELAYER, Host, create_client, make_host, stored
from tests.lightclient.chains import HOST_CHAIN_ID, SECOND, advance, make_chain

PORT = "transfer"
VERSION = "ics20-1"
HOST_BLOCK_NS = 5 * SECOND


@dataclass
class Pair:
    """A host with a client of ``chain``, and the two clocks."""

    host: Host
    chain: CounterpartyChain
    client_id: str
    height: int = 100
    time_ns: int = 0
    #: The counterparty heights the client was updated to, latest last.
    trusted: list[Height] = field(default_factory=list)
    #: The host when the client was last updated (what the delay period counts from).
    updated_at: HostEnv | None = None

    @property
    def env(self) -> HostEnv:
        return HostEnv(self.height, self.time_ns, HOST_CHAIN_ID)

    def tick(self, blocks: int = 1, block_ns: int = HOST_BLOCK_NS) -> None:
        """The host makes ``blocks`` blocks."""
        self.height += blocks
        self.time_ns += blocks * block_ns

    def deliver(self, msg: Msg) -> TxResult:
        return self.host.app.deliver(msg, self.env, 50_000_000)

    def ok(self, msg: Msg) -> object:
        result = self.deliver(msg)
        assert result.ok, result.error
        return result.result

    def expect(self, error: type[HostError], msg: Msg) -> str:
        """``msg`` fails with ``error`` and leaves the host's state as it was."""
        before = self.host.items()
        result = self.deliver(msg)
        assert not result.ok and isinstance(result.error, error), result
        assert self.host.items() == before
        return str(result.error)

    def commit(self, blocks: int = 1) -> Height:
        """The counterparty makes ``blocks`` blocks (with what it wrote meanwhile) and the
        client is updated to the last: the height proofs are taken at."""
        advance(self.chain, blocks)
        latest = self.chain.latest_height
        assert latest is not None
        self.time_ns = max(self.time_ns, self.chain.latest_time_ns + SECOND)
        self.updated_at = self.env
        header = self.chain.header_message(latest, self.trusted[-1])
        self.ok(MsgUpdateClient(RELAYER, self.client_id, self.chain.wire.header_message(header)))
        self.trusted.append(latest)
        self.tick()
        return latest

    def prove(self, key: bytes, height: Height) -> bytes:
        return self.chain.prove((self.chain.config.commitment_prefix, key), height)

    # -- handshakes, the counterparty opening first ---------------------------------------------

    def open_connection(self, delay_period_ns: int = 0) -> tuple[str, str]:
        """Connection ids (host's, counterparty's), opened by the four steps."""
        ibc = self.chain.ibc
        theirs = ibc.conn_open_init(self.client_id, DEFAULT_COMMITMENT_PREFIX, delay_period_ns)
        at = self.commit()
        prefix = self.chain.config.commitment_prefix
        mine = self.ok(
            MsgConnectionOpenTry(
                RELAYER,
                self.client_id,
                ConnectionCounterparty(ibc.connection(theirs).client_id, theirs, prefix),
                delay_period_ns,
                (DEFAULT_VERSION,),
                self.prove(connection_key(theirs), at),
                at,
            )
        )
        assert isinstance(mine, str)
        ibc.conn_open_ack(theirs, mine, DEFAULT_VERSION)
        at = self.commit()
        self.ok(MsgConnectionOpenConfirm(RELAYER, mine, self.prove(connection_key(theirs), at), at))
        return mine, theirs

    def open_connection_from_host(
        self, delay_period_ns: int = 0, version: Version = DEFAULT_VERSION
    ) -> tuple[str, str]:
        """The same, the host opening first (offering ``version``): Init, Try
        (counterparty), Ack, Confirm."""
        ibc, prefix = self.chain.ibc, self.chain.config.commitment_prefix
        counterparty = ConnectionCounterparty("07-tendermint-0", "", prefix)
        mine = self.ok(
            MsgConnectionOpenInit(RELAYER, self.client_id, counterparty, version, delay_period_ns)
        )
        assert isinstance(mine, str)
        theirs = ibc.conn_open_try(
            ConnectionCounterparty(self.client_id, mine, DEFAULT_COMMITMENT_PREFIX),
            version,
            delay_period_ns,
        )
        at = self.commit()
        self.ok(
            MsgConnectionOpenAck(
                RELAYER, mine, theirs, version, self.prove(connection_key(theirs), at), at
            )
        )
        ibc.conn_open_confirm(theirs)
        return mine, theirs

    def open_channel(self, connections: tuple[str, str], ordering: Order) -> tuple[str, str]:
        """Channel ids (host's, counterparty's) on ``PORT``, the counterparty opening first."""
        mine_connection, theirs_connection = connections
        ibc = self.chain.ibc
        theirs = ibc.chan_open_init(PORT, ordering, theirs_connection, PORT, VERSION)
        at = self.commit()
        end = ChannelEnd(
            ChannelState.TRYOPEN,
            ordering,
            ChannelCounterparty(PORT, theirs),
            (mine_connection,),
            VERSION,
        )
        proof = self.prove(channel_key(PORT, theirs), at)
        mine = self.ok(MsgChannelOpenTry(RELAYER, PORT, end, VERSION, proof, at))
        assert isinstance(mine, str)
        ibc.chan_open_ack(PORT, theirs, mine, VERSION)
        at = self.commit()
        proof = self.prove(channel_key(PORT, theirs), at)
        self.ok(MsgChannelOpenConfirm(RELAYER, PORT, mine, proof, at))
        return mine, theirs

    def open_channel_from_host(
        self, connections: tuple[str, str], ordering: Order
    ) -> tuple[str, str]:
        mine_connection, theirs_connection = connections
        ibc = self.chain.ibc
        init = ChannelEnd(
            ChannelState.INIT, ordering, ChannelCounterparty(PORT, ""), (mine_connection,), VERSION
        )
        mine = self.ok(MsgChannelOpenInit(RELAYER, PORT, init))
        assert isinstance(mine, str)
        theirs = ibc.chan_open_try(
            PORT, ordering, theirs_connection, ChannelCounterparty(PORT, mine), VERSION
        )
        at = self.commit()
        proof = self.prove(channel_key(PORT, theirs), at)
        self.ok(MsgChannelOpenAck(RELAYER, PORT, mine, theirs, VERSION, proof, at))
        ibc.chan_open_confirm(PORT, theirs)
        return mine, theirs

    def next_sequence_recv(self, channel_id: str) -> bytes:
        key = next_sequence_recv_key(PORT, channel_id)
        value = self.chain.ibc.get(key)
        assert value is not None
        return value


def make_pair(vm: WasmVM, contract: str = "sim-tendermint-v1", **chain: object) -> Pair:
    """A host with a client (on ``contract``) of a fresh counterparty made with ``chain``."""
    counterparty = make_chain(**chain)
    advance(counterparty, 1)
    host = make_host(vm)
    client_id = create_client(host, counterparty, stored(host, counterparty, contract))
    return Pair(
        host,
        counterparty,
        client_id,
        time_ns=counterparty.latest_time_ns + SECOND,
        trusted=[Height(1, 1)],
    )
