"""Drive a built tendermint contract through the real VM and the Python reference side by side.

``Twin`` calls the reference ``TendermintClient`` and a ``ContractClient`` (the proxy's side of
the 08-wasm API) with the same inputs and fails the test unless they agree on the outcome, the
error reason (the text before the first ``": "``; the detail is each one's own wording) and every
byte they store. Where both word a detail alike, ``Twin.details = True`` compares the full error
text instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest

from relayer_sim.contracts import load_contract
from relayer_sim.host.contract_api import ContractClient, Dialect
from relayer_sim.ics07.client import PROFILES, TendermintClient
from relayer_sim.ics07.errors import reason_of
from relayer_sim.ics07.verify import Profile
from relayer_sim.lightclient.client import ClientError
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import MemoryStorage, WasmVM
from tests.ics07 import SECOND, TestChain, env, genesis

T = TypeVar("T")

#: The 08-wasm checksum the twins' client states carry.
CHECKSUM = bytes(range(32))


def store_contracts(vm: WasmVM) -> dict[str, bytes]:
    """Store both built tendermint contracts in ``vm``: their checksums by profile name."""
    return {name: vm.store_code(load_contract(name)) for name in PROFILES}


class Twin:
    """The reference and a contract, each on its own storage, called with the same inputs."""

    def __init__(
        self, vm: WasmVM, checksums: dict[str, bytes], profile: Profile, dialect: str = "v10"
    ) -> None:
        self.checksums = checksums
        #: Compare refusals on their full text (reason and detail), not on the reason alone.
        self.details = False
        self.reference = TendermintClient(MemoryStorage(), profile)
        self.contract = ContractClient(
            vm, checksums[profile.name], MemoryStorage(), Dialect(dialect)
        )

    @property
    def checksum(self) -> bytes:
        """The checksum of the code the client currently runs."""
        return self.contract.checksum

    @property
    def gas(self) -> int:
        """The CosmWasm gas of the contract's last call."""
        return self.contract.last_gas

    def switch_code(self, profile: Profile) -> None:
        """Run the client on another contract from now on (what MsgMigrateContract does)."""
        self.reference.profile = profile
        self.contract.checksum = self.checksums[profile.name]

    def _both(self, on_reference: Callable[[], T], on_contract: Callable[[], T]) -> T:
        outcomes: list[tuple[str, Any]] = []
        for call in (on_reference, on_contract):
            try:
                outcomes.append(("ok", call()))
            except ClientError as error:
                text = str(error)
                outcomes.append(("error", text if self.details else reason_of(text)))
        (reference_kind, reference_value), (contract_kind, contract_value) = outcomes
        assert (contract_kind, contract_value) == (reference_kind, reference_value), (
            f"contract: {contract_kind} {contract_value!r}; "
            f"reference: {reference_kind} {reference_value!r}"
        )
        contract_store = dict(self.dump(self.contract.storage))
        reference_store = dict(self.dump(self.reference.store))
        differing = sorted(
            key
            for key in contract_store.keys() | reference_store.keys()
            if contract_store.get(key) != reference_store.get(key)
        )
        assert not differing, f"the contract and the reference stored different bytes: {differing}"
        if reference_kind == "error":
            raise ClientError(reference_value)
        return reference_value  # type: ignore[no-any-return]

    @staticmethod
    def dump(storage: Any) -> list[tuple[bytes, bytes]]:
        return list(storage.scan(None, None, True))

    def instantiate(self, client: bytes, consensus: bytes, checksum: bytes, env: HostEnv) -> None:
        self._both(
            lambda: self.reference.instantiate(client, consensus, checksum, env),
            lambda: self.contract.instantiate(client, consensus, checksum, env),
        )

    def status(self, env: HostEnv) -> str:
        return self._both(lambda: self.reference.status(env), lambda: self.contract.status(env))

    def timestamp_at_height(self, height: Height, env: HostEnv) -> int:
        return self._both(
            lambda: self.reference.timestamp_at_height(height, env),
            lambda: self.contract.timestamp_at_height(height, env),
        )

    def verify_client_message(self, message: bytes, env: HostEnv) -> None:
        self._both(
            lambda: self.reference.verify_client_message(message, env),
            lambda: self.contract.verify_client_message(message, env),
        )

    def check_for_misbehaviour(self, message: bytes, env: HostEnv) -> bool:
        """ibc-go counts an error of ``CheckForMisbehaviour`` as no misbehaviour; the twins
        must still agree on the error."""
        return self._both(
            lambda: self.reference.check_for_misbehaviour(message, env),
            lambda: self.contract.check_for_misbehaviour(message, env),
        )

    def export_metadata(self, env: HostEnv) -> list[tuple[bytes, bytes]]:
        return self._both(
            lambda: self.reference.export_metadata(env), lambda: self.contract.export_metadata(env)
        )

    def update_state(self, message: bytes, env: HostEnv) -> list[Height]:
        return self._both(
            lambda: self.reference.update_state(message, env),
            lambda: self.contract.update_state(message, env),
        )

    def update_state_on_misbehaviour(self, message: bytes, env: HostEnv) -> None:
        self._both(
            lambda: self.reference.update_state_on_misbehaviour(message, env),
            lambda: self.contract.update_state_on_misbehaviour(message, env),
        )

    def update(self, message: bytes, env: HostEnv) -> list[Height]:
        """What 02-client does with a client message: verify, check for misbehaviour, then
        update (or freeze)."""
        self.verify_client_message(message, env)
        if self.check_for_misbehaviour(message, env):
            self.update_state_on_misbehaviour(message, env)
            return []
        return self.update_state(message, env)

    def verify_membership(
        self,
        height: Height,
        proof: bytes,
        key_path: Sequence[bytes],
        value: bytes,
        env: HostEnv,
        delay_time_ns: int = 0,
        delay_blocks: int = 0,
    ) -> None:
        args = (height, delay_time_ns, delay_blocks, proof, key_path, value, env)
        self._both(
            lambda: self.reference.verify_membership(*args),
            lambda: self.contract.verify_membership(*args),
        )

    def verify_non_membership(
        self,
        height: Height,
        proof: bytes,
        key_path: Sequence[bytes],
        env: HostEnv,
        delay_time_ns: int = 0,
        delay_blocks: int = 0,
    ) -> None:
        args = (height, delay_time_ns, delay_blocks, proof, key_path, env)
        self._both(
            lambda: self.reference.verify_non_membership(*args),
            lambda: self.contract.verify_non_membership(*args),
        )

    def verify_upgrade_and_update_state(
        self,
        client: bytes,
        consensus: bytes,
        client_proof: bytes,
        consensus_proof: bytes,
        env: HostEnv,
    ) -> None:
        args = (client, consensus, client_proof, consensus_proof, env)
        self._both(
            lambda: self.reference.verify_upgrade_and_update_state(*args),
            lambda: self.contract.verify_upgrade_and_update_state(*args),
        )

    def migrate_client_store(self, env: HostEnv) -> None:
        self._both(
            lambda: self.reference.migrate_client_store(env),
            lambda: self.contract.migrate_client_store(env),
        )

    def migrate(self, env: HostEnv) -> None:
        self._both(lambda: self.reference.migrate(env), lambda: self.contract.migrate(env))

    def load(self, entries: Sequence[tuple[bytes, bytes]]) -> None:
        """Put the same raw entries in both stores (a recovery store)."""
        for key, value in entries:
            self.reference.store.set(key, value)
            self.contract.storage.set(key, value)


Start = Callable[..., Twin]


def starter(vm: WasmVM, checksums: dict[str, bytes]) -> Start:
    """``start(chain, profile, dialect, **client_state_fields)``: a twin pair trusting block 1
    of ``chain``."""

    def make(
        chain: TestChain, profile: Profile | None = None, dialect: str = "v10", **kw: object
    ) -> Twin:
        first = chain.blocks.get(1) or chain.block(1)
        twin = Twin(vm, checksums, profile or PROFILES["tendermint-v1"], dialect)
        client, consensus = genesis(first, **kw)  # type: ignore[arg-type]
        twin.instantiate(client, consensus, CHECKSUM, env(first.time_ns + SECOND))
        return twin

    return make


def refusal(call: Callable[..., object], *args: object) -> str | None:
    """The reason ``call(*args)`` is refused with, or None when it succeeds."""
    try:
        call(*args)
    except ClientError as error:
        return reason_of(str(error))
    return None


def refused(twin: Twin, message: bytes, now: int) -> str:
    with pytest.raises(ClientError) as caught:
        twin.verify_client_message(message, env(now))
    return reason_of(str(caught.value))
