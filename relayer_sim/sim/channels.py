"""Opening the scenario's channels: the ICS-03 connection handshake, then the ICS-04 channel
handshake, the counterparty going first, as a relayer drives them.

Each host step is proven at a counterparty height the client trusts: when the client is behind
the height that holds the counterparty's step, the opener sends an update of the client to the
chain's latest height in the same block, before the step. A step that fails (a lost race with
another update, a client not yet active) is tried again at the next counterparty block. The
counterparty's own steps (``OpenAck``, ``OpenConfirm``) take the host's committed step as given:
the model chain runs no client of the host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from relayer_sim.formats.ics03 import DEFAULT_VERSION, ConnectionCounterparty
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import channel_key, connection_key
from relayer_sim.host.chain import Tx
from relayer_sim.host.clients import Status
from relayer_sim.host.errors import HostError
from relayer_sim.host.events import event_type
from relayer_sim.host.messages import (
    Msg,
    MsgChannelOpenConfirm,
    MsgChannelOpenTry,
    MsgConnectionOpenConfirm,
    MsgConnectionOpenTry,
    MsgUpdateClient,
)
from relayer_sim.lightclient.headers import Height
from relayer_sim.world import OpenChannel, World

OPENER = "cosmos1opener"
#: After failures, a step waits at most ``2 ** MAX_BACKOFF_DOUBLINGS`` counterparty blocks.
MAX_BACKOFF_DOUBLINGS = 3


@dataclass(frozen=True)
class ChannelPlan:
    """A channel the scenario opens: over a connection on ``client``, which follows the
    counterparty ``chain``, between the two ends' ``port``."""

    name: str
    client: str
    chain: str
    port: str
    ordering: Order
    version: str
    delay_period_ns: int


class ChannelOpener:
    """Runs one channel's handshakes and lists the channel in the world once open."""

    def __init__(self, world: World, plan: ChannelPlan, gas_limit: int) -> None:
        self.world, self.plan, self.gas_limit = world, plan, gas_limit
        self.chain = world.chains[plan.chain]
        self.name = f"open:{plan.name}"

    async def run(self) -> None:
        plan, world = self.plan, self.world
        client_id = await self._client()
        ibc, prefix = self.chain.ibc, self.chain.config.commitment_prefix
        host_prefix = world.host.app.config.commitment_prefix
        theirs = ibc.conn_open_init(client_id, host_prefix, plan.delay_period_ns)
        self._record(
            "handshake_step", step="connection_open_init", chain=plan.chain, connection=theirs
        )
        counterparty = ConnectionCounterparty(ibc.connection(theirs).client_id, theirs, prefix)
        mine = await self._host_step(
            lambda at: MsgConnectionOpenTry(
                OPENER,
                client_id,
                counterparty,
                plan.delay_period_ns,
                (DEFAULT_VERSION,),
                self._prove(connection_key(theirs), at),
                at,
            )
        )
        assert isinstance(mine, str)
        ibc.conn_open_ack(theirs, mine, DEFAULT_VERSION)
        await self._host_step(
            lambda at: MsgConnectionOpenConfirm(
                OPENER, mine, self._prove(connection_key(theirs), at), at
            )
        )
        port = plan.port
        their_channel = ibc.chan_open_init(port, plan.ordering, theirs, port, plan.version)
        self._record(
            "handshake_step", step="channel_open_init", chain=plan.chain, channel=their_channel
        )
        try_end = ChannelEnd(
            ChannelState.TRYOPEN,
            plan.ordering,
            ChannelCounterparty(port, their_channel),
            (mine,),
            plan.version,
        )
        my_channel = await self._host_step(
            lambda at: MsgChannelOpenTry(
                OPENER,
                port,
                try_end,
                plan.version,
                self._prove(channel_key(port, their_channel), at),
                at,
            )
        )
        assert isinstance(my_channel, str)
        ibc.chan_open_ack(port, their_channel, my_channel, plan.version)
        await self._host_step(
            lambda at: MsgChannelOpenConfirm(
                OPENER, port, my_channel, self._prove(channel_key(port, their_channel), at), at
            )
        )
        world.channels[plan.name] = OpenChannel(
            plan.name,
            plan.client,
            plan.chain,
            plan.ordering,
            plan.delay_period_ns,
            mine,
            theirs,
            port,
            my_channel,
            port,
            their_channel,
        )
        self._record(
            "channel_opened",
            name=plan.name,
            connection=mine,
            channel=my_channel,
            counterparty_connection=theirs,
            counterparty_channel=their_channel,
        )

    def _record(self, kind: str, **data: object) -> None:
        self.world.record(self.name, kind, **data)

    def _prove(self, key: bytes, at: Height) -> bytes:
        chain = self.chain
        return chain.prove((chain.config.commitment_prefix, key), at)

    async def _client(self) -> str:
        """The client's id, once it exists and is active."""
        world = self.world
        while True:
            client_id = world.clients.get(self.plan.client)
            if client_id is not None and self._status(client_id) == Status.ACTIVE:
                return client_id
            await self._next_host_block()

    def _status(self, client_id: str) -> Status:
        try:
            return self.world.host.app.query().clients.query_status(
                client_id, self.world.host_env()
            )
        except HostError:
            return Status.UNKNOWN

    async def _next_host_block(self) -> None:
        world = self.world
        await world.clock.sleep_until(self.name, world.host.next_block_time() - world.epoch_ns)

    async def _host_step(self, step: Callable[[Height], Msg]) -> object:
        """Run ``step`` on the host, proven at a counterparty height holding what the
        counterparty wrote so far; its result. While the client follows another revision than
        the chain's (an upgrade the relayers have yet to carry it through), it waits; after a
        failure it waits twice as many counterparty blocks as before, up to 8."""
        world, chain = self.world, self.chain
        written = chain.next_height()
        failures = 0
        while True:
            while chain.latest_height is None or chain.latest_height < written:
                await world.clock.sleep(self.name, chain.config.block_time_ns)
            client_id = world.clients[self.plan.client]
            trusted = world.host.app.query().clients.latest_height(client_id)
            latest = chain.latest_height
            if trusted.revision_number != latest.revision_number:
                written = Height(latest.revision_number, latest.revision_height + 1)
                continue
            at = trusted if trusted >= written else latest
            txs = []
            if at != trusted:
                message = chain.wire.header_message(chain.header_message(at, trusted))
                txs.append(Tx(MsgUpdateClient(OPENER, client_id, message), self.gas_limit))
            msg = step(at)
            txs.append(Tx(msg, self.gas_limit))
            for tx in txs:
                world.host.submit(tx)
            await self._next_host_block()
            result = world.outcome(txs[-1])
            kind = event_type(msg)
            if result is not None and result.ok:
                self._record("handshake_step", step=kind, chain="host", proof_height=str(at))
                return result.result
            error = "not in the block" if result is None else str(result.error)
            self._record("handshake_step_failed", step=kind, error=error)
            failures += 1
            wait = 1 << min(failures - 1, MAX_BACKOFF_DOUBLINGS)
            written = Height(latest.revision_number, latest.revision_height + wait)
