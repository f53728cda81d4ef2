"""The IBC params governance changes: 02-client's allowed client types and 03-connection's
longest expected block time, kept in the IBC store (``clientParams``, ``connectionParams``) as
ibc-go keeps them, and checked as its ``Params.Validate`` checks them.

A host starts with its configured values (``HostConfig``), which stay unstored until
``MsgUpdateClientParams`` or ``MsgUpdateConnectionParams``, signed by the authority (through a
governance proposal), sets them; a genesis stores only those that differ from the configured
ones, so that a host started from its own export holds the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from google.protobuf.message import DecodeError

from relayer_sim.formats.proto.ibc.core.client.v1 import client_pb2
from relayer_sim.formats.proto.ibc.core.connection.v1 import connection_pb2
from relayer_sim.host.errors import InvalidMessage
from relayer_sim.vm import Storage

CLIENT_PARAMS_KEY: Final = b"clientParams"
CONNECTION_PARAMS_KEY: Final = b"connectionParams"
#: An allow list of this alone allows every client type (ibc-go's ``AllowAllClients``).
ALLOW_ALL_CLIENTS: Final = "*"
SECOND: Final = 1_000_000_000
#: 03-connection's ``MaxExpectedTimePerBlock`` by default (ibc-go's ``DefaultTimePerBlock``).
DEFAULT_MAX_EXPECTED_TIME_PER_BLOCK_NS: Final = 30 * SECOND


@dataclass(frozen=True)
class ConnectionParams:
    """03-connection's params: the slowest block time expected, which turns a connection's
    delay period into a number of blocks."""

    max_expected_time_per_block_ns: int = DEFAULT_MAX_EXPECTED_TIME_PER_BLOCK_NS


def validate_allowed_clients(allowed: tuple[str, ...]) -> None:
    """02-client's ``Params.Validate``."""
    if ALLOW_ALL_CLIENTS in allowed and len(allowed) > 1:
        raise InvalidMessage(
            "allow list must have only one element because the allow all clients wildcard (*) "
            "is present"
        )
    seen: set[str] = set()
    for index, client_type in enumerate(allowed):
        if not client_type.strip():
            raise InvalidMessage(f"client type {index} cannot be blank")
        if client_type in seen:
            raise InvalidMessage(f"duplicate client type: {client_type}")
        seen.add(client_type)


def validate_connection_params(params: ConnectionParams) -> None:
    """03-connection's ``Params.Validate``."""
    if params.max_expected_time_per_block_ns == 0:
        raise InvalidMessage("MaxExpectedTimePerBlock cannot be zero")


def is_allowed(allowed: tuple[str, ...], client_type: str) -> bool:
    """02-client's ``IsAllowedClient``."""
    if not client_type.strip():
        return False
    return allowed == (ALLOW_ALL_CLIENTS,) or client_type in allowed


class Params:
    """The params in an IBC store, the host's configured ones where none is stored."""

    def __init__(
        self,
        store: Storage,
        allowed_clients: tuple[str, ...],
        connection: ConnectionParams,
    ) -> None:
        self.store = store
        self.default_allowed_clients, self.default_connection = allowed_clients, connection

    def allowed_clients(self) -> tuple[str, ...]:
        raw = self.store.get(CLIENT_PARAMS_KEY)
        if raw is None:
            return self.default_allowed_clients
        message = client_pb2.Params()
        try:
            message.ParseFromString(raw)
        except DecodeError as error:
            raise InvalidMessage(f"stored client params are unreadable: {error}") from None
        return tuple(message.allowed_clients)

    def set_allowed_clients(self, allowed: tuple[str, ...]) -> None:
        validate_allowed_clients(allowed)
        encoded = client_pb2.Params(allowed_clients=allowed).SerializeToString(deterministic=True)
        self.store.set(CLIENT_PARAMS_KEY, encoded)

    def connection(self) -> ConnectionParams:
        raw = self.store.get(CONNECTION_PARAMS_KEY)
        if raw is None:
            return self.default_connection
        message = connection_pb2.Params()
        try:
            message.ParseFromString(raw)
        except DecodeError as error:
            raise InvalidMessage(f"stored connection params are unreadable: {error}") from None
        return ConnectionParams(message.max_expected_time_per_block)

    def set_connection(self, params: ConnectionParams) -> None:
        validate_connection_params(params)
        message = connection_pb2.Params(
            max_expected_time_per_block=params.max_expected_time_per_block_ns
        )
        self.store.set(CONNECTION_PARAMS_KEY, message.SerializeToString(deterministic=True))
