"""IBC packets as both ends see them: what the sending chain commits to, and where.

The sender stores ``commitment()`` at ``commitment_key()`` in the store its commitment prefix
names; the receiving chain verifies that key and value with a membership proof through its light
client, records that the packet arrived (a receipt, or the next sequence on an ordered channel)
and commits to its acknowledgement. Once the acknowledgement is proven back, or the packet's
timeout, the sender deletes its commitment (ICS-04 ``AcknowledgePacket``, ``TimeoutPacket``), so
a sender's state holds only the packets in flight. The commitment is ibc-go's: sha256(u64be(timeout
timestamp) ‖ u64be(timeout revision) ‖ u64be(timeout height) ‖ sha256(data)); an
acknowledgement's is sha256(ack).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from relayer_sim.formats.ics24 import (
    packet_acknowledgement_key,
    packet_commitment_key,
    packet_receipt_key,
)
from relayer_sim.lightclient.headers import Height

NO_TIMEOUT_HEIGHT = Height(0, 0)
#: The acknowledgement the host writes for every packet it receives: ibc-go's
#: ``NewResultAcknowledgement([]byte{1})`` as JSON, what its transfer module writes on success.
SUCCESS_ACKNOWLEDGEMENT = b'{"result":"AQ=="}'


def acknowledgement_commitment(acknowledgement: bytes) -> bytes:
    """What the receiving chain stores for an acknowledgement (ibc-go's
    ``CommitAcknowledgement``)."""
    return hashlib.sha256(acknowledgement).digest()


@dataclass(frozen=True)
class Packet:
    sequence: int
    source_port: str
    source_channel: str
    destination_port: str
    destination_channel: str
    data: bytes
    #: The receiving chain's height at which the packet times out (0-0: never).
    timeout_height: Height = field(default=NO_TIMEOUT_HEIGHT)
    #: The receiving chain's time at which the packet times out (0: never).
    timeout_timestamp_ns: int = 0

    def commitment(self) -> bytes:
        return hashlib.sha256(
            self.timeout_timestamp_ns.to_bytes(8, "big")
            + self.timeout_height.revision_number.to_bytes(8, "big")
            + self.timeout_height.revision_height.to_bytes(8, "big")
            + hashlib.sha256(self.data).digest()
        ).digest()

    def commitment_key(self) -> bytes:
        """Where the sending chain commits to the packet (in the store of its prefix)."""
        return packet_commitment_key(self.source_port, self.source_channel, self.sequence)

    def receipt_key(self) -> bytes:
        """Where the receiving chain records that the packet arrived (unordered channels)."""
        return packet_receipt_key(self.destination_port, self.destination_channel, self.sequence)

    def acknowledgement_key(self) -> bytes:
        """Where the receiving chain commits to the packet's acknowledgement."""
        return packet_acknowledgement_key(
            self.destination_port, self.destination_channel, self.sequence
        )

    def timed_out(self, height: Height, time_ns: int) -> bool:
        """Whether the receiving chain, at ``height`` and ``time_ns``, is past a timeout."""
        by_height = self.timeout_height != NO_TIMEOUT_HEIGHT and height >= self.timeout_height
        by_time = self.timeout_timestamp_ns != 0 and time_ns >= self.timeout_timestamp_ns
        return by_height or by_time
