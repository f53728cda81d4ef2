"""The ``relayer-sim`` command line.

Library code raises typed errors; this module is the one place that turns them into a line for
a person and an exit code: 0 success, 1 a negative verdict (code rejected), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from relayer_sim import __version__

EXIT_OK = 0
EXIT_VERDICT = 1
EXIT_BAD_INPUT = 2


def _contract_check(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.code_check import render_code_check
    from relayer_sim.vm.code_check import check_code

    path: Path = args.file
    try:
        code = path.read_bytes()
    except OSError as error:
        message = f"[red]error:[/] cannot read {path}: {error.strerror or error}"
        console.print(message, soft_wrap=True)
        return EXIT_BAD_INPUT
    verdict = check_code(code)
    render_code_check(console, path, verdict)
    return EXIT_OK if verdict.accepted else EXIT_VERDICT


def _demo(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.demo import render_demo
    from relayer_sim.vm_demo import run_vm_demo

    render_demo(console, run_vm_demo())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with ``--help`` on every command."""
    parser = argparse.ArgumentParser(
        prog="relayer-sim",
        description=(
            "Deterministic simulator of IBC relaying into a host running the 08-wasm "
            "light-client proxy, with real Wasm light-client contracts in wasmtime."
        ),
    )
    parser.add_argument("--version", action="version", version=f"relayer-sim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo",
        help="run the probe contract through the VM and show each call with its gas",
        description=(
            "Store the built probe contract in a fresh VM and run a short tour of its entry "
            "points: storage, crypto, a contract error, and failures the VM contains."
        ),
    )
    demo.set_defaults(handler=_demo)

    contract = commands.add_parser(
        "contract",
        help="inspect light-client contract code",
        description="Inspect Wasm light-client contract code.",
    )
    contract_commands = contract.add_subparsers(dest="contract_command", metavar="ACTION")
    contract_commands.required = True
    check = contract_commands.add_parser(
        "check",
        help="say whether store_code would accept a .wasm or .wasm.gz, and why",
        description=(
            "Print the checksum, sizes, exports, imports, interface version, required "
            "capabilities and the static-check verdict with every reason. Exits 1 when the "
            "code would be rejected, 2 when the file cannot be read."
        ),
    )
    check.add_argument("file", type=Path, metavar="FILE", help="contract code (.wasm or .wasm.gz)")
    check.set_defaults(handler=_contract_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    console = Console()
    exit_code: int = args.handler(args, console)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
