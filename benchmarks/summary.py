"""Every benchmark's figures in one JSON file, and a table of their headline figures.

Runs each benchmark script in turn (``python benchmarks/<name>.py``, each in its own process,
with its default options), each writing its JSON to ``benchmarks/results/<name>.json``; then
collects those files into ``benchmarks/results/bench.json`` and prints a table of the headline
figures. Each headline is a ratio against a baseline the benchmark measured in the same process
(VM call / bare wasmtime-py, host path / signature floor, block production / signing, cached /
uncached, last day / first day, ...), or what the issue asks of a figure on its own (a real-time
factor, a peak RSS, a time); beside it is the issue's target when there is one, and whether the
figure meets it. Where a benchmark measures an adjacent and a skipping update, the headline is
the worse of the two. ``bench.json`` holds:

- ``benchmarks``: each benchmark's JSON, as it wrote it;
- ``runs``: for each benchmark run by this invocation, its exit code and wall seconds (a
  benchmark whose run failed keeps its figures only if it wrote its file in this run);
- ``missing``: the benchmarks without a (fresh) results file;
- ``headlines``: the table's rows (benchmark, figure, value, unit, target, met).

The summary exits 1 if a benchmark's run failed or its file is missing, after writing
``bench.json`` and the table.

Usage: ``python benchmarks/summary.py [--collect-only] [--only vm,host_path] [--results DIR]
[--out FILE]`` (``--collect-only``: run nothing, collect the files already in ``--results``;
default out ``benchmarks/results/bench.json``).
"""

from __future__ import annotations

import argparse
import json
import operator
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from measure import RESULTS

BENCHMARKS_DIR = Path(__file__).resolve().parent
#: Every benchmark ``make bench`` runs, in order (each ``benchmarks/<name>.py``).
BENCHMARKS = (
    "vm",
    "lightclient",
    "host_gas",
    "host_path",
    "scenarios",
    "quick_start",
    "containment",
    "bad_inputs",
    "state_commitment",
    "status_cache",
    "long_run",
    "sweep_engines",
)
OUT_NAME = "bench.json"
WIDTH = 80
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
}


@dataclass(frozen=True)
class Target:
    """What the issue asks of a figure: ``value op bound``, or within ``bound`` of 1 (``~``)."""

    op: str
    bound: float

    def met(self, value: float) -> bool:
        if self.op == "~":
            return abs(value - 1) <= self.bound
        return COMPARISONS[self.op](value, self.bound)

    def __str__(self) -> str:
        if self.op == "~":
            return f"1 ± {self.bound:g}"
        return f"{self.op} {self.bound:,g}"


@dataclass(frozen=True)
class Headline:
    benchmark: str
    figure: str
    value: float
    #: "x" for a ratio, else the unit ("ms", "MiB", "s").
    unit: str
    target: Target | None = None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.value)

    def as_json(self) -> dict[str, Any]:
        row = asdict(self)
        row["target"] = None if self.target is None else str(self.target)
        row["met"] = self.met
        return row


Figures = dict[str, Any]
Extract = Callable[[Figures], Iterator[Headline]]

#: Short names of wire formats and consensuses, for the table.
SHORT = {
    "sim-tendermint": "sim-tm",
    "tendermint": "tm",
    "tm-ed25519": "ed25519",
    "tm-secp256k1": "secp256k1",
}


def short(name: str) -> str:
    return SHORT.get(name, name)


def vm(figures: Figures) -> Iterator[Headline]:
    yield Headline(
        "vm", "VM query / bare wasmtime-py", figures["vm_over_bare_ratio"], "x", Target("<=", 1.1)
    )


def lightclient(figures: Figures) -> Iterator[Headline]:
    largest = max(row["validators"] for row in figures["updates"])
    for row in figures["updates"]:
        if row["validators"] == largest:
            ratio = max(row[u]["contract_over_signatures_ratio"] for u in ("adjacent", "skipping"))
            what = f"{short(row['consensus'])}, {short(row['format'])}"
            yield Headline("lightclient", f"contract / sigs, {largest} val, {what}", ratio, "x")


def host_path(figures: Figures) -> Iterator[Headline]:
    """The worse of the adjacent and the skipping update of each case."""
    updates = ("adjacent", "skipping")
    smallest = min(row["validators"] for row in figures["updates"])
    largest = max(row["validators"] for row in figures["updates"])
    for row in figures["updates"]:
        if row["validators"] == largest:
            ratio = max(row[u]["host_over_signatures_ratio"] for u in updates)
            what = f"{largest} val, {short(row['consensus'])}, {short(row['format'])}"
            yield Headline("host_path", f"update / sigs, {what}", ratio, "x", Target("<=", 1.3))
            floor = max(row[u]["signatures_lifecycle_and_wasm_ratio"] for u in updates)
            yield Headline("host_path", f"its floor, {what}", floor, "x")
    for row in figures["updates"]:
        if row["validators"] == smallest:
            fixed = max(row[u]["fixed_cost_ms"] for u in updates)
            what = f"{smallest} val, {short(row['consensus'])}, {short(row['format'])}"
            yield Headline("host_path", f"fixed cost, {what}", fixed, "ms", Target("<", 0.5))
            floor = max(row[u]["contract_lifecycle_and_wasm_ms"] for u in updates)
            yield Headline("host_path", f"its floor, {what}", floor, "ms")
    for row in figures["blocks"]:
        what = f"{row['validators']} val, {short(row['consensus'])}, {short(row['format'])}"
        yield Headline(
            "host_path",
            f"block / signing, {what}",
            row["block_over_signing_ratio"],
            "x",
            Target("<=", 1.3),
        )


