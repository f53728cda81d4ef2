"""Renders the VM demo tour as a table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from relayer_sim.vm_demo import DemoStep

_STYLES = {"ok": "green", "contract error": "yellow"}


def render_demo(console: Console, tour: tuple[bytes, list[DemoStep], dict[bytes, bytes]]) -> None:
    checksum, steps, storage = tour
    console.print(f"[bold]probe contract[/] stored, checksum [cyan]{checksum.hex()}[/]")
    table = Table(title="Calls into the probe contract (real wasmtime, CosmWasm gas)")
    for column in ("entry", "what", "outcome", "gas used", "detail"):
        table.add_column(column, justify="right" if column == "gas used" else "left")
    for step in steps:
        style = _STYLES.get(step.outcome, "red")
        detail = step.detail if len(step.detail) <= 70 else step.detail[:67] + "..."
        table.add_row(
            step.entry, step.what, f"[{style}]{step.outcome}[/]", f"{step.gas_used:,}", detail
        )
    console.print(table)
    entries = ", ".join(f"{k.decode(errors='replace')}={v!r}" for k, v in sorted(storage.items()))
    console.print(f"storage after the tour: {entries or 'empty'}")
    console.print("Every failure above was contained: the process and the VM carry on.")
