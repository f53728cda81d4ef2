"""Renders a ``contract check`` verdict, as a table or as JSON.

Names in the code (exports, imports, the reasons that quote them) are the author's text, so
they are shown printable and never read as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from rich.console import Console

from relayer_sim.report.printable import Column, FittedTable, shown
from relayer_sim.vm.code_check import CodeCheck

#: The field's name, and its value: lists of names wrap.
_COLUMNS: Final = (Column("field", whole=True), Column("value"))


def render_code_check(console: Console, path: Path, check: CodeCheck) -> None:
    """The file and its checksum on lines of their own (a path or a 64-digit hex wrapped in a
    cell cannot be pasted whole), then a table of what the code holds, then the verdict."""
    console.print(shown(f"contract check: {path}"), soft_wrap=True)
    if check.checksum is not None:
        console.print(f"checksum {check.checksum.hex()}", soft_wrap=True)
    console.print(FittedTable(None, _COLUMNS, _rows(check), show_header=False))
    if check.accepted:
        console.print("[green]verdict: accepted[/] — store_code would store this code")
        return
    console.print(f"[red]verdict: rejected[/] — {len(check.reasons)} reason(s):")
    for reason in check.reasons:
        console.print(f"  - {shown(reason)}", soft_wrap=True)


def _rows(check: CodeCheck) -> list[list[str]]:
    rows = [["file size", f"{check.file_size:,} bytes" + (" (gzip)" if check.gzipped else "")]]
    if check.raw_size is not None:
        rows.append(["wasm size", f"{check.raw_size:,} bytes"])
    report = check.report
    if report is None:
        return rows
    memory = (
        f"{report.memory_initial_pages} initial pages"
        if report.memory_initial_pages is not None
        else "none"
    )
    imports = ", ".join(f"{module}.{name}" for module, name, _ in report.imports)
    return [
        *rows,
        ["interface version", shown(report.interface_version or "none")],
        ["capabilities", shown(", ".join(report.required_capabilities) or "none")],
        ["memory", memory],
        ["functions", str(report.function_count)],
        ["exports", shown(", ".join(name for name, _ in report.exports) or "none")],
        ["imports", shown(imports or "none")],
    ]


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
