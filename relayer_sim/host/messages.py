"""The transactions' messages the host understands: ibc-go's 02-client and 08-wasm messages,
with the fields the simulation needs. States travel as their protobuf ``Any`` bytes (the
08-wasm wrappers), client messages and proofs as the bytes the light client defines."""

from __future__ import annotations

from dataclasses import dataclass

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
class MsgRecvPacket:
    """Deliver a packet, proven by the sender's commitment at ``proof_height``."""

    signer: str
    client_id: str
    packet: Packet
    proof: bytes
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


Msg = (
    MsgStoreCode
    | MsgMigrateContract
    | MsgRemoveChecksum
    | MsgSoftwareUpgrade
    | MsgCreateClient
    | MsgUpdateClient
    | MsgUpgradeClient
    | MsgRecoverClient
    | MsgRecvPacket
    | MsgSubmitProposal
    | MsgVote
)
MESSAGE_TYPES: tuple[type[Msg], ...] = (
    MsgStoreCode,
    MsgMigrateContract,
    MsgRemoveChecksum,
    MsgSoftwareUpgrade,
    MsgCreateClient,
    MsgUpdateClient,
    MsgUpgradeClient,
    MsgRecoverClient,
    MsgRecvPacket,
    MsgSubmitProposal,
    MsgVote,
)


def subject_of(msg: Msg) -> dict[str, object]:
    """What ``msg`` is about, for its trace event: the client, the packet, the proposal. A
    trace read later (``relayer-sim report``) tells transactions apart by these."""
    match msg:
        case MsgUpdateClient() | MsgUpgradeClient() | MsgMigrateContract():
            return {"client": msg.client_id}
        case MsgRecvPacket():
            return {"client": msg.client_id, "sequence": msg.packet.sequence}
        case MsgRecoverClient():
            return {"client": msg.subject_client_id, "substitute": msg.substitute_client_id}
        case MsgSubmitProposal():
            return {"title": msg.title}
        case MsgVote():
            return {"proposal": msg.proposal_id, "option": msg.option}
        case MsgSoftwareUpgrade():
            return {"upgrade": msg.name, "height": msg.height, "binary": msg.binary}
        case MsgStoreCode() | MsgRemoveChecksum() | MsgCreateClient():
            return {}
