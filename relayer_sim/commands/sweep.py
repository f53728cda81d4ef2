"""``relayer-sim sweep``: a scenario run over parameter values and seeds, on this machine's
cores or a Ray cluster, into a table of one row per run (``relayer_sim.sweep``)."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from relayer_sim.commands.errors import EXIT_OK, EXIT_VERDICT, BadInput
from relayer_sim.commands.inputs import scenario_input
from relayer_sim.commands.outputs import output_directory
from relayer_sim.report.printable import shown

if TYPE_CHECKING:
    from relayer_sim.sweep.engines import Engine

RAY_MISSING: Final = "--engine ray needs Ray: pip install 'relayer-sim[ray]'"


def sweep_command(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.sweep.engines import EngineError
    from relayer_sim.sweep.points import SweepError
    from relayer_sim.sweep.sweep import plan_sweep, run_sweep

    engine = build_engine(args)
    scenario = scenario_input(args.file)
    data = tomllib.loads(args.file.read_text(encoding="utf-8"))  # read whole by the loader
    table = scenario.sweep
    parameters: dict[str, list[Any]] = dict(table.set) if table is not None else {}
    parameters |= dict(args.set or [])
    seeds = args.seeds or (table.seeds if table is not None else (scenario.seed,))
    out = output_directory(args.out or Path("out") / "sweeps" / scenario.name)
    try:
        plan = plan_sweep(
            data, list(parameters.items()), seeds, out, str(args.file), args.file.parent
        )
    except SweepError as error:
        raise BadInput(*str(error).splitlines()) from None
    to_do = len(plan.to_do())
    try:
        if args.json:
            result = run_sweep(plan, engine, args.keep_traces)
        else:
            with _progress(console) as progress:
                running = min(engine.workers, to_do)
                bar = progress.add_task("runs", total=to_do, failed=0, running=running)

                def advance(row: dict[str, Any]) -> None:
                    task = progress.tasks[bar]
                    failed = task.fields["failed"] + (row.get("status") != "ok")
                    left = to_do - int(task.completed) - 1
                    progress.update(
                        bar, advance=1, failed=failed, running=min(engine.workers, left)
                    )

                result = run_sweep(plan, engine, args.keep_traces, advance)
    except EngineError as error:
        raise BadInput(str(error)) from None
    summary = {
        "runs": len(plan.points),
        "ran": result.ran,
        "done_before": result.skipped,
        "failed": result.failed,
        "engine": engine.name,
        "workers": engine.workers,
        "csv": str(result.csv),
        "parquet": str(result.parquet),
    }
    if args.json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        console.print(
            f"{summary['runs']} runs: {result.ran} ran now on {engine.workers} {engine.name} "
            f"workers, {result.skipped} done before, {result.failed} failed"
        )
        console.print(f"results: {shown(str(result.csv))}", soft_wrap=True)
        console.print(f"results: {shown(str(result.parquet))}", soft_wrap=True)
    return EXIT_OK if result.failed == 0 else EXIT_VERDICT


def build_engine(args: argparse.Namespace) -> Engine:
    """The engine ``--engine`` names, with ``--workers`` and ``--address``; Ray is imported
    only here, when asked for, and its absence is one line."""
    from relayer_sim.sweep.engines import LocalEngine

    if args.engine != "ray":
        if args.address is not None:
            raise BadInput("--address needs --engine ray")
        return LocalEngine(args.workers)
    try:
        from relayer_sim.sweep.ray_engine import RayEngine
    except ImportError as error:
        if (error.name or "").partition(".")[0] != "ray":
            raise
        raise BadInput(RAY_MISSING) from None
    return RayEngine(args.workers, args.address)


def parse_assignment(text: str) -> tuple[str, list[Any]]:
    """``PATH=V1,V2,…``: a field path and its values, each read as a TOML value (``0.1``,
    ``true``) or else as text (``5m``)."""
    from relayer_sim.scenario.sweep import check_path

    path, equals, values = text.partition("=")
    if not equals or not values:
        raise argparse.ArgumentTypeError(f"expected PATH=V1,V2,… (got {text!r:.60})")
    try:
        check_path(path)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{path!r:.60}: expected {error}") from None
    return path, [_value(part) for part in values.split(",")]


def parse_seed_list(text: str) -> tuple[int, ...]:
    from relayer_sim.scenario.sweep import parse_seeds

    try:
        return parse_seeds(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected {error} (got {text!r:.60})") from None


def _value(text: str) -> Any:
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]sweep[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("running {task.fields[running]}, failed {task.fields[failed]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
