"""Stateless checks of a message before it runs, as the SDK's ``ValidateBasic`` does.

A transaction's message comes from anyone, so every field is checked at the edge: its Python
type, integers within their protobuf types (uint64 heights, sequences, timeouts and proposal ids,
the int64 upgrade height), strings that UTF-8 can encode (Go strings cannot hold a lone
surrogate), and identifiers by ibc-go's ICS-24 rules (``modules/core/24-host/validate.go``):
client ids 9 to 64 characters, channel ids 8 to 64, port ids 2 to 128, each made only of
``a-z A-Z 0-9 . _ + - # [ ] < >``. Checksums are 32 bytes, as 08-wasm's ``ValidateWasmChecksum``
requires.
Whatever breaks a rule is one ``InvalidMessage`` naming the field, so nothing a sender puts in a
message can fail later as anything but a ``HostError``.
"""

from __future__ import annotations

import re
from typing import Final

from relayer_sim.host.errors import InvalidMessage
from relayer_sim.host.messages import (
    MESSAGE_TYPES,
    Msg,
    MsgCreateClient,
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRecvPacket,
    MsgRemoveChecksum,
    MsgSoftwareUpgrade,
    MsgStoreCode,
    MsgSubmitProposal,
    MsgUpdateClient,
    MsgUpgradeClient,
    MsgVote,
)
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet
from relayer_sim.text import is_utf8

#: The ranges of protobuf's integer types, (minimum, maximum).
UINT64: Final = (0, 2**64 - 1)
INT64: Final = (-(2**63), 2**63 - 1)
CHECKSUM_SIZE: Final = 32
#: ICS-24's identifier characters (Go's ``$`` is the end of the text: no trailing newline).
_IDENTIFIER: Final = re.compile(r"[a-zA-Z0-9._+\-#\[\]<>]+")
#: (minimum, maximum) length of each kind of identifier, in ibc-go's validators.
CLIENT_ID_LENGTH: Final = (9, 64)
CHANNEL_ID_LENGTH: Final = (8, 64)
PORT_ID_LENGTH: Final = (2, 128)


def validate_basic(msg: object) -> Msg:
    """``msg`` itself when every field is in its domain, else ``InvalidMessage``."""
    _check(msg, nested=False)
    return msg  # type: ignore[return-value]


def _check(msg: object, *, nested: bool) -> None:
    match msg:
        case MsgStoreCode(signer, code):
            _signer(signer, "signer")
            _bytes(code, "code")
        case MsgRemoveChecksum(signer, checksum):
            _signer(signer, "signer")
            _checksum(checksum)
        case MsgMigrateContract(signer, client_id, checksum, migrate_msg):
            _signer(signer, "signer")
            client_identifier(client_id, "client_id")
            _checksum(checksum)
            _bytes(migrate_msg, "msg")
        case MsgSoftwareUpgrade(signer, name, height, binary):
            _signer(signer, "signer")
            _text(name, "name")
            _integer(height, "height", INT64)
            _text(binary, "binary")
        case MsgCreateClient(signer, client_state, consensus_state):
            _signer(signer, "signer")
            _bytes(client_state, "client_state")
            _bytes(consensus_state, "consensus_state")
        case MsgUpdateClient(signer, client_id, client_message):
            _signer(signer, "signer")
            client_identifier(client_id, "client_id")
            _bytes(client_message, "client_message")
        case MsgUpgradeClient(signer, client_id, client_state, consensus_state, proof_c, proof_s):
            _signer(signer, "signer")
            client_identifier(client_id, "client_id")
            _bytes(client_state, "client_state")
            _bytes(consensus_state, "consensus_state")
            _bytes(proof_c, "proof_upgrade_client")
            _bytes(proof_s, "proof_upgrade_consensus_state")
        case MsgRecoverClient(signer, subject, substitute):
            _signer(signer, "signer")
            client_identifier(subject, "subject_client_id")
            client_identifier(substitute, "substitute_client_id")
        case MsgRecvPacket(signer, client_id, packet, proof, proof_height):
            _signer(signer, "signer")
            client_identifier(client_id, "client_id")
            validate_packet(packet)
            _bytes(proof, "proof")
            _height(proof_height, "proof_height")
        case MsgSubmitProposal(proposer, title, messages):
            _proposal(proposer, title, messages, nested)
        case MsgVote(voter, proposal_id, option):
            _signer(voter, "voter")
            _integer(proposal_id, "proposal_id", UINT64)
            _text(option, "option")
        case _:
            raise InvalidMessage(f"not a host message: {type(msg).__name__}")


