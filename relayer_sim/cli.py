"""The ``relayer-sim`` command line.

Library code raises typed errors; this module is the one place that turns them into a line for
a person and an exit code: 0 success, 1 a negative verdict (code rejected), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from relayer_sim import __version__

if TYPE_CHECKING:
    from relayer_sim.scenario import Scenario
    from relayer_sim.sim.trace import Trace

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


def _trace_show(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.trace import render_events

    trace = _read_trace(args, console)
    if trace is None:
        return EXIT_BAD_INPUT
    kinds: list[str] | None = args.kind
    actors: list[str] | None = args.actor
    matching = [
        event
        for event in trace.events
        if (kinds is None or event.kind in kinds) and (actors is None or event.actor in actors)
    ]
    shown = matching if args.limit is None else matching[: args.limit]
    render_events(console, trace, shown, len(matching))
    return EXIT_OK


def _trace_export(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.sim.trace import events_to_json

    trace = _read_trace(args, console)
    if trace is None:
        return EXIT_BAD_INPUT
    if trace.torn_tail_at is not None:
        Console(stderr=True).print(
            f"[yellow]warning:[/] left out the cut-short record at byte {trace.torn_tail_at}",
            soft_wrap=True,
        )
    text = events_to_json(trace)
    output: Path | None = args.output
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        message = f"[red]error:[/] cannot write {escape(str(output))}: {error.strerror or error}"
        console.print(message, soft_wrap=True)
        return EXIT_BAD_INPUT
    console.print(f"wrote {len(trace.events)} events to {escape(str(output))}", soft_wrap=True)
    return EXIT_OK


def _read_trace(args: argparse.Namespace, console: Console) -> Trace | None:
    """The trace ``args`` name, or ``None`` once the reason it cannot be read is printed."""
    return _read_trace_file(args.trace, args.allow_torn_tail, console)


def _read_trace_file(path: Path, allow_torn_tail: bool, console: Console) -> Trace | None:
    """The trace in ``path``, or ``None`` once the reason it cannot be read is printed."""
    from relayer_sim.sim.trace import TraceError, TruncatedTrace, read_trace

    try:
        return read_trace(path, allow_torn_tail=allow_torn_tail)
    except TraceError as error:
        hint = "; --allow-torn-tail reads the records before it"
        message = escape(str(error)) + (hint if isinstance(error, TruncatedTrace) else "")
        console.print(f"[red]error:[/] {message}", soft_wrap=True)
        return None


def _report(args: argparse.Namespace, console: Console) -> int:
    import json

    from relayer_sim.report.metrics import measure, to_json
    from relayer_sim.report.metrics_table import render_metrics

    trace = _read_trace(args, console)
    if trace is None:
        return EXIT_BAD_INPUT
    metrics = measure(trace)
    if args.json:
        sys.stdout.write(json.dumps(to_json(metrics), indent=2, ensure_ascii=False) + "\n")
    else:
        render_metrics(console, metrics)
    if args.html is not None:
        from relayer_sim.report.html import write_html_report

        write_html_report(metrics, args.html)
        if not args.json:
            console.print(f"report: {escape(str(args.html))}", soft_wrap=True)
    return EXIT_OK


def _compare(args: argparse.Namespace, console: Console) -> int:
    import json

    from relayer_sim.report.metrics import measure, to_json
    from relayer_sim.report.metrics_table import NamedRun, render_comparison
    from relayer_sim.scenario import Scenario
    from relayer_sim.sim.runtime import run_scenario

    sources: list[Path] = [args.first, *args.rest]
    # Every file is checked before anything runs: a typo in the last one costs no run.
    inputs: list[Scenario | Trace] = []
    for source in sources:
        loaded = _compare_input(source, console)
        if loaded is None:
            return EXIT_BAD_INPUT
        inputs.append(loaded)
    out: Path = args.out or Path("out") / "compare"
    runs: list[NamedRun] = []
    run_dirs: set[str] = set()
    for source, loaded in zip(sources, inputs, strict=True):
        if isinstance(loaded, Scenario):
            run_dir = _unique(loaded.name, run_dirs)
            run_dirs.add(run_dir)
            trace_path = run_scenario(loaded, out / run_dir, seed=args.seed).trace_path
            trace = _read_trace_file(trace_path, False, console)
        else:
            trace, trace_path = loaded, source
        if trace is None:
            return EXIT_BAD_INPUT
        metrics = measure(trace)
        label = _unique(metrics.scenario, {run.label for run in runs})
        runs.append(NamedRun(label, metrics, trace_path))
    if args.json:
        document = [
            {"label": run.label, "trace": str(run.trace_path), "metrics": to_json(run.metrics)}
            for run in runs
        ]
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        render_comparison(console, runs)
    from relayer_sim.report.plots import plot_comparison

    out.mkdir(parents=True, exist_ok=True)
    plot = out / "comparison.png"
    plot.write_bytes(plot_comparison([run.metrics for run in runs], [run.label for run in runs]))
    if not args.json:
        console.print(f"plot: {escape(str(plot))}", soft_wrap=True)
    return EXIT_OK


def _compare_input(source: Path, console: Console) -> Scenario | Trace | None:
    """The scenario in a ``.toml`` file, else the trace in the file; ``None`` once the reason it
    is neither is printed."""
    from relayer_sim.scenario import ScenarioError, load_scenario

    if source.suffix != ".toml":
        return _read_trace_file(source, False, console)
    try:
        return load_scenario(source)
    except ScenarioError as error:
        console.print(f"[red]error:[/] {escape(str(error))}", soft_wrap=True)
        return None


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``… when it is taken: the same scenario twice in one
    comparison gets two directories and two columns."""
    unique, number = name, 1
    while unique in taken:
        number += 1
        unique = f"{name}-{number}"
    return unique


