"""The adversarial catalogue: every misbehaving contract gets its typed outcome, harmlessly.

Each behaviour runs through ``WasmVM`` (``store_code``, then a call on a real storage): the
outcome must be the catalogue's ``VMError`` subclass (or a contract error), the storage exactly as
it was, and the whole catalogue must leave the process under 1 GiB of peak memory.
"""

from __future__ import annotations

import resource

import pytest

from relayer_sim.vm import MemoryStorage, WasmVM
from relayer_sim.vm.limits import MAX_DEBUG_MESSAGES, CallLimits
from tests.adversarial.contracts.catalogue import CATALOGUE, Behaviour, run

STORAGE = {b"k": b"v", b"other": b"x"}
GIB = 1 << 30


@pytest.fixture(scope="module")
def debug_messages() -> list[str]:
    return []


@pytest.fixture(scope="module")
def vms(debug_messages: list[str]) -> dict[float | None, WasmVM]:
    """One VM with the default limits, one per short deadline the catalogue asks for."""
    deadlines = {behaviour.deadline for behaviour in CATALOGUE} - {None}
    return {
        None: WasmVM(disk_cache=False, debug_handler=debug_messages.append),
        **{
            seconds: WasmVM(disk_cache=False, limits=CallLimits(deadline_seconds=seconds))
            for seconds in deadlines
        },
    }


def test_the_catalogue_covers_at_least_40_behaviours() -> None:
    names = [behaviour.name for behaviour in CATALOGUE]
    assert len(set(names)) == len(names) >= 40


@pytest.mark.parametrize("behaviour", CATALOGUE, ids=lambda behaviour: behaviour.name)
def test_typed_outcome_and_storage_untouched(
    behaviour: Behaviour, vms: dict[float | None, WasmVM]
) -> None:
    storage = MemoryStorage(STORAGE)
    outcome, _gas = run(vms[behaviour.deadline], behaviour, storage, behaviour.gas)
    assert outcome == behaviour.outcome
    assert storage.items() == STORAGE


def test_debug_flood_reaches_the_handler_rate_limited(debug_messages: list[str]) -> None:
    """The flood above passed at most the quota, then one line counting the rest."""
    assert debug_messages, "the debug flood ran before this test"
    assert len(debug_messages) <= MAX_DEBUG_MESSAGES + 1
    assert "debug messages suppressed" in debug_messages[-1]


def test_peak_memory_stays_under_one_gib() -> None:
    """Runs last in this file: the whole catalogue's peak resident memory (Linux: KiB)."""
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 < GIB
