"""02-client's ``Query/VerifyMembership``: a contract proving a key through another client.

ibc-go's query server (``modules/core/02-client/keeper/grpc_query.go``), step by step: the
request is checked field by field (a client id of a type that can be routed, not 09-localhost
or 06-solomachine; a proof, a non-zero height, a path and a value); then, in a cached context
whose writes are dropped, the client must be ``Active``, the proof pays a flat
three ``ReadCostPerByte`` per byte, and the client verifies it. A proof that does not verify is
``success: false``, not an error. When the handler returns, it charges its meter again for all
that meter had consumed: the cached context shares the query's meter, so everything after the
field checks is paid twice, as in ibc-go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from google.protobuf.message import DecodeError

from relayer_sim.formats.proto.ibc.core.client.v1 import query_pb2
from relayer_sim.host.clients import ClientKeeper, Status
from relayer_sim.host.errors import HostError, OutOfGas
from relayer_sim.host.querier import QueryFailure
from relayer_sim.host.store import GasMeter, KVGasConfig
from relayer_sim.host.validation import client_identifier
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv

#: Client types whose proofs this query refuses to check.
DENIED_CLIENT_TYPES: Final = ("09-localhost", "06-solomachine")
#: Per proof byte, in ``ReadCostPerByte``s.
PROOF_BYTE_READS: Final = 3


def verify_membership(
    clients: Callable[[], ClientKeeper], env: HostEnv, data: bytes, gas: GasMeter
) -> bytes:
    """Answer a ``QueryVerifyMembershipRequest`` (``data``) with its response's bytes;
    ``clients`` gives the client keeper of a cached store on ``gas``."""
    request = _decoded(data)
    client_id = _client_id(request.client_id)
    if not request.proof:
        raise QueryFailure("empty proof")
    height = Height(request.proof_height.revision_number, request.proof_height.revision_height)
    if height == Height(0, 0):
        raise QueryFailure("proof height must be non-zero")
    if not request.merkle_path.key_path:
        raise QueryFailure("empty merkle path")
    if not request.value:
        raise QueryFailure("empty value")
    try:
        return _verify(clients(), client_id, request, height, env, gas)
    finally:
        gas.consume(gas.consumed, "verify membership query")


def _verify(
    clients: ClientKeeper,
    client_id: str,
    request: query_pb2.QueryVerifyMembershipRequest,
    height: Height,
    env: HostEnv,
    gas: GasMeter,
) -> bytes:
    status = clients.status_of(client_id, env, gas)
    if status != Status.ACTIVE:
        raise QueryFailure(f"cannot verify membership using client ({client_id}) with {status}")
    gas.consume(
        PROOF_BYTE_READS * KVGasConfig().read_cost_per_byte * len(request.proof),
        "verify membership query",
    )
    try:
        clients.verify_membership(
            client_id,
            height,
            request.proof,
            list(request.merkle_path.key_path),
            request.value,
            env,
            gas,
            delay_time_ns=request.time_delay,
            delay_blocks=request.block_delay,
        )
    except OutOfGas:
        raise
    except HostError:
        return query_pb2.QueryVerifyMembershipResponse(success=False).SerializeToString()
    return query_pb2.QueryVerifyMembershipResponse(success=True).SerializeToString()


def _decoded(data: bytes) -> query_pb2.QueryVerifyMembershipRequest:
    try:
        return query_pb2.QueryVerifyMembershipRequest.FromString(data)
    except DecodeError as error:
        raise QueryFailure(f"cannot decode the request: {error}") from None


def _client_id(value: str) -> str:
    """The id, if it names a client type this query may route to."""
    try:
        client_identifier(value)
    except HostError as error:
        raise QueryFailure(str(error)) from None
    client_type, _, sequence = value.rpartition("-")
    if not client_type.strip() or not sequence.isdigit() or int(sequence) >= 2**64:
        raise QueryFailure(f"invalid client identifier {value}")
    if client_type in DENIED_CLIENT_TYPES:
        raise QueryFailure(f"verify membership is disabled for client type {client_type}")
    return value
