"""The scenario's timeline as an actor: each entry fires at its time, when its counterparty
reaches its height, or a delay after another entry fired, and carries out its action.

An action the chains refuse when it fires (a validator change that would leave no validator, a
second planned upgrade) is recorded as ``action_failed`` with the reason; the run goes on."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence

from relayer_sim.counterparty import ChainError, CounterpartyChain, UpgradePlan
from relayer_sim.counterparty.roster import RosterChange, RosterError
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import (
    Msg,
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRemoveChecksum,
    MsgSoftwareUpgrade,
    MsgStoreCode,
    MsgUpdateClientParams,
    MsgUpdateConnectionParams,
)
from relayer_sim.relayer.byzantine import ByzantineRelayer
from relayer_sim.relayer.relayer import Relayer
from relayer_sim.scenario import (
    Action,
    ConsensusSwitch,
    CreateClient,
    Fork,
    Garbage,
    Migrate,
    PlannedUpgrade,
    Recover,
    RelayerOffline,
    RemoveChecksum,
    SoftwareUpgrade,
    StoreCode,
    UpdateParams,
    ValidatorChange,
    ValidatorsOffline,
)
from relayer_sim.scenario.contracts import contract_code
from relayer_sim.scenario.timeline import After, AtHeight, AtTime
from relayer_sim.sim.governance import GovernanceActor
from relayer_sim.world import World


class Timeline:
    """Fires the timeline's entries in order of due time, then of their place in the file."""

    name = "timeline"

    def __init__(
        self,
        world: World,
        entries: Sequence[Action],
        chains: Sequence[str | None],
        governance: GovernanceActor,
        start_client: Callable[[str], None],
        byzantine: Mapping[str, ByzantineRelayer],
        relayers: Mapping[str, Relayer],
    ) -> None:
        self.world, self.entries = world, tuple(entries)
        #: Each entry's counterparty: the one it acts on or whose height it waits for.
        self.chains = tuple(chains)
        self.governance, self.start_client = governance, start_client
        self.byzantine, self.relayers = byzantine, relayers
        self._due: list[tuple[int, int]] = [
            (entry.trigger.time, index)
            for index, entry in enumerate(self.entries)
            if isinstance(entry.trigger, AtTime)
        ]
        heapq.heapify(self._due)
        self._fired: set[int] = set()
        #: (time, entry index, validators) of offline validators due back online (on the
        #: entry's chain).
        self._returns: list[tuple[int, int, tuple[str, ...]]] = []

    async def run(self, end_ns: int) -> None:
        clock = self.world.clock
        while True:
            heads = [queue[0][0] for queue in (self._due, self._returns) if queue]
            await clock.sleep_until(self.name, min(heads, default=end_ns + 1))
            while self._returns and self._returns[0][0] <= clock.now_ns:
                _, index, validators = heapq.heappop(self._returns)
                for validator in validators:
                    self._chain(index).set_online(validator, True)
                self.world.record(
                    self.name,
                    "validators_online",
                    entry=self.entries[index].name,
                    validators=list(validators),
                )
            while self._due and self._due[0][0] <= clock.now_ns:
                _, index = heapq.heappop(self._due)
                self._fire(index)

    def on_height(self, chain: str, height: int) -> None:
        """The counterparty ``chain`` reached ``height``: entries waiting for it are due now."""
        for index, entry in enumerate(self.entries):
            trigger = entry.trigger
            if (
                isinstance(trigger, AtHeight)
                and self.chains[index] == chain
                and trigger.height <= height
                and index not in self._fired
            ):
                self._schedule(index, self.world.clock.now_ns)

    def _chain(self, index: int) -> CounterpartyChain:
        name = self.chains[index]
        assert name is not None, "a chain action has a counterparty (Scenario.entry_counterparty)"
        return self.world.chains[name]

    def _schedule(self, index: int, time_ns: int) -> None:
        if any(queued == index for _, queued in self._due):
            return
        heapq.heappush(self._due, (time_ns, index))
        self.world.clock.wake_by(self.name, time_ns)

    def _fire(self, index: int) -> None:
        if index in self._fired:
            return
        self._fired.add(index)
        entry = self.entries[index]
        self.world.record(self.name, "action", action=entry.action, entry=entry.name)
        try:
            self._carry_out(index, entry)
        except (ChainError, RosterError) as error:
            self.world.record(
                self.name, "action_failed", action=entry.action, entry=entry.name, error=str(error)
            )
        for other, candidate in enumerate(self.entries):
            trigger = candidate.trigger
            if isinstance(trigger, After) and trigger.entry == entry.name:
                self._schedule(other, self.world.clock.now_ns + trigger.delay)

    def _carry_out(self, index: int, entry: Action) -> None:
        world = self.world
        match entry:
            case ConsensusSwitch(version=version):
                chain = self._chain(index)
                chain.schedule_consensus_switch(chain.earliest_change_height(), version)
            case StoreCode(contract=contract):
                message = MsgStoreCode(GOV_AUTHORITY, contract_code(contract).code)
                self.governance.propose(f"store {contract}", (message,), entry.votes)
            case Migrate(client=client, contract=contract):
                migrate = MsgMigrateContract(
                    GOV_AUTHORITY,
                    world.clients.get(client, client),
                    contract_code(contract).checksum,
                    b"{}",
                )
                self.governance.propose(f"migrate {client} to {contract}", (migrate,), entry.votes)
            case RemoveChecksum(contract=contract):
                remove = MsgRemoveChecksum(GOV_AUTHORITY, contract_code(contract).checksum)
                self.governance.propose(f"remove {contract}", (remove,), entry.votes)
            case Recover(subject=subject, substitute=substitute):
                recover = MsgRecoverClient(
                    GOV_AUTHORITY,
                    world.clients.get(subject, subject),
                    world.clients.get(substitute, substitute),
                )
                self.governance.propose(
                    f"recover {subject} from {substitute}", (recover,), entry.votes
                )
            case UpdateParams(allowed_clients=allowed, max_expected_time_per_block=per_block):
                updates: list[Msg] = []
                if allowed is not None:
                    updates.append(MsgUpdateClientParams(GOV_AUTHORITY, tuple(allowed)))
                if per_block is not None:
                    updates.append(MsgUpdateConnectionParams(GOV_AUTHORITY, per_block))
                self.governance.propose("update IBC params", tuple(updates), entry.votes)
            case CreateClient(client=client):
                self.start_client(client)
            case SoftwareUpgrade(upgrade_name=upgrade_name, binary=binary, halt_after=after):
                host = world.host
                notice = host.app.config.gov.voting_period_ns + after
                height = host.height + 1 + -(-notice // host.block_time_ns)
                upgrade = MsgSoftwareUpgrade(GOV_AUTHORITY, upgrade_name, height, binary)
                self.governance.propose(f"upgrade the host to {binary}", (upgrade,), entry.votes)
            case PlannedUpgrade(upgrade_name=upgrade_name, height=height):
                self._chain(index).schedule_upgrade(UpgradePlan(upgrade_name, height))
            case Garbage(relayer=relayer, bytes=size):
                self.byzantine[relayer].send_garbage(size)
            case RelayerOffline(relayer=relayer, duration=duration):
                self.relayers[relayer].go_offline(duration)
            case Fork(kind=kind, coalition=coalition, relayer=relayer, height=height):
                self.byzantine[relayer].send_fork(
                    kind, coalition, height, entry.forge_packet, entry.base
                )
            case ValidatorChange(validator=validator, power=power):
                chain = self._chain(index)
                change = RosterChange(chain.earliest_change_height(), validator, power)
                chain.schedule_validator_change(change)
            case ValidatorsOffline(validators=validators, duration=duration):
                for validator in validators:
                    self._chain(index).set_online(validator, False)
                # Fired in the timeline's own turn: its loop sleeps until this return next.
                back = (world.clock.now_ns + duration, index, tuple(validators))
                heapq.heappush(self._returns, back)
