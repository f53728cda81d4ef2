"""The hard-fork baseline's light client: the sim-tendermint rules compiled into the host binary
(as ibc-go's 07-tendermint is), instead of a Wasm contract stored by governance.

Its code is the binary's, so it changes only when the host installs another binary, after a
software upgrade halted the chain (``relayer_sim.host.upgrade``). Which rules a binary carries is
``BINARIES``: ``v1`` verifies tm-ed25519 headers only, ``v2`` also tm-secp256k1 ones, exactly as
the sim-tendermint-v1 and -v2 contracts do (the Python reference runs them, ``LightClient``).

A native client keeps 02-client's store layout, so every keeper rule applies unchanged; its
client state names ``NATIVE_CHECKSUM`` where a Wasm client names its code. No stored code answers
to that checksum: the binary does. Calls pay only the storage gas of what they read and write,
no contract gas: the baseline is measured as a native module would be.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Final, TypeVar

from relayer_sim.host.errors import ContractError
from relayer_sim.host.store import GasMeter
from relayer_sim.lightclient.client import V1, V2, ClientError, LightClient, Profile
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import Storage

NATIVE_CLIENT_TYPE: Final = "07-tendermint"
#: What a native client's state names as its code.
NATIVE_CHECKSUM: Final = hashlib.sha256(b"relayer-sim native light client").digest()
#: Host binary version → the light-client rules it is built with.
BINARIES: Final = {"v1": V1, "v2": V2}

T = TypeVar("T")


class NativeClient:
    """The reference light client behind the contract API's calls, so that 02-client calls a
    native client exactly as it calls a contract (``ContractClient``)."""

    #: No contract runs: there is no CosmWasm gas to report.
    last_gas: Final = 0

    def __init__(self, store: Storage, profile: Profile) -> None:
        self._client = LightClient(store, profile)

    def instantiate(
        self, client_state: bytes, consensus_state: bytes, checksum: bytes, env: HostEnv
    ) -> None:
        self._client.instantiate(client_state, consensus_state, checksum, env)

    def status(self, env: HostEnv) -> str:
        return self._client.status(env)

    def timestamp_at_height(self, height: Height, env: HostEnv) -> int:
        return self._client.timestamp_at_height(height)

    def verify_client_message(self, client_message: bytes, env: HostEnv) -> None:
        self._client.verify_client_message(client_message, env)

    def check_for_misbehaviour(self, client_message: bytes, env: HostEnv) -> bool:
        return self._client.check_for_misbehaviour(client_message)

    def export_metadata(self, env: HostEnv) -> list[tuple[bytes, bytes]]:
        return self._client.export_metadata()

    def update_state(self, client_message: bytes, env: HostEnv) -> list[Height]:
        return self._client.update_state(client_message, env)

    def update_state_on_misbehaviour(self, client_message: bytes, env: HostEnv) -> None:
        self._client.update_state_on_misbehaviour()

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
        self._client.verify_membership(
            height, delay_time_ns, delay_blocks, proof, key_path, value, env
        )

    def verify_non_membership(
        self,
        height: Height,
        delay_time_ns: int,
        delay_blocks: int,
        proof: bytes,
        key_path: Sequence[bytes],
        env: HostEnv,
    ) -> None:
        self._client.verify_non_membership(
            height, delay_time_ns, delay_blocks, proof, key_path, env
        )

    def verify_upgrade_and_update_state(
        self,
        upgrade_client_state: bytes,
        upgrade_consensus_state: bytes,
        proof_upgrade_client: bytes,
        proof_upgrade_consensus_state: bytes,
        env: HostEnv,
    ) -> None:
        self._client.verify_upgrade_and_update_state(
            upgrade_client_state,
            upgrade_consensus_state,
            proof_upgrade_client,
            proof_upgrade_consensus_state,
            env,
        )

    def migrate_client_store(self, env: HostEnv) -> None:
        self._client.migrate_client_store()

    def migrate(self, env: HostEnv, msg: bytes = b"{}") -> None:
        self._client.migrate()


class NativeModule:
    """The light client of the running binary; ``install`` replaces it (a host upgrade)."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.profile = binary_profile(binary)

    def install(self, binary: str) -> None:
        self.binary, self.profile = binary, binary_profile(binary)

    def call(self, store: Storage, gas: GasMeter, action: Callable[[NativeClient], T]) -> T:
        """Run ``action`` on a client's store; a refusal is a ``ContractError`` with the
        client's text, as from a contract."""
        try:
            return action(NativeClient(store, self.profile))
        except ClientError as error:
            raise ContractError(str(error)) from None


def binary_profile(binary: str) -> Profile:
    try:
        return BINARIES[binary]
    except KeyError:
        known = ", ".join(BINARIES)
        raise ValueError(f"unknown host binary {binary!r} (known: {known})") from None
