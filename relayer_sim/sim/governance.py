"""Governance as the scenario drives it: proposals for the timeline's governance actions, and
the host's validators voting as soon as a proposal exists: as the entry's ``votes`` say, else
Yes. Each step of a proposal's life goes to the trace: sent, open (or refused), each vote, and
its end (passed, rejected with the tally against the rule, or failed with its message's
error)."""

from __future__ import annotations

from collections.abc import Mapping

from relayer_sim.host.chain import Tx
from relayer_sim.host.messages import Msg, MsgSubmitProposal, MsgVote
from relayer_sim.world import World

PROPOSER = "cosmos1governance"


class GovernanceActor:
    """Submits proposals and has every validator vote in the next block."""

    def __init__(self, world: World, voters: Mapping[str, int], gas_limit: int) -> None:
        self.world, self.voters, self.gas_limit = world, dict(voters), gas_limit
        #: Proposals not yet seen in a block, with their votes.
        self._submitted: list[tuple[Tx, Mapping[str, str]]] = []
        #: Votes not yet seen in a block.
        self._votes: list[Tx] = []
        #: Open proposal id → its title.
        self._titles: dict[int, str] = {}
        self.name = "governance"

    def propose(
        self, title: str, messages: tuple[Msg, ...], votes: Mapping[str, str] | None = None
    ) -> None:
        """Submit a proposal; ``votes`` (validator → option) override the default Yes."""
        tx = Tx(MsgSubmitProposal(PROPOSER, title, messages), self.gas_limit)
        self.world.host.submit(tx)
        self._submitted.append((tx, votes or {}))
        self.world.record(self.name, "proposal_sent", title=title, messages=_names(messages))

    async def run(self) -> None:
        while True:
            await self.world.clock.sleep_until(
                self.name, self.world.host.next_block_time() - self.world.epoch_ns
            )
            self._record_votes()
            self._record_ends()
            self._vote_on_new_proposals()

    def _vote_on_new_proposals(self) -> None:
        still_waiting = []
        for tx, votes in self._submitted:
            assert isinstance(tx.msg, MsgSubmitProposal)
            title = tx.msg.title
            result = self.world.outcome(tx)
            if result is None:
                still_waiting.append((tx, votes))
                continue
            if not result.ok or not isinstance(result.result, int):
                self.world.record(
                    self.name, "proposal_refused", title=title, error=str(result.error)
                )
                continue
            self.world.record(
                self.name,
                "proposal_open",
                title=title,
                proposal=result.result,
                messages=_names(tx.msg.messages),
            )
            self._titles[result.result] = title
            for voter in sorted(self.voters):
                option = votes.get(voter, "Yes")
                vote = Tx(MsgVote(voter, result.result, option), self.gas_limit)
                self.world.host.submit(vote)
                self._votes.append(vote)
        self._submitted = still_waiting

    def _record_votes(self) -> None:
        """Each vote the last block ran: counted, or refused and why."""
        waiting = []
        for tx in self._votes:
            result = self.world.outcome(tx)
            if result is None:
                waiting.append(tx)
                continue
            assert isinstance(tx.msg, MsgVote)
            vote = tx.msg
            self.world.record(
                self.name,
                "vote",
                proposal=vote.proposal_id,
                voter=vote.voter,
                option=vote.option,
                ok=result.ok,
                error=None if result.ok else str(result.error),
            )
        self._votes = waiting

    def _record_ends(self) -> None:
        """Each proposal whose voting period ended in the last block: its status, tally and
        why it did not pass."""
        block = self.world.last_block
        for outcome in () if block is None else block.proposals:
            tally = outcome.tally
            self.world.record(
                self.name,
                f"proposal_{str(outcome.status).lower()}",
                proposal=outcome.proposal_id,
                title=self._titles.pop(outcome.proposal_id, ""),
                tally={
                    "yes": tally.yes,
                    "no": tally.no,
                    "abstain": tally.abstain,
                    "no_with_veto": tally.no_with_veto,
                    "total_power": tally.total_power,
                },
                reason=outcome.error,
            )


def _names(messages: tuple[Msg, ...]) -> list[str]:
    """What a proposal executes if it passes, as the trace names messages."""
    return [type(message).__name__ for message in messages]
