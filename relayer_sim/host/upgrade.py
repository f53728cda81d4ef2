"""The host's software upgrades (the SDK's x/upgrade), the only way the hard-fork baseline's
native light client changes: governance plans an upgrade to a named binary at a height, the
chain halts before that height, validators install the binary (the run's ``upgrade_delay``), and
the chain resumes under it, whose upgrade handler first brings every native client's state to
the new binary's format.

One plan at a time, as in the SDK: a new plan replaces the one pending. The last upgrade done
stays in the state, so a host restored from its block log runs the binary it had installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import msgpack

from relayer_sim.host.errors import InvalidMessage, require_authority
from relayer_sim.host.native import BINARIES
from relayer_sim.vm import Storage

_PLAN: Final = b"plan"
_DONE: Final = b"done"


@dataclass(frozen=True)
class UpgradePlan:
    """Halt before block ``height`` unless running ``binary``."""

    name: str
    height: int
    binary: str


class UpgradeKeeper:
    """The pending upgrade plan, in the host's state."""

    def __init__(self, store: Storage, authority: str) -> None:
        self.store, self.authority = store, authority

    def schedule(self, signer: str, plan: UpgradePlan, current_height: int) -> None:
        require_authority(signer, self.authority)
        if not plan.name:
            raise InvalidMessage("an upgrade plan needs a name")
        if plan.height <= current_height:
            raise InvalidMessage(
                f"upgrade height {plan.height} must be above the current height {current_height}"
            )
        if plan.binary not in BINARIES:
            raise InvalidMessage(
                f"unknown binary {plan.binary!r} (this host knows {', '.join(BINARIES)})"
            )
        self.store.set(_PLAN, _encode(plan))

    def plan(self) -> UpgradePlan | None:
        return _read(self.store.get(_PLAN))

    def last_done(self) -> UpgradePlan | None:
        return _read(self.store.get(_DONE))

    def done(self, plan: UpgradePlan) -> None:
        """``plan`` was carried out: it is no longer pending, and is the last one done."""
        self.store.delete(_PLAN)
        self.store.set(_DONE, _encode(plan))


def _encode(plan: UpgradePlan) -> bytes:
    packed: bytes = msgpack.packb([plan.name, plan.height, plan.binary])
    return packed


def _read(raw: bytes | None) -> UpgradePlan | None:
    if raw is None:
        return None
    name, height, binary = msgpack.unpackb(raw)
    return UpgradePlan(name, height, binary)
