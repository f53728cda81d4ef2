"""Contracts a user brings: a ``.wasm`` or ``.wasm.gz`` path wherever a scenario names a
contract, relative to the scenario file, read and checked when the scenario is read (each
refusal one line naming the field and the path, exit 2), stored and run like a shipped one,
and named in the trace as the scenario writes it."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import pytest

from relayer_sim.cli import main
from relayer_sim.contracts import load_contract
from relayer_sim.files import MIB
from relayer_sim.scenario import StoreCode, load_scenario, parse_scenario
from relayer_sim.scenario.contracts import ContractFile, contract_code
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM

V1 = load_contract("sim-tendermint-v1")
V2 = load_contract("sim-tendermint-v2")
#: The shipped contracts that read each counterparty format, as (v1, v2).
BUILDS = {
    "sim-tendermint": (V1, V2),
    "tendermint": (load_contract("tendermint-v1"), load_contract("tendermint-v2")),
}


def scenario_text(
    contract: str, dialect: str = "v10", timeline: str = "", wire: str = "sim-tendermint"
) -> str:
    return f"""\
name = "byo"
description = "A client on a contract file."
seed = 2
duration = "6m"

[counterparty]
format = "{wire}"

[host]
dialect = "{dialect}"
voting_period = "1m"

[[clients]]
name = "main"
contract = "{contract}"

[[relayers]]
name = "r1"
client = "main"

[traffic]
every = "30s"
{timeline}
[[expect]]
kind = "client_status"
client = "main"
status = "Active"

[[expect]]
kind = "packets_delivered"
min = 8
"""


#: Store v2 from a gzip file, then migrate the client to it: the upgrade path on files.
UPGRADE = """
[[timeline]]
name = "store"
at = "1m"
action = "store_code"
contract = "code/next.wasm.gz"

[[timeline]]
after = "store"
delay = "2m"
action = "migrate"
client = "main"
contract = "code/next.wasm.gz"

