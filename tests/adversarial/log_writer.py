"""Crash points with real SIGKILLs: a host process that commits until it is killed, and the
parent that kills it at random moments and checks that every acknowledged block came back.

``python -m tests.adversarial.log_writer DIRECTORY SEED`` restores a host from DIRECTORY and
commits block after block, block h made by ``block_changes(SEED, h)`` whatever process commits
it, printing h once its commit has returned (acknowledged). The parent can so recompute the
state at any height without trusting the writer. A killed process keeps what it wrote (the page
cache survives it), so half of the kills are also power cuts: the parent tears the bytes no
fsync covered yet as a machine's crash may (``lose_power``) before it restores.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from relayer_sim.host.app import HostApp
from relayer_sim.host.app_hash import next_app_hash
from relayer_sim.host.durability import BlockLog, Committed
from relayer_sim.host.store import Change
from relayer_sim.vm import WasmVM
from tests.adversarial.log_files import commit, lose_power, record_spans

ROOT = Path(__file__).resolve().parents[2]
#: Value sizes: small, a few sectors, and some pages (a kill may cut a multi-page write short).
SIZES = (1, 8, 100, 700, 3000, 20000)


def block_changes(seed: int, height: int) -> list[Change]:
    """Block ``height``'s sets and deletes, in key order (sometimes none)."""
    rng = random.Random(f"{seed}/{height}")
    changes: dict[bytes, bytes | None] = {}
    for _ in range(rng.randrange(7)):
        key = b"key/%d" % rng.randrange(40)
        changes[key] = None if rng.random() < 0.25 else rng.randbytes(rng.choice(SIZES))
    return sorted(changes.items())


class Model:
    """The state the writer's blocks make, recomputed in the parent, height by height."""

    def __init__(self, seed: int) -> None:
        self.seed, self.height, self.app_hash = seed, 0, b""
        self.entries: dict[bytes, bytes] = {}

    def at(self, height: int) -> Committed:
        assert height >= self.height, "a restored height went back"
        while self.height < height:
            self.height += 1
            changes = block_changes(self.seed, self.height)
            self.app_hash = next_app_hash(self.app_hash, changes)
            for key, value in changes:
                if value is None:
                    self.entries.pop(key, None)
                else:
                    self.entries[key] = value
        return Committed(self.height, self.app_hash, dict(sorted(self.entries.items())))


@dataclass
class Counts:
    """What the kills did, for the test and the ``make crash`` JSON."""

    kills: int = 0
    #: Kills before the writer acknowledged a block of its own (during start-up or restore).
    kills_in_start_up: int = 0
    #: The highest height any writer acknowledged, and the height restored last.
    acknowledged: int = 0
    restored: int = 0
    #: Restores that found a whole block past the last acknowledged one, and kept it.
    unacknowledged_kept: int = 0
    #: Kills followed by a power cut, and restores that cut a torn last record off the log.
    power_cuts: int = 0
    torn_tails_cut: int = 0
    seconds: float = 0.0
    restored_heights: list[int] = field(default_factory=list)


def kill_and_restore(vm: WasmVM, directory: Path, kills: int, seed: int) -> Counts:
    """Start a writer on ``directory`` ``kills`` times, SIGKILL it at a random moment, restore,
    and check the restored state against the model; the figures of the run."""
    rng, model, counts = random.Random(seed), Model(seed), Counts()
    started = time.perf_counter()
    for _ in range(kills):
        acknowledged = _run_and_kill(directory, seed, rng)
        counts.kills += 1
        counts.kills_in_start_up += acknowledged is None
        counts.acknowledged = max(counts.acknowledged, acknowledged or 0)
        log = BlockLog(directory).log_path
        if rng.random() < 0.5 and log.exists():
            counts.power_cuts += 1
            _cut_power(log, max(counts.acknowledged, counts.restored), rng)
        size = log.stat().st_size if log.exists() else 0
        restored = HostApp.restore(vm, directory)
        counts.torn_tails_cut += (log.stat().st_size if log.exists() else 0) < size
        assert restored.height >= counts.acknowledged, "an acknowledged block was lost"
        assert restored.height <= counts.acknowledged + 1, "a block nobody committed appeared"
        counts.unacknowledged_kept += restored.height > counts.acknowledged
        assert BlockLog(directory).load() == model.at(restored.height)
        assert restored.app_hash == model.app_hash
        counts.restored = restored.height
        counts.restored_heights.append(restored.height)
    counts.seconds = round(time.perf_counter() - started, 2)
    return counts


def _run_and_kill(directory: Path, seed: int, rng: random.Random) -> int | None:
    """The last height the killed writer acknowledged (None: it acknowledged nothing)."""
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.adversarial.log_writer", str(directory), str(seed)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    if rng.random() < 0.15:
        time.sleep(rng.uniform(0.0, 0.6))  # somewhere in start-up, restore and the first blocks
        lines = []
    else:
        lines = [writer.stdout.readline()]  # the writer is committing
        time.sleep(rng.uniform(0.0, 0.08))
    writer.kill()
    lines += writer.stdout.readlines()
    writer.stdout.close()
    assert writer.wait() == -signal.SIGKILL, "the writer stopped before it was killed"
    heights = [int(line) for line in lines if line.endswith("\n")]
    return heights[-1] if heights else None


def _cut_power(log: Path, durable: int, rng: random.Random) -> None:
    """Tear what follows block ``durable``: every block up to it was acknowledged by a writer or
    restored (and so fsync'd) by the parent; the log holds no snapshot, so block h is record h."""
    synced = record_spans(log)[durable - 1][1] if durable else 0
    log.write_bytes(lose_power(log.read_bytes(), synced, rng))


def main(directory: str, seed: str) -> None:
    host = HostApp.restore(WasmVM(), Path(directory))
    while True:
        commit(host, block_changes(int(seed), host.height + 1))
        print(host.height, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
