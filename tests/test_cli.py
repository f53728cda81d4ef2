"""The command line: exit codes, one-line errors, ``--help`` everywhere."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import wasmtime

from relayer_sim import __version__
from relayer_sim.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_VERDICT, main
from tests.conftest import contract_bytes


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize("command", [[], ["demo"], ["contract"], ["contract", "check"]])
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    assert "usage: relayer-sim" in capsys.readouterr().out


def test_contract_check_accepts_the_probe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "probe.wasm.gz"
    path.write_bytes(gzip.compress(contract_bytes("probe")))
    assert main(["contract", "check", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    for fragment in ("accepted", "interface_version_8", "db_read", "(gzip)", "sudo"):
        assert fragment in out


def test_contract_check_lists_every_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.wasm"
    path.write_bytes(
        wasmtime.wat2wasm('(module (import "env" "nope" (func)) (func (result f64) f64.const 1))')
    )
    assert main(["contract", "check", str(path)]) == EXIT_VERDICT
    out = capsys.readouterr().out
    for fragment in ("rejected", "env.nope", "exactly one memory", "float", "allocate"):
        assert fragment in out


def test_contract_check_of_garbage_is_a_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "junk.wasm"
    path.write_bytes(b"not wasm")
    assert main(["contract", "check", str(path)]) == EXIT_VERDICT
    assert "magic" in capsys.readouterr().out


def test_contract_check_of_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contract", "check", str(tmp_path / "absent.wasm")]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "expected an existing file" in captured.err


def test_demo_runs_the_probe(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["demo"]) == EXIT_OK
    out = capsys.readouterr().out
    for outcome in ("ok", "contract error", "OutOfGas", "MemoryLimitExceeded", "StackOverflow"):
        assert outcome in out


def test_contract_check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.wasm"
    path.write_bytes(wasmtime.wat2wasm('(module (import "env" "\\1b[2J" (func)))'))
    assert main(["contract", "check", "--json", str(path)]) == EXIT_VERDICT
    document = json.loads(capsys.readouterr().out)
    assert document["accepted"] is False and "env.\x1b[2J" in document["imports"]


def test_contract_check_shows_names_printable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An import named with a terminal escape is shown as text, never sent to the terminal."""
    path = tmp_path / "bad.wasm"
    path.write_bytes(wasmtime.wat2wasm('(module (import "env" "\\1b[2J[red]" (func)))'))
    assert main(["contract", "check", str(path)]) == EXIT_VERDICT
    out = capsys.readouterr().out
    assert "\x1b[2J" not in out and "env.\\x1b[2J[red]" in out


def test_scenarios_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "--json"]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 15 and all(row["error"] is None and row["description"] for row in rows)


def test_an_argument_error_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run", "--seed", str(2**64)])
    assert exited.value.code == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "error: relayer-sim run: argument --seed: expected a seed from 0 to "
        f"{2**64 - 1} (see relayer-sim run --help)\n"
    )
