"""The transactions' messages the host understands: ibc-go's 02-client, 03-connection, 04-channel
and 08-wasm messages, with the fields ibc-go v10 reads (its deprecated ones left out). States
travel as their protobuf ``Any`` bytes (the 08-wasm wrappers), client messages and proofs as the
bytes the light client defines."""

from __future__ import annotations

from dataclasses import dataclass

from relayer_sim.formats.ics03 import ConnectionCounterparty, Version
from relayer_sim.formats.ics04 import ChannelEnd
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet


@dataclass(frozen=True)
class MsgStoreCode:
    """08-wasm: store light-client code (governance only)."""

    signer: str
    code: bytes


@dataclass(frozen=True)
class MsgMigrateContract:
    """08-wasm: move a client to other stored code, calling ``migrate`` with ``msg``."""

    signer: str
    client_id: str
    checksum: bytes
    msg: bytes


@dataclass(frozen=True)
class MsgRemoveChecksum:
    """08-wasm: forbid a checksum; its clients become ``Unauthorized``."""

    signer: str
    checksum: bytes


@dataclass(frozen=True)
class MsgSoftwareUpgrade:
    """x/upgrade: halt before block ``height`` until the validators run ``binary``."""

    signer: str
    name: str
    height: int
    binary: str


@dataclass(frozen=True)
class MsgUpdateClientParams:
    """02-client's ``MsgUpdateParams``: the client types allowed (governance only)."""

    signer: str
    allowed_clients: tuple[str, ...]


@dataclass(frozen=True)
class MsgUpdateConnectionParams:
    """03-connection's ``MsgUpdateParams``: the longest block time expected (governance
    only), which turns delay periods into blocks."""

    signer: str
    max_expected_time_per_block: int


@dataclass(frozen=True)
class MsgCreateClient:
    signer: str
    client_state: bytes
    consensus_state: bytes


@dataclass(frozen=True)
class MsgUpdateClient:
    signer: str
    client_id: str
    client_message: bytes


@dataclass(frozen=True)
class MsgUpgradeClient:
    signer: str
    client_id: str
    client_state: bytes
    consensus_state: bytes
    proof_upgrade_client: bytes
    proof_upgrade_consensus_state: bytes


@dataclass(frozen=True)
class MsgRecoverClient:
    """Governance: recover a frozen or expired client from an active substitute."""

    signer: str
    subject_client_id: str
    substitute_client_id: str


@dataclass(frozen=True)
class MsgConnectionOpenInit:
    """03-connection: start a connection on ``client_id`` (``version`` None: every compatible
    one)."""

    signer: str
    client_id: str
    counterparty: ConnectionCounterparty
    version: Version | None
    delay_period: int


@dataclass(frozen=True)
class MsgConnectionOpenTry:
    """03-connection: answer the counterparty's ``INIT``, proven at ``proof_height``."""

    signer: str
    client_id: str
    counterparty: ConnectionCounterparty
    delay_period: int
    counterparty_versions: tuple[Version, ...]
    proof_init: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgConnectionOpenAck:
    signer: str
    connection_id: str
    counterparty_connection_id: str
    version: Version
    proof_try: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgConnectionOpenConfirm:
    signer: str
    connection_id: str
    proof_ack: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgChannelOpenInit:
    """04-channel: start a channel on ``port_id`` (``channel`` in ``INIT``, no counterparty
    channel yet)."""

    signer: str
    port_id: str
    channel: ChannelEnd


@dataclass(frozen=True)
class MsgChannelOpenTry:
    signer: str
    port_id: str
    channel: ChannelEnd
    counterparty_version: str
    proof_init: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgChannelOpenAck:
    signer: str
    port_id: str
    channel_id: str
    counterparty_channel_id: str
    counterparty_version: str
    proof_try: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgChannelOpenConfirm:
    signer: str
    port_id: str
    channel_id: str
    proof_ack: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgChannelCloseInit:
    signer: str
    port_id: str
    channel_id: str


@dataclass(frozen=True)
class MsgChannelCloseConfirm:
    signer: str
    port_id: str
    channel_id: str
    proof_init: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgSendPacket:
    """The host's application sends a packet (what a user's ``MsgTransfer`` does in ibc-go:
    core has no message of its own for it)."""

    signer: str
    source_port: str
    source_channel: str
    timeout_height: Height
    timeout_timestamp: int
    data: bytes


@dataclass(frozen=True)
class MsgRecvPacket:
    """04-channel: deliver a packet, proven by the sender's commitment at ``proof_height``."""

    signer: str
    packet: Packet
    proof_commitment: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgAcknowledgement:
    """04-channel: the receiver's acknowledgement of a packet the host sent."""

    signer: str
    packet: Packet
    acknowledgement: bytes
    proof_acked: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgTimeout:
    """04-channel: a packet the host sent timed out unreceived (``proof_unreceived``: its
    receipt's absence, or on an ordered channel the receiver's ``next_sequence_recv``)."""

    signer: str
    packet: Packet
    next_sequence_recv: int
    proof_unreceived: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgTimeoutOnClose:
    """04-channel: the receiver closed its channel end with the packet unreceived."""

    signer: str
    packet: Packet
    next_sequence_recv: int
    proof_unreceived: bytes
    proof_close: bytes
    proof_height: Height


