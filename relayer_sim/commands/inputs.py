"""What commands read, as ``BadInput`` when it cannot be: scenarios, traces, and the metrics
of a trace (whose events are checked as they are read)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from relayer_sim.commands.errors import BadInput

if TYPE_CHECKING:
    from relayer_sim.report.metrics import RunMetrics
    from relayer_sim.scenario import Scenario
    from relayer_sim.sim.trace import Trace


def scenario_input(path: Path) -> Scenario:
    """The scenario in ``path``."""
    from relayer_sim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as error:
        raise BadInput(*error.lines()) from None


def trace_input(path: Path, allow_torn_tail: bool = False) -> Trace:
    """The trace in ``path``; a cut-short last record only with ``allow_torn_tail``."""
    from relayer_sim.sim.trace import TraceError, TruncatedTrace, read_trace

    try:
        return read_trace(path, allow_torn_tail=allow_torn_tail)
    except TruncatedTrace as error:
        raise BadInput(f"{error}; --allow-torn-tail reads the records before it") from None
    except TraceError as error:
        raise BadInput(str(error)) from None


def measured(trace: Trace, path: Path) -> RunMetrics:
    """The metrics of ``trace``, read from ``path``; an event the metrics cannot read is bad
    input, named by its index."""
    from relayer_sim.report.metrics import measure
    from relayer_sim.report.metrics_events import MalformedEvent

    try:
        return measure(trace)
    except MalformedEvent as error:
        raise BadInput(f"{path}: {error}") from None
