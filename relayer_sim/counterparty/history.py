"""The committed blocks a chain keeps for its state retention, in memory that fits a month.

A chain keeps its blocks for 21 days (some 300,000 at 6 s); a whole block (header, commit,
signatures) is over a kilobyte of Python objects. What decides its bytes is much less: its
height, time, app hash, which validators signed, and the set that signs the next block. The rest
follows from the chain's schedules, which never change a past height, and from its parent, and
signing is deterministic (ed25519; RFC 6979 ECDSA for secp256k1). So the latest blocks are kept
whole, and one in ``CHECKPOINT`` of the older ones; the others keep only those facts, packed,
and are sealed again when asked for, forward from the checkpoint below, each on its parent, to
the same bytes.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from relayer_sim.lightclient.headers import Header, Height, SignedHeader
from relayer_sim.lightclient.validators import ValidatorSet

#: The latest blocks kept whole: relayers and monitors ask for these (a monitor reads the
#: headers of the host's last 1024 blocks).
RECENT: Final = 1024
#: One block in this many (by production order) is kept whole, to re-seal the next ones from.
CHECKPOINT: Final = 64
#: Forgotten records are dropped from the packed arrays this many at a time (a front deletion
#: moves the whole array).
DROP_BATCH: Final = 16 * CHECKPOINT
APP_HASH_SIZE: Final = 32


@dataclass(frozen=True)
class Block:
    """A committed block: its signed header and the set that will sign the next one."""

    signed: SignedHeader
    next_validator_set: ValidatorSet

    @property
    def header(self) -> Header:
        return self.signed.header

    @property
    def height(self) -> Height:
        return self.signed.header.ibc_height


@dataclass(frozen=True)
class BlockFacts:
    """What a block's bytes follow from, besides the chain's schedules and its parent."""

    height: Height
    time_ns: int
    app_hash: bytes
    #: Bit ``i`` set: the ``i``-th validator of the block's set signed it.
    online: int
    next_validator_set: ValidatorSet


#: Seals a block from its facts on its parent (``None``: the chain's first block).
Seal = Callable[[BlockFacts, SignedHeader | None], Block]


class BlockHistory:
    """Blocks by height, in production order (each one's parent is the block before it)."""

    def __init__(self, seal: Seal) -> None:
        self._seal = seal
        #: Production ordinals: the next block's, the oldest retained one's, the first stored
        #: record's (a checkpoint at or below the oldest retained, to re-seal from).
        self._end = 0
        self._first = 0
        self._stored = 0
        self._times = array("q")
        self._app_hashes = bytearray()
        self._online: list[int] = []
        self._next_sets: list[ValidatorSet] = []
        #: One int object per distinct signer mask (a large one is not shared by itself).
        self._masks: dict[int, int] = {}
        #: Per revision: (first ordinal, revision, first height); heights are consecutive.
        self._revisions: list[tuple[int, int, int]] = []
        self._whole: dict[int, Block] = {}
        #: The last block sealed again, and its ordinal: the next one asked is often the next.
        self._resealed: tuple[int, Block] | None = None

    def append(self, facts: BlockFacts, block: Block) -> None:
        """Keep ``block``, the chain's newest, sealed from ``facts``."""
        height = facts.height
        last = self._height_of(self._end - 1) if self._end else None
        if last is None or last.revision_number != height.revision_number:
            self._revisions.append((self._end, height.revision_number, height.revision_height))
        elif height.revision_height != last.revision_height + 1:
            raise ValueError(f"block {height} does not follow {last}")
        self._times.append(facts.time_ns)
        self._app_hashes += facts.app_hash
        self._online.append(self._masks.setdefault(facts.online, facts.online))
        self._next_sets.append(facts.next_validator_set)
        self._whole[self._end] = block
        aged = self._end - RECENT
        if aged >= 0 and aged % CHECKPOINT:
            self._whole.pop(aged, None)
        self._end += 1

    def get(self, height: Height) -> Block | None:
        """The block at ``height``, or ``None`` if the chain made none there or forgot it."""
        ordinal = self._ordinal(height)
        if ordinal is None:
            return None
        whole = self._whole.get(ordinal)
        if whole is not None:
            return whole
        start = ordinal - ordinal % CHECKPOINT
        block = self._whole[start]
        if self._resealed is not None and start <= self._resealed[0] <= ordinal:
            start, block = self._resealed
        for later in range(start + 1, ordinal + 1):
            block = self._whole.get(later) or self._seal(self._facts(later), block.signed)
        self._resealed = (ordinal, block)
        return block

    def __contains__(self, height: Height) -> bool:
        return self._ordinal(height) is not None

    def next_validator_set(self, height: Height) -> ValidatorSet | None:
        """The set that signs the block after ``height`` (``None``: no block there)."""
        ordinal = self._ordinal(height)
        return None if ordinal is None else self._next_sets[ordinal - self._stored]

    @property
    def oldest(self) -> Height | None:
        """The oldest height still retained."""
        return self._height_of(self._first) if self._first < self._end else None

    def forget_before(self, horizon_ns: int) -> Height | None:
        """Forget the blocks timed before ``horizon_ns`` (never the newest); the oldest height
        kept if that forgot any, else ``None``."""
        first = self._first
        while first < self._end - 1 and self._times[first - self._stored] < horizon_ns:
            first += 1
        if first == self._first:
            return None
        self._first = first
        self._drop_records(first - first % CHECKPOINT)
        return self._height_of(first)

    def _drop_records(self, upto: int) -> None:
        """Drop the records below ordinal ``upto`` (a checkpoint), a batch at a time."""
        count = upto - self._stored
        if count < DROP_BATCH:
            return
        del self._times[:count]
        del self._app_hashes[: count * APP_HASH_SIZE]
        del self._online[:count]
        del self._next_sets[:count]
        for ordinal in range(self._stored, upto):
            self._whole.pop(ordinal, None)
        self._stored = upto
        while len(self._revisions) > 1 and self._revisions[1][0] <= upto:
            del self._revisions[0]

    def _facts(self, ordinal: int) -> BlockFacts:
        index = ordinal - self._stored
        offset = index * APP_HASH_SIZE
        return BlockFacts(
            height=self._height_of(ordinal),
            time_ns=self._times[index],
            app_hash=bytes(self._app_hashes[offset : offset + APP_HASH_SIZE]),
            online=self._online[index],
            next_validator_set=self._next_sets[index],
        )

    def _ordinal(self, height: Height) -> int | None:
        for index, (first, revision, first_height) in enumerate(self._revisions):
            if revision != height.revision_number:
                continue
            end = self._revisions[index + 1][0] if index + 1 < len(self._revisions) else self._end
            ordinal = first + height.revision_height - first_height
            return ordinal if max(first, self._first) <= ordinal < end else None
        return None

    def _height_of(self, ordinal: int) -> Height:
        index = bisect_right(self._revisions, ordinal, key=lambda segment: segment[0]) - 1
        first, revision, first_height = self._revisions[index]
        return Height(revision, first_height + ordinal - first)
