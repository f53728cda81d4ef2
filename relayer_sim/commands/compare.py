"""``relayer-sim compare``: runs side by side, from traces or by running scenario files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from relayer_sim.commands.errors import EXIT_OK
from relayer_sim.commands.inputs import measured, scenario_input, trace_input
from relayer_sim.commands.outputs import output_directory, output_file, write_output
from relayer_sim.commands.run import run_quietly

if TYPE_CHECKING:
    from relayer_sim.report.metrics import RunMetrics
    from relayer_sim.report.metrics_table import NamedRun
    from relayer_sim.scenario import Scenario


def compare_command(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.metrics import to_json
    from relayer_sim.report.metrics_table import render_comparison

    sources: list[Path] = [args.first, *args.rest]
    # Every file and the output are checked before anything runs: a typo in the last one
    # costs no run.
    inputs = [_compare_input(source) for source in sources]
    out = output_directory(args.out or Path("out") / "compare")
    plot = output_file(out / "comparison.png")
    runs = _measure_all(sources, inputs, out, args.seed)
    if args.json:
        document = [
            {"label": run.label, "trace": str(run.trace_path), "metrics": to_json(run.metrics)}
            for run in runs
        ]
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        render_comparison(console, runs)
    from relayer_sim.report.plots import plot_comparison

    image = plot_comparison([run.metrics for run in runs], [run.label for run in runs])
    write_output(plot, lambda path: path.write_bytes(image))
    if not args.json:
        console.print(f"plot: {escape(str(plot))}", soft_wrap=True)
    return EXIT_OK


def _measure_all(
    sources: list[Path], inputs: list[Scenario | RunMetrics], out: Path, seed: int | None
) -> list[NamedRun]:
    """A column per input: a scenario is run into ``out/NAME`` and measured, a trace's
    metrics are taken as they are."""
    from relayer_sim.report.metrics_table import NamedRun
    from relayer_sim.scenario import Scenario

    runs: list[NamedRun] = []
    run_dirs: set[str] = set()
    for source, loaded in zip(sources, inputs, strict=True):
        if isinstance(loaded, Scenario):
            run_dir = unique_name(loaded.name, run_dirs)
            run_dirs.add(run_dir)
            trace_path = run_quietly(loaded, out / run_dir, seed)
            metrics = measured(trace_input(trace_path), trace_path)
        else:
            metrics, trace_path = loaded, source
        label = unique_name(metrics.scenario, {run.label for run in runs})
        runs.append(NamedRun(label, metrics, trace_path))
    return runs


def _compare_input(source: Path) -> Scenario | RunMetrics:
    """The scenario in a ``.toml`` file, else the metrics of the trace in the file."""
    if source.suffix == ".toml":
        return scenario_input(source)
    return measured(trace_input(source), source)


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``… when it is taken: the same scenario twice in one
    comparison gets two directories and two columns."""
    unique, number = name, 1
    while unique in taken:
        number += 1
        unique = f"{name}-{number}"
    return unique
