"""Planned chain upgrades through the upgrade key (DESIGN.md §5).

The chain publishes, in its own state, the client state and consensus state a light client must
switch to; a relayer updates the client to the plan height, proves both against it and sends
``MsgUpgradeClient``. The new revision's heights start again at 1, and the published consensus
state stands at height 0 of the new revision with the next validators of its first block, so the
first header of the new revision is an adjacent update.
"""

from __future__ import annotations

from dataclasses import dataclass

from relayer_sim.lightclient.headers import Height


@dataclass(frozen=True)
class UpgradePlan:
    """Halt after the block at ``height`` and restart as the next revision."""

    name: str
    height: int


def new_revision_anchor(revision: int) -> Height:
    """Where the published consensus state stands: height 0 of the next revision."""
    return Height(revision + 1, 0)
