"""A refused attack is visible: warned of before the run when its coalition is short of power,
its reason in the run summary, in the live display's events pane and in the trace; and a fork
is built on what the client holds (its latest height, or a named one), not on the chain's tip."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from relayer_sim.cli import main
from relayer_sim.report.progress import RunProgress
from relayer_sim.report.run_summary import render_run_summary, run_summary_json
from relayer_sim.scenario import load_scenario, parse_scenario
from relayer_sim.scenario.cautions import cautions
from relayer_sim.scenario.shipped import SCENARIOS_DIR
from relayer_sim.sim.runtime import RunResult, run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM
from relayer_sim.world import World

REFUSED = SCENARIOS_DIR / "refused-equivocation.toml"
REASON = "not enough voting power signed: 34 of 100"


@pytest.fixture(scope="module")
def refused_run(vm: WasmVM, tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, World]:
    worlds: list[World] = []
    out = tmp_path_factory.mktemp("refused")
    result = run_scenario(load_scenario(REFUSED), out, vm=vm, observer=worlds.append)
    return result, worlds[-1]


def test_a_short_coalition_is_warned_of_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (caution,) = cautions(load_scenario(REFUSED))
    assert caution.path == "timeline[0].coalition"
    assert caution.text == (
        "the coalition (mallet) holds 34 of 100 power at genesis (34 %); an equivocation fork "
        "needs more than 2/3 of the validator set, so a correct client refuses it"
    )
    assert main(["run", str(REFUSED), "--out", str(tmp_path), "--json"]) == 0
    assert capsys.readouterr().err == f"warning: {REFUSED}: {caution.path}: {caution.text}\n"


def test_forks_with_power_enough_draw_no_warning() -> None:
    for name in ("fork-detected", "lunatic-attack", "backdated-fork", "security-fix"):
        assert cautions(load_scenario(SCENARIOS_DIR / f"{name}.toml")) == [], name


def test_the_refusal_is_in_the_trace_the_summary_and_the_display(
    refused_run: tuple[RunResult, World],
) -> None:
    result, world = refused_run
    events = read_trace(result.trace_path).events
    (refused,) = [event for event in events if event.kind == "fork_refused"]
    assert (refused.data["fork"], refused.data["reason"]) == ("equivocation", REASON)
    assert any(e.kind == "tx_refused" and e.data["reason"] == REASON for e in events)

    summary = run_summary_json("refused-equivocation", 21, result)
    assert {"message": "MsgUpdateClient", "reason": REASON} in [
        {key: row[key] for key in ("message", "reason")} for row in summary["refused"]
    ]
    console = Console(record=True, width=80)
    render_run_summary(console, "refused-equivocation", result)
    text = console.export_text()
    assert "refused transactions" in text and REASON in " ".join(text.split())

    console = Console(record=True, width=80)
    console.print(RunProgress(console, 1).display(world))
    pane = " ".join(console.export_text().split())
    assert "latest events" in pane and "fork_refused" in pane


BEHIND = """
name = "behind"
description = "A relayer that lets its client trail by 30 blocks, and an equivocation."
seed = 8
duration = "20m"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"
update = { policy = "lag", blocks = 30 }

[[relayers]]
name = "mallory"
client = "main"
byzantine = true

[[timeline]]
at = "10m"
action = "fork"
kind = "equivocation"
relayer = "mallory"
coalition = ["alice", "bob", "carol"]
"""


def test_a_fork_builds_on_what_the_client_holds(vm: WasmVM, tmp_path: Path) -> None:
    """The client trails the chain by up to 30 blocks: the fork is verified from its latest
    height (the chain's height minus one, which it does not hold, would be refused), and a
    named base it does not hold is said, not sent."""
    scenario = parse_scenario(BEHIND, "behind.toml")
    events = read_trace(run_scenario(scenario, tmp_path / "default", vm=vm).trace_path).events
    (sent,) = [e for e in events if e.kind == "fork_sent"]
    chain_tip = max(
        e.data["height"]
        for e in events
        if e.kind == "block" and e.actor == "counterparty" and e.t_ns <= sent.t_ns
    )
    assert int(sent.data["trusted"].split("-")[1]) < chain_tip - 1
    assert [e.kind for e in events if e.kind.startswith("fork_") and e.kind != "fork_sent"] in (
        ["fork_accepted"],
        ["fork_frozen"],
    )
    named = BEHIND.replace(
        'coalition = ["alice", "bob", "carol"]', 'coalition = ["alice", "bob", "carol"]\nbase = 7'
    )
    events = read_trace(
        run_scenario(parse_scenario(named, "behind.toml"), tmp_path / "named", vm=vm).trace_path
    ).events
    (not_sent,) = [e for e in events if e.kind == "fork_not_sent"]
    assert "1-7" in not_sent.data["reason"]