@dataclass(frozen=True)
class MsgSubmitProposal:
    """Governance: messages to run as the authority if the validators pass them."""

    proposer: str
    title: str
    messages: tuple[Msg, ...]


@dataclass(frozen=True)
class MsgVote:
    """Governance: a validator's vote (``Yes``, ``No``, ``Abstain``, ``NoWithVeto``)."""

    voter: str
    proposal_id: int
    option: str


#: The steps of a connection handshake, and of a channel's opening or closing.
ConnectionStep = (
    MsgConnectionOpenInit | MsgConnectionOpenTry | MsgConnectionOpenAck | MsgConnectionOpenConfirm
)
ChannelStep = (
    MsgChannelOpenInit
    | MsgChannelOpenTry
    | MsgChannelOpenAck
    | MsgChannelOpenConfirm
    | MsgChannelCloseInit
    | MsgChannelCloseConfirm
)

Msg = (
    MsgStoreCode
    | MsgMigrateContract
    | MsgRemoveChecksum
    | MsgSoftwareUpgrade
    | MsgUpdateClientParams
    | MsgUpdateConnectionParams
    | MsgCreateClient
    | MsgUpdateClient
    | MsgUpgradeClient
    | MsgRecoverClient
    | MsgConnectionOpenInit
    | MsgConnectionOpenTry
    | MsgConnectionOpenAck
    | MsgConnectionOpenConfirm
    | MsgChannelOpenInit
    | MsgChannelOpenTry
    | MsgChannelOpenAck
    | MsgChannelOpenConfirm
    | MsgChannelCloseInit
    | MsgChannelCloseConfirm
    | MsgSendPacket
    | MsgRecvPacket
    | MsgAcknowledgement
    | MsgTimeout
    | MsgTimeoutOnClose
    | MsgSubmitProposal
    | MsgVote
)
MESSAGE_TYPES: tuple[type[Msg], ...] = (
    MsgStoreCode,
    MsgMigrateContract,
    MsgRemoveChecksum,
    MsgSoftwareUpgrade,
    MsgUpdateClientParams,
    MsgUpdateConnectionParams,
    MsgCreateClient,
    MsgUpdateClient,
    MsgUpgradeClient,
    MsgRecoverClient,
    MsgConnectionOpenInit,
    MsgConnectionOpenTry,
    MsgConnectionOpenAck,
    MsgConnectionOpenConfirm,
    MsgChannelOpenInit,
    MsgChannelOpenTry,
    MsgChannelOpenAck,
    MsgChannelOpenConfirm,
    MsgChannelCloseInit,
    MsgChannelCloseConfirm,
    MsgSendPacket,
    MsgRecvPacket,
    MsgAcknowledgement,
    MsgTimeout,
    MsgTimeoutOnClose,
    MsgSubmitProposal,
    MsgVote,
)


def subject_of(msg: Msg) -> dict[str, object]:
    """What ``msg`` is about, for its trace event: the client, the packet, the proposal. A
    trace read later (``relayer-sim report``) tells transactions apart by these."""
    match msg:
        case MsgUpdateClient() | MsgUpgradeClient() | MsgMigrateContract():
            return {"client": msg.client_id}
        case MsgRecvPacket() | MsgAcknowledgement() | MsgTimeout() | MsgTimeoutOnClose():
            packet = msg.packet
            return {
                "port": packet.destination_port
                if isinstance(msg, MsgRecvPacket)
                else packet.source_port,
                "channel": packet.destination_channel
                if isinstance(msg, MsgRecvPacket)
                else packet.source_channel,
                "sequence": packet.sequence,
            }
        case MsgSendPacket():
            return {"port": msg.source_port, "channel": msg.source_channel}
        case MsgConnectionOpenInit() | MsgConnectionOpenTry():
            return {"client": msg.client_id}
        case MsgConnectionOpenAck() | MsgConnectionOpenConfirm():
            return {"connection": msg.connection_id}
        case MsgChannelOpenInit() | MsgChannelOpenTry():
            return {"port": msg.port_id}
        case (
            MsgChannelOpenAck()
            | MsgChannelOpenConfirm()
            | MsgChannelCloseInit()
            | MsgChannelCloseConfirm()
        ):
            return {"port": msg.port_id, "channel": msg.channel_id}
        case MsgRecoverClient():
            return {"client": msg.subject_client_id, "substitute": msg.substitute_client_id}
        case MsgSubmitProposal():
            return {"title": msg.title}
        case MsgVote():
            return {"proposal": msg.proposal_id, "option": msg.option}
        case MsgSoftwareUpgrade():
            return {"upgrade": msg.name, "height": msg.height, "binary": msg.binary}
        case MsgUpdateClientParams():
            return {"allowed_clients": list(msg.allowed_clients)}
        case MsgUpdateConnectionParams():
            return {"max_expected_time_per_block": msg.max_expected_time_per_block}
        case MsgStoreCode() | MsgRemoveChecksum() | MsgCreateClient():
            return {}
