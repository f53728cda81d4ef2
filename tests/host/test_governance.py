"""Governance decides proposals by the validators' power with the SDK's rules, runs the messages
of a passed proposal in order exactly once, and keeps everything in its store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.host.errors import (
    InactiveProposal,
    InvalidMessage,
    NotFound,
    Unauthorized,
)
from relayer_sim.host.governance import (
    GOV_AUTHORITY,
    Governance,
    GovParams,
    ProposalOutcome,
    ProposalStatus,
    Tally,
    Vote,
    VoteOption,
)
from relayer_sim.vm import MemoryStorage, Storage
from relayer_sim.vm.addresses import Bech32Addresses
from relayer_sim.vm.storage import WriteBuffer

SECOND = 10**9
PERIOD = 60 * SECOND
PARAMS = GovParams(voting_period_ns=PERIOD)
YES, NO, ABSTAIN, VETO = VoteOption.YES, VoteOption.NO, VoteOption.ABSTAIN, VoteOption.NO_WITH_VETO
PASSED, REJECTED, FAILED = ProposalStatus.PASSED, ProposalStatus.REJECTED, ProposalStatus.FAILED


class Chain:
    """Validator power that tests may change, and the messages governance executed."""

    def __init__(self, power: dict[str, int] | None = None) -> None:
        self.power = dict(power or {"val-a": 40, "val-b": 30, "val-c": 20, "val-d": 10})
        self.executed: list[str] = []

    def governance(
        self, store: Storage | None = None, params: GovParams = PARAMS
    ) -> Governance[str]:
        return Governance(
            MemoryStorage() if store is None else store,
            params,
            lambda: self.power,
            encode=str.encode,
            decode=bytes.decode,
        )

    def execute(self, message: str) -> None:
        """Run a message; ``refuse:…`` messages fail the way a host message fails."""
        self.executed.append(message)
        if message.startswith("refuse:"):
            raise Unauthorized(f"signer is not the authority ({message})")

    def decide(
        self, votes: dict[str, VoteOption], messages: tuple[str, ...] = ("m",)
    ) -> ProposalOutcome:
        """Submit one proposal at time 0, cast ``votes`` and end its voting period."""
        gov = self.governance()
        proposal_id = gov.submit("val-a", "title", messages, 0)
        for voter, option in votes.items():
            gov.vote(proposal_id, voter, option, SECOND)
        (outcome,) = gov.end_block(PERIOD, self.execute)
        return outcome


def test_the_authority_is_the_gov_module_account() -> None:
    module_address = hashlib.sha256(b"gov").digest()[:20]
    assert Bech32Addresses("cosmos").humanize(module_address) == GOV_AUTHORITY


def test_submit_opens_the_voting_period_and_numbers_proposals_from_one() -> None:
    gov = Chain().governance()
    assert gov.submit("val-a", "store code", ("store",), 5 * SECOND) == 1
    assert gov.submit("val-b", "migrate", ("migrate", "recover"), 7 * SECOND) == 2
    proposal = gov.proposal(2)
    assert (proposal.title, proposal.proposer, proposal.messages) == (
        "migrate",
        "val-b",
        ("migrate", "recover"),
    )
    assert proposal.submit_time_ns == 7 * SECOND
    assert proposal.voting_end_ns == 7 * SECOND + PERIOD
    assert proposal.status is ProposalStatus.VOTING_PERIOD
    assert (proposal.final_tally, proposal.error) == (None, None)
    assert [p.proposal_id for p in gov.proposals()] == [1, 2]


@pytest.mark.parametrize(
    ("proposer", "title", "messages"),
    [("val-a", "t", ()), ("val-a", "  ", ("m",)), ("", "t", ("m",))],
    ids=["no messages", "blank title", "no proposer"],
)
def test_submit_refuses_incomplete_proposals(
    proposer: str, title: str, messages: tuple[str, ...]
) -> None:
    gov = Chain().governance()
    with pytest.raises(InvalidMessage):
        gov.submit(proposer, title, messages, 0)
    assert gov.proposals() == ()


def test_a_majority_passes_and_runs_the_messages_in_order_exactly_once() -> None:
    chain = Chain()
    gov = chain.governance()
    proposal_id = gov.submit("val-a", "upgrade", ("first", "second", "third"), 0)
    gov.vote(proposal_id, "val-a", YES, SECOND)
    gov.vote(proposal_id, "val-b", YES, SECOND)
    gov.vote(proposal_id, "val-c", NO, SECOND)

    assert gov.end_block(PERIOD - 1, chain.execute) == []
    assert chain.executed == []
    tally = Tally(yes=70, no=20, total_power=100)
    assert gov.end_block(PERIOD, chain.execute) == [ProposalOutcome(proposal_id, PASSED, tally)]
    assert chain.executed == ["first", "second", "third"]

    assert gov.end_block(PERIOD + SECOND, chain.execute) == []
    assert chain.executed == ["first", "second", "third"]
    proposal = gov.proposal(proposal_id)
    assert (proposal.status, proposal.final_tally, proposal.error) == (PASSED, tally, None)


def test_too_little_participation_fails_the_quorum() -> None:
    chain = Chain()
    outcome = chain.decide({"val-c": YES, "val-d": YES})
    assert (outcome.status, outcome.tally) == (REJECTED, Tally(yes=30, total_power=100))
    assert chain.executed == []


def test_participation_exactly_at_the_quorum_is_enough() -> None:
    assert Chain({"small": 1, "large": 2}).decide({"small": YES}).status is PASSED


def test_a_majority_of_no_rejects() -> None:
    chain = Chain()
    outcome = chain.decide({"val-a": NO, "val-b": YES, "val-c": YES, "val-d": NO})
    assert (outcome.status, outcome.tally) == (REJECTED, Tally(yes=50, no=50, total_power=100))
    assert chain.executed == []


def test_abstaining_counts_for_the_quorum_but_not_the_majority() -> None:
    chain = Chain()
    assert chain.decide({"val-a": ABSTAIN, "val-d": YES}).status is PASSED
    assert chain.decide({"val-a": ABSTAIN, "val-b": ABSTAIN}).status is REJECTED


def test_a_veto_above_a_third_of_the_votes_rejects_despite_a_yes_majority() -> None:
    chain = Chain()
    outcome = chain.decide({"val-a": YES, "val-c": YES, "val-b": VETO, "val-d": VETO})
    assert (outcome.status, outcome.tally) == (
        REJECTED,
        Tally(yes=60, no_with_veto=40, total_power=100),
    )
    assert chain.executed == []
    assert Chain({"yes": 2, "veto": 1}).decide({"yes": YES, "veto": VETO}).status is PASSED


def test_voting_again_replaces_the_earlier_vote() -> None:
    chain = Chain()
    gov = chain.governance()
    proposal_id = gov.submit("val-a", "t", ("m",), 0)
    gov.vote(proposal_id, "val-a", NO, SECOND)
    gov.vote(proposal_id, "val-a", YES, 2 * SECOND)
    assert gov.votes(proposal_id) == (Vote("val-a", YES),)
    (outcome,) = gov.end_block(PERIOD, chain.execute)
    assert (outcome.status, outcome.tally) == (PASSED, Tally(yes=40, total_power=100))


def test_votes_are_listed_by_voter() -> None:
    gov = Chain().governance()
    proposal_id = gov.submit("val-a", "t", ("m",), 0)
    for voter, option in (("val-c", NO), ("val-a", YES), ("val-b", "Abstain")):
        gov.vote(proposal_id, voter, option, SECOND)
    assert gov.votes(proposal_id) == (
        Vote("val-a", YES),
        Vote("val-b", ABSTAIN),
        Vote("val-c", NO),
    )


def test_votes_close_at_the_voting_end() -> None:
    chain = Chain()
    gov = chain.governance()
    proposal_id = gov.submit("val-a", "t", ("m",), 0)
    with pytest.raises(InactiveProposal):
        gov.vote(proposal_id, "val-a", YES, PERIOD)
    gov.end_block(PERIOD, chain.execute)
    with pytest.raises(InactiveProposal):
        gov.vote(proposal_id, "val-a", YES, PERIOD - 1)
    assert gov.votes(proposal_id) == ()


@pytest.mark.parametrize("voter", ["outsider", "retired"])
def test_only_validators_with_power_may_vote(voter: str) -> None:
    chain = Chain({"val-a": 10, "retired": 0})
    gov = chain.governance()
    proposal_id = gov.submit("val-a", "t", ("m",), 0)
    with pytest.raises(Unauthorized):
        gov.vote(proposal_id, voter, YES, SECOND)
    assert gov.votes(proposal_id) == ()


def test_an_unknown_vote_option_is_refused() -> None:
    gov = Chain().governance()
    proposal_id = gov.submit("val-a", "t", ("m",), 0)
    with pytest.raises(InvalidMessage):
        gov.vote(proposal_id, "val-a", "Maybe", SECOND)


@pytest.mark.parametrize("proposal_id", [0, -1, 2, 2**64])
def test_unknown_proposals_are_not_found(proposal_id: int) -> None:
    gov = Chain().governance()
    gov.submit("val-a", "t", ("m",), 0)
    with pytest.raises(NotFound):
        gov.proposal(proposal_id)
    with pytest.raises(NotFound):
        gov.votes(proposal_id)
    with pytest.raises(NotFound):
        gov.vote(proposal_id, "val-a", YES, SECOND)


def test_power_is_counted_as_it_stands_at_the_tally() -> None:
    chain = Chain()
    gov = chain.governance()
    proposal_id = gov.submit("val-a", "t", ("m",), 0)
    gov.vote(proposal_id, "val-a", NO, SECOND)
    gov.vote(proposal_id, "val-b", YES, SECOND)
    gov.vote(proposal_id, "val-c", YES, SECOND)
    chain.power["val-c"] = 0
    chain.power["val-e"] = 25
    (outcome,) = gov.end_block(PERIOD, chain.execute)
    assert (outcome.status, outcome.tally) == (REJECTED, Tally(yes=30, no=40, total_power=105))


def test_a_failing_message_fails_the_proposal_and_stops_the_rest() -> None:
    chain = Chain()
    gov = chain.governance()
    proposal_id = gov.submit("val-a", "t", ("first", "refuse:second", "third"), 0)
    gov.vote(proposal_id, "val-a", YES, SECOND)
    (outcome,) = gov.end_block(PERIOD, chain.execute)
    error = "signer is not the authority (refuse:second)"
    assert (outcome.status, outcome.error) == (FAILED, error)
    assert outcome.tally == Tally(yes=40, total_power=100)
    assert chain.executed == ["first", "refuse:second"]
    proposal = gov.proposal(proposal_id)
    assert (proposal.status, proposal.error) == (FAILED, error)


def test_run_atomically_a_failed_proposal_keeps_none_of_its_writes() -> None:
    host_state = MemoryStorage()
    caches: list[WriteBuffer] = []

    def atomically(run: Callable[[], None]) -> None:
        caches.append(WriteBuffer(host_state))
        run()
        caches[-1].apply()

    def execute(message: str) -> None:
        caches[-1].set(message.encode(), b"done")
        if message.startswith("refuse:"):
            raise Unauthorized("signer is not the authority")

    gov = Chain().governance()
    for messages in (("a", "refuse:b"), ("c", "d")):
        proposal_id = gov.submit("val-a", "t", messages, 0)
        gov.vote(proposal_id, "val-a", YES, SECOND)
    outcomes = gov.end_block(PERIOD, execute, atomically)
    assert [o.status for o in outcomes] == [FAILED, PASSED]
    assert host_state.items() == {b"c": b"done", b"d": b"done"}


def test_an_error_that_is_not_a_host_error_is_a_bug_and_propagates() -> None:
    gov = Chain().governance()
    proposal_id = gov.submit("val-a", "t", ("m",), 0)
    gov.vote(proposal_id, "val-a", YES, SECOND)

    def broken(message: str) -> None:
        raise RuntimeError("bug in the host")

    with pytest.raises(RuntimeError):
        gov.end_block(PERIOD, broken)


def test_proposals_ending_in_one_block_are_decided_in_id_order() -> None:
    chain = Chain()
    gov = chain.governance()
    for submitted_at, votes in ((0, YES), (SECOND, NO), (2 * SECOND, YES)):
        proposal_id = gov.submit("val-a", "t", (f"run-{submitted_at // SECOND}",), submitted_at)
        gov.vote(proposal_id, "val-a", votes, 3 * SECOND)
        gov.vote(proposal_id, "val-b", votes, 3 * SECOND)
    late = gov.submit("val-a", "t", ("late",), 3 * SECOND)
    gov.vote(late, "val-a", YES, 3 * SECOND)

    outcomes = gov.end_block(PERIOD + 2 * SECOND, chain.execute)
    assert [(o.proposal_id, o.status) for o in outcomes] == [
        (1, PASSED),
        (2, REJECTED),
        (3, PASSED),
    ]
    assert chain.executed == ["run-0", "run-2"]
    assert [o.proposal_id for o in gov.end_block(PERIOD + 3 * SECOND, chain.execute)] == [late]


def test_state_survives_rebuilding_governance_on_the_same_store() -> None:
    chain = Chain()
    store = MemoryStorage()
    first = chain.governance(store)
    proposal_id = first.submit("val-a", "t", ("m",), 0)
    first.vote(proposal_id, "val-a", YES, SECOND)

    second = chain.governance(store)
    assert second.votes(proposal_id) == (Vote("val-a", YES),)
    second.vote(proposal_id, "val-b", NO, 2 * SECOND)
    (outcome,) = second.end_block(PERIOD, chain.execute)

    third = chain.governance(store)
    proposal = third.proposal(proposal_id)
    assert (proposal.status, proposal.final_tally) == (outcome.status, outcome.tally)
    assert proposal.final_tally == Tally(yes=40, no=30, total_power=100)
    assert third.end_block(2 * PERIOD, chain.execute) == []
    assert chain.executed == ["m"]
    assert third.submit("val-a", "next", ("n",), PERIOD) == proposal_id + 1


@pytest.mark.parametrize(
    "changes",
    [
        {"voting_period_ns": 0},
        {"voting_period_ns": -SECOND},
        {"voting_period_ns": True},
        {"voting_period_ns": 1.5},
        {"quorum": Fraction(-1, 3)},
        {"quorum": Fraction(4, 3)},
        {"quorum": 0.5},
        {"threshold": Fraction(0)},
        {"threshold": Fraction(3, 2)},
        {"veto_threshold": Fraction(0)},
        {"veto_threshold": Fraction(2)},
    ],
    ids=repr,
)
def test_bad_params_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidMessage):
        GovParams(**changes)  # type: ignore[arg-type]


def test_params_at_their_bounds_are_accepted() -> None:
    GovParams(voting_period_ns=1, quorum=Fraction(0), threshold=Fraction(1))
    GovParams(quorum=Fraction(1), veto_threshold=Fraction(1))


VOTERS = ("val-a", "val-b", "val-c", "val-d", "val-e")


@settings(max_examples=60, deadline=None)
@given(
    powers=st.lists(st.integers(0, 1_000), min_size=len(VOTERS), max_size=len(VOTERS)),
    ballots=st.lists(st.tuples(st.sampled_from(VOTERS), st.sampled_from(VoteOption)), max_size=12),
    data=st.data(),
)
def test_only_each_voters_last_vote_counts_whatever_the_order(
    powers: list[int], ballots: list[tuple[str, VoteOption]], data: st.DataObject
) -> None:
    chain = Chain(dict(zip(VOTERS, powers, strict=True)))
    ballots = [(voter, option) for voter, option in ballots if chain.power[voter] > 0]
    final = dict(ballots)
    reordered = data.draw(st.permutations(sorted(final)))

    in_ballot_order, in_other_order = chain.governance(), chain.governance()
    for gov, casts in (
        (in_ballot_order, ballots),
        (in_other_order, [(voter, final[voter]) for voter in reordered]),
    ):
        proposal_id = gov.submit("val-a", "t", ("m",), 0)
        for voter, option in casts:
            gov.vote(proposal_id, voter, option, SECOND)

    (first,) = in_ballot_order.end_block(PERIOD, chain.execute)
    (second,) = in_other_order.end_block(PERIOD, chain.execute)
    assert first == second
    assert first.tally.cast == sum(chain.power[voter] for voter in final)
