"""``relayer-sim contract try``: a contract file through the built-in scenario, every step's
outcome and the gas per call type, as a table within 80 columns or as JSON; exit 0 when the
contract did every step, 1 when it failed one, 2 for a file it cannot take."""

from __future__ import annotations

import json
import shutil
from importlib.resources import as_file, files
from pathlib import Path

import pytest

from relayer_sim.cli import main

CONTRACTS = files("relayer_sim.contracts")
CALLS = {
    "instantiate",
    "status",
    "verify_client_message",
    "check_for_misbehaviour",
    "update_state",
    "update_state_on_misbehaviour",
    "verify_membership",
}


def shipped(name: str, tmp_path: Path) -> Path:
    """A copy of a shipped contract under another name, as a user would bring it."""
    with as_file(CONTRACTS.joinpath(f"{name}.wasm")) as source:
        return Path(shutil.copy(source, tmp_path / f"my-{name}.wasm"))


def test_try_sim_tendermint_v1_as_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = shipped("sim-tendermint-v1", tmp_path)
    assert main(["contract", "try", str(file)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "contract try: my-sim-tendermint-v1.wasm"
    steps = {
        line.split("│")[1].strip(): line.split("│")[2].strip() for line in lines if "│" in line
    }
    assert steps["client created"] == steps["updates"] == steps["packets proven"] == "ok"
    assert steps["misbehaviour"] == "ok"
    assert "08-wasm-0" in out and "0 refused" in out and ": frozen" in out
    assert set(steps) >= CALLS, steps  # the gas table's rows
    assert lines[-1] == "verdict: ok — the contract did every step"


def test_try_in_the_v0_1_dialect_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = shipped("sim-tendermint-v1", tmp_path)
    assert main(["contract", "try", str(file), "--dialect", "v0.1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["dialect"], result["format"], result["verdict"]) == (
        "v0.1",
        "sim-tendermint",
        "ok",
    )
    assert result["client"] == "08-wasm-0"
    assert result["updates"]["accepted"] > 50 and result["updates"]["refused"] == 0
    packets = result["packets"]
    assert packets["proven"] > 5 and packets["refused"] == 0
    assert result["misbehaviour"]["frozen"] and result["final_status"] == "Frozen"
    assert all(step["ok"] for step in result["steps"])
    gas = {use["call"]: use for use in result["gas"]}
    assert set(gas) >= CALLS
    assert all(0 < use["median"] <= use["max"] for use in gas.values())
    assert gas["instantiate"]["calls"] == 1


def test_a_contract_that_is_no_light_client_fails_its_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rogue test contract is stored and instantiated, but follows no chain: exit 1, and
    each failed step says what happened."""
    file = shipped("rogue", tmp_path)
    assert main(["contract", "try", str(file), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    steps = {step["step"]: step for step in result["steps"]}
    assert result["verdict"] == "failed" and steps["client created"]["ok"]
    assert steps["updates"] == {
        "step": "updates",
        "ok": False,
        "detail": "none sent: the client stayed at 0-1",
    }
    assert not steps["misbehaviour"]["ok"] and not result["misbehaviour"]["frozen"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "junk.wasm",
            b"no wasm here",
            "expected a contract store_code accepts (got malformed "
            "wasm: bad magic number: not a wasm module)",
        ),
        ("gone.wasm", None, "expected an existing file (got no such file)"),
        ("client.bin", b"\0asm", "expected a file named .wasm or .wasm.gz"),
    ],
)
def test_a_file_that_is_no_contract_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    expected: str,
) -> None:
    file = tmp_path / name
    if content is not None:
        file.write_bytes(content)
    assert main(["contract", "try", str(file)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: {file}: {expected}\n"


def test_try_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["contract", "try", "--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert "--dialect {v10,v0.1}" in out and "--format {sim-tendermint,tendermint}" in out


@pytest.mark.parametrize("dialect", ["v10", "v0.1"])
def test_try_tendermint_v1_on_the_tendermint_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dialect: str
) -> None:
    file = shipped("tendermint-v1", tmp_path)
    arguments = ["contract", "try", str(file), "--format", "tendermint", "--dialect", dialect]
    assert main([*arguments, "--json"]) == 0, capsys.readouterr().out
    result = json.loads(capsys.readouterr().out)
    assert result["format"] == "tendermint" and result["verdict"] == "ok"
    assert all(step["ok"] for step in result["steps"])
