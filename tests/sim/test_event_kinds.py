"""Every kind a run writes to its trace is one the reference tells (``EVENT_KINDS``): the
shipped scenarios between them write almost all of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from relayer_sim.scenario.shipped import shipped_scenarios
from relayer_sim.sim.event_kinds import EVENT_KINDS, RUN_EVENTS
from relayer_sim.sim.trace import read_trace
from tests.conftest import ShippedRun


def test_every_kind_the_shipped_runs_write_is_told(
    shipped_run: Callable[[Path], ShippedRun],
) -> None:
    written: dict[str, str] = {}
    for path in shipped_scenarios():
        for event in read_trace(shipped_run(path).trace_path).events:
            written.setdefault(event.kind, path.name)
    assert {kind: where for kind, where in written.items() if kind not in EVENT_KINDS} == {}
    # and the list tells no kind that nothing writes any more (those no shipped scenario
    # provokes are named here)
    provoked_elsewhere = {
        "client_creation_failed",
        "handshake_step_failed",
        "proposal_refused",
        "garbage_not_sent",
        "fork_not_sent",
        "action_failed",
        "packet_not_sent",
        "message_duplicated",
        "close_sent",
        "proposal_rejected",
        "proposal_failed",
    }
    assert set(RUN_EVENTS) - set(written) <= provoked_elsewhere
