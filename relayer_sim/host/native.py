"""The hard-fork baseline's light client: the sim-tendermint rules compiled into the host binary
(as ibc-go's 07-tendermint is), instead of a Wasm contract stored by governance.

Its code is the binary's, so it changes only when the host installs another binary, after a
software upgrade halted the chain (``relayer_sim.host.upgrade``). Which rules a binary carries is
``BINARIES``: ``v1`` verifies tm-ed25519 headers only, ``v2`` also tm-secp256k1 ones, exactly as
the sim-tendermint-v1 and -v2 contracts do: it runs their Python reference, ``LightClient``,
which takes the same calls as a contract.

A native client keeps 02-client's store layout, so every keeper rule applies unchanged; its
client state names ``NATIVE_CHECKSUM`` where a Wasm client names its code. No stored code answers
to that checksum: the binary does. Calls pay only the storage gas of what they read and write,
no contract gas: the baseline is measured as a native module would be.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Final, TypeVar

from relayer_sim.host.errors import ContractError
from relayer_sim.lightclient.client import V1, V2, ClientError, LightClient, Profile
from relayer_sim.vm import Storage

NATIVE_CLIENT_TYPE: Final = "07-tendermint"
#: What a native client's state names as its code.
NATIVE_CHECKSUM: Final = hashlib.sha256(b"relayer-sim native light client").digest()
#: Host binary version → the light-client rules it is built with.
BINARIES: Final = {"v1": V1, "v2": V2}

T = TypeVar("T")


class NativeModule:
    """The light client of the running binary; ``install`` replaces it (a host upgrade)."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.profile = binary_profile(binary)

    def install(self, binary: str) -> None:
        self.binary, self.profile = binary, binary_profile(binary)

    def call(self, store: Storage, action: Callable[[LightClient], T]) -> T:
        """Run ``action`` on a client's store; a refusal is a ``ContractError`` with the
        client's text, as from a contract. Its gas is what the (metered) store charges."""
        try:
            return action(LightClient(store, self.profile))
        except ClientError as error:
            raise ContractError(str(error)) from None


def binary_profile(binary: str) -> Profile:
    try:
        return BINARIES[binary]
    except KeyError:
        known = ", ".join(BINARIES)
        raise ValueError(f"unknown host binary {binary!r} (known: {known})") from None
