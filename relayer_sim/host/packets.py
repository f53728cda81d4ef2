"""Packet receipt (ibc-go's ``RecvPacket``, for the host's side of a channel): a packet is
accepted once, before its timeout, when the client proves the sender's commitment to it; its
acknowledgement is written at once (a synchronous acknowledgement), for relayers to carry back."""

from __future__ import annotations

from dataclasses import dataclass

from relayer_sim.host.clients import ClientKeeper, Status
from relayer_sim.host.errors import ClientStatusError, InvalidMessage
from relayer_sim.host.store import GasMeter
from relayer_sim.host.validation import validate_packet
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import (
    SUCCESS_ACKNOWLEDGEMENT,
    Packet,
    acknowledgement_commitment,
)
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import Storage

RECEIVED = b"\x01"


@dataclass(frozen=True)
class RecvOutcome:
    """``received`` False: the packet had arrived before (ibc-go's no-op, not an error)."""

    received: bool


class PacketKeeper:
    """Receipts and acknowledgements of the packets delivered to this host."""

    def __init__(self, store: Storage, clients: ClientKeeper) -> None:
        self.store, self.clients = store, clients

    def recv_packet(
        self,
        client_id: str,
        packet: Packet,
        proof: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> RecvOutcome:
        if self.store.get(packet.receipt_key()) is not None:
            return RecvOutcome(received=False)
        if packet.timed_out(env.self_height, env.time_ns):
            raise InvalidMessage(
                f"packet {packet.sequence} timed out (timeout height {packet.timeout_height}, "
                f"timeout timestamp {packet.timeout_timestamp_ns}; host at {env.self_height}, "
                f"{env.time_ns})"
            )
        status = self.clients.status(client_id, env, gas)
        if status != Status.ACTIVE:
            raise ClientStatusError(f"client ({client_id}) status is {status}")
        self.clients.verify_membership(
            client_id, proof_height, proof, packet.commitment_path(), packet.commitment(), env, gas
        )
        self.store.set(packet.receipt_key(), RECEIVED)
        self.store.set(
            packet.acknowledgement_key(), acknowledgement_commitment(SUCCESS_ACKNOWLEDGEMENT)
        )
        return RecvOutcome(received=True)

    def received(self, packet: Packet) -> bool:
        return self.store.get(validate_packet(packet).receipt_key()) is not None

    def acknowledgement_commitment(self, packet: Packet) -> bytes | None:
        """The commitment to ``packet``'s acknowledgement, once it was received."""
        return self.store.get(validate_packet(packet).acknowledgement_key())
