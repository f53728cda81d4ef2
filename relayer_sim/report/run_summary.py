"""The end of ``relayer-sim run``: where the trace is, the chains' final state, each
expectation met or not with what was measured, and every refused transaction counted by its
reason; as tables or as JSON."""

from __future__ import annotations

from typing import Any, Final

from rich.console import Console

from relayer_sim.report.printable import Column, FittedTable, shown
from relayer_sim.sim.runtime import RunResult

#: Met or not, then the expectation and what was measured, which wrap.
_COLUMNS: Final = (Column(whole=True), Column("expectation"), Column("measured"))
#: How many, the message type, then why (which wraps).
_REFUSED_COLUMNS: Final = (
    Column("count", whole=True, justify="right"),
    Column("message", whole=True),
    Column("reason"),
)


def render_run_summary(console: Console, scenario: str, result: RunResult) -> None:
    rows = [
        [
            "[green]met[/]" if outcome.met else "[red]NOT MET[/]",
            shown(outcome.name),
            shown(outcome.detail),
        ]
        for outcome in result.outcomes
    ]
    console.print(FittedTable(f"{scenario}: expectations", _COLUMNS, rows))
    refused = _refused(result)
    if refused:
        rows = [[str(row["count"]), row["message"], shown(row["reason"])] for row in refused]
        title = "refused transactions, by reason"
        console.print(FittedTable(title, _REFUSED_COLUMNS, rows))
    lags = ", ".join(f"{client}: {lag}" for client, lag in result.metrics.max_lag.items())
    console.print(f"largest client lag (blocks): {lags or 'no clients'}")
    console.print(f"proposals passed: {result.metrics.proposals_passed}")
    if result.genesis_at is not None:
        check = result.genesis
        if check is None:
            console.print(f"[red]genesis: the run ended before host height {result.genesis_at}[/]")
        else:
            colour = "green" if check.ok else "red"
            console.print(f"[{colour}]{shown(str(check))}[/]", soft_wrap=True)
    console.print(f"trace: {shown(str(result.trace_path))}", soft_wrap=True)


def run_summary_json(scenario: str, seed: int, result: RunResult) -> dict[str, Any]:
    """The same as ``render_run_summary``, as JSON-native values."""
    check = result.genesis
    genesis = None
    if check is not None:
        genesis = {
            "height": check.height,
            "file": str(check.path),
            "blocks_matched": check.blocks_matched,
            "first_mismatch": check.first_mismatch,
            "ok": check.ok,
        }
    return {
        "scenario": scenario,
        "seed": seed,
        "ok": result.ok,
        "expectations": [
            {"expectation": outcome.name, "met": outcome.met, "measured": outcome.detail}
            for outcome in result.outcomes
        ],
        "refused": _refused(result),
        "max_lag_blocks": dict(result.metrics.max_lag),
        "proposals_passed": result.metrics.proposals_passed,
        "genesis_at": result.genesis_at,
        "genesis": genesis,
        "trace": str(result.trace_path),
    }


def _refused(result: RunResult) -> list[dict[str, Any]]:
    """The failed transactions by message type and reason (``relayer_sim.sim.refusals``), the
    most frequent first."""
    groups = sorted(result.metrics.refused.groups(), key=lambda group: -group.count)
    return [
        {
            "message": group.message,
            "reason": group.reason,
            "count": group.count,
            "first_ns": group.first_ns,
        }
        for group in groups
    ]
