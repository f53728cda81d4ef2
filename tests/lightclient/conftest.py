"""Fixtures: the built sim-tendermint contracts in the real VM, paired with the reference."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from relayer_sim.contracts import load_contract
from relayer_sim.lightclient.client import V1, V1_FLAWED, V2, Profile
from relayer_sim.vm import WasmVM
from tests.lightclient.harness import Twin

TwinFactory = Callable[..., Twin]


@pytest.fixture(scope="session")
def checksums(vm: WasmVM) -> dict[str, bytes]:
    return {
        profile.name: vm.store_code(load_contract(profile.name)) for profile in (V1, V2, V1_FLAWED)
    }


@pytest.fixture
def twin(vm: WasmVM, checksums: dict[str, bytes]) -> TwinFactory:
    """``twin(V1)`` / ``twin(V2, dialect="v0.1")``: a fresh reference + contract pair."""

    def make(profile: Profile, dialect: str = "v10") -> Twin:
        return Twin(vm, checksums, profile, dialect)

    return make
