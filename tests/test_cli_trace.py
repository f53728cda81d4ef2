"""``relayer-sim trace show`` and ``trace export`` on real trace files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relayer_sim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from relayer_sim.sim.trace import TraceRecorder

SECOND = 10**9
DAY = 86400 * SECOND


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    path = tmp_path / "run.trace"
    with TraceRecorder(path) as recorder:
        recorder.header(scenario="upgrade", seed=7, started_ns=1_700_000_000 * SECOND)
        recorder.record(0, "host", "block", height=1, app_hash=bytes(range(32)))
        recorder.record(6 * SECOND, "relayer", "client_updated", client="08-wasm-0", ok=True)
        recorder.record(DAY + 7384 * SECOND + SECOND // 2, "host", "block", height=2)
        recorder.record(DAY + 7384 * SECOND + SECOND // 2, "monitor", "frozen", memo="[red]x[/]")
    return path


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


@pytest.mark.parametrize("command", [["trace"], ["trace", "show"], ["trace", "export"]])
def test_every_trace_command_has_help(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    assert "usage: relayer-sim trace" in capsys.readouterr().out


def test_show_lists_every_event(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "show", str(trace_file)]) == EXIT_OK
    out = capsys.readouterr().out
    for fragment in (
        "'upgrade', seed 7",
        "00:00:06.000",
        "1d 02:03:04.500",
        "client_updated",
        "app_hash=00010203…(32 B), height=1",
        "memo=[red]x[/]",  # data is shown as it is, never read as markup
        "4 shown of 4 matching, 4 events in the trace",
    ):
        assert fragment in out


def test_show_filters_and_limits(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "show", "--kind", "block", "--limit", "1", str(trace_file)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "height=1" in out and "height=2" not in out and "client_updated" not in out
    assert "1 shown of 2 matching" in out
    assert (
        main(["trace", "show", "--actor", "monitor", "--actor", "relayer", str(trace_file)])
        == EXIT_OK
    )
    out = capsys.readouterr().out
    assert "frozen" in out and "client_updated" in out and "height=" not in out


def test_export_writes_stable_json_lines(
    trace_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "export", "--json", str(trace_file)]) == EXIT_OK
    printed = capsys.readouterr().out
    lines = [json.loads(line) for line in printed.splitlines()]
    assert lines[0]["format"] == "relayer-sim-trace" and lines[0]["seed"] == 7
    assert [line["seq"] for line in lines[1:]] == [0, 1, 2, 3]
    assert lines[1]["data"]["app_hash"] == bytes(range(32)).hex()

    output = tmp_path / "run.jsonl"
    assert main(["trace", "export", "--json", str(trace_file), "-o", str(output)]) == EXIT_OK
    assert "wrote 4 events" in capsys.readouterr().out
    assert output.read_text(encoding="utf-8") == printed


@pytest.mark.parametrize("action", [["show"], ["export", "--json"]])
def test_a_file_that_is_not_a_trace_is_one_line_and_exit_2(
    action: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    assert main(["trace", *action, str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a relayer-sim trace" in err


def test_a_missing_trace_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "show", str(tmp_path / "absent.trace")]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected an existing file (got no such file)" in err


def test_a_torn_trace_is_refused_unless_allowed(
    trace_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace_file.write_bytes(trace_file.read_bytes()[:-3])
    assert main(["trace", "show", str(trace_file)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cut short" in err and "--allow-torn-tail" in err

    assert main(["trace", "show", "--allow-torn-tail", str(trace_file)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "3 shown of 3 matching" in out and "warning" in out

    assert main(["trace", "export", "--json", "--allow-torn-tail", str(trace_file)]) == EXIT_OK
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4 and "left out" in captured.err


def test_export_to_an_unwritable_place_is_exit_2(
    trace_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "missing-directory" / "run.jsonl"
    assert main(["trace", "export", "--json", str(trace_file), "-o", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write: no directory" in err


def test_text_from_a_trace_is_shown_printable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A terminal escape in a trace is shown as text: a trace cannot clear a user's screen."""
    path = tmp_path / "escape.trace"
    with TraceRecorder(path) as recorder:
        recorder.header(scenario="s", seed=1, started_ns=0)
        recorder.record(0, "a\x1b[2J", "k\x07", memo="\x1b]0;title\x07")
    assert main(["trace", "show", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "a\\x1b[2J" in out and "memo=\\x1b]0;title\\x07" in out


def test_a_kind_no_run_writes_is_refused_with_what_was_meant(
    trace_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "show", str(trace_file), "--kind", "misbehaviour"]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == (
        "error: --kind misbehaviour: not an event kind (docs/scenarios.md lists them); "
        "did you mean client_misbehaviour?\n"
    )
    # a kind that no event of this trace has is a filter like any other
    assert main(["trace", "show", str(trace_file), "--kind", "fork_refused"]) == EXIT_OK


def test_a_reason_is_shown_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "refused.msgpack"
    reason = "not enough voting power signed: 34 of 100 " + "and more words " * 12
    with TraceRecorder(path) as recorder:
        recorder.header(scenario="s", seed=1, started_ns=0)
        recorder.record(5, "mallory", "fork_refused", fork="equivocation", reason=reason)
    assert main(["trace", "show", str(path)]) == EXIT_OK
    assert reason.strip() in " ".join(capsys.readouterr().out.replace("│", " ").split())
