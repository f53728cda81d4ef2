"""The counterparty chain: blocks signed by the validators that are online, over a Merkle state.

Everything a block depends on is fixed by the configuration, the schedules and the times it is
asked to produce blocks at, so one seed gives one chain. A block needs more than 2/3 of the voting
power online; with less, ``produce_block`` answers ``Stalled`` and the height stays where it is.
The chain decides what happens; its wire format (``counterparty.wire``) decides the bytes: the
state commitment, header hashes, commits and client states.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from relayer_sim.counterparty.history import Block, BlockFacts, BlockHistory
from relayer_sim.counterparty.ibc import CounterpartyIbc
from relayer_sim.counterparty.roster import Roster, RosterChange, ValidatorSpec
from relayer_sim.counterparty.upgrade import UpgradePlan
from relayer_sim.counterparty.wire import WIRE_FORMATS, ClientParams, KeyPath, new_wire
from relayer_sim.formats.ics24 import DEFAULT_COMMITMENT_PREFIX, is_store_name
from relayer_sim.lightclient.headers import (
    CONSENSUS_VERSIONS,
    ConsensusVersion,
    Header,
    HeaderMessage,
    Height,
    SignedHeader,
)
from relayer_sim.lightclient.packets import Packet
from relayer_sim.lightclient.paths import upgrade_paths
from relayer_sim.lightclient.schemes import SigningKey
from relayer_sim.lightclient.states import DEFAULT_UPGRADE_PATH
from relayer_sim.lightclient.validators import ValidatorSet

SECOND = 1_000_000_000
DAY = 86_400 * SECOND
GENESIS_TIME_NS = 1_700_000_000 * SECOND
NO_BLOCK_HASH = bytes(32)


class ChainError(ValueError):
    """A request the chain cannot honour (a late schedule, a time going backwards, …)."""


class ChainHalted(ChainError):
    """The chain halted for a planned upgrade and has not restarted yet."""


@dataclass(frozen=True)
class ChainConfig:
    """What a scenario says about a counterparty chain."""

    name: str
    validators: tuple[ValidatorSpec, ...]
    revision: int = 1
    seed: bytes = b"counterparty"
    consensus: str = "tm-ed25519"
    #: The wire format it speaks (DESIGN.md §6a): ``sim-tendermint`` or ``tendermint``.
    format: str = "sim-tendermint"
    block_time_ns: int = 6 * SECOND
    #: Each block time is ``block_time_ns`` plus a uniform draw in ``[-jitter, +jitter]``.
    block_jitter_ns: int = 0
    genesis_time_ns: int = GENESIS_TIME_NS
    #: How long a committed state stays provable: older heights are pruned (the unbonding
    #: period: no client can trust a header older than that).
    state_retention_ns: int = 21 * DAY
    #: The store its IBC state is proven under (its connection ends' commitment prefix).
    commitment_prefix: bytes = DEFAULT_COMMITMENT_PREFIX

    def __post_init__(self) -> None:
        if self.consensus not in CONSENSUS_VERSIONS:
            known = ", ".join(sorted(CONSENSUS_VERSIONS))
            raise ChainError(f"unknown consensus version {self.consensus!r} (known: {known})")
        if self.format not in WIRE_FORMATS:
            known = ", ".join(WIRE_FORMATS)
            raise ChainError(f"unknown wire format {self.format!r} (known: {known})")
        if not 0 <= self.block_jitter_ns < self.block_time_ns:
            raise ChainError("block jitter must be non-negative and below the block time")
        prefix = self.commitment_prefix
        if not (prefix.isascii() and is_store_name(prefix.decode())):
            raise ChainError(
                f"commitment prefix {prefix!r} is no store name (printable ASCII, no '/')"
            )


@dataclass(frozen=True)
class Stalled:
    """No block: the online validators hold too little power."""

    height: Height
    online_power: int
    total_power: int

    def __str__(self) -> str:
        return (
            f"stalled at {self.height}: {self.online_power} of {self.total_power} voting power "
            "online, more than 2/3 needed"
        )


class CounterpartyChain:
    """One simulated chain; relayers read it only through the query methods."""

    def __init__(self, config: ChainConfig) -> None:
        self.config = config
        self.roster = Roster(config.seed, config.validators)
        self.wire = new_wire(config.format)
        self.state = self.wire.new_state(config.commitment_prefix.decode())
        #: Its IBC core: connections, channels and packets, in ``state``.
        self.ibc = CounterpartyIbc(self.state, config.commitment_prefix)
        self.revision = config.revision
        self.halted = False
        self.upgrade_plan: UpgradePlan | None = None
        #: Revision → its last height, for revisions ended by a planned upgrade.
        self.last_heights: dict[int, Height] = {}
        self._initial_version = CONSENSUS_VERSIONS[config.consensus]
        self._version_switches: dict[Height, ConsensusVersion] = {}
        self._offline: set[str] = set()
        #: The committed heights still provable, each block whole or re-sealable.
        self._blocks = BlockHistory(self._seal)
        self._latest: Height | None = None
        self._last_time_ns = config.genesis_time_ns
        self._random = random.Random(config.seed)

    # -- identity and time ----------------------------------------------------------------------

    @property
    def chain_id(self) -> str:
        return f"{self.config.name}-{self.revision}"

    @property
    def latest_height(self) -> Height | None:
        """The height of the last committed block (``None`` before the first block)."""
        return self._latest

    @property
    def latest_time_ns(self) -> int:
        return self._last_time_ns

    def next_block_time(self) -> int:
        """When the next block is due: the last block's time plus the block time and jitter."""
        jitter = self.config.block_jitter_ns
        offset = self._random.randint(-jitter, jitter) if jitter else 0
        return self._last_time_ns + self.config.block_time_ns + offset

    def next_height(self) -> Height:
        """The height of the next block: what is written now is in its state."""
        if self._latest is None or self._latest.revision_number != self.revision:
            return Height(self.revision, 1)
        return Height(self.revision, self._latest.revision_height + 1)

    # -- schedules --------------------------------------------------------------------------------

    def version_at(self, height: Height) -> ConsensusVersion:
        """The consensus version that signs the block at ``height``."""
        current = self._initial_version
        for at in sorted(self._version_switches):
            if at > height:
                break
            current = self._version_switches[at]
        return current

    def validator_set(self, height: Height) -> ValidatorSet:
        """The set that signs (or will sign) the block at ``height``."""
        return self.roster.validator_set(height, self.version_at(height).scheme)

    def _check_schedulable(self, at: Height, what: str) -> None:
        earliest = self.earliest_change_height()
        if at < earliest:
            raise ChainError(f"too late to schedule {what} at {at}: the earliest is {earliest}")

    def earliest_change_height(self) -> Height:
        """The first height a change of validators or consensus can take effect at: a block
        commits to its successor's validators, so a change must skip the next block."""
        if self._latest is None:
            earliest = Height(self.revision, 1)
        else:
            earliest = Height(self._latest.revision_number, self._latest.revision_height + 2)
        plan = self.upgrade_plan
        if (
            plan is not None
            and self._latest is not None
            and self._latest.revision_height >= (plan.height - 1)
        ):
            earliest = max(earliest, Height(self.revision + 1, 2))
        return earliest

    def schedule_consensus_switch(self, at: Height, version: str) -> None:
        """From the block at ``at`` on, sign with consensus ``version`` (light-client breaking)."""
        if version not in CONSENSUS_VERSIONS:
            raise ChainError(f"unknown consensus version {version!r}")
        self._check_schedulable(at, f"a switch to {version}")
        self._version_switches[at] = CONSENSUS_VERSIONS[version]

    def schedule_validator_change(self, change: RosterChange) -> None:
        """A validator joins, leaves (power 0) or changes power from ``change.height`` on."""
        self._check_schedulable(change.height, f"a change of {change.name}")
        self.roster.schedule(change)

    def set_online(self, name: str, online: bool) -> None:
        """Take a validator offline (it stops signing) or bring it back."""
        (self._offline.discard if online else self._offline.add)(name)

    def schedule_upgrade(self, plan: UpgradePlan) -> None:
        """Publish the upgraded client state now; halt after the block at ``plan.height``."""
        if self.upgrade_plan is not None:
            raise ChainError(f"upgrade {self.upgrade_plan.name!r} is already planned")
        next_height = self.next_height().revision_height
        if plan.height <= next_height:
            raise ChainError(f"upgrade height {plan.height} must be above {next_height}")
        self.upgrade_plan = plan
        client_path, _ = upgrade_paths(DEFAULT_UPGRADE_PATH, plan.height)
        anchor = self.wire.upgrade_height(self.revision + 1)
        upgraded = self.wire.upgraded_client_state(
            f"{self.config.name}-{anchor.revision_number}",
            anchor,
            self.version_at(Height(anchor.revision_number, 1)),
        )
        self.state.write(tuple(client_path), upgraded)

    def _publish_upgraded_consensus_state(self, plan: UpgradePlan, time_ns: int) -> None:
        """The block before the halt publishes the consensus state upgraded clients start
        from: its time, and the validators of the block after the anchor (so that a client
        moves from the anchor to the new revision with an adjacent update)."""
        anchor = self.wire.upgrade_height(self.revision + 1)
        following = Height(anchor.revision_number, anchor.revision_height + 1)
        version = self.version_at(following)
        state = self.wire.upgraded_consensus_state(
            time_ns, self.roster.validator_set(following, version.scheme), version
        )
        _, consensus_path = upgrade_paths(DEFAULT_UPGRADE_PATH, plan.height)
        self.state.write(tuple(consensus_path), state)

    def restart_after_upgrade(self) -> None:
        """Come back from the upgrade halt as the next revision (chain id ``name-(N+1)``)."""
        if not self.halted or self.upgrade_plan is None:
            raise ChainError("the chain is not halted for an upgrade")
        self.last_heights[self.revision] = Height(self.revision, self.upgrade_plan.height)
        self.revision += 1
        self.upgrade_plan = None
        self.halted = False

    # -- blocks -----------------------------------------------------------------------------------

    def produce_block(self, time_ns: int) -> Block | Stalled:
        """Commit the pending writes in a block at ``time_ns``, signed by the online validators."""
        if self.halted:
            raise ChainHalted(f"{self.chain_id} halted for upgrade; restart it first")
        if time_ns <= self._last_time_ns:
            raise ChainError(
                f"block time {time_ns} is not after the last block's {self._last_time_ns}"
            )
        height = self.next_height()
        version = self.version_at(height)
        validators = self.roster.validator_set(height, version.scheme)
        online = self._online_mask(height, validators)
        online_power = sum(v.power for v, up in zip(validators, online, strict=True) if up)
        if not online_power * 3 > validators.total_power * 2:
            return Stalled(height, online_power, validators.total_power)
        plan = self.upgrade_plan
        if plan is not None and height.revision_height == plan.height - 1:
            self._publish_upgraded_consensus_state(plan, time_ns)
        following = Height(height.revision_number, height.revision_height + 1)
        if plan is not None and height.revision_height == plan.height:
            following = Height(self.revision + 1, 1)
        next_validators = self.validator_set(following)
        parent = None if self._latest is None else self.block(self._latest).signed
        mask = sum(1 << index for index, up in enumerate(online) if up)
        facts = BlockFacts(height, time_ns, self.state.commit(height), mask, next_validators)
        block = self._seal(facts, parent)
        self._blocks.append(facts, block)
        self._latest = height
        self._last_time_ns = time_ns
        self._prune(time_ns)
        if plan is not None and height.revision_height == plan.height:
            self.halted = True
        return block

    def _seal(self, facts: BlockFacts, parent: SignedHeader | None) -> Block:
        """The block ``facts`` describe, on ``parent``: how a block is made, and made again
        (``BlockHistory``) to the same bytes."""
        height = facts.height
        version = self.version_at(height)
        validators = self.roster.validator_set(height, version.scheme)
        header = Header(
            version=version,
            chain_id=f"{self.config.name}-{height.revision_number}",
            revision=height.revision_number,
            height=height.revision_height,
            time_ns=facts.time_ns,
            validators_hash=self.wire.validators_hash(validators),
            next_validators_hash=self.wire.validators_hash(facts.next_validator_set),
            app_hash=facts.app_hash,
            last_block_hash=NO_BLOCK_HASH if parent is None else parent.commit.block_hash,
        )
        signers = self._signers(height, validators, facts.online)
        return Block(self.wire.seal(header, validators, signers, parent), facts.next_validator_set)

    def _prune(self, time_ns: int) -> None:
        """Forget the blocks and states of heights older than the retention period: no client
        can trust a header that old, so no relayer or monitor asks for one again."""
        oldest = self._blocks.forget_before(time_ns - self.config.state_retention_ns)
        if oldest is not None:
            self.state.prune(oldest)

    def _online_mask(self, height: Height, validators: ValidatorSet) -> list[bool]:
        names = self.roster.names_by_key(validators.scheme, height)
        return [names.get(v.public_key) not in self._offline for v in validators]

    def _signers(
        self, height: Height, validators: ValidatorSet, online: int
    ) -> dict[bytes, SigningKey]:
        """The keys of the validators that sign the block at ``height`` (bit ``i`` of
        ``online``: the ``i``-th signs), by public key."""
        scheme = validators.scheme
        names = self.roster.names_by_key(scheme, height)
        return {
            v.public_key: self.roster.key(names[v.public_key], scheme)
            for index, v in enumerate(validators)
            if online >> index & 1
        }

    # -- queries (what relayers see) --------------------------------------------------------------

    def block(self, height: Height) -> Block:
        block = self._blocks.get(height)
        if block is None:
            raise ChainError(f"{self.config.name} has no block at {height}")
        return block

    def header_message(self, height: Height, trusted: Height) -> HeaderMessage:
        """The update a relayer sends to move a client trusting ``trusted`` to ``height``."""
        return HeaderMessage(self.block(height).signed, trusted, self.trusted_validators(trusted))

    def client_states(self, height: Height, params: ClientParams) -> tuple[bytes, bytes]:
        """The client and consensus state ``data`` a relayer creates a light client with,
        trusting the block at ``height``."""
        return self.wire.client_states(self.chain_id, self.block(height).signed, params)

    def trusted_validators(self, trusted: Height) -> ValidatorSet:
        """The set a client trusting ``trusted`` knows as "next validators"."""
        kept = self._blocks.next_validator_set(trusted)
        if kept is None:  # the anchor an upgrade published
            return self.validator_set(Height(trusted.revision_number, trusted.revision_height + 1))
        return kept

    def value(self, path: KeyPath, height: Height) -> bytes | None:
        self._committed(height)
        return self.state.value(path, height)

    def prove(self, path: KeyPath, height: Height) -> bytes:
        """An encoded (non-)existence proof of ``path`` against the app hash of ``height``."""
        self._committed(height)
        return self.state.prove(path, height)

    def receive_from_host(self, packet: Packet) -> bool:
        """Receive ``packet`` in the next block (``CounterpartyIbc.recv_packet``, at the next
        block's height and, at the earliest, the last block's time)."""
        return self.ibc.recv_packet(packet, self.next_height(), self._last_time_ns)

    def _committed(self, height: Height) -> None:
        """Raise ``ChainError`` unless the chain made a block at ``height``; a height pruned
        since is left to the state to refuse."""
        oldest = self._blocks.oldest
        if height not in self._blocks and not (oldest is not None and height < oldest):
            self.block(height)
