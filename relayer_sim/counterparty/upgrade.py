"""Planned chain upgrades through the upgrade key (DESIGN.md §5).

The chain publishes, in its own state, the client state and consensus state a light client must
switch to; a relayer updates the client to the plan height, proves both against it and sends
``MsgUpgradeClient``. The new revision's heights start again at 1; the published consensus state
stands where the wire format puts it (``Wire.upgrade_height``: height 0 of the new revision for
sim-tendermint, height 1 for tendermint, whose client states cannot stand at 0) with the
validators of the block after it, so the next header is an adjacent update.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UpgradePlan:
    """Halt after the block at ``height`` and restart as the next revision."""

    name: str
    height: int
