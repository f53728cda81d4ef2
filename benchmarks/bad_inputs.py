"""How long each bad input takes to be refused: every case of the bad-input corpus
(``tests/adversarial/corpus/generate.py``) run as ``python -m relayer_sim.cli`` in a fresh
process, start-up included, as a user would meet it. JSON out.

The suite checks what each case prints and its exit code; the time (the issue's "within a
second") is measured here, where a slow machine does not fail a test. Also counted: the
one-field mutations of a real trace that ``report`` measures or refuses, in this process.

Usage: ``python benchmarks/bad_inputs.py [--out FILE]`` (default
``benchmarks/results/bad_inputs.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from measure import RESULTS, write_results

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the corpus lives in tests/

from relayer_sim.cli import main as cli_main
from relayer_sim.scenario import load_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from tests.adversarial.corpus.generate import (
    BASE_SCENARIO,
    Case,
    cases,
    mutations,
    run_isolated,
    write_trace,
)


@dataclass(frozen=True)
class Timed:
    case: str
    exit: int
    stderr_lines: int
    stdout_bytes: int
    wall_seconds: float
    #: The one error line, or the end of stderr when there is not exactly one.
    error: str
    as_expected: bool


def time_case(case: Case) -> Timed:
    started = time.perf_counter()
    done = run_isolated(case)
    wall = time.perf_counter() - started
    lines = done.stderr.splitlines()
    return Timed(
        case=case.name,
        exit=done.returncode,
        stderr_lines=len(lines),
        stdout_bytes=len(done.stdout),
        wall_seconds=round(wall, 3),
        error=lines[0] if len(lines) == 1 else done.stderr[-300:],
        as_expected=done.returncode == 2 and len(lines) == 1 and case.expect in lines[0],
    )


def mutation_outcomes(trace_path: Path, work: Path) -> dict[str, int]:
    """Exit codes of ``report`` over the mutations of the base trace (0 measured, 2 refused)."""
    codes: Counter[str] = Counter()
    for _, trace in mutations(read_trace(trace_path)):
        path = write_trace(trace, work / "mutated.msgpack")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            codes[str(cli_main(["report", str(path)]))] += 1
    return dict(sorted(codes.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "bad_inputs.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        trace = run_scenario(load_scenario(BASE_SCENARIO), work / "base").trace_path
        (work / "corpus").mkdir()
        timed = []
        for case in cases(work / "corpus", trace):
            timed.append(time_case(case))
            print(f"{timed[-1].wall_seconds:6.3f} s  exit {timed[-1].exit}  {case.name}")
        mutated = mutation_outcomes(trace, work)
    walls = [entry.wall_seconds for entry in timed]
    slowest = max(timed, key=lambda entry: entry.wall_seconds)
    expected = sum(entry.as_expected for entry in timed)
    summary = {
        "cases": len(timed),
        "as_expected": expected,
        "exit_codes": dict(Counter(str(entry.exit) for entry in timed)),
        "median_wall_seconds": round(statistics.median(walls), 3),
        "max_wall_seconds": max(walls),
        "slowest_case": slowest.case,
        "over_one_second": sorted(entry.case for entry in timed if entry.wall_seconds > 1),
        "report_on_mutated_traces": mutated,
    }
    write_results({"summary": summary, "cases": [asdict(entry) for entry in timed]}, args.out)
    return 0 if expected == len(timed) else 1


if __name__ == "__main__":
    sys.exit(main())
