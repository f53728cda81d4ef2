"""Drive a sim-tendermint contract through the real VM and the Python reference side by side.

``ContractClient`` speaks the 08-wasm JSON API (either dialect) to a built contract and offers
the reference ``LightClient``'s methods; ``Twin`` calls both with the same inputs and fails the
test unless they agree on the outcome, the error text and every byte they store.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from relayer_sim.lightclient.client import ClientError, LightClient, Profile
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import CallResult, MemoryStorage, WasmVM

GAS = 10**13
T = TypeVar("T")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def env_json(env: HostEnv) -> dict[str, Any]:
    return {
        "block": {"height": env.height, "time": str(env.time_ns), "chain_id": env.chain_id},
        "transaction": None,
        "contract": {"address": "08-wasm-0"},
    }


class ContractClient:
    """A built contract on a storage, called as ibc-go's 08-wasm proxy calls it."""

    def __init__(
        self, vm: WasmVM, checksum: bytes, storage: MemoryStorage, dialect: str = "v10"
    ) -> None:
        self.vm, self.checksum, self.storage, self.dialect = vm, checksum, storage, dialect
        self.last_gas = 0

    def _height(self, height: Height) -> dict[str, int]:
        fields = {
            "revision_number": height.revision_number,
            "revision_height": height.revision_height,
        }
        if self.dialect == "v0.1":  # Go's omitempty
            return {name: value for name, value in fields.items() if value}
        return fields

    def _finish(self, result: CallResult) -> Any:
        self.last_gas = result.gas_used
        if not result.ok:
            raise ClientError(result.error)
        return result.data

    def _query(self, command: str, body: dict[str, Any], env: HostEnv) -> Any:
        msg = json.dumps({command: body}).encode()
        data = self._finish(self.vm.query(self.checksum, env_json(env), msg, self.storage, GAS))
        return json.loads(data)

    def _sudo(self, command: str, body: dict[str, Any], env: HostEnv) -> Any:
        msg = json.dumps({command: body}).encode()
        data = self._finish(self.vm.sudo(self.checksum, env_json(env), msg, self.storage, GAS))
        return None if data is None else json.loads(data)

    def instantiate(
        self, client_state: bytes, consensus_state: bytes, checksum: bytes, env: HostEnv
    ) -> None:
        msg = json.dumps(
            {
                "client_state": b64(client_state),
                "consensus_state": b64(consensus_state),
                "checksum": b64(checksum),
            }
        ).encode()
        info = {"sender": "", "funds": []}
        self._finish(
            self.vm.instantiate(self.checksum, env_json(env), info, msg, self.storage, GAS)
        )

    def status(self, env: HostEnv) -> str:
        return str(self._query("status", {}, env)["status"])

    def timestamp_at_height(self, height: Height, env: HostEnv) -> int:
        answer = self._query("timestamp_at_height", {"height": self._height(height)}, env)
        return int(answer["timestamp"])

    def verify_client_message(self, client_message: bytes, env: HostEnv) -> None:
        self._query("verify_client_message", {"client_message": b64(client_message)}, env)

    def check_for_misbehaviour(self, client_message: bytes, env: HostEnv) -> bool:
        body = {"client_message": b64(client_message)}
        return bool(self._query("check_for_misbehaviour", body, env)["found_misbehaviour"])

    def export_metadata(self, env: HostEnv) -> list[tuple[bytes, bytes]]:
        entries = self._query("export_metadata", {}, env)["genesis_metadata"]
        return [(base64.b64decode(e["key"]), base64.b64decode(e["value"])) for e in entries]

    def update_state(self, client_message: bytes, env: HostEnv) -> list[Height]:
        answer = self._sudo("update_state", {"client_message": b64(client_message)}, env)
        return [
            Height(h.get("revision_number", 0), h.get("revision_height", 0))
            for h in answer["heights"]
        ]

    def update_state_on_misbehaviour(self, client_message: bytes, env: HostEnv) -> None:
        self._sudo("update_state_on_misbehaviour", {"client_message": b64(client_message)}, env)

    def _membership(
        self,
        height: Height,
        delay_time_ns: int,
        delay_blocks: int,
        proof: bytes,
        key_path: Sequence[bytes],
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "height": self._height(height),
            "delay_time_period": delay_time_ns,
            "delay_block_period": delay_blocks,
            "proof": b64(proof),
        }
        if self.dialect == "v0.1":
            body["path"] = {"key_path": [element.decode() for element in key_path]}
        else:
            body["merkle_path"] = {"key_path": [b64(element) for element in key_path]}
        return body

    def verify_membership(
        self,
        height: Height,
        delay_time_ns: int,
        delay_blocks: int,
        proof: bytes,
        key_path: Sequence[bytes],
        value: bytes,
        env: HostEnv,
    ) -> None:
        body = self._membership(height, delay_time_ns, delay_blocks, proof, key_path)
        self._sudo("verify_membership", {**body, "value": b64(value)}, env)

    def verify_non_membership(
        self,
        height: Height,
        delay_time_ns: int,
        delay_blocks: int,
        proof: bytes,
        key_path: Sequence[bytes],
        env: HostEnv,
    ) -> None:
        body = self._membership(height, delay_time_ns, delay_blocks, proof, key_path)
        self._sudo("verify_non_membership", body, env)

    def verify_upgrade_and_update_state(
        self,
        upgrade_client_state: bytes,
        upgrade_consensus_state: bytes,
        proof_upgrade_client: bytes,
        proof_upgrade_consensus_state: bytes,
        env: HostEnv,
    ) -> None:
        body = {
            "upgrade_client_state": b64(upgrade_client_state),
            "upgrade_consensus_state": b64(upgrade_consensus_state),
            "proof_upgrade_client": b64(proof_upgrade_client),
            "proof_upgrade_consensus_state": b64(proof_upgrade_consensus_state),
        }
        self._sudo("verify_upgrade_and_update_state", body, env)

    def migrate_client_store(self, env: HostEnv) -> None:
        self._sudo("migrate_client_store", {}, env)

    def migrate(self, env: HostEnv) -> None:
        self._finish(self.vm.migrate(self.checksum, env_json(env), b"{}", self.storage, GAS))


