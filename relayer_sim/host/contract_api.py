"""The 08-wasm contract API as ibc-go's proxy speaks it (DESIGN.md §3): the JSON messages of
each entry point, in either dialect, sent to a light-client contract in the VM.

``ContractClient`` offers the same methods as the reference ``LightClient``, so that a client is
driven the same way whichever side runs it. A contract error raises ``ClientError`` with the
contract's text; a VM failure (trap, out of gas, …) raises the VM's own error; an answer 08-wasm
could not decode (JSON too deep or too large, a field missing or of the wrong type) raises
``UnexpectedResponse``. Every answer is read as Go's ``json.Unmarshal`` would read it into
08-wasm's result structs: a missing field is its zero value, a wrong type is an error.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, TypeVar

from relayer_sim.lightclient.client import ClientError
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import CallResult, QueryHandler, Storage, WasmVM
from relayer_sim.vm.bounded_json import JSONLimitError, decode_base64, loads_bounded
from relayer_sim.vm.machine import MAX_RESULT_SIZE

T = TypeVar("T")

#: Enough for any light-client call; the host will pass the transaction's remaining gas.
DEFAULT_GAS_LIMIT = 10**13


class Dialect(StrEnum):
    """Which 08-wasm release the host runs: ibc-go v10/v11 or 08-wasm v0.1 (ibc-go v7.3/v8.0)."""

    V10 = "v10"
    V0_1 = "v0.1"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class UnexpectedResponse(Exception):
    """A contract answer 08-wasm refuses: messages, events or attributes in a response (a light
    client may not send anything), or sudo data that is not JSON."""


def env_json(env: HostEnv, address: str = "08-wasm-0") -> dict[str, Any]:
    """The ``env`` of a call; the contract address is the client id."""
    return {
        "block": {"height": env.height, "time": str(env.time_ns), "chain_id": env.chain_id},
        "transaction": None,
        "contract": {"address": address},
    }


class ContractClient:
    """A built contract on a storage, called as ibc-go's 08-wasm proxy calls it."""

    def __init__(
        self,
        vm: WasmVM,
        checksum: bytes,
        storage: Storage,
        dialect: Dialect = Dialect.V10,
        gas_limit: int = DEFAULT_GAS_LIMIT,
        address: str = "08-wasm-0",
        querier: QueryHandler | None = None,
    ) -> None:
        self.vm, self.checksum, self.storage, self.dialect = vm, checksum, storage, dialect
        self.gas_limit, self.address = gas_limit, address
        #: Answers the contract's chain queries (None: the VM's own querier).
        self.querier = querier
        #: CosmWasm gas of the last call, less what its chain queries used (already charged by
        #: the host): what 08-wasm charges for the call.
        self.last_gas = 0

    def _height(self, height: Height) -> dict[str, int]:
        fields = {
            "revision_number": height.revision_number,
            "revision_height": height.revision_height,
        }
        if self.dialect is Dialect.V0_1:  # Go's omitempty
            return {name: value for name, value in fields.items() if value}
        return fields

    def _env(self, env: HostEnv) -> dict[str, Any]:
        return env_json(env, self.address)

    def _finish(self, result: CallResult, *, query: bool = False) -> Any:
        self.last_gas = result.gas_used - result.gas_used_externally
        if not result.ok:
            raise ClientError(result.error or "contract error without a message")
        if not query and isinstance(result.response, dict):
            for field in ("messages", "events", "attributes"):
                if result.response.get(field):
                    raise UnexpectedResponse(f"a light-client contract may not return {field}")
        return result.data

    def _query(self, command: str, body: dict[str, Any], env: HostEnv) -> Any:
        msg = json.dumps({command: body}).encode()
        data = self._finish(
            self.vm.query(
                self.checksum, self._env(env), msg, self.storage, self.gas_limit, self.querier
            ),
            query=True,
        )
        return _json_data(data)

    def _sudo(self, command: str, body: dict[str, Any], env: HostEnv) -> Any:
        msg = json.dumps({command: body}).encode()
        data = self._finish(
            self.vm.sudo(
                self.checksum, self._env(env), msg, self.storage, self.gas_limit, self.querier
            )
        )
        return None if data is None else _json_data(data)

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
            self.vm.instantiate(
                self.checksum,
                self._env(env),
                info,
                msg,
                self.storage,
                self.gas_limit,
                self.querier,
            )
        )

    def status(self, env: HostEnv) -> str:
        return _field(self._query("status", {}, env), "status", str, "")

    def timestamp_at_height(self, height: Height, env: HostEnv) -> int:
        answer = self._query("timestamp_at_height", {"height": self._height(height)}, env)
        return _uint64(_field(answer, "timestamp", int, 0), "timestamp")

    def verify_client_message(self, client_message: bytes, env: HostEnv) -> None:
        self._query("verify_client_message", {"client_message": b64(client_message)}, env)

    def check_for_misbehaviour(self, client_message: bytes, env: HostEnv) -> bool:
        body = {"client_message": b64(client_message)}
        answer = self._query("check_for_misbehaviour", body, env)
        return _field(answer, "found_misbehaviour", bool, False)

    def export_metadata(self, env: HostEnv) -> list[tuple[bytes, bytes]]:
        entries = _field(self._query("export_metadata", {}, env), "genesis_metadata", list, [])
        return [
            (_bytes_field(entry, "key"), _bytes_field(entry, "value"))
            for entry in (_object(entry, "a genesis metadata entry") for entry in entries)
        ]

    def update_state(self, client_message: bytes, env: HostEnv) -> list[Height]:
        answer = self._sudo("update_state", {"client_message": b64(client_message)}, env)
        return [_height(entry) for entry in _field(answer, "heights", list, [])]

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
        if self.dialect is Dialect.V0_1:
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

    def migrate(self, env: HostEnv, msg: bytes = b"{}") -> None:
        """``MsgMigrateContract``'s call, under the new code (``msg`` is the message's own)."""
        self._finish(
            self.vm.migrate(
                self.checksum, self._env(env), msg, self.storage, self.gas_limit, self.querier
            )
        )


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UnexpectedResponse(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def _field(answer: object, name: str, kind: type[T], zero: T) -> T:
    """``answer[name]`` of type ``kind``; ``zero`` when it is missing or null, as Go decodes."""
    value = _object(answer, "the answer").get(name)
    if value is None:
        return zero
    # JSON true is no number, and a number is no bool, for Go as here.
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise UnexpectedResponse(f"{name} must be {kind.__name__}, got {type(value).__name__}")
    return value


def _uint64(value: int, what: str) -> int:
    if not 0 <= value < 2**64:
        raise UnexpectedResponse(f"{what} must be an unsigned 64-bit number")
    return value


def _bytes_field(entry: dict[str, Any], name: str) -> bytes:
    """A ``[]byte`` field: standard base64, as Go's encoding/json reads it."""
    try:
        return decode_base64(_field(entry, name, str, ""))
    except ValueError:
        raise UnexpectedResponse(f"{name} is not standard base64") from None


def _height(entry: object) -> Height:
    """A height as a contract writes it (a missing field is zero, as Go decodes it)."""
    return Height(
        *(
            _uint64(_field(entry, name, int, 0), f"a height's {name}")
            for name in ("revision_number", "revision_height")
        )
    )


def _json_data(data: bytes | None) -> Any:
    """The contract's answer, parsed with cosmwasm-std's limits (depth 128)."""
    try:
        return loads_bounded(data or b"", "the contract's data", max_size=MAX_RESULT_SIZE)
    except JSONLimitError as error:
        raise UnexpectedResponse(str(error)) from None
