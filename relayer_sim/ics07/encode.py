"""The bytes a 07-tendermint client writes: its states as ibc-go marshals them.

Go (gogoproto) writes fields in number order, omits proto3 defaults, keeps no unknown fields and
always writes a non-nullable embedded message, even an empty one. Python's protobuf does the
first three; the non-nullable fields are set explicitly here before serialising, so that the Zig
contract and this reference store byte-identical states.
"""

from __future__ import annotations

from typing import Final

from google.protobuf import any_pb2

from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.ics07.decode import CLIENT_STATE_URL, CONSENSUS_STATE_URL

#: ``ClientState`` fields that gogoproto marks non-nullable.
_CLIENT_NON_NULLABLE: Final = (
    "trust_level",
    "trusting_period",
    "unbonding_period",
    "max_clock_drift",
    "frozen_height",
    "latest_height",
)
_CONSENSUS_NON_NULLABLE: Final = ("timestamp", "root")


def _pack(type_url: str, value: bytes) -> bytes:
    return any_pb2.Any(type_url=type_url, value=value).SerializeToString(deterministic=True)


def client_state_bytes(state: tendermint_pb2.ClientState) -> bytes:
    """``Marshal(ClientState)``: the state alone, as Go writes it."""
    copy = tendermint_pb2.ClientState()
    copy.CopyFrom(state)
    copy.DiscardUnknownFields()
    for name in _CLIENT_NON_NULLABLE:
        getattr(copy, name).SetInParent()
    return copy.SerializeToString(deterministic=True)


def client_state_any(state: tendermint_pb2.ClientState) -> bytes:
    """``MarshalInterface(ClientState)``: the state in an ``Any``."""
    return _pack(CLIENT_STATE_URL, client_state_bytes(state))


def consensus_state_any(state: tendermint_pb2.ConsensusState) -> bytes:
    """``MarshalInterface(ConsensusState)``: the state in an ``Any``."""
    copy = tendermint_pb2.ConsensusState()
    copy.CopyFrom(state)
    copy.DiscardUnknownFields()
    for name in _CONSENSUS_NON_NULLABLE:
        getattr(copy, name).SetInParent()
    return _pack(CONSENSUS_STATE_URL, copy.SerializeToString(deterministic=True))
