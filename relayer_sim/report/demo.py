"""Renders the VM demo tour: a table of each call (fitted to the terminal, no value cut), or
JSON."""

from __future__ import annotations

from typing import Any, Final

from rich.console import Console

from relayer_sim.report.printable import Column, FittedTable, shown
from relayer_sim.vm_demo import DemoStep

_STYLES = {"ok": "green", "contract error": "yellow"}
#: The call (its entry point, then what it does), how it ended, its gas, then the detail;
#: the call and the detail wrap.
_COLUMNS: Final = (
    Column("call"),
    Column("outcome", whole=True),
    Column("gas used", whole=True, justify="right"),
    Column("detail"),
)
Tour = tuple[bytes, list[DemoStep], dict[bytes, bytes]]


def render_demo(console: Console, tour: Tour) -> None:
    checksum, steps, storage = tour
    console.print("[bold]probe contract[/] stored, checksum")
    console.print(f"[cyan]{checksum.hex()}[/]")
    rows = [
        [
            f"[bold]{step.entry}[/]: {shown(step.what)}",
            f"[{_STYLES.get(step.outcome, 'red')}]{step.outcome}[/]",
            f"{step.gas_used:,}",
            shown(step.detail),
        ]
        for step in steps
    ]
    title = "Calls into the probe contract (real wasmtime, CosmWasm gas)"
    console.print(FittedTable(title, _COLUMNS, rows))
    console.print(f"storage after the tour: {shown(_storage(storage)) or 'empty'}", soft_wrap=False)
    console.print("Every failure above was contained: the process and the VM carry on.")


def demo_json(tour: Tour) -> dict[str, Any]:
    """The same as ``render_demo``, as JSON-native values."""
    checksum, steps, storage = tour
    return {
        "checksum": checksum.hex(),
        "steps": [
            {
                "entry": step.entry,
                "what": step.what,
                "outcome": step.outcome,
                "gas_used": step.gas_used,
                "detail": step.detail,
            }
            for step in steps
        ],
        "storage": {key.hex(): value.hex() for key, value in sorted(storage.items())},
    }


def _storage(storage: dict[bytes, bytes]) -> str:
    return ", ".join(f"{k.decode(errors='replace')}={v!r}" for k, v in sorted(storage.items()))
