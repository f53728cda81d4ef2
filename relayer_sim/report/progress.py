"""The live display of ``relayer-sim run``: simulated time, every chain's height, each client's
height and status, the packets, and the latest notable events (a refused transaction with its
reason, a fork, a proposal's end), refreshed a few times a second of wall time."""

from __future__ import annotations

import time
from typing import Final

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from relayer_sim.host.errors import HostError
from relayer_sim.report.printable import Cell, Column, FittedTable, shown
from relayer_sim.report.trace import summarize
from relayer_sim.sim.timefmt import format_elapsed
from relayer_sim.sim.trace import Event
from relayer_sim.world import World

REFRESH_SECONDS = 0.25


class RunProgress:
    """An observer for ``run_scenario``: it only reads the world."""

    def __init__(self, console: Console, duration_ns: int) -> None:
        self.duration_ns = duration_ns
        self.live = Live(console=console, auto_refresh=False, transient=True)
        self._last = 0.0

    def __enter__(self) -> RunProgress:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def __call__(self, world: World) -> None:
        now = time.monotonic()
        if now - self._last < REFRESH_SECONDS:
            return
        self._last = now
        self.live.update(self.display(world), refresh=True)

    def display(self, world: World) -> Group:
        """What the display shows of ``world`` now: the chains, clients and packets, then the
        latest notable events."""
        return Group(self._table(world), _events(world))

    def _table(self, world: World) -> Table:
        elapsed = world.clock.now_ns
        table = Table(
            title=(
                f"{format_elapsed(elapsed)} of {format_elapsed(self.duration_ns)} simulated "
                f"({100 * elapsed // max(self.duration_ns, 1)} %)"
            ),
            title_justify="left",
        )
        table.add_column("")
        table.add_column("height")
        table.add_column("status")
        for name, chain in world.chains.items():
            state = "halted" if chain.halted else chain.chain_id
            table.add_row(name, str(chain.latest_height or "-"), state)
        table.add_row("host", str(world.host.height), world.host.chain_id)
        clients = world.host.app.query().clients
        for name, client_id in sorted(world.clients.items()):
            try:
                height = str(clients.latest_height(client_id))
                status = str(clients.query_status(client_id, world.host_env()))
            except HostError as error:
                height, status = "-", str(error)
            table.add_row(f"client {name} ({client_id})", height, status)
        packets = world.host.app.query().packets
        for name, log in world.sent.items():
            delivered = log.delivered(packets.received, last=200)
            table.add_row(
                f"packets from {name}", f"{len(log)} sent", f"{delivered} of the last 200 in"
            )
        return table


#: The events pane: when, who, what kind, then the event's data, which wraps.
_EVENT_COLUMNS: Final = (
    Column("time", whole=True),
    Column("actor", whole=True),
    Column("kind", whole=True),
    Column("what"),
)


def _events(world: World) -> FittedTable:
    rows: list[list[Cell]] = [
        [
            format_elapsed(t_ns),
            shown(actor),
            kind,
            shown(summarize(Event(t_ns, 0, actor, kind, data))),
        ]
        for t_ns, actor, kind, data in world.notable
    ]
    return FittedTable("latest events", _EVENT_COLUMNS, rows)
