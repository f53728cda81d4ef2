"""IBC packets as both ends see them: what the sending chain commits to, and where.

The sender stores ``commitment()`` under ``commitment_path()`` in its state; the receiving
host verifies that key and value with a membership proof through the light client, then
records a receipt so the packet is delivered once, and the commitment of its acknowledgement
(ibc-go's synchronous ``WriteAcknowledgement``). Once the acknowledgement is relayed back, the
sender deletes its commitment (ICS-04 ``AcknowledgePacket``), so a sender's state holds only the
packets in flight. The commitment is ibc-go's: sha256(u64be(timeout timestamp) ‖ u64be(timeout
revision) ‖ u64be(timeout height) ‖ sha256(data)); an acknowledgement's is sha256(ack).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

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

    def commitment_path(self) -> list[bytes]:
        """The IBC merkle path of the commitment on the sending chain."""
        key = (
            f"commitments/ports/{self.source_port}/channels/{self.source_channel}"
            f"/sequences/{self.sequence}"
        )
        return [b"ibc", key.encode()]

    def receipt_key(self) -> bytes:
        """Where the receiving chain records that the packet arrived."""
        return (
            f"receipts/ports/{self.destination_port}/channels/{self.destination_channel}"
            f"/sequences/{self.sequence}"
        ).encode()

    def acknowledgement_key(self) -> bytes:
        """Where the receiving chain commits to the packet's acknowledgement."""
        return (
            f"acks/ports/{self.destination_port}/channels/{self.destination_channel}"
            f"/sequences/{self.sequence}"
        ).encode()

    def timed_out(self, height: Height, time_ns: int) -> bool:
        """Whether the receiving chain, at ``height`` and ``time_ns``, is past a timeout."""
        by_height = self.timeout_height != NO_TIMEOUT_HEIGHT and height >= self.timeout_height
        by_time = self.timeout_timestamp_ns != 0 and time_ns >= self.timeout_timestamp_ns
        return by_height or by_time
