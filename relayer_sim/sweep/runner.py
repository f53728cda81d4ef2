"""One run of a sweep, as a worker does it: the ordinary run of the resolved scenario, its trace
measured into a row, the row written beside it (and the trace kept only when asked). Everything
it takes and returns is plain data, so that any engine can ship it to another process."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import traceback
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from relayer_sim.sweep.points import RunPoint

#: A run's row, in ``DIR/runs/KEY/``: its presence marks the run done.
ROW_FILE: Final = "row.json"
TRACE_FILE: Final = "trace.msgpack"


@dataclass(frozen=True)
class RunTask:
    """What a worker needs for one run."""

    point: RunPoint
    source: str
    base_dir: str | None
    #: ``DIR/runs/KEY``.
    out_dir: str
    keep_trace: bool


def run_task(task: RunTask) -> dict[str, Any]:
    """Run ``task``'s point and write its row; a run that fails is a row with its error, and
    the sweep goes on."""
    point, out = task.point, Path(task.out_dir)
    row: dict[str, Any] = {
        "key": point.key,
        **{path: value for path, value in point.params},
        "seed": point.seed,
    }
    try:
        row |= _measured_run(task)
    except Exception as error:  # the sweep records it and goes on
        lines = traceback.format_exception_only(type(error), error)
        row |= {"status": "failed", "error": "".join(lines).strip()}
    out.mkdir(parents=True, exist_ok=True)
    _write_atomically(out / ROW_FILE, json.dumps(row, default=str))
    return row


def _measured_run(task: RunTask) -> dict[str, Any]:
    from relayer_sim.report.metrics import headlines, measure
    from relayer_sim.scenario.loading import scenario_from_data
    from relayer_sim.sim.runtime import run_scenario
    from relayer_sim.sim.trace import read_trace

    point = task.point
    base_dir = None if task.base_dir is None else Path(task.base_dir)
    scenario = scenario_from_data(point.data, task.source, base_dir)
    with tempfile.TemporaryDirectory(prefix="relayer-sim-run-") as scratch:
        result = run_scenario(scenario, Path(scratch), seed=point.seed, vm=_vm())
        metrics = measure(read_trace(result.trace_path))
        if task.keep_trace:
            Path(task.out_dir).mkdir(parents=True, exist_ok=True)
            shutil.move(str(result.trace_path), Path(task.out_dir) / TRACE_FILE)
    return {
        "status": "ok",
        "expectations_met": sum(outcome.met for outcome in result.outcomes),
        "expectations": len(result.outcomes),
        **{line.label: line.value(metrics) for line in headlines([metrics])},
    }


@cache
def _vm() -> Any:
    """One VM per worker process: its compiled-module cache serves every run it does."""
    from relayer_sim.vm import WasmVM

    return WasmVM()


def _write_atomically(path: Path, text: str) -> None:
    """``text`` at ``path``, whole or not at all: a sweep killed mid-write leaves no half row."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
