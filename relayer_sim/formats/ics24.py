"""Where IBC core keeps things: ICS-24's host paths, as ibc-go's ``modules/core/24-host`` spells
them, and the merkle path a counterparty's key is proven under.

Both ends use them: the host in its IBC store, the counterparty in the store its commitment prefix
names. A merkle path is ibc-go's ``ApplyPrefix``: the prefix, then the key.
"""

from __future__ import annotations

from typing import Final

#: A Cosmos SDK chain's commitment prefix: its IBC store's name.
DEFAULT_COMMITMENT_PREFIX: Final = b"ibc"
NEXT_CONNECTION_SEQUENCE_KEY: Final = b"nextConnectionSequence"
NEXT_CHANNEL_SEQUENCE_KEY: Final = b"nextChannelSequence"
#: A packet receipt's value (ibc-go's ``[]byte{byte(1)}``).
RECEIPT: Final = b"\x01"


def is_store_name(name: str) -> bool:
    """Whether ``name`` can name a multistore's store, and so a commitment prefix: printable
    ASCII, at least one character, no ``/`` (the merkle path's separator)."""
    return bool(name) and name.isascii() and name.isprintable() and "/" not in name


def connection_key(connection_id: str) -> bytes:
    return f"connections/{connection_id}".encode()


def client_connections_key(client_id: str) -> bytes:
    """The list of connections a client serves (a ``ClientPaths``)."""
    return f"clients/{client_id}/connections".encode()


def _channel_path(port_id: str, channel_id: str) -> str:
    return f"ports/{port_id}/channels/{channel_id}"


def channel_key(port_id: str, channel_id: str) -> bytes:
    return f"channelEnds/{_channel_path(port_id, channel_id)}".encode()


def next_sequence_send_key(port_id: str, channel_id: str) -> bytes:
    return f"nextSequenceSend/{_channel_path(port_id, channel_id)}".encode()


def next_sequence_recv_key(port_id: str, channel_id: str) -> bytes:
    return f"nextSequenceRecv/{_channel_path(port_id, channel_id)}".encode()


def next_sequence_ack_key(port_id: str, channel_id: str) -> bytes:
    return f"nextSequenceAck/{_channel_path(port_id, channel_id)}".encode()


def packet_commitment_key(port_id: str, channel_id: str, sequence: int) -> bytes:
    return f"commitments/{_channel_path(port_id, channel_id)}/sequences/{sequence}".encode()


def packet_receipt_key(port_id: str, channel_id: str, sequence: int) -> bytes:
    return f"receipts/{_channel_path(port_id, channel_id)}/sequences/{sequence}".encode()


def packet_acknowledgement_key(port_id: str, channel_id: str, sequence: int) -> bytes:
    return f"acks/{_channel_path(port_id, channel_id)}/sequences/{sequence}".encode()


def merkle_path(prefix: bytes, key: bytes) -> list[bytes]:
    """The path of ``key`` in the store ``prefix`` names (ibc-go's ``ApplyPrefix``)."""
    return [prefix, key]


def encode_sequence(sequence: int) -> bytes:
    """A stored sequence: a big-endian uint64 (the SDK's ``Uint64ToBigEndian``)."""
    return sequence.to_bytes(8, "big")


def decode_sequence(data: bytes) -> int:
    if len(data) != 8:
        raise ValueError(f"a stored sequence is 8 bytes, got {len(data)}")
    return int.from_bytes(data, "big")
