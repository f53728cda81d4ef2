"""Renders a ``contract check`` verdict."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from relayer_sim.vm.code_check import CodeCheck


def render_code_check(console: Console, path: Path, check: CodeCheck) -> None:
    table = Table(show_header=False, title=f"contract check: {path}")
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("file size", f"{check.file_size:,} bytes" + (" (gzip)" if check.gzipped else ""))
    if check.raw_size is not None:
        table.add_row("wasm size", f"{check.raw_size:,} bytes")
    if check.checksum is not None:
        table.add_row("checksum", check.checksum.hex())
    report = check.report
    if report is not None:
        table.add_row("interface version", report.interface_version or "none")
        table.add_row("capabilities", ", ".join(report.required_capabilities) or "none")
        memory = (
            f"{report.memory_initial_pages} initial pages"
            if report.memory_initial_pages is not None
            else "none"
        )
        table.add_row("memory", memory)
        table.add_row("functions", str(report.function_count))
        table.add_row("exports", ", ".join(name for name, _kind in report.exports) or "none")
        table.add_row("imports", ", ".join(f"{m}.{n}" for m, n, _kind in report.imports) or "none")
    console.print(table)
    if check.accepted:
        console.print("[green]verdict: accepted[/] — store_code would store this code")
        return
    console.print(f"[red]verdict: rejected[/] — {len(check.reasons)} reason(s):")
    for reason in check.reasons:
        console.print(f"  - {reason}")
