"""The bad-input corpus through the real command line: every case exits 2 with exactly one
``error:`` line on stderr, nothing on stdout, no traceback, and no hang.

Cases that could block or read without end (FIFOs, devices, huge files) run in a subprocess
with a timeout that only guards against a hang; the rest call ``main`` in this process, the
same code the console script runs. How long each takes is measured by
``benchmarks/bad_inputs.py``, not asserted here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from relayer_sim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from relayer_sim.scenario import load_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM
from tests.adversarial.corpus.generate import (
    BASE_SCENARIO,
    HAND_WRITTEN,
    Case,
    cases,
    mutations,
    run_isolated,
    write_trace,
)


@pytest.fixture(scope="module")
def base_trace(tmp_path_factory: pytest.TempPathFactory, vm: WasmVM) -> Path:
    out = tmp_path_factory.mktemp("base-run")
    return run_scenario(load_scenario(BASE_SCENARIO), out, vm=vm).trace_path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, base_trace: Path) -> list[Case]:
    return cases(tmp_path_factory.mktemp("corpus"), base_trace)


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def test_the_corpus_covers_every_kind_of_bad_input(corpus: list[Case]) -> None:
    groups = {case.name.split("/")[0] for case in corpus}
    assert groups == {"scenario", "path", "out", "flag", "trace"}
    assert len(HAND_WRITTEN) >= 50
    assert len(corpus) >= 180


def test_every_in_process_case(corpus: list[Case], capsys: pytest.CaptureFixture[str]) -> None:
    failures = []
    for case in corpus:
        if not case.isolated:
            code, out, err = _in_process(case.argv, capsys)
            failures += _faults(case, code, out, err)
    assert not failures, "\n".join(failures)


def test_every_isolated_case_in_a_subprocess(corpus: list[Case]) -> None:
    failures = []
    for case in corpus:
        if case.isolated:
            done = run_isolated(case)
            failures += _faults(case, done.returncode, done.stdout, done.stderr)
    assert not failures, "\n".join(failures)


def test_a_mutated_trace_is_measured_or_refused_by_its_event(
    base_trace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report`` takes any trace that decodes: one-field mutations of a real run's trace are
    either measured or refused in one line that names the event."""
    failures, refused, count = [], 0, 0
    for label, trace in mutations(read_trace(base_trace)):
        count += 1
        path = write_trace(trace, tmp_path / "mutated.msgpack")
        code, _, err = _in_process(["report", str(path)], capsys)
        if code == EXIT_BAD_INPUT:
            refused += 1
            if not (err.count("\n") == 1 and err.startswith("error:") and "event " in err):
                failures.append(f"{label}: {err!r}")
        elif code != EXIT_OK or err:
            failures.append(f"{label}: exit {code}, stderr {err[-300:]!r}")
    assert not failures, "\n".join(failures)
    assert count >= 150 and 0 < refused < count


def test_the_last_resort_is_one_line_and_exit_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A bug still ends in one line: what failed, no traceback."""

    def broken(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("relayer_sim.commands.scenarios.scenarios_command", broken)
    monkeypatch.setattr("relayer_sim.cli.scenarios_command", broken)
    code, out, err = _in_process(["scenarios"], capsys)
    assert code == 70 and out == ""
    assert err == "error: internal error, a bug in relayer-sim: KeyError: 'boom'\n"


def _in_process(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exited:  # argparse's refusals
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _faults(case: Case, code: int, out: str, err: str) -> list[str]:
    """What is wrong with how ``case`` ended; nothing when it ended as a bad input must: exit
    2, and only ``error:`` lines on stderr, one of them saying what the case expects."""
    lines = err.splitlines()
    faults = []
    if code != EXIT_BAD_INPUT:
        faults.append(f"exit {code}")
    # One line per fault: a scenario wrong in three places gets three.
    if not lines or not err.endswith("\n") or not all(line.startswith("error: ") for line in lines):
        faults.append("not error lines on stderr")
    elif not any(case.expect in line for line in lines):
        faults.append(f"no {case.expect!r}")
    if out:
        faults.append(f"stdout {out[:200]!r}")
    if "Traceback" in out + err:
        faults.append("a traceback")
    return [f"{case.name}: {', '.join(faults)}: {err[-400:]!r}"] if faults else []
