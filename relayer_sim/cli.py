"""The ``relayer-sim`` command line: the parser, and ``main``, the one place where errors become
a line for a person and an exit code.

Each command's handler lives in ``relayer_sim.commands``. Exit codes: 0 success, 1 a negative
verdict (code rejected, an expectation not met), 2 bad input (a file, a path, a flag or a
value: one ``error:`` line on stderr, never a traceback), 70 a bug in relayer-sim.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from rich.console import Console

from relayer_sim import __version__
from relayer_sim.commands.compare import compare_command
from relayer_sim.commands.contract import contract_check, contract_try
from relayer_sim.commands.demo import demo_command
from relayer_sim.commands.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_VERDICT,
    BadInput,
    print_error,
)
from relayer_sim.commands.new import new_command, new_description
from relayer_sim.commands.report import report_command
from relayer_sim.commands.run import run_command
from relayer_sim.commands.scenarios import scenarios_command
from relayer_sim.commands.schema import schema_command
from relayer_sim.commands.sweep import parse_assignment, parse_seed_list, sweep_command
from relayer_sim.commands.trace import trace_export, trace_show

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_VERDICT", "build_parser", "main"]

#: Seeds are u64, as in the scenario file and the trace.
_SEED_END = 2**64


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, like every other error."""

    def error(self, message: str) -> NoReturn:
        print_error(f"{self.prog}: {message} (see {self.prog} --help)")
        self.exit(EXIT_BAD_INPUT)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r:.40}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r:.40}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < _SEED_END:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to {_SEED_END - 1}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with ``--help`` on every command."""
    parser = _Parser(
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
    demo.add_argument("--json", action="store_true", help="print the tour as JSON instead")
    demo.set_defaults(handler=demo_command)

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
    check.add_argument("--json", action="store_true", help="print the verdict as JSON instead")
    check.set_defaults(handler=contract_check)
    trial = contract_commands.add_parser(
        "try",
        help="run a contract file as a light client through a short scenario, step by step",
        description=(
            "Run a short built-in scenario on the contract: a client created on it, updated "
            "every counterparty block, a packet every 30 s proven against it, then a lunatic "
            "fork that a monitor reports, which should freeze the client. Prints each step "
            "(the client id; updates accepted and refused, with the first refusal; packets "
            "proven; whether the client froze), the contract gas per call type (median, max) "
            "and a verdict. Exits 1 when the contract failed a step, 2 when the file cannot "
            "be read or is not code store_code accepts."
        ),
    )
    trial.add_argument("file", type=Path, metavar="FILE", help="contract code (.wasm or .wasm.gz)")
    trial.add_argument(
        "--dialect",
        choices=("v10", "v0.1"),
        default="v10",
        help="the 08-wasm API the contract speaks: v10 (ibc-go v10/v11, the default) or v0.1 "
        "(08-wasm v0.1, ibc-go v7.3/v8.0)",
    )
    trial.add_argument(
        "--format",
        choices=("sim-tendermint", "tendermint"),
        default="sim-tendermint",
        help="the counterparty's wire format the contract reads (default: sim-tendermint)",
    )
    trial.add_argument("--json", action="store_true", help="print the results as JSON instead")
    trial.set_defaults(handler=contract_try)

    from relayer_sim.scenario.shipped import DEFAULT_SCENARIO

    run = commands.add_parser(
        "run",
        help="run a scenario file",
        description=(
            "Run a scenario: the counterparty, the host, relayers, monitors and governance over "
            "simulated time, deterministically. Writes the trace to DIR/trace.msgpack and a "
            "JSON-lines log to DIR/run.log, and prints each expectation met or not. Exits 1 "
            "when an expectation is not met, 2 when the file is not a valid scenario."
        ),
    )
    run.add_argument(
        "file",
        type=Path,
        nargs="?",
        default=DEFAULT_SCENARIO,
        metavar="FILE",
        help=f"scenario file (default: {DEFAULT_SCENARIO.name})",
    )
    run.add_argument("--seed", type=_seed, metavar="N", help="use seed N instead of the file's")
    run.add_argument(
        "--out", type=Path, metavar="DIR", help="where the trace goes (default: out/NAME)"
    )
    run.add_argument(
        "--realtime",
        type=_positive_float,
        metavar="X",
        help="let simulated time pass at X times real time (default: as fast as possible)",
    )
    run.add_argument(
        "--genesis-at",
        type=_positive_int,
        metavar="H",
        help="after host block H, export the host's state to DIR/genesis-H.json, start a second "
        "host from the file and check that it makes every later block with the same app hash",
    )
    run.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="what goes to DIR/run.log, as JSON lines (default: info, the story of the run; "
        "debug adds every block, sample and routine update)",
    )
    run.add_argument(
        "--log-console",
        action="store_true",
        help="also show the log, readably, on stderr (in place of the live display)",
    )
    run.add_argument(
        "--json",
        action="store_true",
        help="print the summary (each expectation met or not, the trace) as JSON instead, "
        "with no live display",
    )
    run.set_defaults(handler=run_command)

    report = commands.add_parser(
        "report",
        help="measure a run from its trace: lag, downtime, recovery, packets, detection, gas",
        description=(
            "Compute a run's metrics from its trace alone and show them as tables: each "
            "client's lag and downtime, the recovery from a consensus switch with its "
            "governance steps, packet latency, misbehaviour detection latency, host downtime, "
            "gas per message type and the run's notable events. Exits 2 when the file is not a "
            "readable trace."
        ),
    )
    _add_trace_arguments(report)
    report.add_argument(
        "--json", action="store_true", help="print the metrics as JSON (times in ns) instead"
    )
    report.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="also write a self-contained HTML report with plots to FILE",
    )
    report.set_defaults(handler=report_command)

    compare = commands.add_parser(
        "compare",
        help="compare runs side by side, from traces or by running scenario files",
        description=(
            "Measure two or more runs and show their headline metrics in one table, a column "
            "per run: lag, downtime, recovery from a consensus switch, packets, detection "
            "latency, host downtime and gas, and plot them (DIR/comparison.png). A scenario "
            "file (.toml) is run first, quietly; any "
            "other file is read as a trace. Exits 2 when a file is neither a valid scenario nor "
            "a readable trace."
        ),
    )
    compare.add_argument(
        "first", type=Path, metavar="RUN", help="a trace file, or a scenario file (.toml) to run"
    )
    compare.add_argument(
        "rest", type=Path, nargs="+", metavar="RUN", help="more trace or scenario files"
    )
    compare.add_argument("--json", action="store_true", help="print the metrics as JSON instead")
    compare.add_argument(
        "--seed", type=_seed, metavar="N", help="run scenario files with seed N instead of theirs"
    )
    compare.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where scenario runs write their traces, in DIR/NAME, and the plot, "
        "DIR/comparison.png (default: out/compare)",
    )
    compare.set_defaults(handler=compare_command)

    scenarios = commands.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description="List the scenario files that ship with relayer-sim, with their descriptions.",
    )
    scenarios.add_argument("--json", action="store_true", help="print the list as JSON instead")
    scenarios.set_defaults(handler=scenarios_command)

    new = commands.add_parser(
        "new",
        help="write a commented starter scenario to run and edit (new --list: templates)",
        description=new_description(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("template", nargs="?", metavar="TEMPLATE", help="the template to write")
    new.add_argument("file", nargs="?", metavar="FILE", help="where to write it (- for stdout)")
    new.add_argument("--list", action="store_true", help="list the templates")
    new.add_argument("--json", action="store_true", help="print the list as JSON instead")
    new.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    new.set_defaults(handler=new_command)

    sweep = commands.add_parser(
        "sweep",
        help="run a scenario over parameter values and seeds, into a table of one row per run",
        description=(
            "Run a scenario over every combination of parameter values ([sweep] set in the "
            "file, or --set) and every seed ([sweep] seeds, or --seeds), each run the ordinary "
            "one, on a pool of worker processes (--engine local) or as Ray tasks on a local Ray "
            "or a cluster (--engine ray, the ray extra). Writes DIR/results.csv and "
            "DIR/results.parquet: a row per run with its parameters, seed and headline "
            "metrics. Runs are keyed by a hash of their scenario: re-running a sweep skips "
            "what is done. Exits 1 when a run failed (it has a row with its error), 2 when "
            "the file or a combination is not a valid scenario (or Ray is missing or out of "
            "reach)."
        ),
    )
    sweep.add_argument("file", type=Path, metavar="FILE", help="scenario file")
    sweep.add_argument(
        "--set",
        action="append",
        type=parse_assignment,
        metavar="PATH=V1,V2",
        help="a field's dotted path and its values (repeat for more), e.g. "
        "host.voting_period=5m,10m or relayers[0].drop=0.1,0.2",
    )
    sweep.add_argument(
        "--seeds", type=parse_seed_list, metavar="SEEDS", help='seeds, "1..200" or "1,5,9"'
    )
    sweep.add_argument(
        "--workers",
        type=_positive_int,
        metavar="N",
        help="worker processes, or a local Ray's CPUs (default: one per core); with "
        "--address, the most runs at once (default: the cluster's CPUs)",
    )
    sweep.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: a process pool (default); ray: Ray tasks, needs "
        "pip install 'relayer-sim[ray]'",
    )
    sweep.add_argument(
        "--address",
        metavar="ADDR",
        help="with --engine ray: a running cluster, auto or ray://host:port "
        "(default: a local Ray started for the sweep)",
    )
    sweep.add_argument("--out", type=Path, metavar="DIR", help="default: out/sweeps/NAME")
    sweep.add_argument("--keep-traces", action="store_true", help="keep each run's trace")
    sweep.add_argument("--json", action="store_true", help="print the summary as JSON")
    sweep.set_defaults(handler=sweep_command)

    from relayer_sim.commands.sweep_report import sweep_report_command

    sweep_report = commands.add_parser(
        "sweep-report",
        help="summarise a sweep per parameter point: mean and percentiles of every metric",
        description=(
            "Read a sweep's results (DIR/results.parquet, or DIR/results.csv), group its runs "
            "by parameter point (seeds vary within a point) and show, for every headline "
            "metric that varies, its mean, p50, p95, p99, min and max per point (nearest-rank "
            "percentiles), with each point's runs and failed runs. Several DIRs are read as "
            "one study, each a value of a parameter named sweep (the directory's name). Exits "
            "2 when a directory holds no readable results."
        ),
    )
    sweep_report.add_argument("dir", type=Path, metavar="DIR", help="a sweep's --out directory")
    sweep_report.add_argument(
        "more", type=Path, nargs="*", metavar="DIR", help="more sweeps of the same study"
    )
    sweep_report.add_argument(
        "--json", action="store_true", help="print the summary as JSON (times in ns) instead"
    )
    sweep_report.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="also write a self-contained HTML report with the tables and plots to FILE",
    )
    sweep_report.set_defaults(handler=sweep_report_command)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of scenario files, for editors",
        description=(
            "Print the JSON Schema of scenario files: save it and name it on a scenario's first "
            "line (#:schema ./scenario.schema.json) for an editor that reads TOML through taplo "
            "(VS Code with Even Better TOML…) to complete and check the file. --markdown prints "
            "the reference of the format instead, the text of docs/scenarios.md."
        ),
    )
    schema.add_argument(
        "--markdown", action="store_true", help="print the format's reference in Markdown"
    )
    schema.set_defaults(handler=schema_command)

    trace = commands.add_parser(
        "trace",
        help="look into the trace of a run",
        description="Show or export the events a run recorded in its msgpack trace.",
    )
    trace_commands = trace.add_subparsers(dest="trace_command", metavar="ACTION")
    trace_commands.required = True
    show = trace_commands.add_parser(
        "show",
        help="list a trace's events as a table",
        description=(
            "List the events of a trace in order: the simulated time since the start of the run "
            "(1d 02:03:04.500), the actor, the kind and a short summary of the data. Exits 2 "
            "when the file is not a readable trace."
        ),
    )
    show.add_argument(
        "--kind", action="append", metavar="K", help="only events of kind K (repeatable)"
    )
    show.add_argument(
        "--actor", action="append", metavar="A", help="only events of actor A (repeatable)"
    )
    show.add_argument(
        "--limit", type=_positive_int, metavar="N", help="show the first N matching events"
    )
    show.add_argument(
        "--json",
        action="store_true",
        help="print the events as JSON instead, whole (their data as trace export writes it)",
    )
    show.set_defaults(handler=trace_show)
    export = trace_commands.add_parser(
        "export",
        help="write a trace's events as JSON lines",
        description=(
            "Write the trace as JSON lines: first the header, then one event per line, keys "
            "sorted, bytes as hex. The same trace always gives the same text. Exits 2 when the "
            "file is not a readable trace or the output cannot be written."
        ),
    )
    export.add_argument(
        "--json", action="store_true", required=True, help="JSON lines (the one format)"
    )
    export.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE, not stdout"
    )
    export.set_defaults(handler=trace_export)
    for action in (show, export):
        _add_trace_arguments(action)
    return parser


def _add_trace_arguments(parser: argparse.ArgumentParser) -> None:
    """The trace a command reads, and whether it accepts one a crash cut short (``trace_input``
    reads both)."""
    parser.add_argument("trace", type=Path, metavar="TRACE", help="a trace file written by a run")
    parser.add_argument(
        "--allow-torn-tail",
        action="store_true",
        help="read a trace whose last record a crashed run cut short (it is left out)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: results on stdout, each error as one line on
    stderr."""
    args = build_parser().parse_args(argv)
    try:
        exit_code: int = args.handler(args, Console())
    except BadInput as error:
        for line in error.lines:
            print_error(line)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print_error("interrupted")
        return 128 + signal.SIGINT  # as a shell reports it
    except BrokenPipeError:
        # Whoever read stdout has gone (``| head``): nothing is wrong, nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except Exception as error:
        print_error(f"internal error, a bug in relayer-sim: {type(error).__name__}: {error}")
        return EXIT_INTERNAL
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
