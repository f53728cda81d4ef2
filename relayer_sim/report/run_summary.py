"""The end of ``relayer-sim run``: where the trace is, the chains' final state, and each
expectation met or not with what was measured; as a table or as JSON."""

from __future__ import annotations

from typing import Any, Final

from rich.console import Console

from relayer_sim.report.printable import Column, FittedTable, shown
from relayer_sim.sim.runtime import RunResult

#: Met or not, then the expectation and what was measured, which wrap.
_COLUMNS: Final = (Column(whole=True), Column("expectation"), Column("measured"))


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
        "max_lag_blocks": dict(result.metrics.max_lag),
        "proposals_passed": result.metrics.proposals_passed,
        "genesis_at": result.genesis_at,
        "genesis": genesis,
        "trace": str(result.trace_path),
    }
