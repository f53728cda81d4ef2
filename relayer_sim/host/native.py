"""The hard-fork baseline's light client: rules compiled into the host binary (as ibc-go's
07-tendermint is), instead of a Wasm contract stored by governance.

A binary carries the rules of each wire format the counterparty may speak, and a host runs the
ones of its counterparty's format (``HostConfig.counterparty_format``): for ``sim-tendermint``
the Python reference of the sim-tendermint contracts, ``LightClient``; for ``tendermint`` that
of the tendermint contracts (ibc-go's 07-tendermint), ``TendermintClient``. Both take the same
calls as a contract.

Its code is the binary's, so it changes only when the host installs another binary, after a
software upgrade halted the chain (``relayer_sim.host.upgrade``). Which rules a binary carries is
``BINARIES``: ``v1`` verifies tm-ed25519 headers only, ``v2`` also tm-secp256k1 ones, exactly as
the ``*-v1`` and ``*-v2`` contracts of the format do.

A native client keeps 02-client's store layout, so every keeper rule applies unchanged; its
client state names ``NATIVE_CHECKSUM`` where a Wasm client names its code. No stored code answers
to that checksum: the binary does. Calls pay only the storage gas of what they read and write,
no contract gas: the baseline is measured as a native module would be.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Final, TypeVar

from relayer_sim.host.errors import ContractError
from relayer_sim.ics07.client import TENDERMINT_V1, TENDERMINT_V2, TendermintClient
from relayer_sim.ics07.verify import Profile as TendermintProfile
from relayer_sim.lightclient.client import V1, V2, ClientError, LightClient, Profile
from relayer_sim.vm import Storage

NATIVE_CLIENT_TYPE: Final = "07-tendermint"
#: What a native client's state names as its code.
NATIVE_CHECKSUM: Final = hashlib.sha256(b"relayer-sim native light client").digest()
#: The rules of one format: a sim-tendermint profile, or a tendermint (07-tendermint) one.
Rules = Profile | TendermintProfile
#: Host binary version → the counterparty's wire format → the light-client rules it is built
#: with for that format.
BINARIES: Final[Mapping[str, Mapping[str, Rules]]] = {
    "v1": {"sim-tendermint": V1, "tendermint": TENDERMINT_V1},
    "v2": {"sim-tendermint": V2, "tendermint": TENDERMINT_V2},
}

T = TypeVar("T")


class NativeModule:
    """The light client of the running binary for the counterparty's wire format ``format``;
    ``install`` replaces the binary (a host upgrade)."""

    def __init__(self, binary: str, format: str = "sim-tendermint") -> None:
        self.format = format
        self.binary, self.profile = binary, binary_rules(binary, format)

    def install(self, binary: str) -> None:
        self.binary, self.profile = binary, binary_rules(binary, self.format)

    def call(self, store: Storage, action: Callable[[LightClient | TendermintClient], T]) -> T:
        """Run ``action`` on a client's store; a refusal is a ``ContractError`` with the
        client's text, as from a contract. Its gas is what the (metered) store charges."""
        profile = self.profile
        client = (
            TendermintClient(store, profile)
            if isinstance(profile, TendermintProfile)
            else LightClient(store, profile)
        )
        try:
            return action(client)
        except ClientError as error:  # a TendermintClient's errors are ClientErrors too
            raise ContractError(str(error)) from None


def binary_rules(binary: str, format: str) -> Rules:
    """The rules ``binary`` runs for a counterparty speaking ``format``."""
    try:
        rules = BINARIES[binary]
    except KeyError:
        known = ", ".join(BINARIES)
        raise ValueError(f"unknown host binary {binary!r} (known: {known})") from None
    try:
        return rules[format]
    except KeyError:
        known = ", ".join(rules)
        raise ValueError(f"unknown wire format {format!r} (known: {known})") from None
