"""Renders a ``contract check`` verdict, as a table or as JSON.

Names in the code (exports, imports, the reasons that quote them) are the author's text, so
they are shown printable and never read as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from relayer_sim.report.printable import shown
from relayer_sim.vm.code_check import CodeCheck


def render_code_check(console: Console, path: Path, check: CodeCheck) -> None:
    table = Table(show_header=False, title=shown(f"contract check: {path}"))
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("file size", f"{check.file_size:,} bytes" + (" (gzip)" if check.gzipped else ""))
    if check.raw_size is not None:
        table.add_row("wasm size", f"{check.raw_size:,} bytes")
    if check.checksum is not None:
        table.add_row("checksum", check.checksum.hex())
    report = check.report
    if report is not None:
        table.add_row("interface version", shown(report.interface_version or "none"))
        table.add_row("capabilities", shown(", ".join(report.required_capabilities) or "none"))
        memory = (
            f"{report.memory_initial_pages} initial pages"
            if report.memory_initial_pages is not None
            else "none"
        )
        table.add_row("memory", memory)
        table.add_row("functions", str(report.function_count))
        table.add_row("exports", shown(", ".join(name for name, _ in report.exports) or "none"))
        imports = ", ".join(f"{module}.{name}" for module, name, _ in report.imports)
        table.add_row("imports", shown(imports or "none"))
    console.print(table)
    if check.accepted:
        console.print("[green]verdict: accepted[/] — store_code would store this code")
        return
    console.print(f"[red]verdict: rejected[/] — {len(check.reasons)} reason(s):")
    for reason in check.reasons:
        console.print(f"  - {shown(reason)}", soft_wrap=True)


def code_check_json(path: Path, check: CodeCheck) -> dict[str, Any]:
    """The verdict as JSON-native values: the table's rows, and every reason."""
    report = check.report
    return {
        "file": str(path),
        "file_size": check.file_size,
        "gzipped": check.gzipped,
        "wasm_size": check.raw_size,
        "checksum": None if check.checksum is None else check.checksum.hex(),
        "accepted": check.accepted,
        "reasons": list(check.reasons),
        "interface_version": None if report is None else report.interface_version,
        "capabilities": [] if report is None else list(report.required_capabilities),
        "memory_initial_pages": None if report is None else report.memory_initial_pages,
        "functions": None if report is None else report.function_count,
        "exports": [] if report is None else [name for name, _ in report.exports],
        "imports": [] if report is None else [f"{m}.{n}" for m, n, _ in report.imports],
    }
