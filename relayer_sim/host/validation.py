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

from relayer_sim.formats.ics03 import ConnectionCounterparty, Version
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.host.errors import (
    InvalidAcknowledgement,
    InvalidChannelCounterparty,
    InvalidChannelIdentifier,
    InvalidChannelOrdering,
    InvalidChannelState,
    InvalidConnectionCounterparty,
    InvalidConnectionIdentifier,
    InvalidConnectionVersion,
    InvalidMessage,
    InvalidPacket,
    InvalidProof,
    InvalidSequence,
    InvalidVersion,
    TooManyConnectionHops,
)
from relayer_sim.host.messages import (
    MESSAGE_TYPES,
    Msg,
    MsgAcknowledgement,
    MsgChannelCloseConfirm,
    MsgChannelCloseInit,
    MsgChannelOpenAck,
    MsgChannelOpenConfirm,
    MsgChannelOpenInit,
    MsgChannelOpenTry,
    MsgConnectionOpenAck,
    MsgConnectionOpenConfirm,
    MsgConnectionOpenInit,
    MsgConnectionOpenTry,
    MsgCreateClient,
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRecvPacket,
    MsgRemoveChecksum,
    MsgSendPacket,
    MsgSoftwareUpgrade,
    MsgStoreCode,
    MsgSubmitProposal,
    MsgTimeout,
    MsgTimeoutOnClose,
    MsgUpdateClient,
    MsgUpdateClientParams,
    MsgUpdateConnectionParams,
    MsgUpgradeClient,
    MsgVote,
)
from relayer_sim.host.params import (
    ConnectionParams,
    validate_allowed_clients,
    validate_connection_params,
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
CONNECTION_ID_LENGTH: Final = (10, 64)
#: The ids IBC core generates (``IsConnectionIDFormat``, ``IsChannelIDFormat``).
_CONNECTION_ID: Final = re.compile(r"connection-[0-9]{1,20}")
_CHANNEL_ID: Final = re.compile(r"channel-[0-9]{1,20}")
#: At most this many versions, and features per version, in a connection message (v10).
MAX_VERSIONS: Final = 100
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
        case MsgUpdateClientParams(signer, allowed):
            _signer(signer, "signer")
            if type(allowed) is not tuple:
                raise InvalidMessage("allowed_clients: must be a tuple")
            validate_allowed_clients(tuple(_text(entry, "allowed client") for entry in allowed))
        case MsgUpdateConnectionParams(signer, per_block):
            _signer(signer, "signer")
            _integer(per_block, "max_expected_time_per_block", UINT64)
            validate_connection_params(ConnectionParams(per_block))
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
        case (
            MsgConnectionOpenInit()
            | MsgConnectionOpenTry()
            | MsgConnectionOpenAck()
            | MsgConnectionOpenConfirm()
        ):
            _connection_message(msg)
        case (
            MsgChannelOpenInit()
            | MsgChannelOpenTry()
            | MsgChannelOpenAck()
            | MsgChannelOpenConfirm()
            | MsgChannelCloseInit()
            | MsgChannelCloseConfirm()
        ):
            _channel_message(msg)
        case (
            MsgSendPacket()
            | MsgRecvPacket()
            | MsgAcknowledgement()
            | MsgTimeout()
            | MsgTimeoutOnClose()
        ):
            _packet_message(msg)
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


def _connection_message(
    msg: MsgConnectionOpenInit
    | MsgConnectionOpenTry
    | MsgConnectionOpenAck
    | MsgConnectionOpenConfirm,
) -> None:
    """03-connection's ``ValidateBasic``, in its order."""
    match msg:
        case MsgConnectionOpenInit(signer, client_id, counterparty, version, delay):
            client_identifier(client_id, "client_id")
            if _connection_counterparty(counterparty).connection_id != "":
                raise InvalidConnectionCounterparty(
                    "counterparty connection identifier must be empty"
                )
            if version is not None:
                _version(version, "basic validation of the provided version failed")
            _integer(delay, "delay_period", UINT64)
            _signer(signer, "signer")
        case MsgConnectionOpenTry(
            signer, client_id, counterparty, delay, versions, proof_init, proof_height
        ):
            client_identifier(client_id, "client_id")
            _connection_counterparty(counterparty)
            _identifier(
                counterparty.connection_id,
                "invalid counterparty connection ID",
                CONNECTION_ID_LENGTH,
            )
            if type(versions) is not tuple or not versions:
                raise InvalidVersion("empty counterparty versions")
            if len(versions) > MAX_VERSIONS:
                raise InvalidVersion(f"counterparty versions must not exceed {MAX_VERSIONS} items")
            for index, version in enumerate(versions):
                _version(version, f"basic validation failed on version with index {index}")
            _integer(delay, "delay_period", UINT64)
            _proof(proof_init, "cannot submit an empty proof init")
            _height(proof_height, "proof_height")
            _signer(signer, "signer")
        case MsgConnectionOpenAck(signer, connection_id, counterparty_id, version, proof, height):
            _connection_id(connection_id)
            _identifier(counterparty_id, "invalid counterparty connection ID", CONNECTION_ID_LENGTH)
            _version(version, "")
            _proof(proof, "cannot submit an empty proof try")
            _height(height, "proof_height")
            _signer(signer, "signer")
        case MsgConnectionOpenConfirm(signer, connection_id, proof, height):
            _connection_id(connection_id)
            _proof(proof, "cannot submit an empty proof ack")
            _height(height, "proof_height")
            _signer(signer, "signer")


def _channel_message(
    msg: MsgChannelOpenInit
    | MsgChannelOpenTry
    | MsgChannelOpenAck
    | MsgChannelOpenConfirm
    | MsgChannelCloseInit
    | MsgChannelCloseConfirm,
) -> None:
    """04-channel's handshake ``ValidateBasic``, in its order."""
    match msg:
        case MsgChannelOpenInit(signer, port_id, channel):
            _identifier(port_id, "invalid port ID", PORT_ID_LENGTH)
            end = _channel_end(channel)
            if end.state != ChannelState.INIT:
                raise InvalidChannelState(
                    "channel state must be INIT in MsgChannelOpenInit. expected: "
                    f"{ChannelState.INIT}, got: {end.state}"
                )
            if end.counterparty.channel_id != "":
                raise InvalidChannelCounterparty("counterparty channel identifier must be empty")
            _signer(signer, "signer")
            _channel_basic(end)
        case MsgChannelOpenTry(signer, port_id, channel, version, proof, height):
            _identifier(port_id, "invalid port ID", PORT_ID_LENGTH)
            _proof(proof, "cannot submit an empty init proof")
            end = _channel_end(channel)
            if end.state != ChannelState.TRYOPEN:
                raise InvalidChannelState(
                    "channel state must be TRYOPEN in MsgChannelOpenTry. expected: "
                    f"{ChannelState.TRYOPEN}, got: {end.state}"
                )
            _identifier(
                end.counterparty.channel_id, "invalid counterparty channel ID", CHANNEL_ID_LENGTH
            )
            _text(version, "counterparty_version")
            _height(height, "proof_height")
            _signer(signer, "signer")
            _channel_basic(end)
        case MsgChannelOpenAck(
            signer, port_id, channel_id, counterparty_id, version, proof, height
        ):
            _identifier(port_id, "invalid port ID", PORT_ID_LENGTH)
            _channel_id(channel_id)
            _identifier(counterparty_id, "invalid counterparty channel ID", CHANNEL_ID_LENGTH)
            _text(version, "counterparty_version")
            _proof(proof, "cannot submit an empty try proof")
            _height(height, "proof_height")
            _signer(signer, "signer")
        case MsgChannelOpenConfirm(signer, port_id, channel_id, proof, height):
            _identifier(port_id, "invalid port ID", PORT_ID_LENGTH)
            _channel_id(channel_id)
            _proof(proof, "cannot submit an empty acknowledgement proof")
            _height(height, "proof_height")
            _signer(signer, "signer")
        case MsgChannelCloseInit(signer, port_id, channel_id):
            _identifier(port_id, "invalid port ID", PORT_ID_LENGTH)
            _channel_id(channel_id)
            _signer(signer, "signer")
        case MsgChannelCloseConfirm(signer, port_id, channel_id, proof, height):
            _identifier(port_id, "invalid port ID", PORT_ID_LENGTH)
            _channel_id(channel_id)
            _proof(proof, "cannot submit an empty init proof")
            _height(height, "proof_height")
            _signer(signer, "signer")


def _packet_message(
    msg: MsgSendPacket | MsgRecvPacket | MsgAcknowledgement | MsgTimeout | MsgTimeoutOnClose,
) -> None:
    """04-channel's packet ``ValidateBasic``, in its order."""
    match msg:
        case MsgSendPacket(signer, port, channel, timeout_height, timeout_timestamp, data):
            _signer(signer, "signer")
            _identifier(port, "invalid source port ID", PORT_ID_LENGTH)
            _identifier(channel, "invalid source channel ID", CHANNEL_ID_LENGTH)
            _height(timeout_height, "timeout_height")
            _integer(timeout_timestamp, "timeout_timestamp", UINT64)
            _bytes(data, "data")
        case MsgRecvPacket(signer, packet, proof, height):
            _proof(proof, "cannot submit an empty commitment proof")
            _height(height, "proof_height")
            _signer(signer, "signer")
            validate_packet(packet)
        case MsgAcknowledgement(signer, packet, acknowledgement, proof, height):
            _proof(proof, "cannot submit an empty acknowledgement proof")
            if not _bytes(acknowledgement, "acknowledgement"):
                raise InvalidAcknowledgement("ack bytes cannot be empty")
            _height(height, "proof_height")
            _signer(signer, "signer")
            validate_packet(packet)
        case MsgTimeout(signer, packet, next_sequence_recv, proof, height):
            _proof(proof, "cannot submit an empty unreceived proof")
            _next_sequence_recv(next_sequence_recv)
            _height(height, "proof_height")
            _signer(signer, "signer")
            validate_packet(packet)
        case MsgTimeoutOnClose(signer, packet, next_sequence_recv, proof, proof_close, height):
            _next_sequence_recv(next_sequence_recv)
            _proof(proof, "cannot submit an empty unreceived proof")
            _proof(proof_close, "cannot submit an empty proof of closed counterparty channel end")
            _height(height, "proof_height")
            _signer(signer, "signer")
            validate_packet(packet)


def _connection_counterparty(value: object) -> ConnectionCounterparty:
    """``Counterparty.ValidateBasic`` of a connection."""
    if type(value) is not ConnectionCounterparty:
        raise InvalidMessage(
            f"counterparty: must be a ConnectionCounterparty, got {type(value).__name__}"
        )
    if value.connection_id != "":
        _identifier(value.connection_id, "invalid counterparty connection ID", CONNECTION_ID_LENGTH)
    client_identifier(value.client_id, "invalid counterparty client ID")
    if not _bytes(value.prefix, "counterparty prefix"):
        raise InvalidConnectionCounterparty("counterparty prefix cannot be empty")
    return value


def _version(value: object, context: str) -> Version:
    """``ValidateVersion``: an identifier and features, none blank."""
    if type(value) is not Version:
        raise InvalidMessage(f"version: must be a Version, got {type(value).__name__}")
    prefix = f"{context}: " if context else ""
    if not _text(value.identifier, "version identifier").strip():
        raise InvalidConnectionVersion(f"{prefix}version identifier cannot be blank")
    if type(value.features) is not tuple:
        raise InvalidMessage("version features: must be a tuple")
    if len(value.features) > MAX_VERSIONS:
        raise InvalidConnectionVersion(f"{prefix}features must not exceed {MAX_VERSIONS} items")
    for index, feature in enumerate(value.features):
        if not _text(feature, "version feature").strip():
            raise InvalidConnectionVersion(f"{prefix}feature cannot be blank, index {index}")
    return value


def _channel_end(value: object) -> ChannelEnd:
    if type(value) is not ChannelEnd:
        raise InvalidMessage(f"channel: must be a ChannelEnd, got {type(value).__name__}")
    if type(value.counterparty) is not ChannelCounterparty:
        raise InvalidMessage("channel counterparty: must be a ChannelCounterparty")
    if type(value.connection_hops) is not tuple:
        raise InvalidMessage("channel connection hops: must be a tuple")
    _text(value.version, "channel version")
    return value


def _channel_basic(end: ChannelEnd) -> None:
    """``Channel.ValidateBasic``."""
    if type(end.state) is not ChannelState or end.state == ChannelState.UNINITIALIZED:
        raise InvalidChannelState()
    if type(end.ordering) is not Order or end.ordering == Order.NONE:
        raise InvalidChannelOrdering(str(end.ordering))
    if len(end.connection_hops) != 1:
        raise TooManyConnectionHops("current IBC version only supports one connection hop")
    _identifier(end.connection_hops[0], "invalid connection hop ID", CONNECTION_ID_LENGTH)
    _identifier(end.counterparty.port_id, "invalid counterparty port ID", PORT_ID_LENGTH)
    if end.counterparty.channel_id != "":
        _identifier(
            end.counterparty.channel_id, "invalid counterparty channel ID", CHANNEL_ID_LENGTH
        )


def _connection_id(value: object) -> str:
    """An id as IBC core makes them (``connection-N``), else a bare
    ``ErrInvalidConnectionIdentifier``."""
    if type(value) is not str or not _CONNECTION_ID.fullmatch(value):
        raise InvalidConnectionIdentifier()
    return value


def _channel_id(value: object) -> str:
    if type(value) is not str or not _CHANNEL_ID.fullmatch(value):
        raise InvalidChannelIdentifier()
    return value


def _proof(value: object, message: str) -> bytes:
    if not _bytes(value, "proof"):
        raise InvalidProof(message)
    return value  # type: ignore[return-value]


def _next_sequence_recv(value: object) -> int:
    if _integer(value, "next_sequence_recv", UINT64) == 0:
        raise InvalidSequence("next sequence receive cannot be 0")
    return value  # type: ignore[return-value]


def validate_packet(packet: object) -> Packet:
    """ibc-go's ``Packet.ValidateBasic``: identifiers, a non-zero sequence, a timeout of some
    kind and some data, with every number a uint64."""
    if type(packet) is not Packet:
        raise InvalidMessage(f"packet: must be a Packet, got {type(packet).__name__}")
    _identifier(packet.source_port, "invalid source port ID", PORT_ID_LENGTH)
    _identifier(packet.destination_port, "invalid destination port ID", PORT_ID_LENGTH)
    _identifier(packet.source_channel, "invalid source channel ID", CHANNEL_ID_LENGTH)
    _identifier(packet.destination_channel, "invalid destination channel ID", CHANNEL_ID_LENGTH)
    if _integer(packet.sequence, "packet sequence", UINT64) == 0:
        raise InvalidPacket("packet sequence cannot be 0")
    timeout_height = _height(packet.timeout_height, "packet timeout height")
    timeout_timestamp = _integer(packet.timeout_timestamp_ns, "packet timeout timestamp", UINT64)
    if timeout_height == Height(0, 0) and timeout_timestamp == 0:
        raise InvalidPacket("packet timeout height and packet timeout timestamp cannot both be 0")
    if not _bytes(packet.data, "packet data"):
        raise InvalidPacket("packet data bytes cannot be empty")
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