def error_kind(message: str) -> str:
    """What two implementations must agree on: the whole text, except that the detail of a
    decoding failure (worded by each one's decoder) is left out."""
    if message.startswith("malformed ") or ": malformed " in message:
        head, _, _ = message.partition("malformed ")
        what, _, _ = message[len(head) + len("malformed ") :].partition(":")
        return f"{head}malformed {what}"
    return message


class Twin:
    """The reference and a contract, each on its own storage, called with the same inputs."""

    def __init__(
        self, vm: WasmVM, checksums: dict[str, bytes], profile: Profile, dialect: str = "v10"
    ) -> None:
        self.checksums = checksums
        self.reference = LightClient(MemoryStorage(), profile)
        self.contract = ContractClient(vm, checksums[profile.name], MemoryStorage(), dialect)

    @property
    def checksum(self) -> bytes:
        """The checksum of the code the client currently runs."""
        return self.contract.checksum

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
                outcomes.append(("error", error_kind(str(error))))
        (reference_kind, reference_value), (contract_kind, contract_value) = outcomes
        assert (contract_kind, contract_value) == (reference_kind, reference_value), (
            f"contract: {contract_kind} {contract_value!r}; "
            f"reference: {reference_kind} {reference_value!r}"
        )
        assert self.dump(self.contract.storage) == self.dump(self.reference.store), (
            "the contract and the reference stored different bytes"
        )
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
            lambda: self.reference.timestamp_at_height(height),
            lambda: self.contract.timestamp_at_height(height, env),
        )

    def verify_client_message(self, message: bytes, env: HostEnv) -> None:
        self._both(
            lambda: self.reference.verify_client_message(message, env),
            lambda: self.contract.verify_client_message(message, env),
        )

    def check_for_misbehaviour(self, message: bytes, env: HostEnv) -> bool:
        return self._both(
            lambda: self.reference.check_for_misbehaviour(message),
            lambda: self.contract.check_for_misbehaviour(message, env),
        )

    def export_metadata(self, env: HostEnv) -> list[tuple[bytes, bytes]]:
        return self._both(
            lambda: self.reference.export_metadata(), lambda: self.contract.export_metadata(env)
        )

    def update_state(self, message: bytes, env: HostEnv) -> list[Height]:
        return self._both(
            lambda: self.reference.update_state(message, env),
            lambda: self.contract.update_state(message, env),
        )

    def update(self, message: bytes, env: HostEnv) -> list[Height]:
        """What 02-client does with a header: verify, check for misbehaviour, then update."""
        self.verify_client_message(message, env)
        if self.check_for_misbehaviour(message, env):
            self.update_state_on_misbehaviour(message, env)
            return []
        return self.update_state(message, env)

    def update_state_on_misbehaviour(self, message: bytes, env: HostEnv) -> None:
        self._both(
            lambda: self.reference.update_state_on_misbehaviour(),
            lambda: self.contract.update_state_on_misbehaviour(message, env),
        )

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
            lambda: self.reference.migrate_client_store(),
            lambda: self.contract.migrate_client_store(env),
        )

    def migrate(self, env: HostEnv) -> None:
        self._both(lambda: self.reference.migrate(), lambda: self.contract.migrate(env))

    def load(self, entries: Sequence[tuple[bytes, bytes]]) -> None:
        """Put the same raw entries in both stores (a recovery store, a v1 store to migrate)."""
        for key, value in entries:
            self.reference.store.set(key, value)
            self.contract.storage.set(key, value)
