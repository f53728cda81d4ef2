"""The light clients a scenario creates on the host, each on a contract (shipped, or a file the
user brings) or on the host binary's native light client."""

from __future__ import annotations

from relayer_sim.scenario.base import Model
from relayer_sim.scenario.durations import DAY, SECOND
from relayer_sim.scenario.fields import ClientCode, CreateAt, Duration, Name, TrustLevel


class ClientSpec(Model):
    """A client of a counterparty; its host client id is assigned when it is created."""

    name: Name
    """The client's name in the scenario, by which relayers, monitors and actions refer to it."""
    counterparty: Name | None = None
    """The name of the counterparty it follows; needed only when there are several
    (``[[counterparties]]``)."""
    contract: ClientCode
    """The light-client contract it runs on: a shipped one (``sim-tendermint-v1``…), a contract
    file (``"build/client.wasm"`` or ``.wasm.gz``, relative to the scenario file), or
    ``"native"``: the host binary's own light client, which only a ``software_upgrade``
    changes (the hard-fork baseline)."""
    trusting_period: Duration = 14 * DAY
    """How long a consensus state can be trusted; without updates the client expires after it."""
    max_clock_drift: Duration = 10 * SECOND
    """How far a header's time may be ahead of the host's clock."""
    trust_level: TrustLevel = (1, 3)
    """The share of a trusted validator set that must sign a skipped-to header, ``"n/d"``."""
    create_at: CreateAt = 0
    """When the client is created, since the start; ``"never"`` leaves it to a ``create_client``
    action."""
