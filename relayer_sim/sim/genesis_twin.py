"""A run's genesis export, checked: at a host height the host's committed state is exported to a
genesis file, a second host is started from the file, and from then on it is given every block
the first one makes (the same transactions at the same times, and the binary a software upgrade
installs), their app hashes compared block by block. It only looks: the run and its trace are the
same with or without it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from relayer_sim.host import genesis
from relayer_sim.host.app import HostApp
from relayer_sim.host.chain import HostChain
from relayer_sim.world import World


@dataclass(frozen=True)
class GenesisCheck:
    """What the check found: the height exported, the file, and how far the twin matched."""

    height: int
    path: Path
    #: Blocks made after the export by both hosts with the same app hash.
    blocks_matched: int
    #: The first block whose app hashes differ (None: none did).
    first_mismatch: int | None

    @property
    def ok(self) -> bool:
        return self.first_mismatch is None

    def __str__(self) -> str:
        if self.first_mismatch is not None:
            return (
                f"genesis at height {self.height} ({self.path}): a host started from it "
                f"diverged at block {self.first_mismatch}"
            )
        return (
            f"genesis at height {self.height} ({self.path}): a host started from it made the "
            f"{self.blocks_matched} blocks after it with the same app hashes"
        )


class GenesisTwin:
    """An observer of a run (``World.observers``) that exports at ``height`` into ``path``."""

    def __init__(self, height: int, path: Path) -> None:
        self.height, self.path = height, path
        self._twin: HostChain | None = None
        self._matched = 0
        self._mismatch: int | None = None

    def __call__(self, world: World) -> None:
        host = world.host
        if host.height == self.height:
            data = genesis.to_json(host.app.export_genesis(host.env()))
            self.path.write_bytes(data)
            app = HostApp.from_genesis(host.app.vm, data, host.app.config)
            self._twin = HostChain(app, host.chain_id, host.block_time_ns, host.time_ns)
            return
        twin, block = self._twin, world.last_block
        if twin is None or block is None or self._mismatch is not None:
            return
        binary = host.app.native.binary
        if twin.app.native.binary != binary:
            twin.restart(binary)
        for record in block.txs:
            twin.submit(record.tx)
        if twin.produce_block(block.time_ns).app_hash == block.app_hash:
            self._matched += 1
        else:
            self._mismatch = block.height

    def result(self) -> GenesisCheck | None:
        """None when the run never reached the height."""
        if self._twin is None:
            return None
        return GenesisCheck(self.height, self.path, self._matched, self._mismatch)
