"""The light client's own state: what the contract keeps in ``clientState`` and
``consensusStates/{rev}-{h}`` (inside the 08-wasm protobuf wrappers, as msgpack ``data``).

- client state    ``[format, chain_id, [trust_num, trust_den], trusting_period_ns,
                    max_clock_drift_ns, latest_height, frozen_height, upgrade_path]``
                    (``frozen_height`` ``[0, 0]`` = not frozen; ``upgrade_path`` a list of strings)
- consensus state ``[format, timestamp_ns, root, next_validators_hash]``

``format`` is 1 for the v1 contract; v2's ``migrate`` rewrites v1 state as format 2, which
adds the header version to consensus states (``[2, timestamp_ns, root, next_validators_hash,
header_version]``) so that a client knows which scheme its trusted validators sign with.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Final

import msgpack

from relayer_sim.lightclient.headers import Height

NOT_FROZEN: Final = Height(0, 0)


@dataclass(frozen=True)
class TrustLevel:
    """The share of a trusted validator set's power that must sign a skipped-to header.

    Kept as written (not reduced) so that a decoded client state re-encodes to the same bytes.
    """

    numerator: int
    denominator: int


DEFAULT_TRUST_LEVEL: Final = TrustLevel(1, 3)
#: The root of a consensus state installed by an upgrade (ibc-go's ``sentinel_root``, hashed to
#: our root size): no tree has it as a root, so every proof fails until a real update arrives.
SENTINEL_ROOT: Final = hashlib.sha256(b"sentinel_root").digest()
DEFAULT_UPGRADE_PATH: Final = ("upgrade", "upgradedIBCState")


@dataclass(frozen=True)
class ClientState:
    chain_id: str
    trust_level: TrustLevel
    trusting_period_ns: int
    max_clock_drift_ns: int
    latest_height: Height
    frozen_height: Height = NOT_FROZEN
    upgrade_path: tuple[str, ...] = DEFAULT_UPGRADE_PATH
    format: int = 1

    @property
    def frozen(self) -> bool:
        return self.frozen_height != NOT_FROZEN

    def encode(self) -> bytes:
        return msgpack.packb(  # type: ignore[no-any-return]
            [
                self.format,
                self.chain_id,
                [self.trust_level.numerator, self.trust_level.denominator],
                self.trusting_period_ns,
                self.max_clock_drift_ns,
                self.latest_height.encode(),
                self.frozen_height.encode(),
                list(self.upgrade_path),
            ]
        )

    def zeroed_for_upgrade(self) -> ClientState:
        """The chain-chosen fields only: what a chain publishes under its upgrade key."""
        return replace(
            self,
            trust_level=TrustLevel(0, 0),
            trusting_period_ns=0,
            max_clock_drift_ns=0,
            frozen_height=NOT_FROZEN,
        )


@dataclass(frozen=True)
class ConsensusState:
    timestamp_ns: int
    root: bytes
    next_validators_hash: bytes
    header_version: int = 1
    format: int = 1

    def encode(self) -> bytes:
        fields: list[object] = [
            self.format,
            self.timestamp_ns,
            self.root,
            self.next_validators_hash,
        ]
        if self.format >= 2:
            fields.append(self.header_version)
        return msgpack.packb(fields)  # type: ignore[no-any-return]
