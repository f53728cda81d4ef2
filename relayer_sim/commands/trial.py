"""``relayer-sim contract try``: a contract file put through a short built-in scenario, and what
it did at each step.

The scenario (``trial_scenario_data``) is ten simulated minutes of a healthy connection on the
contract (a client created on it, an honest relayer updating it every block and relaying a
packet every 30 s with proofs), then a lunatic fork by a 40 % coalition that a byzantine relayer
submits at 7 minutes and a monitor reports, which should freeze the client. The run's trace
tells each step's outcome; a VM that notes the gas of every call into the contract gives the
gas per call type.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final

from rich.console import Console

from relayer_sim.report.printable import Column, FittedTable, shown
from relayer_sim.scenario import Scenario
from relayer_sim.scenario.contracts import ContractCode
from relayer_sim.scenario.durations import MINUTE
from relayer_sim.scenario.loading import scenario_from_data
from relayer_sim.sim.trace import Event, read_trace
from relayer_sim.vm import CallResult, QueryHandler, Storage, VMError, WasmVM
from relayer_sim.vm.machine import JSONObject

#: When the byzantine relayer sends the fork, and how long the run goes on after it.
FORK_AT: Final = 7 * MINUTE
DURATION: Final = 10 * MINUTE
CLIENT: Final = "main"
FORK_KIND: Final = "lunatic"
#: The coalition that signs the fork: 40 % of the counterparty's power, more than the client's
#: 1/3 trust level, so a skipping update accepts its header.
COALITION: Final = ("alice",)


def trial_scenario_data(contract: str, dialect: str, wire_format: str) -> dict[str, Any]:
    """The trial scenario's tables, as a scenario file would hold them, for a client on
    ``contract`` (a contract file's path) with a host of ``dialect`` and a counterparty that
    speaks ``wire_format``."""
    return {
        "name": "contract-try",
        "description": "A healthy connection on the contract, then a lunatic fork to freeze on.",
        "seed": 1,
        "duration": f"{DURATION // MINUTE}m",
        "counterparty": {"name": "gaia", "format": wire_format},
        "host": {"dialect": dialect},
        "clients": [{"name": CLIENT, "contract": contract}],
        "relayers": [
            {"name": "relayer", "client": CLIENT},
            {"name": "mallory", "client": CLIENT, "byzantine": True},
        ],
        "monitors": [{"name": "monitor", "client": CLIENT, "poll": "10s"}],
        "traffic": {"every": "30s"},
        "timeline": [
            {
                "name": "fork",
                "at": f"{FORK_AT // MINUTE}m",
                "action": "fork",
                "kind": FORK_KIND,
                "coalition": list(COALITION),
                "relayer": "mallory",
            }
        ],
    }


def trial_scenario(file: Path, code: ContractCode, dialect: str, wire_format: str) -> Scenario:
    """The trial scenario on the contract in ``file``, whose code was read as ``code``; a
    ``ScenarioError`` if the combination cannot be run."""
    data = trial_scenario_data(file.name, dialect, wire_format)
    return scenario_from_data(data, str(file), file.parent, {file.parent / file.name: code})


@dataclass(frozen=True)
class Step:
    """One step of the trial: whether the contract did it, and what was seen."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class GasUse:
    """The CosmWasm gas of the contract's calls of one type (an entry point, or the message a
    query or sudo carries)."""

    call: str
    calls: int
    median: int
    max: int


@dataclass
class Trial:
    """What the contract did in the trial scenario."""

    client: str | None = None
    creation_error: str | None = None
    updates_accepted: int = 0
    updates_refused: int = 0
    first_update_refusal: str | None = None
    packets_sent: int = 0
    packets_proven: int = 0
    packets_refused: int = 0
    first_packet_refusal: str | None = None
    fork_height: str | None = None
    fork_error: str | None = None
    frozen_after_ns: int | None = None
    #: The client's height when the fork was sent, and its status at the end of the run.
    height_at_fork: str | None = None
    final_status: str | None = None
    gas: list[GasUse] = field(default_factory=list)

    @property
    def steps(self) -> list[Step]:
        return [
            Step("client created", self.client is not None, self._created()),
            Step(
                "updates",
                self.updates_accepted > 0 and self.updates_refused == 0,
                self._updates(),
            ),
            Step(
                "packets proven",
                self.packets_proven > 0 and self.packets_refused == 0,
                _counted(
                    f"{self.packets_proven} of {self.packets_sent} sent, "
                    f"{self.packets_refused} refused",
                    self.first_packet_refusal,
                ),
            ),
            Step("misbehaviour", self.frozen_after_ns is not None, self._misbehaviour()),
        ]

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    def _created(self) -> str:
        if self.client is not None:
            return self.client
        return f"refused: {self.creation_error}" if self.creation_error else "never created"

    def _updates(self) -> str:
        if self.updates_accepted == self.updates_refused == 0:
            if self.height_at_fork is None:
                return "none sent: no client"
            return f"none sent: the client stayed at {self.height_at_fork}"
        counts = f"{self.updates_accepted} accepted, {self.updates_refused} refused"
        return _counted(counts, self.first_update_refusal)

    def _misbehaviour(self) -> str:
        if self.fork_height is None:
            return f"no fork sent: {self.fork_error or 'no client'}"
        fork = f"{FORK_KIND} fork at {self.fork_height}"
        if self.frozen_after_ns is None:
            return f"{fork}: client not frozen (it is {self.final_status})"
        return f"{fork}: frozen {self.frozen_after_ns / 10**9:g} s after it"

    def to_json(self) -> dict[str, object]:
        return {
            "client": self.client,
            "creation_error": self.creation_error,
            "updates": {
                "accepted": self.updates_accepted,
                "refused": self.updates_refused,
                "first_refusal": self.first_update_refusal,
            },
            "packets": {
                "sent": self.packets_sent,
                "proven": self.packets_proven,
                "refused": self.packets_refused,
                "first_refusal": self.first_packet_refusal,
            },
            "misbehaviour": {
                "fork": FORK_KIND,
                "height": self.fork_height,
                "error": self.fork_error,
                "frozen": self.frozen_after_ns is not None,
                "frozen_after_ns": self.frozen_after_ns,
            },
            "height_at_fork": self.height_at_fork,
            "final_status": self.final_status,
            "gas": [
                {"call": use.call, "calls": use.calls, "median": use.median, "max": use.max}
                for use in self.gas
            ],
            "steps": [
                {"step": step.name, "ok": step.ok, "detail": step.detail} for step in self.steps
            ],
            "verdict": "ok" if self.ok else "failed",
        }


def _counted(counts: str, first_refusal: str | None) -> str:
    return counts if first_refusal is None else f"{counts}; first refusal: {first_refusal}"


def run_trial(scenario: Scenario, checksum: bytes) -> Trial:
    """Run ``scenario`` (a ``trial_scenario``) on the contract of ``checksum`` and read back
    what it did."""
    from relayer_sim.sim.runtime import run_scenario

    vm = _GasNotingVM(checksum)
    with tempfile.TemporaryDirectory(prefix="relayer-sim-try-") as out:
        result = run_scenario(scenario, Path(out), vm=vm)
        trial = _read_events(read_trace(result.trace_path).events)
    trial.gas = [
        GasUse(call, len(used), int(statistics.median_low(used)), max(used))
        for call, used in sorted(vm.gas.items())
    ]
    return trial


def _read_events(events: Sequence[Event]) -> Trial:
    """The trial's steps from its trace: what the honest relayer did before the fork, and
    whether the client froze after it."""
    trial = Trial()
    fork_ns: int | None = None
    for event in events:
        data, before_fork = event.data, fork_ns is None
        match event.kind:
            case "client_created" if trial.client is None:
                trial.client = str(data["client"])
            case "client_creation_failed" if trial.creation_error is None:
                trial.creation_error = str(data["error"])
            case "packet_sent" if before_fork:
                trial.packets_sent += 1
            case "fork_sent":
                fork_ns, trial.fork_height = event.t_ns, str(data["height"])
            case "fork_not_sent":
                trial.fork_error = str(data["reason"])
            case "action_failed" if data["action"] == "fork":
                trial.fork_error = str(data["error"])
            case "clients" if CLIENT in data["clients"]:
                sample = data["clients"][CLIENT]
                trial.final_status = str(sample["status"])
                if before_fork:
                    trial.height_at_fork = str(sample["height"])
            case "client_frozen" if fork_ns is not None and trial.frozen_after_ns is None:
                trial.frozen_after_ns = event.t_ns - fork_ns
            case "block" if before_fork and "txs" in data:
                for tx in data["txs"]:
                    _count_tx(trial, tx)
    return trial


def _count_tx(trial: Trial, tx: dict[str, Any]) -> None:
    reason = None if tx["ok"] else str(tx.get("reason", tx.get("error")))
    if tx["message"] == "MsgUpdateClient":
        if reason is None:
            trial.updates_accepted += 1
        else:
            trial.updates_refused += 1
            trial.first_update_refusal = trial.first_update_refusal or reason
    elif tx["message"] == "MsgRecvPacket":
        if reason is None:
            trial.packets_proven += bool(tx.get("received"))
        else:
            trial.packets_refused += 1
            trial.first_packet_refusal = trial.first_packet_refusal or reason


class _GasNotingVM(WasmVM):
    """The VM, noting the CosmWasm gas of every call into one checksum, by call type: the
    entry point, and for a query or sudo the message's kind (``update_state``…)."""

    def __init__(self, checksum: bytes) -> None:
        super().__init__()
        self.checksum = checksum
        self.gas: defaultdict[str, list[int]] = defaultdict(list)

    def instantiate(
        self,
        checksum: bytes,
        env: JSONObject,
        info: JSONObject,
        msg: bytes,
        storage: Storage,
        gas_limit: int,
        querier: QueryHandler | None = None,
    ) -> CallResult:
        args = (checksum, env, info, msg, storage, gas_limit, querier)
        return self._noted(checksum, "instantiate", partial(WasmVM.instantiate, self, *args))

    def query(
        self,
        checksum: bytes,
        env: JSONObject,
        msg: bytes,
        storage: Storage,
        gas_limit: int,
        querier: QueryHandler | None = None,
    ) -> CallResult:
        args = (checksum, env, msg, storage, gas_limit, querier)
        return self._noted(checksum, _kind(msg), partial(WasmVM.query, self, *args))

    def sudo(
        self,
        checksum: bytes,
        env: JSONObject,
        msg: bytes,
        storage: Storage,
        gas_limit: int,
        querier: QueryHandler | None = None,
    ) -> CallResult:
        args = (checksum, env, msg, storage, gas_limit, querier)
        return self._noted(checksum, _kind(msg), partial(WasmVM.sudo, self, *args))

    def _noted(self, checksum: bytes, kind: str, call: Callable[[], CallResult]) -> CallResult:
        if checksum != self.checksum:
            return call()
        try:
            result = call()
        except VMError as error:
            self.gas[kind].append(error.gas_used or 0)
            raise
        self.gas[kind].append(result.gas_used)
        return result


def _kind(msg: bytes) -> str:
    """The kind of a query or sudo message the host wrote: its one top-level key."""
    message = json.loads(msg)
    return next(iter(message)) if isinstance(message, dict) and message else "?"


def render_trial(
    console: Console, file: Path, checksum: bytes, dialect: str, wire_format: str, trial: Trial
) -> None:
    """The trial as two tables, the steps and the gas, and the verdict, within 80 columns."""
    console.print(shown(f"contract try: {file.name}"), soft_wrap=True)
    console.print(f"checksum {checksum.hex()}")
    console.print(
        f"dialect {dialect}, format {wire_format}, {DURATION // MINUTE} min simulated, "
        f"{FORK_KIND} fork at {FORK_AT // MINUTE} min"
    )
    steps = [
        [step.name, "[green]ok[/]" if step.ok else "[red]FAILED[/]", shown(step.detail)]
        for step in trial.steps
    ]
    step_columns = [Column("step", whole=True), Column(whole=True), Column("what happened")]
    console.print(FittedTable("steps", step_columns, steps))
    gas = [
        [shown(use.call), f"{use.calls:,}", f"{use.median:,}", f"{use.max:,}"] for use in trial.gas
    ]
    numbers = (Column(header, whole=True, justify="right") for header in ("calls", "median", "max"))
    gas_columns = [Column("call", whole=True), *numbers]
    console.print(FittedTable("contract gas per call (CosmWasm gas)", gas_columns, gas))
    if trial.ok:
        console.print("[green]verdict: ok[/] — the contract did every step")
    else:
        failed = ", ".join(step.name for step in trial.steps if not step.ok)
        console.print(f"[red]verdict: failed[/] — {failed}")


def trial_json(
    file: Path, checksum: bytes, dialect: str, wire_format: str, trial: Trial
) -> dict[str, object]:
    """The same as ``render_trial``, as JSON-native values."""
    return {
        "file": str(file),
        "checksum": checksum.hex(),
        "dialect": dialect,
        "format": wire_format,
        "duration_ns": DURATION,
        "fork_at_ns": FORK_AT,
        **trial.to_json(),
    }
