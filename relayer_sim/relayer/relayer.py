"""A relayer: keeps a host client following its counterparty and delivers its packets.

When the counterparty comes back from a planned upgrade as a new revision, the relayer updates
the client to the old revision's last height and sends ``MsgUpgradeClient`` with the states the
chain published under its upgrade key; then it carries on with the new revision.

On each wake-up it queries both chains over its ``Link`` (which may delay, lose or duplicate
what travels), compares the counterparty's latest height with the client's, decides by its
update policy whether to send ``MsgUpdateClient`` (trusting the client's latest height), and
relays the packets of the channels over its client both ways (``relayer_sim.relayer.packets``):
deliveries, acknowledgements and timeouts. It learns only from the chains' public state, so a crash
or a lost transaction costs nothing but time: the next wake-up sees what is still missing. A
transaction whose effect does not show is sent again after a backoff that doubles with each
attempt (up to 8 times the first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from relayer_sim.counterparty.chain import ChainError
from relayer_sim.counterparty.wire import ClientView
from relayer_sim.host.chain import Tx
from relayer_sim.host.clients import Status
from relayer_sim.host.errors import HostError
from relayer_sim.host.messages import Msg, MsgUpdateClient, MsgUpgradeClient
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.paths import upgrade_paths
from relayer_sim.lightclient.states import DEFAULT_UPGRADE_PATH
from relayer_sim.lightclient.wasm_wrappers import WasmClientState, WasmConsensusState
from relayer_sim.relayer.link import Link
from relayer_sim.relayer.packets import PacketRelay
from relayer_sim.world import World

#: A transaction retried over and over waits at most this many times ``retry_ns`` in between.
MAX_BACKOFF_DOUBLINGS = 3


class UpdatePolicy(StrEnum):
    EVERY_BLOCK = "every_block"
    INTERVAL = "interval"
    LAG = "lag"
    BEFORE_EXPIRY = "before_expiry"


@dataclass(frozen=True)
class RelayerConfig:
    name: str
    client: str
    policy: UpdatePolicy = UpdatePolicy.EVERY_BLOCK
    #: ``interval``: time between updates; others: how often the relayer looks.
    poll_ns: int = 5 * 10**9
    #: ``lag``: update once the client is this many blocks behind.
    lag_blocks: int = 1
    #: ``before_expiry``: update when the client's latest state is this close to expiring.
    margin_ns: int = 3600 * 10**9
    packets: bool = True
    #: How long to wait for a sent transaction's effect before sending it again (the first
    #: time; it doubles with each attempt).
    retry_ns: int = 15 * 10**9
    gas_limit: int = 20_000_000
    address: str = "cosmos1relayer"
    #: How long its policy lets the client go without an update (with a few blocks' slack);
    #: a report counts a client left longer as down.
    stale_after_ns: int = 60 * 10**9


@dataclass(frozen=True)
class _Outgoing:
    """A transaction decided on, with what to record once it is sent."""

    tx: Tx
    key: tuple[str, ...]
    kind: str = ""
    data: dict[str, object] = field(default_factory=dict)


class Relayer:
    def __init__(self, world: World, config: RelayerConfig, link: Link) -> None:
        self.world, self.config, self.link = world, config, link
        #: The counterparty the client follows.
        self.chain = world.chain_of(config.client)
        self._last_update_ns: int | None = None
        #: What was sent and not yet seen to take effect: when last, and how many times.
        #: An entry goes once its effect shows (it would never be asked about again).
        self._attempts: dict[tuple[str, ...], tuple[int, int]] = {}
        #: The height of each update in ``_attempts``, to drop those the client has passed.
        self._update_heights: dict[tuple[str, ...], Height] = {}
        #: Until when (ns since start) the relayer is down and does nothing.
        self.offline_until_ns = 0
        self._outgoing: list[_Outgoing] = []
        self.packets = PacketRelay(world, config.name, config.address, config.client, self)

    def go_offline(self, duration_ns: int) -> None:
        """The relayer's process stops (a crash) and restarts after ``duration_ns`` with only
        what it can read from the chains: it keeps no memory of what it had sent."""
        self.offline_until_ns = self.world.clock.now_ns + duration_ns
        self._attempts.clear()
        self._update_heights.clear()
        self.packets.forget()
        self.world.record(self.config.name, "offline", until=self.offline_until_ns)

    def _online(self) -> bool:
        return self.world.clock.now_ns >= self.offline_until_ns

    async def run(self) -> None:
        """Poll, query, decide, send: a crash in between loses what was under way."""
        clock, name, link = self.world.clock, self.config.name, self.link
        # Actors act only in their turn of the clock, even at the start: the order trio
        # starts tasks in is not the trace's.
        await clock.sleep_until(name, 0)
        self.world.record(
            name,
            "relayer_started",
            client=self.config.client,
            policy=str(self.config.policy),
            stale_after=self.config.stale_after_ns,
        )
        while True:
            await clock.sleep(name, self.config.poll_ns)
            if not (self._online() and await link.ask() and self._online()):
                continue
            outgoing = self.plan()
            if not (await link.answer() and self._online()):
                continue
            for item in outgoing:
                self._attempted(item.key)
                if item.kind:
                    self.world.record(name, item.kind, **item.data)
            await link.send([item.tx for item in outgoing])

    def plan(self) -> list[_Outgoing]:
        """One look at both chains: the transactions it calls for."""
        self._outgoing = []
        self._look()
        return self._outgoing

    def _look(self) -> None:
        client_id = self.world.clients.get(self.config.client)
        target = self.chain.latest_height
        if client_id is None or target is None or self.world.host.halted:
            return  # a halted host's nodes answer nothing
        clients = self.world.host.app.query().clients
        env = self.world.host_env()
        try:
            if clients.query_status(client_id, env) != Status.ACTIVE:
                return
            trusted = clients.latest_height(client_id)
        except HostError:
            return
        self._forget_updates(trusted)
        if target.revision_number > trusted.revision_number:
            self._follow_upgrade(client_id, trusted)
            return
        if trusted > target:
            # The client trusts a header above the chain's: a fork's. Nothing the chain has
            # can be proven against it until the chain gets there.
            return
        proven = trusted
        fresh = target.revision_number == trusted.revision_number and target > trusted
        if fresh and self._wants_update(trusted, target):
            step = self._reachable(trusted, target)
            if self._due(("update", str(step))):
                self._submit_update(client_id, trusted, step)
                proven = step
        self.packets.observe(trusted)
        if self.config.packets:
            self.packets.relay(proven)

    def _due(self, key: tuple[str, ...]) -> bool:
        """Whether ``key`` may be sent now: never sent, or sent long enough ago that its
        result should have shown (a lost or failed transaction is retried, each time after
        twice the wait, up to ``2 ** MAX_BACKOFF_DOUBLINGS`` times ``retry_ns``)."""
        attempt = self._attempts.get(key)
        if attempt is None:
            return True
        sent_ns, count = attempt
        backoff = self.config.retry_ns << min(count - 1, MAX_BACKOFF_DOUBLINGS)
        return self.world.clock.now_ns - sent_ns >= backoff

    def _forget_updates(self, trusted: Height) -> None:
        """Drop the attempts of updates to heights the client trusts already: the updates it
        asks for are all above its latest height, which never goes down (a recovery moves it
        up, an upgrade to a later revision)."""
        passed = [key for key, height in self._update_heights.items() if height <= trusted]
        for key in passed:
            del self._update_heights[key]
            self._attempts.pop(key, None)

    def _attempted(self, key: tuple[str, ...]) -> None:
        _, count = self._attempts.get(key, (0, 0))
        self._attempts[key] = (self.world.clock.now_ns, count + 1)

    def _follow_upgrade(self, client_id: str, trusted: Height) -> None:
        """The counterparty restarted as a new revision: bring the client to the old
        revision's last height, then upgrade it with the states the chain published under its
        upgrade key, proven at that height."""
        chain = self.chain
        last = chain.last_heights.get(trusted.revision_number)
        if last is None:
            return
        if trusted < last:
            if self._due(("update", str(last))):
                self._submit_update(client_id, trusted, last)
            return
        if not self._due(("upgrade", str(last))):
            return
        client_path, consensus_path = upgrade_paths(DEFAULT_UPGRADE_PATH, last.revision_height)
        client_key, consensus_key = tuple(client_path), tuple(consensus_path)
        upgraded_client = chain.value(client_key, last)
        upgraded_consensus = chain.value(consensus_key, last)
        if upgraded_client is None or upgraded_consensus is None:
            return
        checksum = self.world.host.app.query().clients.client_state(client_id).checksum
        new_height = chain.wire.read_client_state(upgraded_client).latest_height
        upgrade = MsgUpgradeClient(
            self.config.address,
            client_id,
            WasmClientState(upgraded_client, checksum, new_height).encode(),
            WasmConsensusState(upgraded_consensus).encode(),
            chain.prove(client_key, last),
            chain.prove(consensus_key, last),
        )
        self._submit(
            upgrade,
            ("upgrade", str(last)),
            "upgrade_sent",
            client=client_id,
            at=str(last),
            to=str(new_height),
        )

    def _reachable(self, trusted: Height, target: Height) -> Height:
        """The height to update to: ``target``, unless a consensus switch lies between — the
        trusted (old-scheme) validators sign nothing after it, so the client must cross the
        switch adjacently, from the block before it, before skipping again — or too few of the
        trusted validators signed ``target`` (the validator set changed too much since): then
        halfway, and halfway again (CometBFT's bisection), down to the next block, which the
        client verifies adjacently."""
        chain = self.chain
        following = Height(trusted.revision_number, trusted.revision_height + 1)
        if chain.version_at(following) != chain.version_at(trusted):
            return following
        level = self._client_state().trust_level
        while target > following and not chain.wire.trusted_enough(
            chain.header_message(target, trusted), level
        ):
            middle = (trusted.revision_height + target.revision_height) // 2
            target = Height(trusted.revision_number, max(middle, following.revision_height))
        return target

    def _wants_update(self, trusted: Height, target: Height) -> bool:
        now = self.world.clock.now_ns
        match self.config.policy:
            case UpdatePolicy.EVERY_BLOCK:
                return True
            case UpdatePolicy.INTERVAL:
                return (
                    self._last_update_ns is None
                    or now - self._last_update_ns >= self.config.poll_ns
                )
            case UpdatePolicy.LAG:
                return target.revision_height - trusted.revision_height >= self.config.lag_blocks
            case UpdatePolicy.BEFORE_EXPIRY:
                return self._close_to_expiry(trusted)

    def _close_to_expiry(self, trusted: Height) -> bool:
        try:
            block = self.chain.block(trusted)
        except ChainError:  # older than the chain retains: past any trusting period
            return True
        trusting = self._client_state().trusting_period_ns
        return block.header.time_ns + trusting - self.config.margin_ns <= self.world.now_ns

    def _client_state(self) -> ClientView:
        client_id = self.world.clients[self.config.client]
        state = self.world.host.app.query().clients.client_state(client_id)
        return self.chain.wire.read_client_state(state.data)

    def _submit_update(self, client_id: str, trusted: Height, target: Height) -> None:
        chain = self.chain
        message = chain.wire.header_message(chain.header_message(target, trusted))
        key = ("update", str(target))
        self._update_heights[key] = target
        self._submit(
            MsgUpdateClient(self.config.address, client_id, message),
            key,
            "update_sent",
            client=client_id,
            trusted=str(trusted),
            height=str(target),
        )
        self._last_update_ns = self.world.clock.now_ns

    # -- the packet relay's outbox --------------------------------------------------------

    def due(self, key: tuple[str, ...]) -> bool:
        return self._due(key)

    def settled(self, key: tuple[str, ...]) -> None:
        """``key``'s effect shows: no more retries of it."""
        self._attempts.pop(key, None)

    def submit(self, msg: Msg, key: tuple[str, ...], kind: str = "", **data: object) -> None:
        self._submit(msg, key, kind, **data)

    def _submit(
        self,
        msg: Msg,
        key: tuple[str, ...],
        kind: str = "",
        **data: object,
    ) -> None:
        """Queue ``msg`` for this look's sending; ``kind`` and ``data`` go to the trace as it
        leaves."""
        self._outgoing.append(_Outgoing(Tx(msg, self.config.gas_limit), key, kind, data))