def scenarios(figures: Figures) -> Iterator[Headline]:
    for label, run in figures["runs"].items():
        yield Headline("scenarios", f"{label}: real-time", run["simulated_per_wall"], "x")
    for name, ratio in figures.items():
        if name != "runs" and isinstance(ratio, dict) and "wall_seconds" in ratio:
            yield Headline("scenarios", f"wall, {name}", ratio["wall_seconds"], "x")


def quick_start(figures: Figures) -> Iterator[Headline]:
    hours = f"{figures['simulated_seconds'] / 3600:g} h"
    yield Headline(
        "quick_start",
        f"quick-start {hours}: real-time",
        figures["simulated_per_wall"],
        "x",
        Target(">=", 10_000),
    )
    yield Headline(
        "quick_start", f"quick-start {hours}: simulated / CPU", figures["simulated_per_cpu"], "x"
    )
    yield Headline(
        "quick_start",
        "its signatures alone: real-time",
        figures["signatures_only_simulated_per_wall"],
        "x",
    )
    yield Headline(
        "quick_start",
        "run / its signatures alone, wall",
        figures["wall_over_signatures_ratio"],
        "x",
    )
    yield Headline(
        "quick_start",
        "its signatures, wasm and wasmtime alone: real-time",
        figures["signatures_lifecycle_and_wasm_simulated_per_wall"],
        "x",
    )


def containment(figures: Figures) -> Iterator[Headline]:
    yield Headline(
        "containment",
        "worst import loop / pure Wasm, s per gas",
        figures["spin_after"]["worst_ratio"],
        "x",
    )
    yield Headline(
        "containment",
        "catalogue: slowest call",
        figures["catalogue"]["slowest_call_s"],
        "s",
        Target("<", 10),
    )


def bad_inputs(figures: Figures) -> Iterator[Headline]:
    summary = figures["summary"]
    yield Headline(
        "bad_inputs",
        f"slowest of {summary['cases']} refusals",
        summary["max_wall_seconds"],
        "s",
        Target("<=", 1),
    )


def state_commitment(figures: Figures) -> Iterator[Headline]:
    for wire, by_size in figures["wires"].items():
        sizes = sorted(by_size, key=int)
        largest = by_size[sizes[-1]]
        scale = f"{int(sizes[-1]):.0e} / {int(sizes[0]):.0e} keys".replace("e+0", "e")
        for name, what in (("commit_block", "block"), ("prove_membership", "proof")):
            yield Headline(
                "state_commitment", f"{short(wire)} {what}, {scale}", largest[f"{name}_ratio"], "x"
            )


def status_cache(figures: Figures) -> Iterator[Headline]:
    ratios = figures["ratio_cached_over_uncached"]
    yield Headline("status_cache", "cached / uncached, wall", ratios["wall_s"], "x")
    yield Headline("status_cache", "cached / uncached, status calls", ratios["status_calls"], "x")
    yield Headline(
        "status_cache",
        "quick-start real-time, cached",
        figures["simulated_per_wall_second"]["cached"],
        "x",
    )


def long_run(figures: Figures) -> Iterator[Headline]:
    """The issue asks for CPU per day flat within 10 % from day 1 to the last; day 1 also
    creates the client and compiles its contract, so the last day over day 2 is shown too."""
    days = figures["days"]
    flat = Target("~", 0.1)
    if days >= 2:
        ratio = figures["last_over_first_day"]
        yield Headline("long_run", f"CPU, day {days} / day 1", ratio, "x", flat)
    if days >= 3:
        ratio = figures["last_over_second_day"]
        yield Headline("long_run", f"CPU, day {days} / day 2", ratio, "x", flat)
    yield Headline(
        "long_run", f"peak RSS, {days} days", figures["peak_rss_mib"], "MiB", Target("<", 250)
    )
    yield Headline("long_run", f"real-time, {days} days", figures["simulated_per_wall"], "x")


def sweep_engines(figures: Figures) -> Iterator[Headline]:
    """The engines' speed-up over the same runs in one process, and their cost per task."""
    speed = figures["speedup"]
    runs = speed["runs"]
    for name in ("local", "ray"):
        if speed.get(name) is not None:
            figure = f"sequential / {name} engine, {runs} runs, wall"
            yield Headline("sweep_engines", figure, speed[f"{name}_speedup"], "x")
    for name in ("local", "ray"):
        engine = figures["overhead"].get(name)
        if engine is not None:
            yield Headline(
                "sweep_engines", f"{name}: overhead per task", engine["overhead_per_task_ms"], "ms"
            )
            yield Headline("sweep_engines", f"{name}: start-up", engine["startup_s"], "s")