def _proposal(proposer: object, title: object, messages: object, nested: bool) -> None:
    if nested:
        raise InvalidMessage("a proposal's messages cannot hold another proposal")
    _signer(proposer, "proposer")
    _text(title, "title")
    if not isinstance(messages, tuple):
        raise InvalidMessage(f"messages: must be a tuple, got {type(messages).__name__}")
    for index, inner in enumerate(messages):
        if not isinstance(inner, MESSAGE_TYPES):
            raise InvalidMessage(f"messages[{index}]: not a host message: {type(inner).__name__}")
        _check(inner, nested=True)


def validate_packet(packet: object) -> Packet:
    """A packet's fields in their domains: ibc-go's ``Packet.ValidateBasic`` identifiers and a
    non-zero sequence, with every number a uint64."""
    if type(packet) is not Packet:
        raise InvalidMessage(f"packet: must be a Packet, got {type(packet).__name__}")
    if _integer(packet.sequence, "packet sequence", UINT64) == 0:
        raise InvalidMessage("packet sequence: cannot be 0")
    _identifier(packet.source_port, "packet source port", PORT_ID_LENGTH)
    _identifier(packet.source_channel, "packet source channel", CHANNEL_ID_LENGTH)
    _identifier(packet.destination_port, "packet destination port", PORT_ID_LENGTH)
    _identifier(packet.destination_channel, "packet destination channel", CHANNEL_ID_LENGTH)
    _bytes(packet.data, "packet data")
    _height(packet.timeout_height, "packet timeout height")
    _integer(packet.timeout_timestamp_ns, "packet timeout timestamp", UINT64)
    return packet


def client_identifier(value: object, field: str = "client id") -> str:
    """ibc-go's ``ClientIdentifierValidator``: what every client id a message or query names
    must pass before it reaches a store key."""
    return _identifier(value, field, CLIENT_ID_LENGTH)


def _identifier(value: object, field: str, length: tuple[int, int]) -> str:
    if type(value) is not str:
        raise InvalidMessage(f"{field}: must be a string, got {type(value).__name__}")
    shortest, longest = length
    if "/" in value:
        raise InvalidMessage(f"{field}: identifier {value!r} cannot contain separator '/'")
    if not shortest <= len(value) <= longest:
        raise InvalidMessage(
            f"{field}: identifier {value[:longest]!r} has invalid length {len(value)}, "
            f"must be between {shortest}-{longest} characters"
        )
    if not _IDENTIFIER.fullmatch(value):
        raise InvalidMessage(
            f"{field}: identifier {value!r} must contain only alphanumeric or the following "
            "characters: '.', '_', '+', '-', '#', '[', ']', '<', '>'"
        )
    return value


def _text(value: object, field: str) -> str:
    """A string a Go message could carry: UTF-8 encodable (no lone surrogate)."""
    if type(value) is not str:
        raise InvalidMessage(f"{field}: must be a string, got {type(value).__name__}")
    if not is_utf8(value):
        raise InvalidMessage(f"{field}: not valid UTF-8 text (surrogates not allowed)")
    return value


def _signer(value: object, field: str) -> str:
    if not _text(value, field):
        raise InvalidMessage(f"{field}: empty address string is not allowed")
    return value  # type: ignore[return-value]


def _bytes(value: object, field: str) -> bytes:
    if type(value) is not bytes:
        raise InvalidMessage(f"{field}: must be bytes, got {type(value).__name__}")
    return value


def _checksum(value: object) -> bytes:
    if len(_bytes(value, "checksum")) != CHECKSUM_SIZE:
        raise InvalidMessage(
            f"checksum: expected length of {CHECKSUM_SIZE} bytes, got {len(value)}"  # type: ignore[arg-type]
        )
    return value  # type: ignore[return-value]


def _integer(value: object, field: str, bounds: tuple[int, int]) -> int:
    """An integer within a protobuf type's ``bounds`` (a bool is not one)."""
    if type(value) is not int:
        raise InvalidMessage(f"{field}: must be an integer, got {type(value).__name__}")
    low, high = bounds
    if not low <= value <= high:
        # A huge int has no decimal form in Python (4300 digits at most): name its size.
        shown = value if value.bit_length() <= 128 else f"an integer of {value.bit_length()} bits"
        raise InvalidMessage(f"{field}: {shown} is out of range [{low}, {high}]")
    return value


def _height(value: object, field: str) -> Height:
    if type(value) is not Height:
        raise InvalidMessage(f"{field}: must be a Height, got {type(value).__name__}")
    _integer(value.revision_number, f"{field} revision number", UINT64)
    _integer(value.revision_height, f"{field} revision height", UINT64)
    return value
