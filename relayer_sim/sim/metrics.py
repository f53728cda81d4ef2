"""What a run measures as it goes, sampled after every host block: how far each client lags
behind the counterparty it follows (in the expectations' windows too), each client's status
changes, when each packet was sent and received, how many proposals passed, and when an attacked
client froze. Each sample also goes to the trace (``clients``: every client's height, status and
counterparty, beside each counterparty's latest height), so that a report can be made from the
trace alone."""

from __future__ import annotations

from collections.abc import Sequence

from relayer_sim.host.clients import Status
from relayer_sim.host.errors import HostError
from relayer_sim.host.governance import ProposalStatus
from relayer_sim.sim.packet_times import PacketTimes
from relayer_sim.sim.refusals import RefusalTally
from relayer_sim.world import World


class Metrics:
    """Samples taken right after each host block (the actor ranks after the host)."""

    name = "metrics"

    def __init__(
        self,
        world: World,
        clients: Sequence[str],
        lag_windows: Sequence[tuple[str, int, int]] = (),
    ) -> None:
        self.world = world
        self.max_lag: dict[str, int] = {client: 0 for client in clients}
        #: (client, start, end) → the largest lag sampled in that window (the expectations'
        #: windows, given beforehand: a run keeps no lag series).
        self.lag_peaks: dict[tuple[str, int, int], int] = dict.fromkeys(lag_windows, 0)
        #: Client name → (when, status) each time its sampled status changed.
        self.statuses: dict[str, list[tuple[int, str]]] = {}
        self.packets = PacketTimes()
        #: The failed transactions, by message type and reason.
        self.refused = RefusalTally()
        self.proposals_passed = 0
        #: Client name → when it was first seen frozen (ns since start), for clients that a
        #: byzantine relayer attacked.
        self.frozen_at: dict[str, int] = {}

    async def run(self) -> None:
        world = self.world
        while True:
            await world.clock.sleep_until(self.name, world.host.next_block_time() - world.epoch_ns)
            self.sample()

    def sample(self) -> None:
        world = self.world
        if world.last_block is not None:
            self.proposals_passed += sum(
                outcome.status is ProposalStatus.PASSED for outcome in world.last_block.proposals
            )
        self.packets.observe(world, world.last_block)
        self._count_refusals()
        clients = world.host.app.query().clients
        for name in world.forks:
            client_id = world.clients.get(name)
            if client_id is None or name in self.frozen_at:
                continue
            if clients.query_status(client_id, world.host_env()) == Status.FROZEN:
                self.frozen_at[name] = world.clock.now_ns
                world.record(self.name, "client_frozen", client=client_id)
        env = world.host_env()
        seen: dict[str, object] = {}
        for name in self.max_lag:
            client_id = world.clients.get(name)
            if client_id is None:
                continue
            try:
                height = clients.latest_height(client_id)
                status = clients.query_status(client_id, env)
            except HostError:
                continue
            chain = world.followed[name]
            seen[name] = {
                "id": client_id,
                "height": str(height),
                "status": str(status),
                "counterparty": chain,
            }
            self._status(name, str(status))
            latest = world.chains[chain].latest_height
            if latest is not None and height.revision_number == latest.revision_number:
                self._lag(name, latest.revision_height - height.revision_height)
        # The series that ``relayer-sim report`` reads back: each client next to its chain.
        latest_heights = {
            name: None if chain.latest_height is None else str(chain.latest_height)
            for name, chain in world.chains.items()
        }
        world.record(self.name, "clients", counterparties=latest_heights, clients=seen)

    def _count_refusals(self) -> None:
        block = self.world.last_block
        for record in () if block is None else block.txs:
            if not record.result.ok:
                message, reason = type(record.tx.msg).__name__, str(record.result.error)
                self.refused.add(self.world.clock.now_ns, message, reason)

    def _status(self, client: str, status: str) -> None:
        changes = self.statuses.setdefault(client, [])
        if not changes or changes[-1][1] != status:
            changes.append((self.world.clock.now_ns, status))

    def _lag(self, client: str, lag: int) -> None:
        self.max_lag[client] = max(self.max_lag[client], lag)
        now = self.world.clock.now_ns
        for window, peak in self.lag_peaks.items():
            name, start, end = window
            if name == client and start <= now <= end and lag > peak:
                self.lag_peaks[window] = lag

    def statuses_in(self, client: str, start_ns: int, end_ns: int) -> list[str]:
        """The statuses the client was sampled with in [``start_ns``, ``end_ns``]: the one it
        had at the start (if it existed), and each it changed to in the window."""
        changes = self.statuses.get(client, [])
        before = [status for time, status in changes if time <= start_ns][-1:]
        return before + [status for time, status in changes if start_ns < time <= end_ns]
