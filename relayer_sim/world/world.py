"""Everything the actors of a run share: the chains (the host and every counterparty), the
clock, the trace and the seeded randomness. Actors change the world only during their own turn
of the ``SimClock``."""

from __future__ import annotations

import logging
import random
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Protocol

import structlog

from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.host.app import TxResult
from relayer_sim.host.chain import BlockRecord, HostChain, Tx
from relayer_sim.lightclient.packets import Packet
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.world.channels import OpenChannel
from relayer_sim.world.clock import SimClock
from relayer_sim.world.sent import SentPackets

#: Events recorded many times a minute: logged at debug level, so the info log tells the story.
ROUTINE_KINDS: Final = frozenset(
    {
        "block",
        "clients",
        "packet_sent",
        "packet_acknowledged",
        "packet_relayed",
        # the SDK events of routine transactions
        "update_client",
        "send_packet",
        "recv_packet",
        "write_acknowledgement",
        "acknowledge_packet",
        "timeout_packet",
        "update_sent",
        "message_lost",
        "message_duplicated",
    }
)
#: How many of the latest notable (not routine) events the world keeps for a live display.
NOTABLE_KEPT: Final = 8
_log = structlog.get_logger("relayer_sim.sim")
#: Asked first, so that an unconfigured run formats no log record at all.
_stdlib_log = logging.getLogger("relayer_sim.sim")


class TraceSink(Protocol):
    """Where events go (``relayer_sim.sim.trace.TraceRecorder``)."""

    def record(self, t_ns: int, actor: str, kind: str, **data: object) -> None: ...

    def flush(self) -> None: ...


@dataclass
class World:
    clock: SimClock
    #: The counterparties by their scenario names, in the scenario's order.
    chains: dict[str, CounterpartyChain]
    #: Scenario client name → the name of the counterparty it follows.
    followed: dict[str, str]
    host: HostChain
    trace: TraceSink
    random: random.Random
    #: Absolute time (ns) of simulated time 0: the counterparties' genesis.
    epoch_ns: int
    #: Scenario client name → host client id, once created.
    clients: dict[str, str] = field(default_factory=dict)
    #: Scenario channel name → the channel, once its handshakes opened it.
    channels: dict[str, OpenChannel] = field(default_factory=dict)
    #: Counterparty name → the packets it sent to the host, and those the host sent it.
    sent: defaultdict[str, SentPackets] = field(default_factory=lambda: defaultdict(SentPackets))
    host_sent: defaultdict[str, SentPackets] = field(
        default_factory=lambda: defaultdict(SentPackets)
    )
    #: The host's last block (actors read their transactions' results from it).
    last_block: BlockRecord | None = None
    #: The host's latest blocks, for actors that read what the host ran (monitors).
    recent_blocks: deque[BlockRecord] = field(default_factory=lambda: deque(maxlen=1024))
    #: Client name → when a byzantine relayer first sent it a forged header (ns since start).
    forks: dict[str, int] = field(default_factory=dict)
    #: Client name → when it first took a forged header as a new consensus state.
    forks_accepted: dict[str, int] = field(default_factory=dict)
    #: Packets the counterparty never sent, delivered by byzantine relayers.
    forged: list[Packet] = field(default_factory=list)
    #: Called after every host block with the world; they only look (a live display).
    observers: list[Callable[[World], None]] = field(default_factory=list)
    #: The latest events not of a routine kind, as recorded: (time, actor, kind, data).
    notable: deque[tuple[int, str, str, dict[str, object]]] = field(
        default_factory=lambda: deque(maxlen=NOTABLE_KEPT)
    )

    def chain_of(self, client: str) -> CounterpartyChain:
        """The counterparty the scenario client named ``client`` follows."""
        return self.chains[self.followed[client]]

    def packets_sent(self) -> int:
        """How many packets the counterparties sent to the host."""
        return sum(len(log) for log in self.sent.values())

    @property
    def now_ns(self) -> int:
        """Absolute time now (what chains put in their blocks)."""
        return self.epoch_ns + self.clock.now_ns

    def host_env(self) -> HostEnv:
        """The host as a query made now sees it: its last block's height, the time now."""
        return HostEnv(self.host.height, self.now_ns, self.host.chain_id)

    def outcome(self, tx: Tx) -> TxResult | None:
        """The result of ``tx`` if the host's last block ran it."""
        if self.last_block is not None:
            for record in self.last_block.txs:
                if record.tx is tx:
                    return record.result
        return None

    def record(self, actor: str, kind: str, **data: object) -> None:
        """Write an event to the trace, and to the log when its level is enabled (routine
        events at debug, the rest at info)."""
        now = self.clock.now_ns
        self.trace.record(now, actor, kind, **data)
        routine = kind in ROUTINE_KINDS
        if not routine:
            self.notable.append((now, actor, kind, data))
        level = logging.DEBUG if routine else logging.INFO
        if _stdlib_log.isEnabledFor(level):
            _log.log(level, kind, actor=actor, sim_time=now, **data)
