"""Wire formats a counterparty speaks (``base.Wire``): ``sim-tendermint`` and ``tendermint``."""

from __future__ import annotations

from relayer_sim.counterparty.wire.base import (
    ChainState,
    ClientParams,
    ClientView,
    Forged,
    KeyPath,
    Wire,
)
from relayer_sim.counterparty.wire.sim_tendermint import SimTendermintWire
from relayer_sim.counterparty.wire.tendermint import TendermintWire

#: Every wire format, by the name a scenario's ``[counterparty] format`` gives.
WIRE_FORMATS = ("sim-tendermint", "tendermint")


def new_wire(name: str) -> Wire:
    """A fresh wire of format ``name`` for one chain."""
    if name == "sim-tendermint":
        return SimTendermintWire()
    if name == "tendermint":
        return TendermintWire()
    raise ValueError(f"unknown wire format {name!r} (known: {', '.join(WIRE_FORMATS)})")


__all__ = [
    "WIRE_FORMATS",
    "ChainState",
    "ClientParams",
    "ClientView",
    "Forged",
    "KeyPath",
    "Wire",
    "new_wire",
]
