"""The host under random transactions (``host_fuzz.HostMachine``): nothing escapes ``deliver``
or a block, a failed transaction writes nothing, every committed block survives a restore from
the log. A few examples here; ``make fuzz`` runs a hundred thousand transactions."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from relayer_sim.vm import WasmVM
from tests.adversarial.host_fuzz import Counts, HostMachine, build_world


def test_random_transactions_keep_the_failure_contract_and_survive_restores(vm: WasmVM) -> None:
    world, counts = build_world(vm), Counts()
    run_state_machine_as_test(
        lambda: HostMachine(world, counts),  # type: ignore[arg-type]  # a factory is accepted
        settings=settings(
            max_examples=8,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert counts.transactions > 100 and counts.restores > 8
    assert (counts.escapes, counts.partial_writes, counts.divergences) == (0, 0, 0)
