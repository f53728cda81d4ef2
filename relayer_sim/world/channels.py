"""The channels a run opened: both ends, the connections under them and the host client they are
proven through. The opener that runs a channel's handshakes adds it once both ends are open;
traffic and relayers use only the channels listed here."""

from __future__ import annotations

from dataclasses import dataclass

from relayer_sim.formats.ics04 import Order


@dataclass(frozen=True)
class OpenChannel:
    """One channel, open at both ends."""

    #: The scenario's name for it.
    name: str
    #: The scenario name of the host client its connection runs over.
    client: str
    #: The scenario name of the counterparty that client follows (the other end's chain).
    chain: str
    ordering: Order
    delay_period_ns: int
    host_connection: str
    counterparty_connection: str
    host_port: str
    host_channel: str
    counterparty_port: str
    counterparty_channel: str
