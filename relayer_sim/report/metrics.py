"""The metrics of a run, computed from its trace alone (DESIGN §7), once for ``report``,
``compare`` and plots: client lag and downtime, recovery from a consensus switch, packet
latency, detection latency, what forks got through before a patch, host downtime, and gas per
message type.

``measure(trace)`` gives a ``RunMetrics``; ``to_json`` turns it into JSON-native values.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from relayer_sim.report.metrics_clients import client_metrics, total_ns
from relayer_sim.report.metrics_marks import (
    detections,
    event_marks,
    exploitation,
    switch_recovery,
)
from relayer_sim.report.metrics_packets import gas_by_message, packet_metrics
from relayer_sim.report.metrics_types import (
    ChannelPackets,
    ClientMetrics,
    ClientRecovery,
    Detection,
    EventMark,
    Exploitation,
    GasByMessage,
    Interval,
    LagSample,
    PacketMetrics,
    RunMetrics,
    SwitchRecovery,
)
from relayer_sim.report.metrics_view import view_of
from relayer_sim.sim.trace import Trace

__all__ = [
    "ChannelPackets",
    "ClientMetrics",
    "ClientRecovery",
    "Detection",
    "EventMark",
    "Exploitation",
    "GasByMessage",
    "Interval",
    "LagSample",
    "PacketMetrics",
    "RunMetrics",
    "SwitchRecovery",
    "measure",
    "to_json",
]


def measure(trace: Trace) -> RunMetrics:
    view = view_of(trace)
    marks = event_marks(view)
    packets, by_channel = packet_metrics(view)
    return RunMetrics(
        scenario=trace.header.scenario,
        seed=trace.header.seed,
        duration_ns=view.duration_ns,
        clients=client_metrics(view),
        switch=switch_recovery(view, marks),
        packets=packets,
        detections=detections(view),
        exploitation=exploitation(view, marks),
        host_downtime=view.host_halts,
        host_downtime_ns=total_ns(view.host_halts, view.duration_ns),
        gas=gas_by_message(view),
        marks=marks,
        packets_by_channel=by_channel,
    )


def to_json(metrics: RunMetrics) -> dict[str, Any]:
    """``metrics`` as dicts, lists, strs, ints and None, field names as keys."""
    converted = _json_value(metrics)
    assert isinstance(converted, dict)
    return converted


def _json_value(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _json_value(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, tuple | list):
        return [_json_value(item) for item in value]
    return value
