"""The end of ``relayer-sim run``: where the trace is, the chains' final state, and each
expectation met or not with what was measured."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from relayer_sim.sim.runtime import RunResult


def render_run_summary(console: Console, scenario: str, result: RunResult) -> None:
    table = Table(title=f"{scenario}: expectations", title_justify="left")
    table.add_column("")
    table.add_column("expectation")
    table.add_column("measured")
    for outcome in result.outcomes:
        mark = "[green]met[/]" if outcome.met else "[red]NOT MET[/]"
        table.add_row(mark, outcome.name, outcome.detail)
    console.print(table)
    lags = ", ".join(f"{client}: {lag}" for client, lag in result.metrics.max_lag.items())
    console.print(f"largest client lag (blocks): {lags or 'no clients'}")
    console.print(f"proposals passed: {result.metrics.proposals_passed}")
    if result.genesis_at is not None:
        check = result.genesis
        if check is None:
            console.print(f"[red]genesis: the run ended before host height {result.genesis_at}[/]")
        else:
            colour = "green" if check.ok else "red"
            console.print(f"[{colour}]{check}[/]")
    console.print(f"trace: {result.trace_path}")