[[expect]]
kind = "proposal_passed"
count = 2
"""


def byo_dir(root: Path, wire: str = "sim-tendermint") -> Path:
    """A scenario folder with the v1 contract reading ``wire`` as ``code/mine.wasm`` and its v2
    as ``code/next.wasm.gz``."""
    v1, v2 = BUILDS[wire]
    (root / "code").mkdir(parents=True)
    (root / "code" / "mine.wasm").write_bytes(v1)
    (root / "code" / "next.wasm.gz").write_bytes(gzip.compress(v2, mtime=0))
    return root


def test_a_contract_file_is_relative_to_the_scenario_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = byo_dir(tmp_path / "here")
    (folder / "s.toml").write_text(scenario_text("code/mine.wasm", timeline=UPGRADE))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    scenario = load_scenario(folder / "s.toml")
    client = scenario.clients[0].contract
    assert isinstance(client, ContractFile) and client == "code/mine.wasm"
    assert client.path == folder / "code" / "mine.wasm"
    assert contract_code(client).code == V1
    assert contract_code(client).checksum == hashlib.sha256(V1).digest()
    store = scenario.timeline[0]
    assert isinstance(store, StoreCode)
    stored = store.contract
    assert isinstance(stored, ContractFile)
    # gzip is stored as gzip (the host inflates it); the checksum is the raw wasm's.
    assert contract_code(stored).code == gzip.compress(V2, mtime=0)
    assert contract_code(stored).checksum == hashlib.sha256(V2).digest()
    # A file written in Python resolves against the working directory; absolute paths as given.
    monkeypatch.chdir(folder)
    assert parse_scenario(scenario_text("code/mine.wasm")).clients[0].contract == "code/mine.wasm"
    absolute = str(folder / "code" / "mine.wasm")
    monkeypatch.chdir(elsewhere)
    assert parse_scenario(scenario_text(absolute)).clients[0].contract == absolute


def _refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], contract: str) -> str:
    """The one error line ``relayer-sim run`` gives a scenario naming ``contract``."""
    scenario = tmp_path / "s.toml"
    scenario.write_text(scenario_text(contract))
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    return captured.err.removeprefix(f"error: {scenario}: ").rstrip("\n")


def test_each_bad_contract_file_is_one_line_naming_the_field_and_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    at = f"at {tmp_path}"
    assert _refused(tmp_path, capsys, "gone.wasm") == (
        f"clients[0].contract: expected an existing file {at}/gone.wasm (got no such file)"
    )
    (tmp_path / "dir.wasm").mkdir()
    assert _refused(tmp_path, capsys, "dir.wasm") == (
        f"clients[0].contract: expected a regular file {at}/dir.wasm (got a directory)"
    )
    with (tmp_path / "huge.wasm").open("wb") as huge:
        huge.truncate(17 * MIB)
    assert _refused(tmp_path, capsys, "huge.wasm") == (
        f"clients[0].contract: expected a file of at most 16 MiB {at}/huge.wasm (got 17 MiB)"
    )
    (tmp_path / "junk.wasm").write_bytes(b"not a contract at all")
    assert _refused(tmp_path, capsys, "junk.wasm") == (
        f"clients[0].contract: expected a contract store_code accepts {at}/junk.wasm "
        "(got malformed wasm: bad magic number: not a wasm module)"
    )
    (tmp_path / "bomb.wasm.gz").write_bytes(gzip.compress(bytes(4 * MIB)))
    assert _refused(tmp_path, capsys, "bomb.wasm.gz") == (
        f"clients[0].contract: expected a contract store_code accepts {at}/bomb.wasm.gz "
        "(got gzip inflates to more than 3145728 bytes)"
    )
    (tmp_path / "half.wasm").write_bytes(b"\0asm\x01\0\0\0")
    assert _refused(tmp_path, capsys, "half.wasm") == (
        f"clients[0].contract: expected a contract store_code accepts {at}/half.wasm (got the "
        "contract must define exactly one memory; it defines 0 and 3 more)"
    )
    assert _refused(tmp_path, capsys, "esc\\u001b.wasm") == (
        "clients[0].contract: expected a file path of printable characters, at most 4096 "
        '(got "esc\\u001b.wasm")'
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_contract_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked.wasm"
    locked.write_bytes(V1)
    locked.chmod(0)
    assert _refused(tmp_path, capsys, "locked.wasm") == (
        f"clients[0].contract: expected a readable file at {locked} (got Permission denied)"
    )


@pytest.mark.parametrize("wire", ["sim-tendermint", "tendermint"])
@pytest.mark.parametrize("dialect", ["v10", "v0.1"])
def test_a_scenario_on_contract_files_runs_to_its_expectations(
    vm: WasmVM, tmp_path: Path, dialect: str, wire: str
) -> None:
    """A client on a copy of v1 under another name, migrated by governance to a gzip copy of
    v2, in both 08-wasm dialects and both wire formats; the trace names the files as the
    scenario writes them."""
    text = scenario_text("./code/mine.wasm", dialect, UPGRADE, wire)
    folder = byo_dir(tmp_path / "a", wire)
    (folder / "s.toml").write_text(text)
    result = run_scenario(load_scenario(folder / "s.toml"), tmp_path / "out-a", vm=vm)
    assert result.ok, [outcome for outcome in result.outcomes if not outcome.met]
    titles = [
        event.data["title"]
        for event in read_trace(result.trace_path).events
        if event.kind == "proposal_sent"
    ]
    assert titles == ["store code/next.wasm.gz", "migrate main to code/next.wasm.gz"]
    if dialect == "v10":
        # The same scenario from another folder: the same trace, byte for byte.
        other = byo_dir(tmp_path / "b", wire)
        (other / "s.toml").write_text(text)
        again = run_scenario(load_scenario(other / "s.toml"), tmp_path / "out-b", vm=vm)
        assert again.trace_path.read_bytes() == result.trace_path.read_bytes()
