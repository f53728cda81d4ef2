"""A byzantine relayer: it sends only what the timeline hands it: headers that a coalition of
counterparty validators signed for a fork the honest chain never made, headers signed by keys
it invented itself, or plain garbage."""

from __future__ import annotations

from collections.abc import Sequence

from relayer_sim.counterparty import Coalition, impostor, impostor_message
from relayer_sim.counterparty.wire import Forged, KeyPath
from relayer_sim.host.chain import Tx
from relayer_sim.host.clients import UpdateOutcome
from relayer_sim.host.errors import HostError
from relayer_sim.host.messages import MsgRecvPacket, MsgUpdateClient
from relayer_sim.lightclient.headers import HeaderMessage, Height, SignedHeader
from relayer_sim.lightclient.packets import Packet
from relayer_sim.world import World

#: Forged packets are numbered from here on, past any honest sequence a run reaches.
FORGED_SEQUENCES = 1_000_000
#: A forged packet times out a day after it is sent.
FORGED_TIMEOUT_NS = 86_400 * 10**9
#: Beyond any run: what it sleeps until with nothing to look at.
NEVER = 2**62


class ByzantineRelayer:
    """Submits forged headers to its client when told to."""

    def __init__(
        self,
        world: World,
        name: str,
        client: str,
        gas_limit: int,
    ) -> None:
        self.world, self.name, self.client, self.gas_limit = world, name, client, gas_limit
        #: The counterparty the attacked client follows, whose validators sign the forks.
        self.chain = world.chain_of(client)
        self.address = f"cosmos1{name}"
        #: Forged headers sent and not yet seen in a block: the transaction, the fork's kind
        #: and height.
        self._pending: list[tuple[Tx, str, str]] = []

    async def run(self) -> None:
        """It acts when the timeline hands it a fork or garbage; while a forged header it sent
        is not in a block yet, it looks after each host block at what the client made of it."""
        world = self.world
        while True:
            wake = NEVER
            if self._pending:
                wake = world.host.next_block_time() - world.epoch_ns
            await world.clock.sleep_until(self.name, wake)
            self._learn_outcomes()

    def _learn_outcomes(self) -> None:
        """Each forged header the last block ran: taken as the client's new consensus state
        (``fork_accepted``), taken as misbehaviour, which froze the client at once
        (``fork_frozen``), or refused (``fork_refused``, with the client's reason)."""
        world, waiting = self.world, []
        for tx, kind, height in self._pending:
            result = world.outcome(tx)
            if result is None:
                waiting.append((tx, kind, height))
                continue
            data = {"fork": kind, "client": world.clients[self.client], "height": height}
            if not result.ok:
                world.record(self.name, "fork_refused", **data, reason=str(result.error))
            elif isinstance(result.result, UpdateOutcome) and result.result.misbehaviour:
                world.record(self.name, "fork_frozen", **data)
            else:
                world.forks_accepted.setdefault(self.client, world.clock.now_ns)
                world.record(self.name, "fork_accepted", **data)
        self._pending = waiting

    def send_garbage(self, size: int) -> None:
        """Send ``size`` random bytes as a client message: the client must refuse them and
        lose nothing."""
        client_id = self.world.clients.get(self.client)
        if client_id is None:
            self.world.record(self.name, "garbage_not_sent", reason="no client yet")
            return
        garbage = self.world.random.randbytes(size)
        self.world.host.submit(
            Tx(MsgUpdateClient(self.address, client_id, garbage), self.gas_limit)
        )
        self.world.record(self.name, "garbage_sent", client=client_id, size=size)

    def _latest_acceptable_time(self, client_id: str) -> int:
        """Just inside the client's max clock drift from now."""
        state = self.world.host.app.query().clients.client_state(client_id)
        drift = self.chain.wire.read_client_state(state.data).max_clock_drift_ns
        return self.world.now_ns + drift - 10**9

    def send_fork(
        self,
        kind: str,
        coalition: Sequence[str],
        height: int | None,
        forge_packet: bool = False,
        base: int | None = None,
    ) -> None:
        """Forge a header of ``kind`` signed by ``coalition`` (an impostor: by invented keys)
        and send it as an update.

        Each is verified from ``base``, a consensus state the client holds (default: its
        latest height), except a backdated one. An equivocation re-signs the honest header at
        ``height`` (default: the latest) with another app hash: it passes only with more than
        2/3 of the power. A lunatic header invents a validator set of the coalition alone two
        heights ahead of the chain and skips to it: more than the trust level (1/3) of the
        trusted power is enough to fool the client. Its time is as late as
        the client's clock drift allows, so that the honest headers relayed meanwhile stay
        before it and nothing but a monitor can tell. A backdated header is the honest next
        header above the client's latest, re-signed with the time of that latest consensus
        state and built on the one before: it verifies (it is later than what it trusts), but
        time no longer increases with height, and the client must freeze itself. An impostor
        header is placed and timed like a lunatic one, but signed by keys the relayer invented,
        which its message names as the trusted validators: no counterparty validator is needed,
        and only a client that skips comparing them with its trusted state is fooled.

        With ``forge_packet``, the forged app hash (equivocation, lunatic, impostor) is the root
        of the honest state plus a packet commitment the counterparty never made, and the
        relayer delivers that packet right after the header, proven against it.
        """
        world, chain = self.world, self.chain
        client_id = world.clients.get(self.client)
        latest = chain.latest_height
        if client_id is None or latest is None:
            world.record(self.name, "fork_not_sent", reason="no client or no block yet")
            return
        clients = world.host.app.query().clients
        try:
            trusted = clients.latest_height(client_id)
            if base is not None:
                trusted = Height(trusted.revision_number, base)
                clients.consensus_state(client_id, trusted)
        except HostError as error:
            world.record(self.name, "fork_not_sent", reason=str(error))
            return
        packet = None
        if forge_packet:
            packet = self._forged_packet()
            if packet is None:
                world.record(self.name, "fork_not_sent", reason="no open channel over the client")
                return
        state: Forged | None = None
        if kind == "equivocation":
            at = Height(latest.revision_number, height or latest.revision_height)
            if at <= trusted:
                reason = f"the forged height {at} is not above the trusted {trusted}"
                world.record(self.name, "fork_not_sent", reason=reason)
                return
            state = self._forged_state(packet, at)
            forged = Coalition.of(coalition).equivocation(
                chain, at, app_hash=None if state is None else state.root
            )
        elif kind in ("lunatic", "impostor"):
            ahead = max(height or 0, trusted.revision_height + 2, latest.revision_height + 2)
            at = Height(latest.revision_number, ahead)
            state = self._forged_state(packet, latest)
            time_ns = self._latest_acceptable_time(client_id)
            app_hash = None if state is None else state.root
            if kind == "lunatic":
                forged = Coalition.of(coalition).lunatic(chain, at, time_ns, app_hash)
            else:
                forged = impostor(chain, at, time_ns, app_hash)
        elif kind == "backdated":
            backdated = self._backdated(Coalition.of(coalition), client_id, trusted)
            if backdated is None:
                return
            forged, at, trusted = backdated
        else:
            raise ValueError(f"unsupported fork kind {kind!r}")
        if kind == "impostor":
            message = impostor_message(forged, trusted)
        else:
            message = HeaderMessage(forged, trusted, chain.trusted_validators(trusted))
        encoded = chain.wire.header_message(message)
        tx = Tx(MsgUpdateClient(self.address, client_id, encoded), self.gas_limit)
        world.host.submit(tx)
        self._pending.append((tx, kind, str(at)))
        world.clock.wake_by(self.name, world.host.next_block_time() - world.epoch_ns)
        world.forks.setdefault(self.client, world.clock.now_ns)
        world.record(
            self.name,
            "fork_sent",
            fork=kind,
            client=client_id,
            height=str(at),
            trusted=str(trusted),
            coalition=list(coalition),
        )
        if packet is not None and state is not None:
            self._deliver_forged(client_id, packet, state, at)

    def _backdated(
        self, members: Coalition, client_id: str, latest: Height
    ) -> tuple[SignedHeader, Height, Height] | None:
        """The forged header, its height and the height it trusts, or None (recorded why)."""
        world, chain = self.world, self.chain
        at = Height(latest.revision_number, latest.revision_height + 1)
        trusted = Height(latest.revision_number, latest.revision_height - 1)
        clients = world.host.app.query().clients
        reason = None
        if chain.latest_height is None or chain.latest_height < at:
            reason = f"the counterparty has no block above the client's {latest} yet"
        else:
            try:
                clients.consensus_state(client_id, trusted)
            except HostError:
                reason = f"the client holds no consensus state at {trusted}"
        if reason is not None:
            world.record(self.name, "fork_not_sent", reason=reason)
            return None
        latest_state = clients.consensus_state(client_id, latest).data
        latest_time = chain.wire.consensus_timestamp(latest_state)
        return members.backdated(chain, at, latest_time), at, trusted

    def _forged_packet(self) -> Packet | None:
        """A packet on the first open channel over the client, numbered far past the honest
        ones so that it takes no honest packet's place (an ordered channel refuses it as out
        of order), timing out a day from now; None without such a channel."""
        world = self.world
        channel = next((c for c in world.channels.values() if c.client == self.client), None)
        if channel is None:
            return None
        sequence = FORGED_SEQUENCES + len(world.forged) + 1
        data = b"forged: 1000000uatom to " + self.address.encode()
        return Packet(
            sequence,
            channel.counterparty_port,
            channel.counterparty_channel,
            channel.host_port,
            channel.host_channel,
            data,
            timeout_timestamp_ns=world.now_ns + FORGED_TIMEOUT_NS,
        )

    def _commitment_path(self, packet: Packet) -> KeyPath:
        return (self.chain.config.commitment_prefix, packet.commitment_key())

    def _forged_state(self, packet: Packet | None, base: Height) -> Forged | None:
        if packet is None:
            return None
        commitment = {self._commitment_path(packet): packet.commitment()}
        return self.chain.state.forged(base, commitment)

    def _deliver_forged(self, client_id: str, packet: Packet, state: Forged, at: Height) -> None:
        proof = state.prove(self._commitment_path(packet))
        message = MsgRecvPacket(self.address, packet, proof, at)
        self.world.host.submit(Tx(message, self.gas_limit))
        self.world.forged.append(packet)
        self.world.record(
            self.name,
            "forged_packet_sent",
            client=client_id,
            sequence=packet.sequence,
            height=str(at),
        )
