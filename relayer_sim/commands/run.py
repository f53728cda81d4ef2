"""``relayer-sim run``: a scenario file, run with a live display, its expectations judged."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from relayer_sim.commands.errors import EXIT_OK, EXIT_VERDICT, BadInput, print_warning
from relayer_sim.commands.inputs import scenario_input
from relayer_sim.commands.outputs import output_directory, output_file

if TYPE_CHECKING:
    from relayer_sim.report.progress import RunProgress
    from relayer_sim.scenario import Scenario
    from relayer_sim.sim.runtime import RunResult

#: The files a run writes into its directory.
TRACE_FILE = "trace.msgpack"
LOG_FILE = "run.log"


def run_command(args: argparse.Namespace, console: Console) -> int:
    scenario = scenario_input(args.file)
    from relayer_sim.scenario.cautions import cautions

    for caution in cautions(scenario):
        print_warning(caution.line(str(args.file)))
    out = _run_directory(args.out or Path("out") / scenario.name)
    log = output_file(out / LOG_FILE)
    # Imported once the input is known good: a refusal needs none of the runtime.
    from relayer_sim.report.progress import RunProgress
    from relayer_sim.report.run_summary import render_run_summary, run_summary_json
    from relayer_sim.sim.logging import configure_logging

    try:
        configure_logging(log, console=args.log_console, level=args.log_level)
    except OSError as error:
        raise BadInput(f"{log}: cannot write: {error.strerror or error}") from None
    if args.log_console or args.json:  # no live display: the log has stderr, or JSON stdout
        result = _run(scenario, out, args.seed, args.realtime, None, args.genesis_at)
    else:
        with RunProgress(console, scenario.duration) as progress:
            result = _run(scenario, out, args.seed, args.realtime, progress, args.genesis_at)
    if args.json:
        seed = scenario.seed if args.seed is None else args.seed
        document = run_summary_json(scenario.name, seed, result)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        render_run_summary(console, scenario.name, result)
    return EXIT_OK if result.ok else EXIT_VERDICT


def run_quietly(scenario: Scenario, out: Path, seed: int | None) -> Path:
    """Run ``scenario`` into ``out`` with no display; the path of its trace."""
    return _run(scenario, _run_directory(out), seed, None, None).trace_path


def _run_directory(out: Path) -> Path:
    """``out``, once a run can write its files there."""
    output_file(output_directory(out) / TRACE_FILE)
    return out


def _run(
    scenario: Scenario,
    out: Path,
    seed: int | None,
    realtime: float | None,
    progress: RunProgress | None,
    genesis_at: int | None = None,
) -> RunResult:
    from relayer_sim.sim.runtime import run_scenario

    try:
        return run_scenario(
            scenario, out, seed=seed, realtime=realtime, observer=progress, genesis_at=genesis_at
        )
    except OSError as error:
        # The output was checked before the run; this is a disk that filled or a directory
        # that changed under it.
        raise BadInput(f"{error.filename or out}: cannot write: {error.strerror}") from None