def _run(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.progress import RunProgress
    from relayer_sim.report.run_summary import render_run_summary
    from relayer_sim.scenario import ScenarioError, load_scenario
    from relayer_sim.sim.logging import configure_logging
    from relayer_sim.sim.runtime import run_scenario

    try:
        scenario = load_scenario(args.file)
    except ScenarioError as error:
        console.print(f"[red]error:[/] {escape(str(error))}", soft_wrap=True)
        return EXIT_BAD_INPUT
    out = args.out or Path("out") / scenario.name
    out.mkdir(parents=True, exist_ok=True)
    configure_logging(out / "run.log", console=args.log_console, level=args.log_level)
    if args.log_console:
        result = run_scenario(scenario, out, seed=args.seed, realtime=args.realtime)
    else:
        with RunProgress(console, scenario.duration) as progress:
            result = run_scenario(
                scenario, out, seed=args.seed, realtime=args.realtime, observer=progress
            )
    render_run_summary(console, scenario.name, result)
    return EXIT_OK if result.ok else EXIT_VERDICT


def _scenarios(args: argparse.Namespace, console: Console) -> int:
    from rich.table import Table

    from relayer_sim.scenario import ScenarioError, load_scenario
    from relayer_sim.scenario.shipped import shipped_scenarios

    table = Table(title="shipped scenarios", title_justify="left")
    table.add_column("file")
    table.add_column("description")
    for path in shipped_scenarios():
        try:
            description = load_scenario(path).description
        except ScenarioError as error:
            description = f"[red]invalid:[/] {escape(str(error))}"
        table.add_row(
            str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path),
            description,
        )
    console.print(table)
    return EXIT_OK


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return value


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
    run.add_argument("--seed", type=int, metavar="N", help="use seed N instead of the file's")
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
    run.set_defaults(handler=_run)

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
    report.set_defaults(handler=_report)

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
        "--seed", type=int, metavar="N", help="run scenario files with seed N instead of theirs"
    )
    compare.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where scenario runs write their traces, in DIR/NAME, and the plot, "
        "DIR/comparison.png (default: out/compare)",
    )
    compare.set_defaults(handler=_compare)

    scenarios = commands.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description="List the scenario files that ship with relayer-sim, with their descriptions.",
    )
    scenarios.set_defaults(handler=_scenarios)

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
    show.set_defaults(handler=_trace_show)
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
    export.set_defaults(handler=_trace_export)
    for action in (show, export):
        _add_trace_arguments(action)
    return parser


def _add_trace_arguments(parser: argparse.ArgumentParser) -> None:
    """The trace a command reads, and whether it accepts one a crash cut short (``_read_trace``
    reads both)."""
    parser.add_argument("trace", type=Path, metavar="TRACE", help="a trace file written by a run")
    parser.add_argument(
        "--allow-torn-tail",
        action="store_true",
        help="read a trace whose last record a crashed run cut short (it is left out)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    console = Console()
    exit_code: int = args.handler(args, console)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