#: How to read each benchmark's headline figures (host_gas has none: its gas is exact, no ratio).
HEADLINES: dict[str, Extract] = {
    "vm": vm,
    "lightclient": lightclient,
    "host_path": host_path,
    "scenarios": scenarios,
    "quick_start": quick_start,
    "containment": containment,
    "bad_inputs": bad_inputs,
    "state_commitment": state_commitment,
    "status_cache": status_cache,
    "long_run": long_run,
    "sweep_engines": sweep_engines,
}


@dataclass(frozen=True)
class Unreadable:
    """A results file the summary could not read a headline from."""

    benchmark: str
    problem: str


def headlines(benchmarks: dict[str, Figures]) -> list[Headline | Unreadable]:
    rows: list[Headline | Unreadable] = []
    for name, figures in benchmarks.items():
        extract = HEADLINES.get(name)
        if extract is None:
            continue
        try:
            rows.extend(extract(figures))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            rows.append(Unreadable(name, f"{type(error).__name__}: {error}"))
    return rows


def format_value(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:,.0f}x" if value >= 100 else f"{value:.2f}x"
    return f"{value:,.3g} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def table(rows: list[Headline | Unreadable]) -> str:
    """The rows under a heading per benchmark, each line at most ``WIDTH`` characters."""
    value_width, target_width, mark_width = 10, 9, 4
    figure_width = WIDTH - 2 - value_width - target_width - mark_width - 3
    lines = [
        f"{'  figure':<{figure_width + 2}} {'value':>{value_width}} "
        f"{'target':<{target_width}} {'met':<{mark_width}}".rstrip()
    ]
    current = None
    for row in rows:
        if row.benchmark != current:
            current = row.benchmark
            lines.append(f"{current}")
        if isinstance(row, Unreadable):
            lines.append(f"  unreadable: {row.problem}"[:WIDTH])
            continue
        figure = row.figure
        if len(figure) > figure_width:
            figure = figure[: figure_width - 1] + "…"
        target = "" if row.target is None else str(row.target)
        if row.target is not None and row.unit != "x":
            target = (
                f"{target} {row.unit}" if len(f"{target} {row.unit}") <= target_width else target
            )
        mark = {None: "", True: "yes", False: "NO"}[row.met]
        line = (
            f"  {figure:<{figure_width}} {format_value(row.value, row.unit):>{value_width}} "
            f"{target:<{target_width}} {mark}"
        )
        lines.append(line.rstrip())
    return "\n".join(lines)


def collect(results: Path, names: list[str], since: float | None = None) -> dict[str, Any]:
    """The results files of ``names`` in ``results`` (only those written at or after ``since``,
    when given): the figures of each, and the names without one."""
    benchmarks: dict[str, Figures] = {}
    missing = []
    for name in names:
        path = results / f"{name}.json"
        if not path.is_file() or (since is not None and path.stat().st_mtime < since):
            missing.append(name)
            continue
        benchmarks[name] = json.loads(path.read_text())
    return {"benchmarks": benchmarks, "missing": missing}


def run_all(names: list[str]) -> dict[str, dict[str, float]]:
    """Run each benchmark script in its own process, as ``make bench`` runs them."""
    runs = {}
    for name in names:
        print(f"== benchmarks/{name}.py", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(BENCHMARKS_DIR / f"{name}.py")], check=False)
        seconds = round(time.perf_counter() - started, 1)
        runs[name] = {"exit_code": done.returncode, "seconds": seconds}
        if done.returncode:
            print(f"== benchmarks/{name}.py exited {done.returncode}", file=sys.stderr, flush=True)
    return runs


def summarise(
    results: Path, names: list[str], runs: dict[str, dict[str, float]] | None, since: float | None
) -> tuple[dict[str, Any], str]:
    """``bench.json``'s contents and the table, from the files in ``results``."""
    collected = collect(results, names, since)
    rows = headlines(collected["benchmarks"])
    summary = {
        "benchmarks": collected["benchmarks"],
        "runs": runs or {},
        "missing": collected["missing"],
        "headlines": [row.as_json() if isinstance(row, Headline) else asdict(row) for row in rows],
    }
    return summary, table(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collect-only", action="store_true", help="run nothing, collect files")
    parser.add_argument("--only", help="benchmarks, comma-separated (default: all)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--out", type=Path, default=None, help="default: RESULTS/bench.json")
    args = parser.parse_args(argv)
    names = list(BENCHMARKS) if args.only is None else args.only.split(",")
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks {sorted(unknown)} (known: {', '.join(BENCHMARKS)})")
    runs, since = None, None
    if not args.collect_only:
        if args.results != RESULTS:
            parser.error("benchmarks write to benchmarks/results: --results needs --collect-only")
        since = time.time() - 1  # a file's mtime may lag the clock a little
        runs = run_all(names)
    summary, text = summarise(args.results, names, runs, since)
    out = args.out or args.results / OUT_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(text)
    print(f"(all figures: {out})")
    failed = [name for name, run in (runs or {}).items() if run["exit_code"]]
    if failed or summary["missing"]:
        print(f"failed: {failed}, missing: {summary['missing']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
